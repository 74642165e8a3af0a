"""Each file format read by read_trial gives the same Trial as the DataFrame it came from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pyreadstat
import pytest

from irtrial.errors import TrialValidationError
from irtrial.trial import read_trial
from irtrial.trial.io import bad_numbers, is_missing, read_table, to_label, to_number

ROLES = {"subject": "subject", "arm": "arm", "visit": "visit", "outcome": "pain"}


def _same(a, b) -> None:
    pdt.assert_frame_equal(a.data, b.data)
    pdt.assert_frame_equal(a.subjects, b.subjects)
    assert a.arms == b.arms and a.visits == b.visits


@pytest.fixture
def reference(long_df):
    return read_trial(long_df, **ROLES, covariates=["age"])


def test_excel(tmp_path, long_df, reference):
    path = tmp_path / "trial.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(xl, sheet_name="About", index=False)
        long_df.to_excel(xl, sheet_name="Data", index=False)
    _same(read_trial(path, **ROLES, covariates=["age"], sheet="Data"), reference)
    with pytest.raises(TrialValidationError, match="column 'subject'"):
        read_trial(path, **ROLES)  # the first sheet holds no trial


def test_parquet(tmp_path, long_df, reference):
    path = tmp_path / "trial.parquet"
    long_df.to_parquet(path)
    trial = read_trial(path, **ROLES, covariates=["age"])
    _same(trial, reference)
    assert trial.source == str(path)


def test_xpt_written_by_pyreadstat(tmp_path, long_df, reference):
    path = tmp_path / "trial.xpt"
    pyreadstat.write_xport(long_df, str(path), table_name="ADPAIN")
    _same(read_trial(path, **ROLES, covariates=["age"]), reference)


def test_csv_comma_decimal_semicolon_matches_frame(tmp_path, long_df, reference):
    path = tmp_path / "trial.csv"
    long_df.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    _same(read_trial(path, **ROLES, covariates=["age"]), reference)


def test_latin1_csv(tmp_path, long_df):
    df = long_df.assign(arm=long_df.arm.replace("IR", "Infrarouge été"))
    path = tmp_path / "latin.csv"
    path.write_bytes(df.to_csv(index=False).encode("latin-1"))
    trial = read_trial(path, **ROLES)
    assert "Infrarouge été" in trial.arms


def test_read_table_copies_frame(long_df):
    frame, label = read_table(long_df)
    assert frame is not long_df and label == "<DataFrame>"
    frame.loc[0, "pain"] = -99
    assert long_df.loc[0, "pain"] != -99


def test_to_number_markers_and_comma():
    s = pd.Series(["6,5", "NA", ".", "", "NaN", "N/A", "missing", " 7 ", "x", "1.5"])
    np.testing.assert_array_equal(
        to_number(s).to_numpy(),
        [6.5, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, 7.0, np.nan, 1.5])
    assert bad_numbers(s).tolist() == [False] * 8 + [True, False]
    assert is_missing(s).sum() == 6


def test_to_label_integral_floats_and_missing():
    assert to_label(pd.Series([1.0, 2.5, np.nan])).tolist() == ["1", "2.5", None]
    assert to_label(pd.Series([" a ", "NA", None])).tolist() == ["a", None, None]


def test_excel_text_ids_keep_leading_zeros(tmp_path):
    # "001" stored as a text cell is a different subject from 1; pandas' number inference
    # used to turn it into "1" (and merge "001" with "1")
    rows = []
    for sid, arm in [("001", "Placebo"), ("1", "Placebo"), ("002", "IR"), ("2", "IR")]:
        for visit, value in [("Baseline", 6.0), ("Week 1", 5.5), ("Week 2", 5.0)]:
            rows.append({"subject": sid, "arm": arm, "visit": visit, "pain": value})
    path = tmp_path / "ids.xlsx"
    pd.DataFrame(rows).to_excel(path, index=False)
    trial = read_trial(path, **ROLES)
    assert sorted(trial.subjects["subject"]) == ["001", "002", "1", "2"]
    assert trial.data["value"].dtype == float
