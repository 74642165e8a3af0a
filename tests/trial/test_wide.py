"""Wide format (one row per subject, one column per visit)."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
import pytest

from irtrial.errors import TrialValidationError
from irtrial.trial import read_trial
from irtrial.trial.wide import wide_to_long


def _wide(long_df: pd.DataFrame) -> pd.DataFrame:
    w = long_df.pivot(index=["subject", "arm", "age"], columns="visit", values="pain")
    w = w[["Week 0", "Week 1", "Week 2", "Week 6"]].reset_index()
    w.columns.name = None
    return w


def test_wide_frame_equals_long(long_df):
    ref = read_trial(long_df, subject="subject", arm="arm", visit="visit", outcome="pain",
                     covariates=["age"])
    trial = read_trial(_wide(long_df), format="wide", outcome="pain", covariates=["age"])
    pdt.assert_frame_equal(trial.data, ref.data)
    assert trial.outcome == "pain" and trial.baseline_visit == "Week 0"


def test_wide_csv_with_visit_order_and_baseline_column(tmp_path, long_df):
    w = _wide(long_df).rename(columns={"Week 0": "bl", "Week 1": "V1", "Week 2": "V2",
                                       "Week 6": "END"})
    path = tmp_path / "wide.csv"
    w.to_csv(path, index=False)
    trial = read_trial(path, format="wide", baseline="bl", covariates=["age"],
                       visit_order=["V1", "V2", "END"])
    assert trial.visits == ("V1", "V2", "END") and trial.baseline_visit is None
    assert trial.outcome == "value" and len(trial.data) == 21
    assert trial.row_counts["input"] == 21


def test_wide_missing_visit_column_is_reported(long_df):
    with pytest.raises(TrialValidationError, match=r"'Week 7' \(visit\) not found"):
        read_trial(_wide(long_df), format="wide", covariates=["age"],
                   visit_order=["Week 0", "Week 7"])


def test_bad_format_name(long_df):
    with pytest.raises(TrialValidationError, match="format must be"):
        read_trial(long_df, format="tall")


def test_wide_to_long_order():
    w = pd.DataFrame({"id": ["a", "b"], "x": [1, 2], "v1": [1.0, 2.0], "v2": [3.0, 4.0]})
    out = wide_to_long(w, "id", ["x"], ["v1", "v2"], "y")
    assert out["id"].tolist() == ["a", "a", "b", "b"]
    assert out["visit"].tolist() == ["v1", "v2", "v1", "v2"]
    assert out["y"].tolist() == [1.0, 3.0, 2.0, 4.0]


def test_wide_problems_name_the_wide_rows(long_df):
    w = _wide(long_df).astype({"Week 2": object})
    w.loc[3, "Week 2"] = "n/k"
    w.loc[5, "Week 6"] = 12.0
    with pytest.raises(TrialValidationError) as info:
        read_trial(w, format="wide", covariates=["age"], outcome_range=(0, 10))
    bad, out = info.value.problems
    assert bad.rows == (3,) and bad.subjects == (w.subject[3],)
    assert out.rows == (5,) and "12" in out.message


def test_wide_frame_with_integer_visit_headers(long_df):
    w = _wide(long_df).rename(columns={"Week 0": 0, "Week 1": 1, "Week 2": 2, "Week 6": 6})
    trial = read_trial(w, format="wide", covariates=["age"])
    assert trial.baseline_visit == "0" and trial.visits == ("1", "2", "6")
    assert list(w.columns)[-1] == 6  # the caller's frame is untouched
