"""``irtrial synth`` regenerates the shipped replica byte for byte."""

from __future__ import annotations

from irtrial.cli import app


def test_synth_writes_the_shipped_file_byte_for_byte(runner, replica_csv, tmp_path):
    out = tmp_path / "sub" / "ir.csv"
    result = runner.invoke(app, ["synth", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}: 40 subjects x 7 visits (280 rows), seed 2006\n"
    assert out.read_bytes() == replica_csv.read_bytes()


def test_synth_default_path_is_data_synthetic(runner, replica_csv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["synth"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "data" / "synthetic" / "ir_wrap_trial.csv"
    assert written.read_bytes() == replica_csv.read_bytes()


def test_synth_other_seed_differs(runner, replica_csv, tmp_path):
    out = tmp_path / "ir7.csv"
    result = runner.invoke(app, ["synth", "--seed", "7", "--out", str(out)])
    assert result.exit_code == 0
    assert out.read_bytes() != replica_csv.read_bytes()
    assert out.read_text().splitlines()[0] == "USUBJID,ARM,AVISIT,AVISITN,AVAL,AGE,SEX,PAINDUR"


def test_synth_unwritable_path_is_a_user_error(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["synth", "--out", str(blocker / "ir.csv")])
    assert result.exit_code == 2
    assert result.output.startswith("error: ")
    assert "Traceback" not in result.output


def test_root_help_and_version(runner):
    from irtrial import __version__

    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "synth", "report"):
        assert command in result.output
    assert runner.invoke(app, ["--version"]).output == f"irtrial {__version__}\n"


def test_synth_check(runner, replica_csv, tmp_path):
    ok = runner.invoke(app, ["synth", "--check", "--out", str(replica_csv)])
    assert ok.exit_code == 0
    assert ok.output == f"{replica_csv} is up to date (seed 2006)\n"
    stale = tmp_path / "stale.csv"
    stale.write_bytes(replica_csv.read_bytes().replace(b"IRW-01,Placebo,Week 0,0,5",
                                                       b"IRW-01,Placebo,Week 0,0,6"))
    bad = runner.invoke(app, ["synth", "--check", "--out", str(stale)])
    assert bad.exit_code == 1
    assert "differs from the generator's output" in bad.output
    assert stale.read_bytes() != replica_csv.read_bytes()  # --check writes nothing
