"""Satterthwaite df (SAS DDFM=SATTERTHWAITE) and the information of theta behind it.

# source: tests/reference/sas/inference_fev.json
#   "kenward_roger": design/ddfm_covtype/kr_*.csv print the df with decimals; for one contrast
#       SAS's KR df *are* the Satterthwaite df (see irtrial.mmrm.df.kenward_roger): tested at 1e-3.
#   "full_model"/"satterthwaite": design/SAS/sas_log_reml.txt (FEV1 ~ RACE + SEX + ARMCD*AVISIT,
#       us, DDFM=SATTERTHWAITE); the listing prints DF as integers: compared after rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
from _inference_helpers import (
    SAS_STRUCTURES,
    _state_at,
    build_state,
    fev_data,
    full_model_state,
    neg2_loglik,
    sas_ref,
    sas_state,
)

from irtrial.mmrm import testing
from irtrial.mmrm._information import information
from irtrial.mmrm.df import satterthwaite


@pytest.mark.parametrize("key", list(SAS_STRUCTURES))
def test_one_contrast_df_match_sas_decimals(key):
    if key != "us":
        pytest.importorskip("irtrial.mmrm.covariance")
    state, ref = sas_state("kenward_roger", key)
    df = satterthwaite.df_1d(state, np.array([[0.0, 1.0]]), None)[0]
    assert df == pytest.approx(ref["diff_TRT_PBO"]["kr"]["DF"], rel=1e-3)


def test_full_model_lsmean_and_diff_df_match_sas_integers():
    from irtrial.mmrm import lsmeans

    state, ref = full_model_state("satterthwaite")
    tab = lsmeans.lsmeans_table(state, "ARMCD", by="AVISIT", df="satterthwaite")
    ours = {(r.ARMCD, r.AVISIT): r.df for r in tab.itertuples()}
    for r in ref["lsmeans"]:
        assert round(ours[(r["ARMCD"], r["AVISIT"])]) == r["DF"]
    diffs = lsmeans.contrasts_table(state, "ARMCD", "PBO", by="AVISIT", df="satterthwaite")
    ours = {r.AVISIT: r.df for r in diffs.itertuples()}
    for r in ref["diffs"]:
        assert round(ours[r["AVISIT"]]) == r["DF"]


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_analytic_gradient_and_hessian_match_finite_differences(method):
    theta0 = [108.39, 45.4113, 40.1721, -2.6971, 0.7771, 24.6058, -47.0103, -13.0998, 18.7346,
              152.36]
    s = build_state(fev_data(), "RACE + ARMCD * AVISIT", "FEV1", "us", theta0, newton_steps=0,
                    method=method)
    t0 = s.theta + 0.5  # away from the optimum, where the gradient is not zero

    def at(theta):
        return _state_at(s.patterns, s.structure, theta, method, s.design, s.n_obs, s.n_subjects)

    info = information(at(t0))
    k, h = t0.size, 1e-5
    hess = np.zeros((k, k))
    grad = np.zeros(k)
    for i in range(k):
        e = np.eye(k)[i] * h
        hess[:, i] = (information(at(t0 + e)).gradient - information(at(t0 - e)).gradient) / (2 * h)
        grad[i] = (neg2_loglik(at(t0 + e)) - neg2_loglik(at(t0 - e))) / (2 * h)
    # central differences: truncation error ~h^2, so 1e-5 relative is generous
    np.testing.assert_allclose(info.hessian, hess, rtol=1e-5, atol=1e-5 * np.abs(hess).max())
    np.testing.assert_allclose(info.gradient, grad, rtol=1e-5, atol=1e-5 * np.abs(grad).max())


def test_nonlinear_structure_hessian_matches_finite_differences():
    pytest.importorskip("irtrial.mmrm.covariance")
    s, _ = sas_state("kenward_roger", "toeph")

    def at(theta):
        return _state_at(s.patterns, s.structure, theta, "reml", s.design, s.n_obs, s.n_subjects)

    info = information(s)
    assert not info.linear
    k, h = s.theta.size, 1e-6
    hess = np.zeros((k, k))
    for i in range(k):
        e = np.eye(k)[i] * h
        hess[:, i] = (information(at(s.theta + e)).gradient
                      - information(at(s.theta - e)).gradient) / (2 * h)
    np.testing.assert_allclose(info.hessian, hess, rtol=1e-5, atol=1e-6 * np.abs(hess).max())


# source: tests/reference/sas/inference_fev.json "satterthwaite_listings"
#   (design/SAS/sas_[group_]<structure>_{ml,reml}.txt: FEV1 ~ 1, REPEATED / TYPE=... [GROUP=ARMCD],
#    DDFM=SATTERTHWAITE; the listings print DF as integers, hence the rounding)
LISTINGS = sorted(sas_ref()["satterthwaite_listings"])


@pytest.mark.parametrize("key", LISTINGS)
def test_ml_reml_and_grouped_models_match_sas_listings(key):
    import irtrial

    ref = sas_ref()["satterthwaite_listings"][key]
    fit = irtrial.mmrm(fev_data(), "FEV1 ~ 1", subject="USUBJID", visit="AVISIT",
                       covariance=ref["covariance"], method=ref["method"], group=ref["group"],
                       df="satterthwaite")
    row = fit.coefficients.iloc[0]
    assert round(row.df) == ref["intercept"]["DF"]
    # SEs are printed with 4 decimals; one unit of the last digit, since our fit is the exact
    # optimum and SAS's stops earlier (cs ML: 0.427365 here, printed 0.4273)
    assert row.std_error == pytest.approx(ref["intercept"]["StdErr"], abs=1e-4)


# source: tests/reference/r/satterthwaite_lmertest_cs.R -> satterthwaite_lmertest_cs.json
# (lmerTest::contest, the SAS eigen-decomposition method, on a random-intercept = "cs" model)
def test_multirow_df_match_lmertest():
    import json
    from pathlib import Path

    import irtrial

    ref = json.loads((Path(__file__).resolve().parents[1] / "reference" / "r"
                      / "satterthwaite_lmertest_cs.json").read_text())
    fit = irtrial.mmrm(fev_data(), "FEV1 ~ ARMCD * AVISIT", subject="USUBJID", visit="AVISIT",
                       covariance="cs", df="satterthwaite")
    assert list(fit.design.column_names) == ref["column_names"]
    for test in ref["tests"]:
        cols = np.atleast_1d(test["columns"]) - 1
        L = np.zeros((cols.size, fit.state.beta.size))
        L[np.arange(cols.size), cols] = 1.0
        res = testing.joint_test(fit.state, L, df="satterthwaite")
        assert res["num_df"] == test["num_df"]
        assert res["f_value"] == pytest.approx(test["f_value"], rel=1e-4)
        assert res["den_df"] == pytest.approx(test["den_df"], rel=1e-3)
        assert res["p_value"] == pytest.approx(test["p_value"], rel=1e-3)


@pytest.mark.parametrize("covariance", ["us", "cs", "toep"])
def test_light_information_equals_the_full_information(covariance):
    # Satterthwaite df and the asymptotic covariance read phi, P_k and the observed theta
    # covariance from the engine's REML moments when Sigma is linear in theta; same numbers
    import irtrial
    from irtrial.mmrm._information import get_light_information

    fit = irtrial.mmrm(fev_data(), "FEV1 ~ RACE + SEX + ARMCD * AVISIT", subject="USUBJID",
                       visit="AVISIT", covariance=covariance, df="satterthwaite")
    light, full = get_light_information(fit.state), information(fit.state)
    assert not hasattr(light, "blocks")  # the light path was taken
    for name in ("phi", "p_mats", "theta_vcov"):
        np.testing.assert_allclose(getattr(light, name), getattr(full, name), rtol=1e-9,
                                   atol=1e-12 * np.abs(getattr(full, name)).max())
