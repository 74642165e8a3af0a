"""Trial helpers (consort, summary, repr) and invariance properties."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import irtrial.trial.adam
import irtrial.trial.derive
import irtrial.trial.io
import irtrial.trial.load
import irtrial.trial.model
import irtrial.trial.validate
import irtrial.trial.wide
from irtrial.errors import ModelSpecError, TrialValidationError
from irtrial.trial import read_trial

from .conftest import make_long

ROLES = {"subject": "subject", "arm": "arm", "visit": "visit", "outcome": "pain"}


@pytest.mark.parametrize("module", [irtrial.trial, irtrial.trial.adam, irtrial.trial.derive,
                                    irtrial.trial.io, irtrial.trial.load, irtrial.trial.model,
                                    irtrial.trial.validate, irtrial.trial.wide])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_consort_counts_with_exclusions_and_dropout():
    df = make_long(n_ir=5, n_pbo=4).astype({"pain": object})
    df.loc[(df.subject == "S02") & (df.visit == "Week 0"), "pain"] = "."       # no baseline
    df.loc[(df.subject == "S07") & (df.visit != "Week 0"), "pain"] = np.nan   # no post values
    df.loc[(df.subject == "S08") & (df.visit == "Week 6"), "pain"] = np.nan   # dropout
    trial = read_trial(df, **ROLES)
    c = trial.consort().set_index("stage")
    assert c.index.tolist() == [
        "randomised", "excluded", "excluded: no baseline value",
        "excluded: no post-baseline value", "analysed", "with data at Week 0",
        "with data at Week 1", "with data at Week 2", "with data at Week 6"]
    assert c.loc["randomised"].tolist() == [4, 5, 9]
    assert c.loc["excluded: no baseline value"].tolist() == [0, 1, 1]
    assert c.loc["excluded: no post-baseline value"].tolist() == [1, 0, 1]
    assert c.loc["analysed"].tolist() == [3, 4, 7]
    assert c.loc["with data at Week 6"].tolist() == [2, 4, 6]
    summ = trial.summary().set_index(["arm", "visit"])
    assert summ.loc[("Placebo", "Week 6"), "n"] == 2
    assert summ.loc[("Placebo", "Week 6"), "n_missing"] == 1
    assert "Placebo n=3, IR n=4" in repr(trial)


def test_three_arm_consort_columns():
    df = make_long(n_ir=2, n_pbo=2)
    df.loc[df.subject == "S01", "arm"] = "Heat"
    trial = read_trial(df, **ROLES)
    assert trial.consort().columns.tolist() == ["stage", "Placebo", "Heat", "IR", "total"]


def test_at_visit_unknown_visit_is_an_argument_error_naming_the_visits():
    trial = read_trial(make_long(), **ROLES)
    with pytest.raises(ModelSpecError) as info:
        trial.at_visit("bad")
    assert not isinstance(info.value, TrialValidationError)
    message = str(info.value)
    assert "'bad' is not a post-baseline visit" in message
    assert "['Week 1', 'Week 2', 'Week 6']" in message
    assert "trial data" not in message
    with pytest.raises(ModelSpecError, match="Week 0"):  # the baseline visit is no answer
        trial.at_visit("Week 0")


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_any_row_permutation_gives_the_same_trial(rnd):
    df = make_long(n_ir=3, n_pbo=3)
    df.loc[4, "pain"] = np.nan
    ref = read_trial(df, **ROLES, covariates=["age"])
    idx = list(range(len(df)))
    rnd.shuffle(idx)
    got = read_trial(df.iloc[idx], **ROLES, covariates=["age"])
    pdt.assert_frame_equal(got.data, ref.data)
    pdt.assert_frame_equal(got.subjects, ref.subjects)
    assert got.visits == ref.visits and got.arms == ref.arms


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["keep", "nan", "drop"]), min_size=28, max_size=28))
def test_no_row_is_lost_unseen(actions):
    df = make_long().astype({"pain": object})
    act = np.array(actions)
    df.loc[act == "nan", "pain"] = "NA"
    df = df[act != "drop"].reset_index(drop=True)
    try:
        trial = read_trial(df, **ROLES)
    except TrialValidationError as err:  # a whole arm may vanish: a clear error, not a crash
        assert "no analysed subject left in arm(s)" in str(err)
        return
    rc = trial.row_counts
    assert rc["input"] == len(df)
    assert rc["input"] == rc["analysed"] + rc["baseline"] + rc["excluded"]
    assert rc["excluded"] == trial.exclusions.n_rows.sum()
    assert len(trial.data) == rc["analysed"] + rc["added_missing"]
    analysed = set(trial.data.subject)
    excluded = set(trial.exclusions.subject.dropna())
    assert analysed | excluded == set(df.subject) and not analysed & excluded
    assert trial.data.groupby("subject")["value"].count().min() >= 1
    assert pd.Series(trial.subjects.excluded.dropna()).isin(
        ["no baseline value", "no post-baseline value"]).all()
