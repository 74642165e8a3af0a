"""``irtrial validate``: summary and exit 0, or every problem and exit 2, no traceback."""

from __future__ import annotations

from irtrial.cli import app


def test_validate_ok_prints_the_summary(runner, replica_csv):
    result = runner.invoke(app, ["validate", str(replica_csv), "--range", "0", "10"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.splitlines()[0] == f"OK: {replica_csv}: 40 subjects randomised, 39 analysed"
    assert "AVAL (range 0 to 10)" in out
    assert "Placebo, IR (control: Placebo)" in out
    assert "6: Week 1, Week 2, Week 3, Week 4, Week 5, Week 6" in out
    # arms table: randomised, excluded, analysed
    assert any(line.split("│")[2:] and [c.strip() for c in line.split("│")] ==
               ["Placebo", "control", "19", "1", "18"] for line in out.splitlines())
    assert any([c.strip() for c in line.split("│")] == ["IR", "active", "21", "0", "21"]
               for line in out.splitlines())
    # exclusions log names the dropout and the reason
    assert "IRW-14" in out and "no post-baseline value" in out
    assert "Traceback" not in out


def test_validate_lists_every_problem_with_exit_2(runner, bad_csv):
    result = runner.invoke(app, ["validate", str(bad_csv), "--range", "0", "10"])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == "error: 4 problems found in the trial data:"
    assert len([line for line in lines if line.startswith("  - ")]) == 4
    out = result.output
    assert "non-numeric" in out and "'abc'" in out
    assert "outside the declared range [0, 10]" in out
    assert "more than once" in out
    assert "more than one arm" in out
    assert "Traceback" not in out
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_validate_debug_shows_the_traceback(runner, bad_csv):
    result = runner.invoke(app, ["validate", str(bad_csv), "--debug"])
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.output
    assert "TrialValidationError" in result.output


def test_global_debug_flag_works_too(runner, bad_csv):
    result = runner.invoke(app, ["--debug", "validate", str(bad_csv)])
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.output


def test_missing_file_is_a_user_error(runner, tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "error: 1 problem found in the trial data:",
        f"  - file not found: {tmp_path / 'nope.csv'}",
    ]


def test_missing_column_suggests_the_right_one(runner, replica_csv):
    result = runner.invoke(app, ["validate", str(replica_csv), "--outcome", "AVALX"])
    assert result.exit_code == 2
    assert "column 'AVALX' (outcome) not found; did you mean 'AVAL'?" in result.output
    assert "Traceback" not in result.output


def test_mapping_options_reach_read_trial(runner, replica_csv):
    result = runner.invoke(app, [
        "validate", str(replica_csv), "--subject", "USUBJID", "--arm", "ARM", "--visit",
        "AVISIT", "--outcome", "AVAL", "--visit-num", "AVISITN", "--baseline-visit", "Week 0",
        "--control", "Placebo", "--covariate", "AGE", "--covariate", "SEX"])
    assert result.exit_code == 0, result.output
    assert "AGE, SEX" in result.output


def test_unknown_control_is_reported(runner, replica_csv):
    result = runner.invoke(app, ["validate", str(replica_csv), "--control", "Sham"])
    assert result.exit_code == 2
    assert "Sham" in result.output


def test_help(runner):
    result = runner.invoke(app, ["validate", "--help"])
    assert result.exit_code == 0
    for option in ("--subject", "--arm", "--visit", "--outcome", "--baseline", "--control",
                   "--covariate", "--range", "--param", "--debug"):
        assert option in result.output


def test_internal_error_exits_1_without_traceback_unless_debug(runner, replica_csv, monkeypatch):
    import irtrial

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(irtrial, "read_trial", broken)
    result = runner.invoke(app, ["validate", str(replica_csv)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "internal error: RuntimeError: boom"
    assert "--debug" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["validate", str(replica_csv), "--debug"])
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.output
