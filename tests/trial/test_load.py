"""read_trial on long DataFrames and CSV: roles, derivations, contract of Trial."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import irtrial
from irtrial import columns as C
from irtrial.trial import Trial, read_trial

from .conftest import make_long


def _read(df, **kw):
    return read_trial(df, subject="subject", arm="arm", visit="visit", outcome="pain", **kw)


def test_contract_columns_and_roles(long_df):
    trial = _read(long_df, covariates=["age"])
    assert isinstance(trial, Trial)
    assert list(trial.data.columns) == [C.SUBJECT, C.ARM, C.VISIT, C.VISIT_NUM, C.VALUE,
                                        C.BASELINE, C.CHANGE, C.PCT_CHANGE, "age"]
    assert trial.arms == ("Placebo", "IR")
    assert trial.control == "Placebo" and trial.active_arms == ("IR",)
    assert trial.visits == ("Week 1", "Week 2", "Week 6")
    assert trial.baseline_visit == "Week 0"
    assert trial.covariates == ("age",)
    assert trial.outcome == "pain" and trial.source == "<DataFrame>"
    assert trial.data[C.ARM].cat.ordered
    assert list(trial.data[C.ARM].cat.categories) == ["Placebo", "IR"]
    assert list(trial.data[C.VISIT].cat.categories) == ["Week 1", "Week 2", "Week 6"]
    assert trial.data[C.VISIT_NUM].dtype == float
    assert len(trial.data) == 7 * 3
    assert len(trial.subjects) == 7 and trial.subjects["excluded"].isna().all()
    assert list(trial.exclusions.columns) == ["subject", "arm", "reason", "n_rows"]
    assert len(trial.exclusions) == 0


def test_change_and_pct_change_match_input(long_df):
    trial = _read(long_df)
    wide = long_df.pivot(index="subject", columns="visit", values="pain")
    row = trial.data[(trial.data.subject == "S02") & (trial.data.visit == "Week 6")].iloc[0]
    base = wide.loc["S02", "Week 0"]
    assert row.baseline == base
    assert row.value == wide.loc["S02", "Week 6"]
    assert row.change == pytest.approx(row.value - base, abs=1e-12)
    assert row["pct_change"] == pytest.approx(100 * (row.value - base) / base, abs=1e-12)


def test_caller_frame_is_not_kept_or_modified(long_df):
    before = long_df.copy()
    trial = _read(long_df)
    pd.testing.assert_frame_equal(long_df, before)
    long_df.loc[:, "pain"] = 0.0
    assert trial.data[C.VALUE].max() > 0


def test_trial_is_frozen(long_df):
    trial = _read(long_df)
    with pytest.raises(AttributeError):
        trial.control = "IR"  # type: ignore[misc]


def test_at_visit_and_n_by_arm(long_df):
    trial = _read(long_df)
    last = trial.at_visit()
    assert len(last) == 7 and (last[C.VISIT] == "Week 6").all()
    assert len(trial.at_visit("Week 1")) == 7
    n = trial.n_by_arm()
    assert n.to_dict() == {"Placebo": 3, "IR": 4}
    with pytest.raises(irtrial.ModelSpecError, match="not a post-baseline visit"):
        trial.at_visit("Week 0")


def test_dropout_rows_kept_as_nan_and_grid_completed(long_df):
    df = long_df[~((long_df.subject == "S05") & (long_df.visit.isin(["Week 2", "Week 6"])))].copy()
    df.loc[(df.subject == "S01") & (df.visit == "Week 6"), "pain"] = np.nan
    trial = _read(df)
    assert len(trial.data) == 7 * 3
    s5 = trial.data[trial.data.subject == "S05"].set_index("visit")[C.VALUE]
    assert np.isnan(s5["Week 2"]) and np.isnan(s5["Week 6"]) and not np.isnan(s5["Week 1"])
    assert trial.row_counts["added_missing"] == 2  # the two dropped rows; NaN row is kept
    assert trial.row_counts["input"] == len(df)
    rc = trial.row_counts
    assert rc["input"] == rc["analysed"] + rc["baseline"] + rc["excluded"]


def test_visit_order_numeric_not_text():
    df = make_long(weeks=(0, 2, 10))
    trial = _read(df)
    assert trial.visits == ("Week 2", "Week 10")
    assert trial.data[C.VISIT_NUM].drop_duplicates().tolist() == [2.0, 10.0]


def test_visit_order_given_by_user():
    df = make_long(weeks=(0, 1, 2))
    df["visit"] = df["visit"].map({"Week 0": "Pre", "Week 1": "Mid", "Week 2": "End"})
    with pytest.raises(irtrial.TrialValidationError, match="visit_order"):
        _read(df)
    trial = _read(df, visit_order=["Pre", "Mid", "End"])
    assert trial.baseline_visit == "Pre" and trial.visits == ("Mid", "End")
    assert trial.visit_numbers == {"Pre": 0.0, "Mid": 1.0, "End": 2.0}


def test_visit_num_column_orders_visits():
    df = make_long(weeks=(0, 1, 2))
    df["visit"] = df["visit"].map({"Week 0": "Baseline", "Week 1": "Treatment",
                                   "Week 2": "Follow-up"})
    df["vnum"] = df["visit"].map({"Baseline": 0, "Treatment": 5, "Follow-up": 9})
    trial = _read(df, visit_num="vnum")
    assert trial.visits == ("Treatment", "Follow-up")
    assert trial.data[C.VISIT_NUM].drop_duplicates().tolist() == [5.0, 9.0]


def test_numeric_visit_and_subject_columns():
    df = make_long(weeks=(0, 1, 3))
    df["subject"] = df["subject"].str[1:].astype(int)
    df["visit"] = df["visit"].str[5:].astype(int)
    trial = _read(df)
    assert trial.visits == ("1", "3") and trial.baseline_visit == "0"
    assert trial.data[C.SUBJECT].iloc[0] == "1"
    assert trial.subjects[C.SUBJECT].tolist() == [str(i) for i in range(1, 8)]


def test_baseline_column_instead_of_baseline_visit(long_df):
    base = long_df[long_df.visit == "Week 0"].set_index("subject")["pain"]
    post = long_df[long_df.visit != "Week 0"].copy()
    post["bl"] = post["subject"].map(base)
    trial = _read(post, baseline="bl")
    assert trial.baseline_visit is None
    assert trial.visits == ("Week 1", "Week 2", "Week 6")
    ref = _read(long_df)
    np.testing.assert_allclose(trial.data[C.CHANGE], ref.data[C.CHANGE], rtol=0, atol=1e-12)


def test_control_defaults_and_explicit(long_df):
    df = long_df.assign(arm=long_df.arm.map({"IR": "Infrared", "Placebo": "Wrap off"}))
    with pytest.raises(irtrial.TrialValidationError, match="pass control="):
        _read(df)
    trial = _read(df, control="Wrap off")
    assert trial.arms == ("Wrap off", "Infrared")
    for label in ("PBO", "Sham wrap", "Vehicle", "Control"):
        t = _read(long_df.assign(arm=long_df.arm.replace("Placebo", label)))
        assert t.control == label


def test_three_arms():
    df = make_long(n_ir=3, n_pbo=2)
    extra = make_long(n_ir=2, n_pbo=0, seed=5)
    extra["subject"] = extra["subject"].str.replace("S", "H")
    extra["arm"] = "Heat"
    trial = _read(pd.concat([df, extra], ignore_index=True))
    assert trial.arms == ("Placebo", "Heat", "IR")
    assert trial.active_arms == ("Heat", "IR")
    assert trial.n_by_arm().to_dict() == {"Placebo": 2, "Heat": 2, "IR": 3}


def test_default_column_names_without_arguments(long_df):
    df = long_df.rename(columns={"pain": "value"})
    trial = read_trial(df)
    assert trial.outcome == "value" and len(trial.data) == 21


def test_pct_change_with_zero_baseline_is_nan_and_noted(long_df):
    df = long_df.copy()
    df.loc[(df.subject == "S03") & (df.visit == "Week 0"), "pain"] = 0.0
    trial = _read(df)
    s3 = trial.data[trial.data.subject == "S03"]
    assert s3[C.PCT_CHANGE].isna().all() and s3[C.CHANGE].notna().all()
    assert any("baseline 0" in n for n in trial.notes)


def test_summary_and_consort(long_df):
    trial = _read(long_df)
    summ = trial.summary()
    assert list(summ.columns) == ["arm", "visit", "visit_num", "n", "n_missing", "mean", "sd"]
    assert len(summ) == 2 * 4
    ir6 = long_df[(long_df.arm == "IR") & (long_df.visit == "Week 6")]["pain"]
    row = summ[(summ.arm == "IR") & (summ.visit == "Week 6")].iloc[0]
    assert row.n == 4 and row.n_missing == 0
    assert row["mean"] == pytest.approx(ir6.mean(), abs=1e-12)
    assert row["sd"] == pytest.approx(ir6.std(ddof=1), abs=1e-12)
    base = summ[summ.visit == "Week 0"]
    assert base.visit_num.tolist() == [0.0, 0.0]
    consort = trial.consort()
    assert list(consort.columns) == ["stage", "Placebo", "IR", "total"]
    assert consort.set_index("stage").loc["randomised"].tolist() == [3, 4, 7]
    assert consort.set_index("stage").loc["with data at Week 6"].tolist() == [3, 4, 7]


def test_csv_semicolon_comma_decimal_bom_missing_markers(tmp_path, long_df):
    df = long_df.copy()
    df["pain"] = df["pain"].map(lambda x: f"{x:.1f}".replace(".", ","))
    markers = ["NA", ".", "", "NaN", "N/A", "missing"]
    post = df.index[df.visit == "Week 6"][:6]
    df.loc[post, "pain"] = markers
    path = tmp_path / "trial.csv"
    path.write_bytes(b"\xef\xbb\xbf" + df.to_csv(sep=";", index=False).encode())
    trial = read_trial(path, subject="subject", arm="arm", visit="visit", outcome="pain")
    assert trial.source == str(path)
    wk6 = trial.at_visit("Week 6")
    assert wk6[C.VALUE].isna().sum() == 6
    got = trial.at_visit("Week 1").set_index("subject")[C.VALUE]
    ref = long_df[long_df.visit == "Week 1"].set_index("subject")["pain"]
    np.testing.assert_allclose(got.loc[ref.index], ref, rtol=0, atol=1e-12)


def test_csv_keeps_leading_zeros_in_subject_ids(tmp_path, long_df):
    df = long_df.assign(subject=long_df.subject.str.replace("S", "00"))
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    trial = _read(path)
    assert trial.subjects.subject.iloc[0] == "0001"


def test_tab_separated(tmp_path, long_df):
    path = tmp_path / "t.tsv"
    long_df.to_csv(path, sep="\t", index=False)
    assert len(_read(path).data) == 21


def test_param_filter_reports_the_rows_left_out(long_df):
    # the rows of the other PARAMCD used to vanish from every count without a word
    pain = long_df.assign(PARAMCD="PAIN")
    both = pd.concat([pain, long_df.assign(PARAMCD="FUNC")], ignore_index=True)
    trial = _read(both, param="PAIN")
    assert trial.row_counts["other_parameters"] == len(long_df)
    assert any(f"{len(long_df)} row(s) of other parameters left out" in n and "'PAIN'" in n
               for n in trial.notes)
    assert not any("other parameters" in n for n in _read(pain, param="PAIN").notes)


def test_wide_undeclared_column_is_not_taken_for_a_visit(long_df):
    # an undeclared numeric "age" column used to become the last visit (the primary time
    # point) of a wide table whose visit columns are "Week 0".."Week 6"
    wide = long_df.pivot(index=["subject", "arm", "age"], columns="visit",
                         values="pain").reset_index()
    wide.columns.name = None
    with pytest.raises(irtrial.TrialValidationError, match=r"column\(s\) \['age'\] hold no "
                       "visit number") as info:
        read_trial(wide, subject="subject", arm="arm", format="wide")
    assert "covariates=[...]" in str(info.value)
    trial = read_trial(wide, subject="subject", arm="arm", format="wide", covariates=["age"])
    assert trial.visits == ("Week 1", "Week 2", "Week 6")
    # visit columns without any number keep their column order, as before
    plain = wide.rename(columns={"Week 0": "Pre", "Week 1": "Early", "Week 2": "Mid",
                                 "Week 6": "Late"})
    trial = read_trial(plain, subject="subject", arm="arm", format="wide", covariates=["age"])
    assert trial.visits == ("Early", "Mid", "Late")


def test_integer_column_names_and_single_items(long_df):
    # a frame read without a header has integer column names: subject=0 used to raise a bare
    # AttributeError; covariates=5 a TypeError; visit_order="Week 1" was split into letters
    plain = long_df[["subject", "arm", "visit", "pain", "age"]].copy()
    plain.columns = [0, 1, 2, 3, 4]
    trial = read_trial(plain, subject=0, arm=1, visit=2, outcome=3, covariates=4)
    reference = _read(long_df, covariates=["age"])
    assert trial.covariates == ("4",) and trial.visits == reference.visits
    np.testing.assert_array_equal(trial.data["value"], reference.data["value"])
    with pytest.raises(irtrial.TrialValidationError, match=r"not in visit_order=\['Week 1'\]"):
        _read(long_df, visit_order="Week 1")


def _three_arm_frame():
    df = make_long(n_ir=4, n_pbo=3)
    df.loc[df.subject.isin(["S01", "S02"]), "arm"] = "Low"
    df.loc[df.subject.isin(["S03", "S04"]), "arm"] = "High"
    return df


def test_arm_order_given_keeps_it_with_the_control_first():
    # arms used to be sorted alphabetically whatever the design: Placebo, High, Low
    df = _three_arm_frame()
    assert _read(df).arms == ("Placebo", "High", "Low")
    trial = _read(df, arm_order=["Placebo", "Low", "High"])
    assert trial.arms == ("Placebo", "Low", "High")
    assert trial.active_arms == ("Low", "High")
    assert list(trial.data[C.ARM].cat.categories) == ["Placebo", "Low", "High"]
    assert list(trial.subjects[C.ARM].cat.categories) == ["Placebo", "Low", "High"]
    assert trial.n_by_arm().index.tolist() == ["Placebo", "Low", "High"]
    assert trial.consort().columns.tolist() == ["stage", "Placebo", "Low", "High", "total"]
    assert trial.schema.arm_order == ("Placebo", "Low", "High")
    # the control goes first wherever it is listed; the data are the same
    moved = _read(df, arm_order=("Low", "High", "Placebo"))
    assert moved.arms == ("Placebo", "Low", "High")
    pd.testing.assert_frame_equal(moved.data, trial.data)


def test_arm_order_defaults_to_the_categorical_order():
    df = _three_arm_frame()
    df["arm"] = pd.Categorical(df["arm"], categories=["Unused", "Low", "Placebo", "High"])
    assert _read(df).arms == ("Placebo", "Low", "High")
    # wide input keeps the categorical too
    wide = df.pivot(index=["subject", "arm"], columns="visit", values="pain").reset_index()
    wide.columns.name = None
    wide["arm"] = pd.Categorical(wide["arm"], categories=["Low", "Placebo", "High"])
    assert read_trial(wide, subject="subject", arm="arm", format="wide").arms == (
        "Placebo", "Low", "High")
    # an explicit arm_order wins over the categorical order
    assert _read(df, arm_order=["Placebo", "High", "Low"]).arms == ("Placebo", "High", "Low")


def test_arm_order_unknown_missing_or_repeated_arms_are_one_problem():
    df = _three_arm_frame()
    with pytest.raises(irtrial.TrialValidationError) as info:
        _read(df, arm_order=["Placebo", "Lo", "High"], outcome_range=(0, 1))
    problems = [p for p in info.value.problems if "arm_order" in p.message]
    assert len(problems) == 1 and problems[0].column == "arm"
    message = problems[0].message
    assert "unknown arm(s) ['Lo'] (did you mean 'Low'?)" in message
    assert "missing arm(s) ['Low']" in message
    assert "['High', 'Low', 'Placebo']" in message
    # the other problems are still listed with it
    assert any("outside the declared range" in p.message for p in info.value.problems)
    with pytest.raises(irtrial.TrialValidationError, match=r"missing arm\(s\) \['High', 'Low'\]"):
        _read(df, arm_order="Placebo")  # a single label is one arm, not letters
    with pytest.raises(irtrial.TrialValidationError,
                       match=r"arm\(s\) \['Low'\] listed more than once"):
        _read(df, arm_order=["Placebo", "Low", "High", "Low"])
