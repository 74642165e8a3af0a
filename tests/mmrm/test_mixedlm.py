"""Random intercept / slope alternative (statsmodels MixedLM, polished) against SAS and nlme.

source: tests/reference/sas/mmrm_engine.json (SAS TYPE=CS on FEV1 ~ 1: the random-intercept
model when the CS covariance is positive) and tests/reference/r/mmrm_mixedlm_slope.R ->
mmrm_mixedlm_slope.json (nlme::lme random = ~ 1 + VISITN | USUBJID, REML and ML).
"""

import json
from pathlib import Path

import numpy as np
import pytest
from _sas_reference import fev_data, reference

import irtrial
from irtrial.errors import ModelSpecError
from irtrial.mmrm.mixedlm import mixedlm

R_REF = Path(__file__).resolve().parents[1] / "reference" / "r" / "mmrm_mixedlm_slope.json"


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_random_intercept_equals_sas_compound_symmetry(method):
    key = f"sas_cs_{method}.txt"
    sas = reference()["sas"][key]
    f = mixedlm(fev_data(), "FEV1 ~ 1", subject="USUBJID", visit="AVISIT", method=method)
    np.testing.assert_allclose(-2 * f.loglik, sas["neg2loglik"], rtol=1e-6)
    assert -2 * f.loglik <= sas["neg2loglik"] * (1 + 1e-9)
    cs = irtrial.mmrm(
        fev_data(),
        "FEV1 ~ 1",
        subject="USUBJID",
        visit="AVISIT",
        covariance="cs",
        method=method,
        df="residual",
    )
    # same model, same optimum: (Intercept variance, Residual) = (CS, Residual); both stop at a
    # Newton decrement of ~1e-11 |f|, i.e. a few 1e-4 SE apart
    np.testing.assert_allclose(-2 * f.loglik, -2 * cs.loglik, rtol=1e-10)
    np.testing.assert_allclose(f.theta, cs.theta, rtol=1e-4)
    np.testing.assert_allclose(f.beta, cs.beta, rtol=1e-6)
    se = np.sqrt(f.beta_vcov("asymptotic")[0, 0])
    fx = sas["fixed_effects"][0]
    # SAS printed precision (4 decimals); SAS's cs estimate is less converged (see test_fit)
    np.testing.assert_allclose(f.beta[0], fx["Estimate"], atol=5e-5 + 1e-4 * 42)
    np.testing.assert_allclose(se, fx["StdErr"], atol=5e-5, rtol=3e-4)
    assert f.coefficients["df"].iloc[0] == f.n_obs - 1  # residual df


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_random_slope_matches_nlme(method):
    r = json.loads(R_REF.read_text())[method.upper()]
    f = mixedlm(
        fev_data(),
        "FEV1 ~ ARMCD * AVISIT",
        subject="USUBJID",
        visit="AVISIT",
        random="slope",
        time="VISITN",
        method=method,
    )
    np.testing.assert_allclose(-2 * f.loglik, r["neg2loglik"], rtol=1e-8)
    assert f.design.column_names == r["terms"]
    g = np.array(r["G"])
    theta_r = np.r_[g[0, 0], g[1, 0], g[1, 1], r["residual"]]
    # nlme's optimiser tolerance: estimates agree to 1e-4 relative / 0.005 SE
    se_theta = f.covariance_parameters["std_error"].to_numpy()
    assert np.all(np.abs(f.theta - theta_r) <= np.maximum(1e-4 * np.abs(theta_r), 0.005 * se_theta))
    np.testing.assert_allclose(f.beta, r["beta"], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.sqrt(np.diag(f.beta_vcov("asymptotic"))), r["se"], rtol=1e-4)
    assert f.covariance_parameters["cov_parm"].tolist() == [
        "Intercept",
        "Intercept:Slope",
        "Slope",
        "Residual",
    ]
    assert f.optimizer == "statsmodels-mixedlm+newton"


def test_mixedlm_errors():
    with pytest.raises(ModelSpecError, match="random"):
        mixedlm(fev_data(), "FEV1 ~ 1", subject="USUBJID", visit="AVISIT", random="curve")
    d = fev_data()
    d["T"] = np.arange(len(d))  # not constant within a visit
    with pytest.raises(ModelSpecError, match="constant within each visit"):
        mixedlm(d, "FEV1 ~ 1", subject="USUBJID", visit="AVISIT", random="slope", time="T")
