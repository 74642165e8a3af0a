"""Tests of irtrial.analysis.proportions against R and published worked examples."""

# source: tests/reference/r/proportions.R -> tests/reference/r/proportions.json

import json
import math
from pathlib import Path

import numpy as np
import pytest

from irtrial.analysis.proportions import (
    compare_proportions,
    exact_conditional_odds_ratio,
    miettinen_nurminen_ci,
    miettinen_nurminen_test,
    newcombe_ci,
    number_needed_to_treat,
    wilson_ci,
)
from irtrial.errors import InsufficientDataError, ModelSpecError

REF = json.loads((Path(__file__).parents[1] / "reference/r/proportions.json").read_text())
IDS = [f"{r['x1']}of{r['n1']}-vs-{r['x0']}of{r['n0']}" for r in REF]


def _nan(v):
    """R's NA / Inf / NaN are written as strings by jsonlite (na = "string")."""
    if isinstance(v, list):
        return [_nan(x) for x in v]
    return math.nan if v in (None, "NA", "NaN") else float(v)


def _counts(r):
    return r["x1"], r["n1"], r["x0"], r["n0"]


@pytest.mark.parametrize("r", REF, ids=IDS)
def test_wilson_and_newcombe_match_r(r):
    # closed form on both sides: 1e-6 relative (absolute 1e-12 near 0)
    x1, n1, x0, n0 = _counts(r)
    np.testing.assert_allclose(wilson_ci(x1, n1), r["wilson1"], rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(wilson_ci(x0, n0), r["wilson0"], rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(newcombe_ci(x1, n1, x0, n0), r["newcombe"], rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("r", REF, ids=IDS)
def test_miettinen_nurminen_matches_independent_r(r):
    # R finds the restricted MLE numerically, Python by the closed-form cubic; both iterate
    # for the limits: 1e-4 relative (1e-8 absolute for limits at 0)
    x1, n1, x0, n0 = _counts(r)
    np.testing.assert_allclose(miettinen_nurminen_ci(x1, n1, x0, n0), r["mn"], rtol=1e-4, atol=1e-8)
    for null, key in [(0.0, "mn_z0"), (-0.1, "mn_z_null_m01"), (0.1, "mn_z_null_p01")]:
        z, _ = miettinen_nurminen_test(x1, n1, x0, n0, null=null)
        np.testing.assert_allclose(z, r[key], rtol=1e-4, atol=1e-8)


@pytest.mark.parametrize("r", REF, ids=IDS)
def test_compare_proportions_matches_r(r):
    x1, n1, x0, n0 = _counts(r)
    t = compare_proportions(x1, n1, x0, n0).set_index(["measure", "method"])
    cols = ["estimate", "ci_lower", "ci_upper"]
    np.testing.assert_allclose(
        t.loc[("risk_difference", "newcombe"), cols],
        [r["rd"], *r["newcombe"]],
        rtol=1e-6,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        t.loc[("risk_ratio", "katz_log"), [*cols, "std_error"]],
        [r["rr"], *r["rr_ci"], r["rr_se"]],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        t.loc[("odds_ratio", "woolf_logit"), [*cols, "std_error"]],
        [r["or"], *r["or_ci"], r["or_se"]],
        rtol=1e-6,
    )
    # Fisher's p: closed form (hypergeometric sums) on both sides
    np.testing.assert_allclose(
        t.loc[("fisher_exact", "two_sided"), "p_value"], r["fisher_p"], rtol=1e-6
    )
    for method, stat, p in [("pearson", "chisq", "chisq_p"), ("yates", "yates", "yates_p")]:
        row = t.loc[("chi_square", method)]
        np.testing.assert_allclose(
            [row["statistic"], row["p_value"]], [_nan(r[stat]), _nan(r[p])], rtol=1e-6
        )
        if r[stat] == "NA":
            assert "undefined" in row["note"]
    # exact conditional OR: the fisher.test definition solved to 1e-14 in R (exact_or)
    row = t.loc[("odds_ratio", "conditional_exact")]
    got = row[["estimate", "ci_lower", "ci_upper"]].astype(float).to_numpy()
    np.testing.assert_allclose(got, _nan(r["exact_or"]), rtol=1e-6, atol=1e-12)
    # ... and fisher.test itself, whose uniroot runs at its default tolerance (~1e-4), which
    # moves a large upper limit by up to ~1%: 1e-2 relative for that reason only
    if r["fisher_or"] != "NA" and not np.isnan(got[0]):
        np.testing.assert_allclose(got, [_nan(r["fisher_or"]), *_nan(r["fisher_or_ci"])], rtol=1e-2)


def test_published_fagerland_2017_chapter4():
    # Fagerland, Lydersen & Laake (2017), Statistical Analysis of Contingency Tables, ch. 4;
    # printed to 4 decimals (also in the test-suite of the R package contingencytables).
    np.testing.assert_allclose(newcombe_ci(7, 34, 1, 34), [0.0189, 0.3404], atol=5e-5)
    np.testing.assert_allclose(miettinen_nurminen_ci(0, 16, 15, 72), [-0.3164, -0.0056], atol=5e-5)
    t = compare_proportions(7, 34, 1, 34).set_index(["measure", "method"])
    np.testing.assert_allclose(
        t.loc[("risk_ratio", "katz_log"), ["ci_lower", "ci_upper"]], [0.9096, 53.8695], atol=5e-5
    )
    t = compare_proportions(0, 16, 15, 72).set_index(["measure", "method"])
    np.testing.assert_allclose(t.loc[("fisher_exact", "two_sided"), "p_value"], 0.06287, atol=5e-6)
    # Gart's adjusted logit interval = Woolf's with 0.5 added to every cell
    np.testing.assert_allclose(
        t.loc[("odds_ratio", "woolf_logit"), ["ci_lower", "ci_upper"]], [0.0064, 1.9804], atol=5e-5
    )
    assert "0.5 added" in t.loc[("odds_ratio", "woolf_logit"), "note"]
    t = compare_proportions(3, 4, 1, 4).set_index(["measure", "method"])
    np.testing.assert_allclose(
        t.loc[("chi_square", "pearson"), ["statistic", "p_value"]], [2.000, 0.15730], atol=5e-6
    )
    np.testing.assert_allclose(
        t.loc[("chi_square", "yates"), ["statistic", "p_value"]], [0.500, 0.47950], atol=5e-6
    )


def test_published_newcombe_1998_example_a():
    # Newcombe (1998) Table II, example (a) 56/70 vs 48/80: method 10 and the MN interval
    np.testing.assert_allclose(newcombe_ci(56, 70, 48, 80), [0.0524, 0.3339], atol=5e-5)
    np.testing.assert_allclose(miettinen_nurminen_ci(56, 70, 48, 80), [0.0528, 0.3382], atol=5e-5)


def test_mn_score_at_zero_is_scaled_pearson():
    # z^2 = X^2 (N-1)/N at delta = 0 (MN 1985): ties the MN test to chisq.test
    for r in REF:
        if r["chisq"] == "NA":
            continue
        x1, n1, x0, n0 = _counts(r)
        z, _ = miettinen_nurminen_test(x1, n1, x0, n0)
        n = n1 + n0
        np.testing.assert_allclose(z * z, r["chisq"] * (n - 1) / n, rtol=1e-10)


def test_mn_non_zero_null_one_sided():
    z, p = miettinen_nurminen_test(7, 34, 1, 34, null=-0.1, alternative="greater")
    ref = next(r for r in REF if _counts(r) == (7, 34, 1, 34))
    np.testing.assert_allclose(z, ref["mn_z_null_m01"], rtol=1e-4)
    np.testing.assert_allclose(p, 0.5 * math.erfc(z / math.sqrt(2)), rtol=1e-12)
    # the interval and the test agree: a bound of the 95% CI is where the two-sided p is 0.05
    lo, hi = miettinen_nurminen_ci(7, 34, 1, 34)
    np.testing.assert_allclose(miettinen_nurminen_test(7, 34, 1, 34, null=lo)[1], 0.05, rtol=1e-8)
    np.testing.assert_allclose(miettinen_nurminen_test(7, 34, 1, 34, null=hi)[1], 0.05, rtol=1e-8)


def test_exact_conditional_or_edges():
    est, lo, hi = exact_conditional_odds_ratio(0, 10, 0, 10)
    assert math.isnan(est) and lo == 0 and hi == math.inf
    est, lo, hi = exact_conditional_odds_ratio(10, 10, 0, 10)
    assert est == math.inf and hi == math.inf and lo > 1


def test_zero_events_both_arms_is_reported_not_silent():
    t = compare_proportions(0, 10, 0, 20).set_index(["measure", "method"])
    assert t.loc[("risk_difference", "newcombe"), "estimate"] == 0
    for key in [
        ("chi_square", "pearson"),
        ("risk_difference", "miettinen_nurminen"),
        ("odds_ratio", "conditional_exact"),
    ]:
        assert np.isnan(t.loc[key, "p_value"]) or np.isnan(t.loc[key, "estimate"])
        assert t.loc[key, "note"]
    assert t.loc[("fisher_exact", "two_sided"), "p_value"] == 1.0


@pytest.mark.parametrize(
    ("d", "lo", "hi", "label"),
    [
        (0.25, 0.1, 0.4, "NNTB 4.0 (95% CI NNTB 2.5 to 10.0)"),
        (-0.25, -0.4, -0.1, "NNTH 4.0 (95% CI NNTH 2.5 to 10.0)"),
        # Altman (1998): the CI of the difference contains 0
        (0.1, -0.05, 0.25, "NNTB 10.0 (95% CI NNTB 4.0 to infinity to NNTH 20.0)"),
        (0.0, -0.2, 0.1, "infinity (no difference) (95% CI NNTB 10.0 to infinity to NNTH 5.0)"),
        (0.2, 0.0, 0.4, "NNTB 5.0 (95% CI NNTB 2.5 to infinity)"),
    ],
)
def test_nnt_altman(d, lo, hi, label):
    nnt = number_needed_to_treat(d, lo, hi)
    assert nnt.label == label
    assert nnt.estimate == (math.inf if d == 0 else 1 / abs(d))
    assert nnt.crosses_zero == (lo <= 0 <= hi)


def test_altman_1998_worked_example():
    # Altman (1998) BMJ 317:1309, the Ogston example: difference -0.063 (95% CI -0.124 to
    # -0.002) read the other way round: NNTB 15.9 (8.1 to 500); here the benefit direction.
    nnt = number_needed_to_treat(0.063, 0.002, 0.124)
    np.testing.assert_allclose(
        [nnt.estimate, nnt.ci_lower, nnt.ci_upper], [1 / 0.063, 1 / 0.124, 500.0], rtol=1e-12
    )
    assert nnt.kind == "NNTB" and not nnt.crosses_zero


def test_bad_input_raises_typed_errors():
    with pytest.raises(InsufficientDataError, match="active arm.*control arm"):
        compare_proportions(5, 0, 12, 3)
    with pytest.raises(ModelSpecError):
        compare_proportions(1, 2, 1, 2, conf_level=1.5)
    with pytest.raises(ModelSpecError):
        number_needed_to_treat(0.5, 0.1, 0.2)


REF90 = json.loads((Path(__file__).parents[1] / "reference/r/proportions_conf90.json").read_text())


@pytest.mark.parametrize(
    "r", REF90, ids=[f"{r['x1']}of{r['n1']}-{r['x0']}of{r['n0']}" for r in REF90]
)
def test_conf_level_90_matches_r(r):
    x1, n1, x0, n0 = _counts(r)
    np.testing.assert_allclose(wilson_ci(x1, n1, 0.9), r["wilson1"], rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(wilson_ci(x0, n0, 0.9), r["wilson0"], rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(newcombe_ci(x1, n1, x0, n0, 0.9), r["newcombe"], rtol=1e-6)
    np.testing.assert_allclose(miettinen_nurminen_ci(x1, n1, x0, n0, 0.9), r["mn"], rtol=1e-4)


def test_restricted_mle_closed_form_is_the_constrained_maximum():
    # the cubic's root (Farrington & Manning 1990) against direct numerical maximisation of
    # the binomial log-likelihood under p1 - p0 = delta, over a grid of tables and deltas
    from scipy.optimize import minimize_scalar

    from irtrial.analysis.proportions import _restricted_mle

    def negll(p0, x1, n1, x0, n0, delta):
        p1 = p0 + delta
        terms = [(x1, p1), (n1 - x1, 1 - p1), (x0, p0), (n0 - x0, 1 - p0)]
        return -sum(k * np.log(p) for k, p in terms if k > 0)

    rng = np.random.default_rng(1985)
    for _ in range(200):
        n1, n0 = rng.integers(2, 60, size=2)
        x1, x0 = rng.integers(0, n1 + 1), rng.integers(0, n0 + 1)
        delta = rng.uniform(-0.95, 0.95)
        lo, hi = max(0.0, -delta), min(1.0, 1.0 - delta)
        opt = minimize_scalar(
            negll,
            bounds=(lo, hi),
            args=(x1, n1, x0, n0, delta),
            method="bounded",
            options={"xatol": 1e-12},
        )
        t1, t0 = _restricted_mle(x1, n1, x0, n0, delta)
        np.testing.assert_allclose(t1 - t0, delta, atol=1e-12)
        # compare the likelihoods (flat near a boundary optimum), then the point itself
        assert negll(t0, x1, n1, x0, n0, delta) <= opt.fun + 1e-8
        np.testing.assert_allclose(t0, opt.x, atol=1e-5)
