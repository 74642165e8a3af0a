"""Tests for irtrial.report.methods: the methods text states the fit used and the plan."""

from __future__ import annotations

from pathlib import Path

import pytest

import irtrial
from irtrial.mmrm import FitControl
from irtrial.plan import StudyPlan, fit_primary, read_plan
from irtrial.report.methods import methods_paragraphs, methods_text
from irtrial.synthetic import ir_wrap_trial

REPO = Path(__file__).resolve().parents[2]
CSV = REPO / "data" / "synthetic" / "ir_wrap_trial.csv"


@pytest.fixture(scope="module")
def replica():
    plan = read_plan(REPO / "data" / "synthetic" / "ir_wrap_plan.toml")
    trial = irtrial.read_trial(CSV, **plan.read_kwargs())
    return fit_primary(trial, plan), plan, trial


def test_replica_methods_state_the_plan_and_fit(replica):
    fit, plan, trial = replica
    text = methods_text(fit, plan, trial)
    assert "AGE (numeric), SEX (categorical; levels F, M), PAINDUR (numeric)" in text
    assert "SAS MODEL statement: change = baseline AGE SEX PAINDUR arm visit arm*visit" in text
    assert f"{fit.result.n_obs} observations of {fit.result.n_subjects} subjects" in text
    assert "UN (unstructured), the first structure of the pre-specified order UN, then TOEPH, " \
           "then ARH(1), then CS, converged." in text
    assert "the Kenward-Roger method (SAS DDFM=KR)" in text
    assert "between IR and Placebo at Week 6, with 95% confidence intervals" in text
    assert "lower values are better, so a negative difference favours" in text
    assert "discontinuation of study treatment: hypothetical strategy" in text
    assert "with the baseline value, AGE, SEX and PAINDUR as covariates" in text
    assert "seed 2006" in text
    assert "Sensitivity analyses: reference-based imputation (MAR, JR, CR, CIR, LMCF) by " \
           "conditional mean imputation with jackknife; reference-based imputation (MAR, JR) " \
           "by conditional mean imputation with jackknife; tipping point over delta = 0, 1, 2, " \
           "3, 4." in text


def test_methods_follow_a_fallback_conf_level_and_direction():
    trial = ir_wrap_trial()
    plan = StudyPlan.from_options(conf_level=0.9, df="KR(FIRSTORDER)", higher_is_better=True,
                                  primary_visit="Week 4")
    control = FitControl(optimizers=("newton",), max_iter=3, n_starts=1)
    fit = fit_primary(trial, plan, control=control)
    paragraphs = methods_paragraphs(fit, plan, trial)
    primary = paragraphs[1]
    assert primary.startswith("Primary analysis:")
    assert "CS (compound symmetry) was used, as pre-specified in the fallback order" in primary
    assert "UN did not converge" in primary
    assert "first-order (linear) approximation (SAS DDFM=KR(FIRSTORDER))" in primary
    assert "90% confidence intervals" in primary and "95%" not in primary
    assert "at Week 4" in primary
    assert "higher values are better, so a positive difference favours" in primary
    assert any(p.startswith("Responder analysis: none") for p in paragraphs)


def test_multiplicity_and_supportive_follow_the_plan(replica):
    _, _, trial = replica
    plan = StudyPlan.from_mapping({
        "endpoint": {"direction": "lower", "range": [0, 10]},
        "supportive": {"analyses": ["welch"]},
        "multiplicity": {"method": "fixed-sequence", "family": "visits",
                         "order": ["Week 6", "Week 3"]},
    })
    text = methods_text(None, plan, trial)
    assert "Primary analysis" not in text
    assert "a fixed testing sequence in the order Week 6, Week 3 over the comparisons at each " \
           "visit" in text
    assert "Supportive analyses at Week 6, each active arm against the control: Welch's " \
           "t-test of the change from baseline." in text
    assert "(IMMPACT's definitions for a 0-10 pain scale)" in text
