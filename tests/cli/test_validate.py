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
    assert "AGE (numeric), SEX (categorical)" in result.output


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


def _site_csv(tmp_path, drop=()):
    lines = ["subject,arm,visit,pain,site"]
    for i in range(6):
        arm = "IR" if i % 2 else "Placebo"
        lines.append(f"S{i},{arm},Week 0,7,{700 + 10 * (i // 2)}")
        lines.append(f"S{i},{arm},Week 1,{'' if f'S{i}' in drop else 5},{700 + 10 * (i // 2)}")
    path = tmp_path / "site.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_factor_option_declares_a_categorical_covariate(runner, tmp_path):
    path = _site_csv(tmp_path)
    result = runner.invoke(app, ["validate", str(path), "--outcome", "pain", "--factor", "site"])
    assert result.exit_code == 0, result.output
    assert "site (categorical)" in result.output
    plain = runner.invoke(app, ["validate", str(path), "--outcome", "pain", "--covariate",
                                "site"])
    assert "site (numeric)" in plain.output
    assert "--factor site" in plain.output


def test_warning_is_prominent_and_strict_makes_it_exit_2(runner, tmp_path):
    path = _site_csv(tmp_path, drop=("S1", "S3"))
    result = runner.invoke(app, ["validate", str(path), "--outcome", "pain"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("OK with 2 WARNING(S):")
    assert lines[1].startswith("WARNING: 2 of 6 randomised subjects (33%) are left out")
    strict = runner.invoke(app, ["validate", str(path), "--outcome", "pain", "--strict"])
    assert strict.exit_code == 2
    assert strict.output.splitlines()[0] == "error: 2 problems found in the trial data:"


def test_tables_are_not_cut_at_80_columns_in_a_pipe(runner, tmp_path):
    path = _site_csv(tmp_path)
    result = runner.invoke(app, ["validate", str(path), "--outcome", "pain"])
    wide = [line for line in result.output.splitlines() if "Placebo observed" in line]
    assert len(wide) == 1  # header on one line, not wrapped
    assert any("Week 0 (baseline)" in line for line in result.output.splitlines())
