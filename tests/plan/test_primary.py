"""Tests for irtrial.plan.primary: the plan's model is the model fitted, with its fallbacks."""

import numpy as np
import pandas as pd
import pytest

import irtrial
from irtrial.errors import ConvergenceError, PlanValidationError
from irtrial.mmrm import FitControl
from irtrial.plan import StudyPlan, fit_primary
from irtrial.synthetic import ir_wrap_trial

CSV = "data/synthetic/ir_wrap_trial.csv"


@pytest.fixture(scope="module")
def trial():
    plan = StudyPlan.from_options(covariates=["AGE", "SEX", "PAINDUR"], factors=["SEX"])
    return irtrial.read_trial(CSV, **plan.read_kwargs())


def test_covariates_of_the_plan_enter_the_model(trial):
    plan = StudyPlan.from_options(covariates=["AGE", "SEX", "PAINDUR"], factors=["SEX"],
                                  df="KR(FIRSTORDER)", conf_level=0.9)
    fit = fit_primary(trial, plan)
    assert fit.formula == "change ~ baseline + AGE + SEX + PAINDUR + arm * visit"
    terms = list(fit.result.coefficients.term)
    assert {"AGE", "SEXM", "PAINDUR"} <= set(terms)
    assert fit.covariate_types == {"AGE": "numeric", "SEX": "categorical", "PAINDUR": "numeric"}
    assert fit.factor_levels["SEX"] == ("F", "M")
    assert fit.factor_levels["arm"] == ("Placebo", "IR")
    assert fit.result.df == "kenward-roger-linear" and fit.result.conf_level == 0.9
    # the same model through the engine directly
    direct = irtrial.mmrm(trial, fit.formula, covariance="us", df="kenward-roger-linear",
                          conf_level=0.9)
    expected = direct.contrasts("arm", by="visit")
    np.testing.assert_allclose(fit.contrasts.estimate, expected.estimate, rtol=1e-10)
    np.testing.assert_allclose(fit.contrasts.ci_lower, expected.ci_lower, rtol=1e-10)
    # and it differs from the baseline-only model
    base = irtrial.mmrm(trial, "change ~ baseline + arm * visit", df="kenward-roger-linear")
    assert not np.allclose(base.contrasts("arm", by="visit").estimate, expected.estimate)


def test_primary_visit_is_marked_and_defaults_to_the_last(trial):
    fit = fit_primary(trial, StudyPlan.from_options(covariance="CS"))
    assert fit.primary_visit == "Week 6"
    assert list(fit.primary.visit.astype(str)) == ["Week 6"]
    assert fit.contrasts.primary.sum() == 1
    week3 = fit_primary(trial, StudyPlan.from_options(covariance="CS", primary_visit="Week 3"))
    assert list(week3.primary.visit.astype(str)) == ["Week 3"]
    assert week3.reason == "CS (compound symmetry), the only structure pre-specified, converged."


def test_fallback_order_is_followed_when_a_fit_does_not_converge():
    # three Newton iterations are too few for UN, TOEPH and ARH(1) on this trial, enough for CS
    control = FitControl(optimizers=("newton",), max_iter=3, n_starts=1)
    fit = fit_primary(ir_wrap_trial(), StudyPlan.from_options(), control=control)
    assert [a.sas for a in fit.attempts] == ["UN", "TOEPH", "ARH(1)", "CS"]
    assert [a.converged for a in fit.attempts] == [False, False, False, True]
    assert fit.covariance == "cs" and fit.covariance_sas == "CS" and fit.fell_back
    assert fit.reason.startswith("CS (compound symmetry) was used, as pre-specified in the "
                                 "fallback order UN, then TOEPH, then ARH(1), then CS: UN did "
                                 "not converge (")
    assert "no convergence in 3 iterations" in fit.attempts[0].reason


def test_no_structure_converging_is_one_error_listing_every_attempt():
    control = FitControl(optimizers=("newton",), max_iter=1, n_starts=1)
    with pytest.raises(ConvergenceError) as info:
        fit_primary(ir_wrap_trial(), StudyPlan.from_options(covariance=["UN", "CS"]),
                    control=control)
    text = str(info.value)
    assert text.startswith("no covariance structure of the pre-specified order UN, then CS")
    assert "  - UN did not converge:" in text and "  - CS did not converge:" in text


def test_a_structure_not_estimable_from_the_data_falls_back(trial):
    analysed = trial.subjects[trial.subjects.excluded.isna()]
    keep = analysed.groupby("arm", observed=True).subject.head(3)
    raw = pd.read_csv(CSV)
    small = irtrial.read_trial(raw[raw.USUBJID.isin(keep)])
    assert small.n_by_arm().tolist() == [3, 3]
    fit = fit_primary(small, StudyPlan.from_options(covariance=["UN", "CS"]))
    assert fit.attempts[0].outcome == "is not estimable from the data"
    assert "too few for an unstructured covariance" in fit.attempts[0].reason
    assert fit.covariance == "cs"


def test_declared_factor_on_a_numeric_column_is_fitted_as_a_factor(trial):
    data = trial.data.assign(SITE=(trial.data.AGE > 50).astype(float) + 1)
    import dataclasses

    with_site = dataclasses.replace(trial, data=data, covariates=(*trial.covariates, "SITE"))
    plan = StudyPlan.from_options(covariates=["SITE"], factors=["SITE"], covariance="CS")
    fit = fit_primary(with_site, plan)
    assert fit.covariate_types["SITE"] == "categorical"
    assert fit.factor_levels["SITE"] == ("1", "2")
    assert "SITE2" in list(fit.result.coefficients.term)


def test_plan_that_does_not_fit_the_trial_lists_every_problem(trial):
    plan = StudyPlan.from_options(primary_visit="Week 9", covariates=["BMI"])
    with pytest.raises(PlanValidationError) as info:
        fit_primary(trial, plan)
    assert len(info.value.problems) == 2
