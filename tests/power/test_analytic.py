"""irtrial.power.ttest / ancova against R (closed form vs closed form: rtol 1e-6)."""

from __future__ import annotations

import numpy as np
import pytest

from irtrial.errors import ModelSpecError
from irtrial.power import ancova, ttest

from ._reference import kwargs, load

# source: tests/reference/r/power_analytic.R
REF = load("power_analytic.json")
RTOL = 1e-6


@pytest.mark.parametrize("case", REF["ttest"], ids=lambda c: str(c["args"]))
def test_ttest_matches_power_t_test(case):
    res = ttest(**kwargs(case["args"]))
    np.testing.assert_allclose(res.n, case["r"]["n"], rtol=RTOL)
    np.testing.assert_allclose(res.power, case["r"]["power"], rtol=RTOL)
    assert res.n_total == pytest.approx(2 * res.n)


@pytest.mark.parametrize("case", REF["ttest_ratio"], ids=lambda c: str(c["args"]))
def test_ttest_unequal_allocation_matches_r(case):
    res = ttest(**kwargs(case["args"]))
    if "power" in case:
        np.testing.assert_allclose(res.power, case["power"], rtol=RTOL)
    else:
        np.testing.assert_allclose(res.n, case["n"], rtol=RTOL)
    assert res.n_active == pytest.approx(case["args"]["ratio"] * res.n)


@pytest.mark.parametrize("case", REF["ancova"], ids=lambda c: str(c["args"]))
def test_ancova_matches_r(case):
    res = ancova(**kwargs(case["args"]))
    if "power" in case:
        np.testing.assert_allclose(res.power, case["power"], rtol=RTOL)
    else:
        np.testing.assert_allclose(res.n, case["n"], rtol=RTOL)


def test_round_trip_and_table():
    r = ttest(delta=1, sd=1.3, power=0.85, ratio=1.5)
    back = ttest(delta=1, sd=1.3, n=r.n, ratio=1.5)
    assert back.power == pytest.approx(0.85, rel=1e-9)
    c, a = r.n_required
    assert c == int(np.ceil(r.n)) and a == int(np.ceil(1.5 * r.n))
    t = r.table
    assert list(t[["n", "n_total", "power"]].iloc[0]) == pytest.approx([r.n, r.n_total, 0.85])
    with pytest.raises(AttributeError):
        r.n = 3  # frozen


def test_ancova_needs_fewer_subjects_than_t_test():
    assert ancova(1, 2, rho=0.5, power=0.9).n < ttest(1, 2, power=0.9).n


def test_errors_list_every_problem():
    with pytest.raises(ModelSpecError) as e:
        ttest(delta=0, sd=-1, n=10, power=0.8, alpha=2)
    msg = str(e.value)
    for word in ("exactly one of n and power", "delta", "sd", "alpha"):
        assert word in msg
    with pytest.raises(ModelSpecError, match="alternative"):
        ttest(1, 1, n=10, alternative="sideways")
