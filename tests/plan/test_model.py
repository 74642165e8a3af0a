"""Tests for irtrial.plan.model: the plan's value objects, overrides and options."""

import dataclasses

import pytest

from irtrial.errors import PlanValidationError
from irtrial.plan import StudyPlan


def test_plan_is_frozen_and_round_trips_through_its_mapping():
    plan = StudyPlan.from_options(outcome="AVAL", covariates=["AGE", "SEX"], factors=["SEX"],
                                  outcome_range=(0, 10), covariance=["UN", "ARH(1)"],
                                  df="KR(FIRSTORDER)", conf_level=0.9, primary_visit="Week 6")
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.seed = 1
    again = StudyPlan.from_mapping(plan.to_dict())
    assert again == plan
    assert again.primary.formula == "change ~ baseline + AGE + SEX + arm * visit"
    assert again.primary.covariance == ("us", "ar1h")
    assert again.primary.covariance_sas == ("UN", "ARH(1)")
    assert again.primary.df == "kenward-roger-linear" and again.primary.df_sas == "KR(FIRSTORDER)"
    assert again.primary.conf_percent == "90%"


def test_covariate_enters_the_model_and_factor_is_categorical():
    plan = StudyPlan.from_options(covariates=["SITE"], factors=["SITE"])
    assert plan.primary.covariates == ("SITE",)
    assert plan.data.categorical == ("SITE",)
    kwargs = plan.read_kwargs()
    assert kwargs["covariates"] == ("SITE",) and kwargs["categorical"] == ("SITE",)


def test_a_factor_alone_is_read_but_not_modelled_like_a_sas_class_statement():
    plan = StudyPlan.from_options(factors=["REGION"])
    assert plan.primary.covariates == ()
    assert plan.data.covariates == ("REGION",) and plan.data.categorical == ("REGION",)
    assert "REGION" not in plan.primary.formula
    assert "data: REGION is read (Table 1) but not in the primary model; add to " \
           "primary.covariates (--covariate) to adjust for it" in plan.notes


def test_options_override_the_plan():
    base = StudyPlan.from_options(covariates=["AGE"], outcome_range=(0, 10))
    plan = base.with_overrides(covariates=["SEX"], covariance="CS", df="satterthwaite",
                               conf_level=0.975, primary_visit="Week 4", title="T", seed=7)
    assert plan.primary.covariates == ("AGE", "SEX")
    assert plan.primary.covariance == ("cs",)
    assert plan.primary.df == "satterthwaite"
    assert plan.primary.conf_percent == "97.5%"
    assert plan.primary.primary_visit == "Week 4"
    assert (plan.title, plan.seed) == ("T", 7)
    assert base.with_overrides() == base
    assert base.with_overrides(covariates=None, df=None) == base


def test_higher_is_better_flips_direction_and_drops_the_pain_default():
    plan = StudyPlan.from_options(outcome_range=(0, 10))
    assert plan.responders.source == "immpact" and plan.endpoint.lower_is_better
    flipped = plan.with_overrides(higher_is_better=True)
    assert flipped.endpoint.direction == "higher"
    assert flipped.responders.source == "none" and flipped.responders.definitions == ()
    assert any("no responder analysis" in n for n in flipped.notes)


def test_option_plan_without_a_0_10_scale_has_no_responders_and_says_so():
    plan = StudyPlan.from_options(outcome_range=(0, 100))
    assert plan.responders.source == "none"
    assert any("not a 0-10" in n for n in plan.notes)
    assert any("lower values are taken as better" in n for n in plan.notes)


def test_bad_options_raise_the_plan_error_with_keys():
    with pytest.raises(PlanValidationError) as info:
        StudyPlan.from_options(covariance=["UN", "TOEPX"], df="KR2", conf_level=1.5)
    text = str(info.value)
    assert "primary.covariance[1]: 'TOEPX' is not a covariance structure" in text
    assert "primary.df: 'KR2' is not a df method" in text
    assert "primary.conf_level: 1.5 must be a number between 0 and 1" in text
    assert len(info.value.problems) == 3


def test_sha256_is_stable_and_changes_with_the_plan():
    a = StudyPlan.from_options(covariates=["AGE"])
    assert a.sha256 == StudyPlan.from_options(covariates=["AGE"]).sha256
    assert a.sha256 != StudyPlan.from_options(covariates=["SEX"]).sha256
    assert len(a.sha256) == 64
