"""``irtrial report``: the plan (file or options) drives the analysis; user errors exit 2."""

from __future__ import annotations

import json
import tomllib

import pytest

import irtrial
from irtrial.cli import app
from irtrial.plan import StudyPlan, fit_primary, read_plan

from .conftest import REPO

PLAN = REPO / "data" / "synthetic" / "ir_wrap_plan.toml"


def primary_rows(out):
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return results["sections"]["primary"]


@pytest.fixture(scope="module")
def plan_run(tmp_path_factory):
    """One report (no PDF) of the replica from its plan file, with options overriding it."""
    from typer.testing import CliRunner

    out = tmp_path_factory.mktemp("plan_run") / "reports"
    csv = REPO / "data" / "synthetic" / "ir_wrap_trial.csv"
    result = CliRunner().invoke(app, [
        "report", str(csv), "--plan", str(PLAN), "--out", str(out), "--no-pdf",
        "--covariance", "CS", "--df", "satterthwaite", "--conf-level", "0.9",
        "--primary-visit", "Week 4"])
    return result, out, csv


def test_report_runs_the_plan_file_with_options_overriding_it(plan_run):
    result, out, csv = plan_run
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"wrote {out / 'report.html'}",
                                          f"wrote {out / 'results.json'}"]
    primary = primary_rows(out)
    # from the plan file: the model and its covariates
    assert primary["formula"] == "change ~ baseline + AGE + SEX + PAINDUR + arm * visit"
    # from the command line: structure, df, confidence level, primary visit
    assert primary["covariance_sas"] == "CS" and primary["df_method"] == "satterthwaite"
    assert primary["conf_level"] == 0.9 and primary["primary_visit"] == "Week 4"
    plan = read_plan(PLAN).with_overrides(covariance="CS", df="satterthwaite", conf_level=0.9,
                                          primary_visit="Week 4")
    fit = fit_primary(irtrial.read_trial(csv, **plan.read_kwargs()), plan)
    week4 = [r for r in primary["contrasts"] if r["primary"]]
    assert [r["visit"] for r in week4] == ["Week 4"]
    assert week4[0]["estimate"] == pytest.approx(fit.primary.estimate.iloc[0], rel=1e-10)
    assert week4[0]["ci_lower"] == pytest.approx(fit.primary.ci_lower.iloc[0], rel=1e-10)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "--plan" in html and "--covariance CS" in html  # the command, in provenance


def test_without_a_plan_covariates_enter_the_model(runner, replica_csv, tmp_path):
    out = tmp_path / "reports"
    result = runner.invoke(app, ["report", str(replica_csv), "--out", str(out), "--no-pdf",
                                 "--range", "0", "10", "--covariate", "AGE", "--covariate",
                                 "SEX", "--factor", "SEX"])
    assert result.exit_code == 0, result.output
    primary = primary_rows(out)
    assert primary["formula"] == "change ~ baseline + AGE + SEX + arm * visit"
    plan = StudyPlan.from_options(covariates=["AGE", "SEX"], factors=["SEX"],
                                  outcome_range=(0, 10))
    trial = irtrial.read_trial(replica_csv, **plan.read_kwargs())
    fit = fit_primary(trial, plan)
    assert [r["estimate"] for r in primary["contrasts"]] == pytest.approx(
        list(fit.contrasts.estimate), rel=1e-10)


def test_a_bad_plan_is_one_message_and_exit_2(runner, replica_csv, tmp_path):
    bad = tomllib.loads(PLAN.read_text())
    bad["primary"]["covariance"] = ["UN", "TOEPX"]
    bad["endpoint"]["direction"] = "down"
    path = tmp_path / "bad.toml"
    from irtrial.plan.template import toml_value

    path.write_text("\n".join(
        [f"{k} = {toml_value(v)}" for k, v in bad.items() if not isinstance(v, dict)]
        + [f"[{k}]\n" + "\n".join(f'"{kk}" = {toml_value(vv)}' for kk, vv in v.items())
           for k, v in bad.items() if isinstance(v, dict)]))
    out = tmp_path / "reports"
    result = runner.invoke(app, ["report", str(replica_csv), "--plan", str(path), "--out",
                                 str(out)])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == f"error: 2 problems found in the study plan {path}:"
    assert lines[1].startswith("  - endpoint.direction: 'down' must be")
    assert lines[2].startswith("  - primary.covariance[1]: 'TOEPX' is not a covariance")
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_plan_that_does_not_fit_the_data_exits_2(runner, replica_csv, tmp_path):
    out = tmp_path / "r"
    result = runner.invoke(app, ["report", str(replica_csv), "--plan", str(PLAN), "--out",
                                 str(out), "--primary-visit", "Week 9"])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == f"error: 1 problem found in the study plan {PLAN}:"
    assert "primary.primary_visit: 'Week 9' is not a post-baseline visit" in result.output
    assert not out.exists()


def test_report_on_bad_file_exits_2_and_writes_nothing(runner, bad_csv, tmp_path):
    out = tmp_path / "reports"
    result = runner.invoke(app, ["report", str(bad_csv), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.startswith("error: 3 problems found")
    assert not (out / "report.html").exists()


def test_report_help_lists_the_plan_options(runner):
    result = runner.invoke(app, ["report", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in ("--plan", "--covariate", "--factor", "--primary-visit", "--covariance",
                   "--df", "--conf-level", "--higher-is-better", "--no-pdf"):
        assert option in result.output, option
