"""Tests for irtrial.plan.template: the annotated TOML reads back into the same plan."""

import tomllib

import pandas as pd
import pytest

import irtrial
from irtrial.plan import StudyPlan
from irtrial.plan.template import candidate_covariates, plan_template, toml_value

CSV = "data/synthetic/ir_wrap_trial.csv"


def test_toml_values_round_trip():
    values = {"s": 'quote " and \\ back', "i": 3, "f": 0.975, "b": True, "l": ["UN", "ARH(1)"],
              "t": [{"label": ">= 30%", "threshold": 30.0}]}
    text = "\n".join(f"{k} = {toml_value(v)}" for k, v in values.items())
    assert tomllib.loads(text) == values
    with pytest.raises(ValueError):
        toml_value(float("nan"))


def test_template_of_a_full_plan_reads_back_unchanged():
    mapping = StudyPlan.from_options(covariates=["AGE", "SEX"], factors=["SEX"],
                                     outcome_range=(0, 100), title="T", seed=5,
                                     primary_visit="Week 6").to_dict()
    mapping["responders"] = {"definitions": [{"label": "gain >= 15 mm", "kind": "absolute",
                                              "threshold": 15.0}], "missing": "exclude"}
    mapping["multiplicity"] = {"method": "fixed-sequence", "family": "visits",
                               "order": ["Week 6", "Week 3"]}
    mapping["sensitivity"] = [{"method": "delta", "strategies": ["MAR"], "deltas": [0.5],
                               "n_samples": 10}]
    mapping["endpoint"].update(direction="higher", label="Function", units="mm")
    plan = StudyPlan.from_mapping(mapping)
    again = StudyPlan.from_mapping(tomllib.loads(plan_template(plan)))
    assert again == plan


def test_candidate_covariates_are_subject_level_non_role_columns():
    raw = pd.read_csv(CSV).assign(VISITWT=lambda d: d.AVISITN * 2.0, CHG=0.0)
    trial = irtrial.read_trial(raw)
    assert candidate_covariates(raw, trial) == ["AGE", "SEX", "PAINDUR"]


def test_the_commented_sensitivity_example_is_a_valid_plan(tmp_path):
    """Uncommenting the template's [[sensitivity]] example gives two valid plan tables."""
    text = plan_template(StudyPlan.from_options(outcome_range=(0, 10)), irtrial.ir_wrap_trial())
    lines = text.splitlines()
    start = lines.index("# [[sensitivity]]")
    example = [ln[2:] for ln in lines[start:] if ln.startswith("# ")]
    path = tmp_path / "study.toml"
    path.write_text("\n".join(lines[:start] + example) + "\n", encoding="utf-8")
    plan = irtrial.read_plan(path)
    assert [a.strategies for a in plan.sensitivity] == [
        ("MAR", "JR", "CR", "CIR", "LMCF"), ("MAR", "JR")]
    assert plan.sensitivity[1].deltas == (0.0, 1.0, 2.0, 3.0, 4.0)
