"""Shared CLI pieces: library hints such as ``pass subject=...`` read as command-line options."""

from __future__ import annotations

from pathlib import Path

from irtrial.cli import app
from irtrial.cli._common import as_options


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
