"""Helpers of the NumPy assembly step (the end-to-end behaviour is in test_load.py)."""

from __future__ import annotations

import numpy as np

from irtrial.trial import read_trial
from irtrial.trial.assemble import _first_per_code, _natural_perm, _spread

from .conftest import make_long


def test_natural_perm_numeric_ids_sort_as_numbers():
    ids = np.array(["10", "2", "1"], dtype=object)
    assert ids[_natural_perm(ids)].tolist() == ["1", "2", "10"]
    ids = np.array(["S10", "S2", "A1"], dtype=object)
    assert ids[_natural_perm(ids)].tolist() == ["A1", "S10", "S2"]


def test_first_per_code_takes_rows_in_given_order():
    codes = np.array([0, 1, 0, 1, 2])
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    out = _first_per_code(codes, np.array([2, 0, 3, 1]), values, 4, np.nan, float)
    np.testing.assert_array_equal(out, [3.0, 4.0, np.nan, np.nan])


def test_spread_flags_codes_with_several_values():
    codes = np.array([0, 0, 1, 1, 2])
    values = np.array([1.0, 1.0, 2.0, 3.0, 4.0])
    assert _spread(codes, np.ones(5, dtype=bool), values, 3).tolist() == [False, True, False]


def _with_baseline_column():
    df = make_long(n_ir=8, n_pbo=6)
    at_week0 = df[df.visit == "Week 0"].set_index("subject")["pain"]
    return df.assign(bl=df["subject"].map(at_week0)), at_week0


def _read_bl(df):
    return read_trial(df, subject="subject", arm="arm", visit="visit", outcome="pain",
                      baseline="bl")


def test_baseline_column_missing_or_disagreeing_is_noted_with_the_value_used():
    df, at_week0 = _with_baseline_column()
    assert not any("baseline column" in n for n in _read_bl(df).notes)  # all agree: silent
    df.loc[df.subject.isin(["S02", "S11"]), "bl"] = np.nan
    df.loc[df.subject == "S05", "bl"] += 1.5
    trial = _read_bl(df)
    notes = [n for n in trial.notes if n.startswith("baseline column 'bl'")]
    assert notes == [
        "baseline column 'bl' is missing for 2 analysed subject(s) (S02, S11); their 'pain' "
        "value at the baseline visit 'Week 0' is used as baseline",
        "baseline column 'bl' disagrees with 'pain' at the baseline visit 'Week 0' for 1 "
        "analysed subject(s) (S05); the 'bl' value is used as baseline"]
    # and the values really are the ones the notes name
    base = trial.subjects.set_index("subject")["baseline"]
    assert base["S02"] == at_week0["S02"] and base["S11"] == at_week0["S11"]
    assert base["S05"] == at_week0["S05"] + 1.5


def test_baseline_notes_abbreviate_long_subject_lists():
    df, _ = _with_baseline_column()
    df["bl"] = np.nan  # the column is empty: every subject falls back on Week 0
    notes = [n for n in _read_bl(df).notes if n.startswith("baseline column")]
    assert len(notes) == 1
    assert "missing for 14 analysed subject(s) (S01, S02," in notes[0]
    assert "S10, ... (14 in all)" in notes[0]
