"""Cohen's d and Hedges' g with noncentral-t CIs against an independent R implementation.

# source: tests/reference/r/effect_sizes.R -> tests/reference/r/effect_sizes.json
# (pt(ncp =) inverted with uniroot, R 4.2.2)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from irtrial.analysis.effect_sizes import _cohens_d, _hedges_j, _noncentral_t_ci
from irtrial.errors import InsufficientDataError

REF = Path(__file__).parents[1] / "reference" / "r" / "effect_sizes.json"
CASES = json.loads(REF.read_text())


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['name']}-{c['conf_level']}")
def test_effect_sizes_match_r(case):
    got = _cohens_d(np.array(case["x"], float), np.array(case["y"], float), case["conf_level"])
    for measure in ("cohens_d", "hedges_g"):
        # estimates and SEs closed form; the CIs iterate on both sides (1e-4 allowed, we see 1e-11)
        for key in ("estimate", "std_error"):
            np.testing.assert_allclose(got[measure][key], case[measure][key], rtol=1e-6)
        for key in ("ci_lower", "ci_upper"):
            np.testing.assert_allclose(got[measure][key], case[measure][key], rtol=1e-6)
    for key in ("df", "statistic", "p_value", "pooled_sd", "hedges_j"):
        np.testing.assert_allclose(got["cohens_d"][key], case[key], rtol=1e-6)


def test_ci_is_exact_coverage_statement():
    # at the limits, the observed t sits at the alpha/2 and 1 - alpha/2 quantiles
    from scipy import stats

    t, df = 2.3, 25
    lo, hi = _noncentral_t_ci(t, df, 0.95)
    assert stats.nct.cdf(t, df, lo) == pytest.approx(0.975, abs=1e-10)
    assert stats.nct.cdf(t, df, hi) == pytest.approx(0.025, abs=1e-10)


def test_hedges_j_approximation():
    # Hedges (1981): J(df) ~ 1 - 3 / (4 df - 1)
    for df in (10, 37, 100):
        assert _hedges_j(df) == pytest.approx(1 - 3 / (4 * df - 1), rel=1e-3)


def test_errors():
    with pytest.raises(InsufficientDataError):
        _cohens_d(np.array([1.0]), np.array([1.0, 2.0]))
    with pytest.raises(InsufficientDataError):
        _cohens_d(np.array([1.0, 1.0]), np.array([1.0, 1.0]))


# ---------------------------------------------------------------- through the Trial layer

from _comparison_data import SYNTHETIC, toy_frame  # noqa: E402

from irtrial.analysis.effect_sizes import effect_sizes  # noqa: E402


@pytest.mark.parametrize(
    ("variable", "name"), [("change", "synthetic_CHG"), ("pct_change", "synthetic_PCHG")]
)
def test_synthetic_replica_matches_r(variable, name):
    want = next(c for c in CASES if c["name"] == name)
    tab = effect_sizes(SYNTHETIC, variable=variable).table.set_index("measure")
    for measure in ("cohens_d", "hedges_g"):
        for key in ("estimate", "std_error", "ci_lower", "ci_upper"):
            np.testing.assert_allclose(tab.loc[measure, key], want[measure][key], rtol=1e-6)


def test_three_arms_and_single_subject():
    res = effect_sizes(toy_frame())
    assert len(res.table) == 4 and set(res.table["arm"]) == {"High", "Low"}
    d = toy_frame()
    d = d.loc[(d["ARM"] != "Placebo") | (d["USUBJID"] == "P0")]
    with pytest.raises(InsufficientDataError, match="'Placebo' has 1$"):
        effect_sizes(d)


def test_single_subject_active_arm_gives_a_not_computable_row():
    d = toy_frame()
    d = d.loc[(d["ARM"] != "Low") | (d["USUBJID"] == "L1")]
    res = effect_sizes(d)
    t = res.table.set_index(["arm", "measure"])
    ref = effect_sizes(toy_frame()).table.set_index(["arm", "measure"])
    for measure in ("cohens_d", "hedges_g"):
        assert t.loc[("Low", measure), ["estimate", "ci_lower", "ci_upper"]].isna().all()
        assert t.loc[("Low", measure), "note"] == (
            "Low at Week 2: 1 subject with a value; at least 2 needed"
        )
        np.testing.assert_allclose(
            t.loc[("High", measure), "estimate"], ref.loc[("High", measure), "estimate"]
        )
    assert any("Low vs Placebo: not computable" in n for n in res.notes)


def test_docstring_examples_run():
    import doctest
    import importlib

    module = importlib.import_module("irtrial.analysis.effect_sizes")

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
