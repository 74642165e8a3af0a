"""irtrial.power.proportions against R power.prop.test, Hmisc::bpower and an R enumeration."""

from __future__ import annotations

import numpy as np
import pytest

from irtrial.analysis.proportions import miettinen_nurminen_test, newcombe_ci
from irtrial.errors import ModelSpecError
from irtrial.power import proportions
from irtrial.power.proportions import exact_rejection

from ._reference import kwargs, load

# source: tests/reference/r/power_analytic.R
REF = load("power_analytic.json")
RTOL = 1e-6


@pytest.mark.parametrize("case", REF["prop"], ids=lambda c: str(c["args"]))
def test_pooled_matches_power_prop_test(case):
    res = proportions(**kwargs(case["args"]))
    np.testing.assert_allclose(res.n, case["r"]["n"], rtol=RTOL)
    np.testing.assert_allclose(res.power, case["r"]["power"], rtol=RTOL)


@pytest.mark.parametrize("case", REF["bpower"], ids=lambda c: str(c["args"]))
def test_pooled_unequal_matches_hmisc_bpower(case):
    res = proportions(**kwargs(case["args"]))
    np.testing.assert_allclose(res.power, case["power"], rtol=RTOL)


@pytest.mark.parametrize("case", REF["exact"], ids=lambda c: str(c["args"]))
def test_exact_interval_power_matches_r_enumeration(case):
    res = proportions(**kwargs(case["args"]))
    np.testing.assert_allclose(res.power, case["power"], rtol=RTOL)


@pytest.mark.parametrize("n0,n1", [(12, 15), (20, 20)])
def test_rejection_region_agrees_with_the_analysis_intervals(n0, n1):
    """The vectorised region is the analysis' own Newcombe interval / MN test excluding 0."""
    z = 1.959963984540054
    up_n, down_n = exact_rejection(n0, n1, z, "newcombe")
    up_m, down_m = exact_rejection(n0, n1, z, "mn")
    for x0 in range(0, n0 + 1, 3):
        for x1 in range(0, n1 + 1, 2):
            lo, hi = newcombe_ci(x1, n1, x0, n0, conf_level=0.95)
            assert (up_n[x0, x1] or down_n[x0, x1]) == (lo > 0 or hi < 0)
            p = miettinen_nurminen_test(x1, n1, x0, n0)
            p = p[-1] if isinstance(p, tuple) else p
            if np.isfinite(p) and abs(p - 0.05) > 1e-9:
                assert (up_m[x0, x1] or down_m[x0, x1]) == (p < 0.05)


def test_exact_sample_size_is_the_first_n_reaching_the_target():
    r = proportions(0.2, 0.45, power=0.8, method="mn")
    n = int(r.n)
    assert r.power >= 0.8
    assert proportions(0.2, 0.45, n=n - 1, method="mn").power < 0.8


def test_errors():
    with pytest.raises(ModelSpecError) as e:
        proportions(0.3, 0.3, n=10, method="wald")
    assert "equal" in str(e.value) and "method" in str(e.value)
