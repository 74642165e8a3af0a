"""Table 1 and the by-visit summaries against base R (mean, sd, quantile type 7, t.test CI)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import irtrial
from irtrial.analysis.descriptives import TOTAL, baseline_table, continuous_summary, visit_summary
from irtrial.errors import ModelSpecError

REPO = Path(__file__).resolve().parents[2]
# source: tests/reference/r/descriptives.R
REF = json.loads((REPO / "tests" / "reference" / "r" / "descriptives.json").read_text())
STATS = ["n", "mean", "sd", "median", "q1", "q3", "min", "max", "ci_lower", "ci_upper"]


@pytest.fixture(scope="module")
def trial():
    return irtrial.read_trial(REPO / "data" / "synthetic" / "ir_wrap_trial.csv",
                              outcome_range=(0, 10), covariates=("AGE", "SEX", "PAINDUR"))


def test_table1_matches_r(trial):
    t1 = baseline_table(trial)
    assert list(dict.fromkeys(t1["arm"])) == ["Placebo", "IR", TOTAL]
    for ref in REF["baseline_table"]:
        rows = t1[(t1["variable"] == ref["variable"]) & (t1["arm"] == ref["arm"])]
        if "level" in ref:
            row = rows[rows["level"] == ref["level"]].iloc[0]
            assert row["type"] == "categorical"
            assert row["n"] == ref["n"]
            np.testing.assert_allclose(row["percent"], ref["percent"], rtol=1e-6)
        else:
            row = rows.iloc[0]
            for k in STATS:
                np.testing.assert_allclose(row[k], ref[k], rtol=1e-6, err_msg=f"{ref} {k}")


def test_visit_summary_matches_r(trial):
    vs = visit_summary(trial)
    assert len(vs) == len(REF["visit_summary"])
    for ref in REF["visit_summary"]:
        row = vs[(vs["variable"] == ref["variable"]) & (vs["visit"] == ref["visit"])
                 & (vs["arm"] == ref["arm"])].iloc[0]
        for k in STATS:
            np.testing.assert_allclose(row[k], ref[k], rtol=1e-6, err_msg=f"{ref} {k}")


def test_visit_summary_order_and_missing(trial):
    vs = visit_summary(trial)
    change = vs[vs["variable"] == "change"]
    assert list(dict.fromkeys(change["visit"])) == list(trial.visits)
    assert (vs[vs["variable"] == "value"]["visit"].iloc[0]) == trial.baseline_visit
    assert (vs["n"] + vs["n_missing"]).groupby([vs["variable"], vs["arm"]]).nunique().max() == 1


def test_declared_factor_is_categorical(trial):
    t1 = baseline_table(trial, ["AGE"], categorical=["AGE"])
    assert set(t1["type"]) == {"categorical"}
    tot = t1[t1["arm"] == TOTAL]
    assert tot["n"].sum() == 40 and np.isclose(tot["percent"].sum(), 100)


def test_analysed_population_drops_excluded(trial):
    t1 = baseline_table(trial, ["baseline"], population="analysed")
    assert t1.set_index("arm").loc["Placebo", "n"] == 18


def test_errors_name_the_problem(trial):
    with pytest.raises(ModelSpecError, match="NOPE"):
        baseline_table(trial, ["NOPE"])
    with pytest.raises(ModelSpecError, match="population"):
        baseline_table(trial, population="itt")
    with pytest.raises(ModelSpecError, match="conf_level"):
        visit_summary(trial, conf_level=95)


def test_small_groups():
    one = continuous_summary([3.0])
    assert one["n"] == 1 and np.isnan(one["sd"]) and np.isnan(one["ci_lower"])
    none = continuous_summary(pd.Series([np.nan, np.nan]))
    assert none["n"] == 0 and none["n_missing"] == 2 and np.isnan(none["mean"])


def test_dropout_table_counts_monotone_dropout_not_intermittent_gaps():
    from irtrial.analysis.descriptives import dropout_table

    rows = []
    # A: all visits; B: misses week 2 then returns (intermittent); C: last value at week 1
    values = {"A": [5, 4, 3, 2], "B": [5, 4, None, 2], "C": [6, 5, None, None],
              "D": [6, 6, 5, 5], "E": [6, None, None, None], "F": [7, 6, 6, None]}
    for s, ys in values.items():
        arm = "Placebo" if s in "ABC" else "Drug"
        for w, y in zip((0, 1, 2, 3), ys, strict=True):
            rows.append({"id": s, "trt": arm, "week": w, "score": y})
    t = irtrial.read_trial(pd.DataFrame(rows), subject="id", arm="trt", visit="week",
                           outcome="score", control="Placebo", baseline_visit="0")
    d = dropout_table(t).set_index(["arm", "visit"])
    # subject E has no post-baseline value: excluded, so not in the flow
    assert d.loc[("Placebo", "1"), "n_observed"] == 3
    assert d.loc[("Placebo", "1"), "n_discontinued"] == 1  # C
    assert d.loc[("Placebo", "2"), "n_discontinued"] == 0  # B's gap is not a dropout
    assert d.loc[("Placebo", "2"), "n_missing"] == 2
    assert d.loc[("Placebo", "3"), "n_ongoing"] == 2
    assert d.loc[("Drug", "2"), "n_discontinued"] == 1  # F
    assert d["n_discontinued"].sum() == 2
