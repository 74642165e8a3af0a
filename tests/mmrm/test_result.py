"""The public result: irtrial.mmrm(...) -> MMRMResult, its tables, errors and the Trial entry.

source: tests/reference/sas/mmrm_engine.json (SAS sas_log_reml.txt: FEV1 ~ RACE + SEX +
ARMCD*AVISIT, TYPE=UN, REML, DDFM=SATTERTHWAITE; DF printed as integers).
"""

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _sas_reference import fev_data, reference, sas_fixed, spec

import irtrial
from irtrial.errors import ConvergenceError, InsufficientDataError, ModelSpecError
from irtrial.mmrm import FitControl, MMRMResult
from irtrial.mmrm._types import ModelState

FORMULA = "FEV1 ~ RACE + SEX + ARMCD * AVISIT"
ESTIMATE_COLUMNS = [
    "term",
    "estimate",
    "std_error",
    "df",
    "statistic",
    "p_value",
    "ci_lower",
    "ci_upper",
]


@pytest.fixture(scope="module")
def fit():
    return irtrial.mmrm(fev_data(), FORMULA, subject="USUBJID", visit="AVISIT", df="satterthwaite")


def test_result_tables_and_counts(fit):
    assert isinstance(fit, MMRMResult) and isinstance(fit.state, ModelState)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.method = "ml"
    assert list(fit.coefficients.columns) == ESTIMATE_COLUMNS
    assert fit.coefficients["term"].tolist() == fit.design.column_names
    cov = fit.covariance
    assert list(cov.index) == ["VIS1", "VIS2", "VIS3", "VIS4"] == list(cov.columns)
    np.testing.assert_allclose(cov.to_numpy(), cov.to_numpy().T)
    cp = fit.covariance_parameters
    assert list(cp.columns) == ["cov_parm", "group", "estimate", "std_error"]
    assert len(cp) == 10 and cp["std_error"].gt(0).all()
    assert (fit.n_obs, fit.n_subjects, fit.n_dropped) == (537, 197, 263)
    assert fit.converged and fit.n_iterations >= 1
    np.testing.assert_allclose(-2 * fit.loglik, 3386.44987722, rtol=1e-6)  # SAS
    assert "\n" not in repr(fit) and "us" in repr(fit)
    text = str(fit.summary())
    assert "Solution for Fixed Effects" in text and "UN(4,4)" in text


def test_coefficients_with_satterthwaite_df_match_sas(fit):
    # SAS prints DF as integers: |ours - SAS| <= 0.5; SEs as in test_fit (SAS converges less)
    key = "sas_log_reml.txt"
    sp = spec(key)
    assert sp["formula"] == FORMULA
    co = fit.coefficients
    for i, _b, _pb, s, _ps in sas_fixed(key, fit):
        np.testing.assert_allclose(co["std_error"][i], s, rtol=3e-4, atol=5e-5)
    df_sas = [r["DF"] for r in reference()["sas"][key]["fixed_effects"]]
    df_ours = [co["df"][i] for i, *_ in sas_fixed(key, fit)]
    assert np.all(np.abs(np.array(df_ours) - np.array(df_sas)) <= 0.5 + 1e-6)


def test_lsmean_difference_at_a_visit_is_the_coefficient_sum(fit):
    con = fit.contrasts("ARMCD", control="PBO", by="AVISIT")
    row = con[con["AVISIT"] == "VIS4"].iloc[0]
    names = fit.design.column_names
    b = dict(zip(names, fit.beta, strict=True))
    np.testing.assert_allclose(
        row["estimate"], b["ARMCDTRT"] + b["ARMCDTRT:AVISITVIS4"], rtol=1e-10
    )
    lsm = fit.lsmeans("ARMCD", by="AVISIT")
    assert len(lsm) == 8 and {"estimate", "std_error", "df"} <= set(lsm.columns)
    t3 = fit.type3()
    assert t3["term"].tolist() == ["RACE", "SEX", "ARMCD", "AVISIT", "ARMCD:AVISIT"]


def test_group_covariance_is_a_dict_per_level():
    f = irtrial.mmrm(
        fev_data(),
        "FEV1 ~ ARMCD",
        subject="USUBJID",
        visit="AVISIT",
        covariance="ar1",
        group="ARMCD",
        df="residual",
    )
    assert set(f.covariance) == {"PBO", "TRT"}
    assert not np.allclose(f.covariance["PBO"], f.covariance["TRT"])
    assert f.covariance_parameters["group"].tolist() == ["PBO", "PBO", "TRT", "TRT"]


def test_conditional_mean_of_a_subject_with_a_gap(fit):
    d = fev_data()
    rows = d[d["USUBJID"] == "PT1"]  # VIS1 and VIS3 missing
    out = fit.conditional_mean(rows)
    assert out["observed"].tolist() == [False, True, False, True]
    s = fit.sigma()
    mu = fit.design.model_matrix(rows) @ fit.beta
    o, m = np.array([1, 3]), np.array([0, 2])
    y = rows["FEV1"].to_numpy()
    expected = mu[m] + s[np.ix_(m, o)] @ np.linalg.solve(s[np.ix_(o, o)], y[o] - mu[o])
    np.testing.assert_allclose(out["cond_mean"].to_numpy()[m], expected, rtol=1e-12)
    np.testing.assert_allclose(out["cond_mean"].to_numpy()[o], y[o])


def test_option_errors_list_every_problem_and_the_choices():
    with pytest.raises(ModelSpecError) as exc:
        irtrial.mmrm(
            fev_data(),
            FORMULA,
            subject="USUBJID",
            visit="AVISIT",
            covariance="unstructured",
            df="kenward",
            conf_level=95,
        )
    msg = str(exc.value)
    assert "'us'" in msg and "'kenward-roger-linear'" in msg and "conf_level" in msg
    with pytest.raises(ModelSpecError):
        FitControl(optimizers=("nelder-mead",))


def test_insufficient_data_for_unstructured():
    d = fev_data()
    few = d[d["USUBJID"].isin(["PT1", "PT2", "PT3"])]
    with pytest.raises(InsufficientDataError, match="too few"):
        irtrial.mmrm(few, "FEV1 ~ 1", subject="USUBJID", visit="AVISIT", df="residual")
    one = d[~((d["AVISIT"] == "VIS2") & (d["USUBJID"] != "PT2"))]  # VIS2: one subject
    with pytest.raises(InsufficientDataError, match="VIS2"):
        irtrial.mmrm(one, "FEV1 ~ 1", subject="USUBJID", visit="AVISIT", df="residual")


def test_non_convergence_raises_like_sas():
    # SAS PROC MIXED does not converge on fev_data[1:50, ] with this model (sas_log_nonconvergence)
    with pytest.raises(ConvergenceError, match="simpler covariance"):
        irtrial.mmrm(
            fev_data().iloc[:50],
            FORMULA,
            subject="USUBJID",
            visit="AVISIT",
            df="residual",
            control=FitControl(max_iter=30),
        )


def test_weights_change_the_fit_and_nonpositive_weights_are_dropped():
    d = fev_data()
    d.loc[1, "WEIGHT"] = 0.0  # an observed row
    f = irtrial.mmrm(
        d,
        "FEV1 ~ ARMCD",
        subject="USUBJID",
        visit="AVISIT",
        covariance="cs",
        weights="WEIGHT",
        df="residual",
    )
    ex = f.exclusions.set_index("reason")
    assert ex.loc["weight not positive", "n_rows"] == 1
    assert f.n_obs == 536


def test_trial_entry_uses_the_default_model():
    path = Path(__file__).resolve().parents[2] / "data" / "synthetic" / "ir_wrap_trial.csv"
    trial = irtrial.read_trial(path)
    f = irtrial.mmrm(trial)
    assert f.formula == "change ~ baseline + arm * visit"
    assert f.covariance_type == "us" and f.df == "kenward-roger"
    assert f.n_subjects == trial.data["subject"].nunique()
    con = f.contrasts("arm", by="visit")
    assert len(con) == len(trial.visits)
    # same model through the DataFrame entry
    g = irtrial.mmrm(
        trial.data, "change ~ baseline + arm * visit", subject="subject", visit="visit"
    )
    np.testing.assert_allclose(g.beta, f.beta)
    assert isinstance(f.coefficients, pd.DataFrame)


def test_docstring_examples_run():
    import doctest

    from irtrial.mmrm import result as result_module

    res = doctest.testmod(result_module, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0
