"""Multiplicity adjustment of contrasts: Dunnett (multivariate t), Holm, Bonferroni.

source: tests/reference/r/dunnett_three_arms.R -> tests/reference/r/dunnett_three_arms.json
(data tests/reference/r/dunnett_three_arms.csv from dunnett_three_arms_data.py; nlme::gls
corSymm + varIdent REML, emmeans / multcomp / mvtnorm, every contrast on the residual df).
"""

import doctest
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import irtrial
from irtrial.errors import ModelSpecError
from irtrial.mmrm import adjust
from irtrial.mmrm.adjust import adjust_family

_R = Path(__file__).resolve().parents[1] / "reference" / "r"


@pytest.fixture(scope="module")
def ref():
    return json.loads((_R / "dunnett_three_arms.json").read_text())


@pytest.fixture(scope="module")
def fit():
    d = pd.read_csv(_R / "dunnett_three_arms.csv")
    d["ARM"] = pd.Categorical(d["ARM"], categories=["Placebo", "Low", "High"])
    return irtrial.mmrm(d, "AVAL ~ BASE + ARM * AVISIT", subject="USUBJID", visit="AVISIT",
                        df="residual")


def _check(tab, want, p_rtol=1e-3, ci_rtol=1e-4, ci_atol=0.0):
    assert tab["ARM"].astype(str).add(" - Placebo").tolist() == want["contrast"].tolist()
    assert tab["AVISIT"].astype(str).tolist() == want["AVISIT"].tolist()
    np.testing.assert_allclose(tab["p_adjusted"], want["p_value"], rtol=p_rtol)
    np.testing.assert_allclose(tab["ci_lower_adjusted"], want["ci_lower"], rtol=ci_rtol,
                               atol=ci_atol)
    np.testing.assert_allclose(tab["ci_upper_adjusted"], want["ci_upper"], rtol=ci_rtol,
                               atol=ci_atol)


def test_same_model_and_unadjusted_contrasts_as_r(fit, ref):
    assert fit.n_obs == ref["n_obs"]
    np.testing.assert_allclose(-2 * fit.loglik, ref["neg2_res_loglik"], rtol=1e-6)
    tab = fit.contrasts("ARM", by="AVISIT")
    want = pd.DataFrame(ref["none"])
    assert (tab["df"] == ref["df_residual"]).all()
    np.testing.assert_allclose(tab["estimate"], want["estimate"], rtol=1e-4)
    np.testing.assert_allclose(tab["std_error"], want["std_error"], rtol=1e-4)
    np.testing.assert_allclose(tab["p_value"], want["p_value"], rtol=1e-3)


def test_dunnett_matches_mvtnorm_tvpack(fit, ref):
    # deterministic reference (TVPACK, uniroot 1e-12): the standard tolerances apply
    tab = fit.contrasts("ARM", by="AVISIT", adjust="dunnett")
    _check(tab, pd.DataFrame(ref["dunnett_tvpack"]))
    assert (tab["adjust"] == "dunnett").all()
    # unadjusted columns are kept, the adjusted ones are wider / larger
    assert (tab["p_adjusted"] > tab["p_value"]).all()
    assert (tab["ci_lower_adjusted"] < tab["ci_lower"]).all()


def test_dunnett_matches_emmeans_mvt_and_multcomp(fit, ref):
    # emmeans adjust = "mvt" and multcomp single-step use mvtnorm's randomised Genz-Bretz rule
    # with abseps = 1e-3: their simultaneous intervals carry that Monte Carlo error in the
    # critical value (atol 1e-3 on the CI limits); their p-values agree at the usual 1e-3
    tab = fit.contrasts("ARM", by="AVISIT", adjust="dunnett")
    for key in ("dunnett_emmeans_mvt", "dunnett_multcomp"):
        _check(tab, pd.DataFrame(ref[key]), ci_rtol=0.0, ci_atol=1e-3)


@pytest.mark.parametrize("method", ["holm", "bonferroni"])
def test_holm_and_bonferroni_match_emmeans(fit, ref, method):
    # emmeans gives Holm's p-values with Bonferroni intervals, as irtrial
    tab = fit.contrasts("ARM", by="AVISIT", adjust=method.upper())
    _check(tab, pd.DataFrame(ref[method]))


def test_three_contrasts_match_mvtnorm(ref):
    r = ref["dunnett_trivariate"]
    corr = np.array(r["correlation"])
    p, lo, hi = adjust_family(np.array(r["t"]), np.ones(3), np.full(3, float(r["df"])), corr,
                              "dunnett")
    # irtrial's trivariate quadrature is deterministic (~1e-10); the reference integrates by
    # Genz-Bretz at abseps 1e-7 and its critical value is a root of that noisy function (noise
    # / density of max|T| ~ 1e-6): p to 1e-6, the critical value to 5e-6 absolute
    np.testing.assert_allclose(p, r["p_adjusted"], atol=1e-6)
    np.testing.assert_allclose((hi - lo) / 2, r["critical_value"], atol=5e-6)


def test_four_or_more_contrasts_by_quasi_monte_carlo():
    # the QMC path (four or more contrasts) against the deterministic trivariate quadrature on
    # the same 3-dimensional problem: QMC with 2e4 points has ~1e-5 absolute error
    corr = np.array([[1, 0.6, 0.3], [0.6, 1, -0.2], [0.3, -0.2, 1]])
    for c, df in ((1.9, 7.0), (2.4, 40.0)):
        q = adjust._inside_qmc(c, corr, df)
        assert abs(q - adjust._inside3(c, corr, df)) < 2e-5
        assert q == adjust._inside_qmc(c, corr, df)  # fixed seed: reproducible
    # 4 equicorrelated contrasts (rho = 0.5, balanced Dunnett): closed form by the one-factor
    # representation Z_i = sqrt(rho) W + sqrt(1 - rho) E_i, integrated over W and s
    from scipy import stats

    rho, df, c = 0.5, 30.0, 2.3
    x, wx = np.polynomial.legendre.leggauss(200)
    w, ww = 10 * x, 10 * wx  # W in (-10, 10)
    s, ws = 0.2 + 1.6 * (x + 1) / 2, 1.6 / 2 * wx  # s in (0.2, 1.8): chi_30 / sqrt(30) mass
    a = c * s[:, None]
    e = (stats.norm.cdf((a - np.sqrt(rho) * w) / np.sqrt(1 - rho))
         - stats.norm.cdf((-a - np.sqrt(rho) * w) / np.sqrt(1 - rho)))
    inner = (e**4 * stats.norm.pdf(w) * ww).sum(axis=1)
    want = (inner * stats.chi.pdf(s * np.sqrt(df), df) * np.sqrt(df) * ws).sum()
    corr = np.full((4, 4), rho) + (1 - rho) * np.eye(4)
    assert abs(adjust._inside_qmc(c, corr, df) - want) < 2e-5


def test_a_family_of_one_is_not_adjusted():
    p, lo, hi = adjust_family([2.0], [1.0], [20.0], np.array([[1.0]]), "dunnett")
    tab_p = 2 * __import__("scipy").stats.t.sf(2.0, 20.0)
    np.testing.assert_allclose(p, [tab_p], rtol=1e-12)


def test_two_arm_trial_by_visit_is_unadjusted(fit):
    tab = irtrial.mmrm(irtrial.synthetic.ir_wrap_trial(), df="residual").contrasts(
        "arm", by="visit", adjust="dunnett")
    np.testing.assert_allclose(tab["p_adjusted"], tab["p_value"], rtol=1e-12)
    np.testing.assert_allclose(tab["ci_lower_adjusted"], tab["ci_lower"], rtol=1e-12)


def test_bad_adjust_lists_the_choices(fit):
    with pytest.raises(ModelSpecError, match="adjust='tukey' is not one of None, 'bonferroni'"):
        fit.contrasts("ARM", by="AVISIT", adjust="tukey")


def test_docstring_examples_run():
    res = doctest.testmod(adjust, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0
