"""Shared CLI pieces: library hints such as ``pass subject=...`` read as command-line options."""

from __future__ import annotations

from pathlib import Path

from irtrial.cli import app
from irtrial.cli._common import as_options, read_mapped_trial


def test_keyword_hints_become_options():
    assert as_options("no subject column found: pass subject=... (columns are ['a'])") == (
        "no subject column found: pass --subject ... (columns are ['a'])")
    assert as_options("choose one with param=...") == "choose one with --param ..."
    assert as_options("pass visit_order=[...] or baseline_visit=") == (
        "pass --visit-order ... or --baseline-visit ...")
    # values the user gave are quoted and stay as they are
    kept = "visits ['Week 4'] are not in visit_order=['Week 2']; param='XX' given"
    assert as_options(kept) == kept


def test_cli_error_names_the_option(runner, tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_text("SUBJ,ARM,VISIT,SCORE\n1,Placebo,Week 0,5\n1,Placebo,Week 1,4\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "pass --subject ..." in result.output and "subject=" not in result.output


def _three_arm_csv(tmp_path: Path) -> Path:
    from irtrial.synthetic import TrialDesign, simulate_frame

    d = TrialDesign(arms=("Placebo", "Low", "High"), n_per_arm=(4, 4, 4), visits=(0, 1, 2),
                    means=((6, 6, 6), (6, 5, 4), (6, 4, 2)), scale=(0, 10))
    path = tmp_path / "three.csv"
    simulate_frame(d, seed=1).to_csv(path, index=False)
    return path


def test_arm_order_option_orders_the_arms(runner, tmp_path: Path):
    path = _three_arm_csv(tmp_path)
    assert read_mapped_trial(path, arm_order=["Placebo", "Low", "High"]).arms == (
        "Placebo", "Low", "High")
    assert read_mapped_trial(path, arm_order=[]).arms == ("Placebo", "High", "Low")  # default
    result = runner.invoke(app, ["validate", str(path), "--arm-order", "Placebo",
                                 "--arm-order", "Low", "--arm-order", "High"])
    assert result.exit_code == 0, result.output
    assert "Placebo, Low, High (control: Placebo)" in result.output
    rows = [line.split("│")[0].strip() for line in result.output.splitlines()
            if line.split("│")[0].strip() in ("Placebo", "Low", "High")]
    assert rows[:3] == ["Placebo", "Low", "High"]  # the arms table follows


def test_arm_order_option_with_an_unknown_arm_exits_2(runner, tmp_path: Path):
    path = _three_arm_csv(tmp_path)
    result = runner.invoke(app, ["validate", str(path), "--arm-order", "Placebo",
                                 "--arm-order", "Lo", "--arm-order", "High"])
    assert result.exit_code == 2
    assert "unknown arm(s) ['Lo'] (did you mean 'Low'?)" in result.output
    assert "missing arm(s) ['Low']" in result.output
    assert "Traceback" not in result.output
    assert as_options("pass arm_order=[...]") == "pass --arm-order ..."


def test_as_options_rewrites_valued_keywords():
    from irtrial.cli._common import as_options

    assert as_options("confirm with baseline_visit='Week 0' or pass visit_order=[...]") == \
        "confirm with --baseline-visit 'Week 0' or pass --visit-order ..."
    assert as_options("declare it: categorical=['site'] / --factor site") == \
        "declare it: categorical=['site'] / --factor site"
