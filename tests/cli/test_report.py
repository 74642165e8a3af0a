"""``irtrial report``: writes the HTML page and results.json; user errors exit 2."""

from __future__ import annotations

import json

import pytest

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
    # the analyses and their machine-readable results
    for title in ("Primary analysis: MMRM", "Supportive analyses at the last visit",
                  "Responders (IMMPACT)"):
        assert f"{title}</h2>" in html
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    import irtrial

    trial = irtrial.read_trial(replica_csv, outcome_range=(0, 10), covariates=("AGE",))
    last = irtrial.mmrm(trial).contrasts("arm", control="Placebo", by="visit").iloc[-1]
    assert results["primary"]["estimate"][0]["visit"] == "Week 6"
    assert results["primary"]["estimate"][0]["estimate"] == pytest.approx(last["estimate"],
                                                                         rel=1e-10)
    assert f">{last['estimate']:.2f}</strong>" in html


def test_report_on_bad_file_exits_2_and_writes_nothing(runner, bad_csv, tmp_path):
    out = tmp_path / "reports"
    result = runner.invoke(app, ["report", str(bad_csv), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.startswith("error: 3 problems found")
    assert not (out / "report.html").exists()
    assert not (out / "results.json").exists()


def test_report_help(runner):
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0
    assert "--out" in result.output and "--range" in result.output
