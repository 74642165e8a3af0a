"""Tests for irtrial.plan.check: what a plan names must exist in the trial."""

import pytest

from irtrial.errors import PlanValidationError
from irtrial.plan import StudyPlan, check_against_trial
from irtrial.synthetic import ir_wrap_trial


@pytest.fixture(scope="module")
def trial():
    return ir_wrap_trial()


def plan_with(**sections):
    base = StudyPlan.from_options(outcome_range=(0, 10)).to_dict()
    for name, table in sections.items():
        base[name].update(table)
    return StudyPlan.from_mapping(base)


def test_a_matching_plan_passes(trial):
    check_against_trial(plan_with(primary={"primary_visit": "Week 6"},
                                  multiplicity={"method": "fixed-sequence", "family": "visits",
                                                "order": ["Week 6", "Week 3"]}), trial)


def test_every_mismatch_is_listed_with_its_key(trial):
    plan = plan_with(primary={"primary_visit": "Week 7", "covariates": ["BMI"]},
                     supportive={"visit": "Week 0"}, responders={"visit": "Day 3"},
                     multiplicity={"method": "fixed-sequence", "family": "arms",
                                   "order": ["Placebo", "XR"]})
    with pytest.raises(PlanValidationError) as info:
        check_against_trial(plan, trial)
    keys = [p.message.split(":")[0] for p in info.value.problems]
    assert keys == ["primary.primary_visit", "supportive.visit", "responders.visit",
                    "primary.covariates", "multiplicity.order[0]", "multiplicity.order[1]"]
    assert "(Week 1, Week 2, Week 3, Week 4, Week 5, Week 6)" in str(info.value)
