"""The report's sensitivity section (src/irtrial/report/sections/sensitivity.py)."""

import dataclasses

import matplotlib

matplotlib.use("Agg")

import irtrial  # noqa: E402
from irtrial.plan import SensitivityAnalysis  # noqa: E402
from irtrial.report.analyses import ReportInputs  # noqa: E402
from irtrial.report.render import build_report  # noqa: E402
from irtrial.report.sections.sensitivity import build  # noqa: E402


def _inputs(trial, tables):
    plan = irtrial.StudyPlan.from_options(outcome=trial.outcome)
    return ReportInputs(trial, dataclasses.replace(plan, sensitivity=tables))


def test_section_left_out_without_plan_tables(intermittent):
    assert build(_inputs(intermittent, ())) is None


def test_section_strategies_beside_the_primary_mmrm_and_tipping_point(intermittent):
    fast = {"resampling": "bootstrap", "bootstrap_ci": "normal"}
    tables = (SensitivityAnalysis("conditional-mean", ("MAR", "JR"), n_samples=3, options=fast),
              SensitivityAnalysis("conditional-mean", ("JR",), deltas=(0.0, 4.0, 8.0),
                                  n_samples=3, options=fast),
              SensitivityAnalysis("conditional-mean", ("LMCF",), n_samples=3, options=fast))
    report = build_report(_inputs(intermittent, tables))
    sec = [s for s in report.sections if s.section.id == "sensitivity"][0]
    out = sec.output
    eff = out.tables["effects"]
    assert eff["Analysis"].iloc[0] == "Primary MMRM (MAR)"
    assert any("jump to reference" in a for a in eff["Analysis"])
    assert len(out.tables["tipping"]) == 1 and len(out.figures) == 1
    # LMCF without a fallback: the section shows the error instead of failing
    assert any("lmcf_fallback" in e for e in out.context["errors"])
    assert any("3 randomised subject(s)" in n for n in out.context["notes"])
    assert "Tipping point" in sec.html and "<svg" in sec.html


def test_tipping_text_names_the_arms_the_plan_shifts(intermittent):
    """The text and caption say which arms delta shifts, from the plan (not a fixed 'active')."""
    fast = {"resampling": "bootstrap", "bootstrap_ci": "normal", "delta_arms": "all"}
    tables = (SensitivityAnalysis("conditional-mean", ("MAR",), deltas=(0.0, 4.0),
                                  n_samples=3, options=fast),)
    out = build(_inputs(intermittent, tables))
    assert "every arm (control included)" in out.context["tipping_text"]
    assert "every arm (control included)" in out.figures[0].caption
    assert "active arm" not in out.context["tipping_text"]


def test_identical_strategies_are_explained_from_the_ice_table():
    """The replica: the only subject imputed after an ICE is in Placebo, its own reference, so
    JR/CR/CIR impute as MAR and LMCF falls back to JR: the section says why the rows agree and
    that the sensitivity analyses use ANCOVA (not the primary MMRM)."""
    from pathlib import Path

    from irtrial.plan import read_plan

    root = Path(__file__).resolve().parents[2] / "data" / "synthetic"
    plan = read_plan(root / "ir_wrap_plan.toml")
    trial = irtrial.read_trial(root / "ir_wrap_trial.csv", **plan.read_kwargs())
    out = build(ReportInputs(trial, dataclasses.replace(plan, sensitivity=plan.sensitivity[:1])))
    eff = out.tables["effects"]
    assert eff["Estimate"].iloc[1:].nunique() == 1 and len(eff) == 6
    assert all(a.endswith("; ANCOVA") for a in eff["Analysis"].iloc[1:])
    (note,) = out.context["same"]
    assert "(IRW-14)" in note and "in Placebo, the reference arm" in note
    assert "LMCF fell back to JR" in note
    assert "ANCOVA" in out.context["model_text"]


def test_no_identity_note_when_strategies_differ(intermittent):
    fast = {"resampling": "bootstrap", "bootstrap_ci": "normal"}
    tables = (SensitivityAnalysis("conditional-mean", ("MAR", "JR"), n_samples=3, options=fast),)
    out = build(_inputs(intermittent, tables))
    est = out.tables["effects"]["Estimate"].iloc[1:]
    assert est.nunique() > 1 and out.context["same"] == []
