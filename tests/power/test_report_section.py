"""The report's power section (irtrial/report/sections/power.py), built from a plan."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import irtrial
from irtrial import power as pw
from irtrial.plan import read_plan
from irtrial.report.analyses import ReportInputs
from irtrial.report.sections.power import SECTION, build
from irtrial.synthetic import TrialDesign

PLAN = Path(__file__).resolve().parents[2] / "data" / "synthetic" / "ir_wrap_plan.toml"


@pytest.fixture(scope="module")
def inputs_with_power():
    plan = dataclasses.replace(read_plan(PLAN),
                               power={"n_sim": 10, "n_grid": [5, 9], "seed": 1})
    return ReportInputs(irtrial.ir_wrap_trial(), plan)


def test_section_shows_the_formula_and_the_simulation(inputs_with_power):
    out = build(inputs_with_power)
    fit = inputs_with_power.fit
    inp = pw.analytic_inputs(TrialDesign.from_fit(fit, arm="arm"))
    inp.pop("notes")
    expected = pw.mmrm(power=0.9, **inp)
    assert out.results["analytic"]["n"] == pytest.approx(expected.n, rel=1e-9)
    c, a = expected.n_required
    assert out.context["answer"].startswith(f"{c} (Placebo) and {a} (IR) by the formula")
    assert list(out.tables["grid"]["n (control)"]) == ["5", "9"]
    assert out.results["simulation"]["n_sim"] == 10 and len(out.figures) == 1
    assert any("AGE" in n for n in out.context["notes"])
    assert SECTION.id == "power" and SECTION.order == 95


def test_no_power_table_no_section():
    plan = read_plan(PLAN)
    assert plan.power is None
    assert build(ReportInputs(irtrial.ir_wrap_trial(), plan)) is None


def test_bad_power_table_is_shown_not_raised(inputs_with_power):
    plan = dataclasses.replace(inputs_with_power.plan, power={"reps": 3})
    out = build(ReportInputs(inputs_with_power.trial, plan))
    assert "reps" in out.results["error"] and out.context["errors"]
