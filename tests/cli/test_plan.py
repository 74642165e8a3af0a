"""``irtrial plan init FILE``: an annotated plan that reads back into the guessed plan."""

from __future__ import annotations

import tomllib

from irtrial.cli import app
from irtrial.plan import read_plan

from .conftest import REPO

ADAS = REPO / "tests" / "reference" / "data" / "adadas_actot.xpt"


def test_plan_init_writes_the_mapping_and_types_explicitly(runner, replica_csv, tmp_path):
    result = runner.invoke(app, ["plan", "init", str(replica_csv), "--covariate", "AGE",
                                 "--covariate", "SEX", "--range", "0", "10"])
    assert result.exit_code == 0, result.output
    text = result.output
    for line in ('subject = "USUBJID"', 'arm = "ARM"', 'visit = "AVISIT"',
                 'visit_num = "AVISITN"', 'outcome = "AVAL"', 'baseline_visit = "Week 0"',
                 'control = "Placebo"', 'arm_order = ["Placebo", "IR"]',
                 'covariates = ["AGE", "SEX", "PAINDUR"]', 'categorical = ["SEX"]',
                 'numeric = ["AGE", "PAINDUR"]', 'direction = "lower"',
                 'formula = "change ~ baseline + AGE + SEX + arm * visit"',
                 'primary_visit = "Week 6"', 'covariance = ["UN", "TOEPH", "ARH(1)", "CS"]'):
        assert line in text, line
    assert "# CONFIRM" in text
    path = tmp_path / "study.toml"
    path.write_text(text)
    plan = read_plan(path)
    assert plan.primary.covariates == ("AGE", "SEX")
    assert plan.data.categorical == ("SEX",) and plan.endpoint.range == (0.0, 10.0)
    assert [d.label for d in plan.responders.definitions] == [
        "reduction >= 30%", "reduction >= 50%", "reduction >= 2 points"]
    assert plan.estimand.variable == "change from baseline in AVAL at Week 6"


def test_plan_init_on_adam_declares_the_site_group_a_factor(runner):
    result = runner.invoke(app, ["plan", "init", str(ADAS), "--factor", "SITEGR1",
                                 "--covariate", "SITEGR1"])
    assert result.exit_code == 0, result.output
    plan = tomllib.loads(result.output)
    assert plan["data"]["subject"] == "USUBJID" and plan["data"]["arm"] == "TRTP"
    assert plan["data"]["baseline"] == "BASE" and plan["data"]["baseline_flag"] == "ABLFL"
    assert plan["data"]["arm_order"] == ["Placebo", "Xanomeline Low Dose",
                                         "Xanomeline High Dose"]
    assert plan["data"]["categorical"] == ["SITEGR1"]
    assert plan["primary"]["formula"] == "change ~ baseline + SITEGR1 + arm * visit"
    assert plan["endpoint"]["label"] == "Adas-Cog(11) Subscore"
    # not a 0-10 pain scale: no IMMPACT default, said explicitly
    assert plan["responders"]["definitions"] == "none"
    assert "range = [low, high]" in result.output and "2 active arms" in result.output


def test_plan_init_on_a_bad_file_exits_2(runner, bad_csv):
    result = runner.invoke(app, ["plan", "init", str(bad_csv)])
    assert result.exit_code == 2
    assert result.output.startswith("error: 3 problems found")


def test_plan_init_on_a_wide_file_reads_back(runner, replica_csv, tmp_path):
    import pandas as pd

    long = pd.read_csv(replica_csv)
    wide = long.pivot_table(index=["USUBJID", "ARM", "AGE", "SEX"], columns="AVISIT",
                            values="AVAL").reset_index()
    wide.columns.name = None
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False)
    result = runner.invoke(app, ["plan", "init", str(path), "--format", "wide", "--covariate",
                                 "AGE", "--covariate", "SEX", "--range", "0", "10"])
    assert result.exit_code == 0, result.output
    plan_file = tmp_path / "study.toml"
    plan_file.write_text(result.output)
    plan = read_plan(plan_file)
    assert plan.data.format == "wide" and plan.data.visit is None
    assert plan.data.categorical == ("SEX",) and plan.primary.covariates == ("AGE", "SEX")
