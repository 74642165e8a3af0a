"""Every validation problem on its own, then several at once; no row is lost unseen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from irtrial.errors import Problem, TrialValidationError
from irtrial.trial import read_trial

ROLES = {"subject": "subject", "arm": "arm", "visit": "visit", "outcome": "pain"}


def _problems(df, **kw) -> tuple[Problem, ...]:
    with pytest.raises(TrialValidationError) as info:
        read_trial(df, **{**ROLES, **kw})
    return info.value.problems


def _accounted(trial) -> None:
    rc = trial.row_counts
    assert rc["excluded"] == trial.exclusions["n_rows"].sum()
    assert rc["input"] == rc["analysed"] + rc["baseline"] + rc["excluded"]
    assert len(trial.data) == rc["analysed"] + rc["added_missing"]


def test_missing_column_suggests_close_name(long_df):
    (p,) = _problems(long_df, outcome="pian")
    assert p.message.startswith("column 'pian' (outcome) not found; did you mean 'pain'?")
    assert p.column == "pian"


def test_missing_columns_all_listed(long_df):
    probs = _problems(long_df, subject="Subject_ID", arm="ARMX", covariates=["sex"])
    cols = {p.column for p in probs}
    assert {"Subject_ID", "ARMX", "sex"} <= cols


def test_non_numeric_outcome_lists_rows_and_values(long_df):
    df = long_df.astype({"pain": object})
    df.loc[5, "pain"] = "severe"
    df.loc[9, "pain"] = "7 (approx)"
    (p,) = _problems(df)
    assert "non-numeric value(s): 'severe', '7 (approx)'" in p.message
    assert p.column == "pain" and p.rows == (5, 9)
    assert p.subjects == (df.subject[5], df.subject[9])


def test_duplicate_subject_visit(long_df):
    df = pd.concat([long_df, long_df.iloc[[4]]], ignore_index=True)
    (p,) = _problems(df)
    assert "1 subject x visit pair(s) appear more than once" in p.message
    assert p.rows == (4, len(df) - 1) and p.subjects == ("S02",)


def test_subject_in_two_arms(long_df):
    df = long_df.copy()
    df.loc[3, "arm"] = "Placebo"  # S01 is IR otherwise
    (p,) = _problems(df)
    assert "1 subject(s) are recorded under more than one arm (S01: ['IR', 'Placebo'])" \
        in p.message
    assert p.subjects == ("S01",) and p.column == "arm"


def test_fewer_than_two_arms(long_df):
    (p,) = _problems(long_df[long_df.arm == "IR"])
    assert "found 1 arm(s) ['IR']" in p.message


def test_control_arm_absent(long_df):
    (p,) = _problems(long_df, control="Placebos")
    assert "control arm 'Placebos' not found" in p.message and "did you mean 'Placebo'" in \
        p.message


def test_no_post_baseline_data(long_df):
    (p,) = _problems(long_df[long_df.visit == "Week 0"])
    assert "no post-baseline outcome values" in p.message
    df = long_df.copy()
    df.loc[df.visit != "Week 0", "pain"] = np.nan
    (p,) = _problems(df)
    assert "no post-baseline outcome values" in p.message


def test_values_outside_declared_range(long_df):
    df = long_df.copy()
    df.loc[[2, 7], "pain"] = [11.0, -1.0]
    (p,) = _problems(df, outcome_range=(0, 10))
    assert "2 outcome value(s) outside the declared range [0, 10]: 11, -1" in p.message
    assert p.rows == (2, 7) and p.subjects == ("S01", "S02")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(TrialValidationError, match="the file is empty"):
        read_trial(path)


def test_header_only_file(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("subject,arm,visit,pain\n")
    with pytest.raises(TrialValidationError, match="no data rows"):
        read_trial(path)


def test_unreadable_file(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"this is not parquet")
    with pytest.raises(TrialValidationError, match="cannot read .*broken.parquet"):
        read_trial(path)
    with pytest.raises(TrialValidationError, match="file not found"):
        read_trial(tmp_path / "nope.csv")


def test_several_problems_in_one_error(long_df):
    df = pd.concat([long_df, long_df.iloc[[4]]], ignore_index=True).astype({"pain": object})
    df.loc[3, "arm"] = "Placebo"
    df.loc[5, "pain"] = "severe"
    df.loc[9, "pain"] = 12.0
    with pytest.raises(TrialValidationError) as info:
        read_trial(df, **{**ROLES, "covariates": ["agee"]}, outcome_range=(0, 10))
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 5
    text = str(info.value)
    assert text.startswith("5 problems found in the trial data:")
    for part in ("'agee' (covariate) not found; did you mean 'age'", "non-numeric",
                 "outside the declared range", "appear more than once", "more than one arm"):
        assert part in text


# ---- recorded exclusions: nothing is lost unseen --------------------------------------

def test_subject_without_baseline_is_excluded_with_reason(long_df):
    df = long_df.astype({"pain": object})
    df.loc[(df.subject == "S02") & (df.visit == "Week 0"), "pain"] = "NA"
    trial = read_trial(df, **ROLES)
    ex = trial.exclusions
    assert ex.to_dict("records") == [{"subject": "S02", "arm": "IR",
                                      "reason": "no baseline value", "n_rows": 4}]
    assert "S02" not in set(trial.data.subject)
    assert trial.subjects.set_index("subject").loc["S02", "excluded"] == "no baseline value"
    _accounted(trial)
    consort = trial.consort().set_index("stage")
    assert consort.loc["excluded: no baseline value", "IR"] == 1
    assert consort.loc["analysed"].tolist() == [3, 3, 6]


def test_subject_without_post_baseline_value_is_excluded(long_df):
    df = long_df[~((long_df.subject == "S06") & (long_df.visit != "Week 0"))]
    trial = read_trial(df, **ROLES)
    assert trial.exclusions.to_dict("records") == [
        {"subject": "S06", "arm": "Placebo", "reason": "no post-baseline value", "n_rows": 1}]
    _accounted(trial)


def test_blank_subject_id_is_a_data_error_missing_visit_an_exclusion(long_df):
    df = long_df.copy()
    df.loc[[1, 2], "subject"] = "."
    (p,) = _problems(df)
    assert p.message.startswith("2 row(s) have a blank subject id")
    assert p.rows == (1, 2) and str(p).endswith("[column 'subject'; rows 1, 2]")
    df = long_df.copy()
    df.loc[10, "visit"] = ""
    trial = read_trial(df, **ROLES)
    reasons = trial.exclusions.set_index("reason")["n_rows"].to_dict()
    assert reasons["missing visit label"] == 1
    _accounted(trial)


def test_subject_without_arm_is_a_data_error(long_df):
    df = long_df.copy()
    df.loc[df.subject == "S07", "arm"] = "NA"
    (p,) = _problems(df)
    assert p.message.startswith("1 subject(s) have a blank arm on every row")
    assert p.subjects == ("S07",) and p.rows == (24, 25, 26, 27)


def test_arm_filled_within_subject(long_df):
    df = long_df.copy()
    df.loc[1, "arm"] = None
    trial = read_trial(df, **ROLES)
    assert len(trial.exclusions) == 0 and len(trial.data) == 21


def test_pre_baseline_rows_are_recorded(long_df):
    scr = long_df[long_df.visit == "Week 0"].assign(visit="Screening -1")
    df = pd.concat([scr, long_df], ignore_index=True)
    trial = read_trial(df, **ROLES, baseline_visit="Week 0")
    ex = trial.exclusions
    assert ex.reason.tolist() == ["visit before the baseline visit 'Week 0'"]
    assert ex.n_rows.tolist() == [7]
    _accounted(trial)


def test_arm_without_analysed_subjects_is_an_error(long_df):
    df = long_df.astype({"pain": object})
    df.loc[(df.arm == "Placebo") & (df.visit == "Week 0"), "pain"] = "missing"
    (p,) = _problems(df)
    assert p.message.startswith("no analysed subject left in arm(s) ['Placebo'] after "
                                "exclusions ({'no baseline value': 3})")


def test_visit_with_two_numbers(long_df):
    df = long_df.assign(vn=long_df.visit.str[5:].astype(float))
    df.loc[5, "vn"] = 7.0
    (p,) = _problems(df, visit_num="vn")
    assert p.message == "visits ['Week 1'] have more than one number in 'vn'"
    assert p.column == "vn" and 5 in p.rows


def test_baseline_column_not_constant_within_subject(long_df):
    df = long_df.assign(bl=long_df.subject.str[1:].astype(float))
    df.loc[6, "bl"] = 99.0
    (p,) = _problems(df, baseline="bl")
    assert "the baseline column 'bl' takes several values within 1 subject(s)" in p.message
    assert p.subjects == ("S02",)


def test_non_numeric_baseline_column(long_df):
    df = long_df.assign(bl="7").astype({"bl": object})
    df.loc[3, "bl"] = "seven"
    (p,) = _problems(df, baseline="bl")
    assert "baseline column 'bl' holds 1 non-numeric value(s): 'seven'" in p.message


def test_no_roles_found_lists_columns():
    df = pd.DataFrame({"a": [1], "b": [2]})
    with pytest.raises(TrialValidationError) as info:
        read_trial(df)
    messages = [p.message for p in info.value.problems]
    assert messages[0] == "no subject column found: pass subject=... (columns are ['a', 'b'])"
    assert len(messages) == 4


def test_cannot_tell_control(long_df):
    df = long_df.assign(arm=long_df.arm.map({"IR": "A", "Placebo": "B"}))
    (p,) = _problems(df)
    assert p.message == "cannot tell which arm is the control among ['A', 'B']: pass control=..."


def test_labels_differing_only_in_case(long_df):
    df = long_df.copy()
    df.loc[df.subject == "S07", "arm"] = "placebo"
    df.loc[df.index[df.visit == "Week 2"][:2], "visit"] = "week  2"
    probs = _problems(df)
    assert [p.message for p in probs] == [
        "arm labels differ only in case or spacing ('Placebo' / 'placebo'); unify them",
        "visit labels differ only in case or spacing ('Week 2' / 'week  2'); unify them"]


def test_empty_rows_are_recorded(tmp_path, long_df):
    path = tmp_path / "t.csv"
    path.write_text(long_df.to_csv(index=False) + ",,,,\n,,,,\n")
    trial = read_trial(path, **ROLES)
    # blank lines are not data: left out with their line numbers (header = line 1)
    n = len(long_df)
    assert len(trial.exclusions) == 0
    assert f"not data, left out: blank line (2) at line(s) {n + 2}, {n + 3}" in trial.notes
    assert trial.row_counts["not_data"] == 2 and trial.row_counts["input"] == n
    _accounted(trial)


def test_visit_problems_reported_alongside_others(long_df):
    df = pd.concat([long_df, long_df.iloc[[4]]], ignore_index=True)
    df["vn"] = df.visit.str[5:].astype(float)
    probs = _problems(df, visit_num="vn", visit_order=["Week 0", "Week 1"],
                      baseline_visit="Week 9")
    messages = " | ".join(p.message for p in probs)
    assert "appear more than once" in messages
    assert "visits ['Week 2', 'Week 6'] are not in visit_order" in messages
    probs = _problems(df, baseline_visit="Wek 0")
    assert [p.message for p in probs][-1].startswith(
        "baseline visit 'Wek 0' not found in 'visit'; did you mean 'Week 0' or")


def test_two_baseline_flags_for_one_subject(long_df):
    # S02's Week 1 record flagged ABLFL='Y' as well used to become its baseline record: the
    # Week 1 value vanished (an added "missing" visit) without a word
    df = long_df.assign(ABLFL=np.where(long_df["visit"] == "Week 0", "Y", ""))
    df.loc[(df["subject"] == "S02") & (df["visit"] == "Week 1"), "ABLFL"] = "Y"
    (p,) = _problems(df, baseline_flag="ABLFL")
    assert "1 subject(s) have more than one record flagged as baseline in 'ABLFL'" in p.message
    assert p.column == "ABLFL" and p.subjects == ("S02",) and p.rows == (4, 5)
    # one flag per subject is fine, also on a record other than the first visit
    df.loc[(df["subject"] == "S02") & (df["visit"] == "Week 0"), "ABLFL"] = ""
    trial = read_trial(df, **ROLES, baseline_flag="ABLFL")
    _accounted(trial)


def test_subject_ids_differing_only_in_case(long_df):
    # "S02" / "s02" used to make two randomised subjects (one excluded for no baseline)
    df = long_df.copy()
    later = (df["subject"] == "S02") & (df["visit"] == "Week 6")
    df.loc[later, "subject"] = "s02"
    (p,) = _problems(df)
    assert p.message == ("subject labels differ only in case or spacing ('S02' / 's02'); "
                         "unify them")
    assert p.column == "subject" and p.rows == (4, 5, 6, 7)


@pytest.mark.parametrize("bounds", [(10, 0), (0, float("nan")), (0,), ("0", "10"), 10, (0, 5, 10)])
def test_outcome_range_that_is_not_a_range(long_df, bounds):
    # (10, 0) used to flag every value as out of range; (0,), ("0", "10") and 10 raised a
    # bare ValueError / TypeError
    (p,) = _problems(long_df, outcome_range=bounds)
    assert p.message.startswith("outcome_range")
    assert "low" in p.message and "high" in p.message


def test_missing_subject_column_is_the_only_problem(long_df):
    # a second problem "found 0 arm(s) [] in 'arm'" used to follow, although 'arm' holds two
    (p,) = _problems(long_df, subject="patient")
    assert p.message.startswith("column 'patient' (subject) not found")
