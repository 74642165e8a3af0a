"""irtrial.power.mmrm (Lu, Luo & Chen 2008) against longpower::power.mmrm / power.mmrm.ar1."""

from __future__ import annotations

import numpy as np
import pytest

from irtrial.errors import ModelSpecError
from irtrial.power import inflation_factor, mmrm

from ._reference import kwargs, load

# source: tests/reference/r/power_analytic.R  (longpower: group a = active, b = control,
# lambda = Na / Nb = ratio, n2 = Nb = irtrial's n)
REF = load("power_analytic.json")
RTOL = 1e-6


@pytest.mark.parametrize("case", REF["mmrm"] + REF["mmrm_ar1"], ids=lambda c: str(c["args"]))
def test_matches_longpower(case):
    res = mmrm(**kwargs(case["args"]))
    r = case["r"]
    np.testing.assert_allclose(res.n, r["n2"], rtol=RTOL)
    np.testing.assert_allclose(res.n_active, r["n1"], rtol=RTOL)
    np.testing.assert_allclose(res.power, r["power"], rtol=RTOL)
    if "phi1" in r:
        np.testing.assert_allclose(res.parameters["phi_active"], r["phi1"], rtol=RTOL)
        np.testing.assert_allclose(res.parameters["phi_control"], r["phi2"], rtol=RTOL)


@pytest.mark.parametrize("case", REF["mmrm_t"], ids=lambda c: str(c["args"]))
def test_t_version_matches_r(case):
    res = mmrm(**kwargs(case["args"]))
    if "power" in case:
        np.testing.assert_allclose(res.power, case["power"], rtol=RTOL)
    else:
        np.testing.assert_allclose(res.n, case["n"], rtol=RTOL)


def test_covariance_matrix_gives_the_same_answer_as_sd_and_correlation():
    corr = np.array([[1, .6, .4], [.6, 1, .7], [.4, .7, 1]])
    sds = np.array([1.0, 1.5, 2.0])
    sigma = corr * np.outer(sds, sds)
    ret = [1, .85, .75]
    a = mmrm(1.0, sigma=sigma, retention=ret, power=0.9)
    b = mmrm(1.0, sd=2.0, correlation=corr, retention=ret, power=0.9)
    assert a.n == pytest.approx(b.n, rel=1e-12)


def test_no_dropout_is_the_z_test_and_ar1_closed_form():
    # phi = 1 without dropout; AR(1) closed form of Lu et al. eq. (4) with dropout
    assert inflation_factor(np.eye(2) * 0.5 + 0.5, np.ones(2)) == pytest.approx(1.0)
    rho, r, t = 0.5, np.array([1, .8, .6]), np.array([1.0, 2, 3])
    closed = 1 / r[-1] - np.sum(rho ** (2 * (t[-1] - t[:-1])) * (1 / r[1:] - 1 / r[:-1]))
    c = rho ** np.abs(np.subtract.outer(t, t))
    assert inflation_factor(c, r) == pytest.approx(closed, rel=1e-12)


def test_errors_list_every_problem():
    with pytest.raises(ModelSpecError) as e:
        mmrm(0.5, sd=1, rho_ar1=0.5, retention=[1, 1.2, 0.5], n=10, power=0.8)
    assert "exactly one of n and power" in str(e.value) and "retention" in str(e.value)
    with pytest.raises(ModelSpecError, match="exactly one of sigma"):
        mmrm(0.5, sd=1, n=10)
