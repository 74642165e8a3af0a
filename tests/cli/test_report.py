"""``irtrial report``: writes the HTML page; user errors exit 2."""

from __future__ import annotations

from irtrial.cli import app


def test_report_writes_report_html(runner, replica_csv, tmp_path):
    out = tmp_path / "reports"
    result = runner.invoke(app, ["report", str(replica_csv), "--out", str(out), "--range", "0",
                                 "10", "--covariate", "AGE"])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out / 'report.html'}\n"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Participant flow (CONSORT)" in html
    assert "<svg" in html
    # provenance records the command, rebuilt from the options
    assert f"irtrial report {replica_csv} --out {out}" in html
    assert "--covariate AGE --range 0 10" in html


def test_report_on_bad_file_exits_2_and_writes_nothing(runner, bad_csv, tmp_path):
    out = tmp_path / "reports"
    result = runner.invoke(app, ["report", str(bad_csv), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.startswith("error: 3 problems found")
    assert not (out / "report.html").exists()


def test_report_help(runner):
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0
    assert "--out" in result.output and "--range" in result.output
