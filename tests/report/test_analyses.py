"""The report's analysis runner: results as the library gives them, errors as messages."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import irtrial
from irtrial.errors import InsufficientDataError, IrtrialWarning
from irtrial.report import analyses


def test_attempt_keeps_result_error_and_warnings():
    def warns():
        warnings.warn("careful", IrtrialWarning, stacklevel=1)
        return 3

    ok = analyses.attempt(warns)
    assert ok.ok and ok.result == 3 and ok.warnings == ("careful",)

    def fails():
        raise InsufficientDataError("an arm has 1 subject")

    bad = analyses.attempt(fails)
    assert not bad.ok and bad.result is None
    assert bad.error == "InsufficientDataError: an arm has 1 subject"


def test_attempt_lets_bugs_through():
    with pytest.raises(ZeroDivisionError):
        analyses.attempt(lambda: 1 / 0)


def test_primary_analysis_is_the_library_mmrm(trial):
    p = analyses.primary_analysis(trial)
    assert p.error is None and p.primary_visit == "Week 6"
    fit = irtrial.mmrm(trial)
    expected = fit.contrasts("arm", control=trial.control, by="visit")
    pd.testing.assert_frame_equal(p.contrasts, expected)
    assert (p.contrasts["control"] == "Placebo").all()
    pd.testing.assert_frame_equal(p.lsmeans, fit.lsmeans("arm", by="visit"))
    assert p.primary["visit"].tolist() == ["Week 6"]
    np.testing.assert_allclose(p.primary["estimate"], expected["estimate"].iloc[-1:], rtol=0)
    # subjects contributing a change: 18 placebo (one dropout has none), 21 IR = fit.n_subjects
    assert p.n_by_arm.to_dict("list") == {"arm": ["Placebo", "IR"], "n": [18, 21]}
    assert p.n_by_arm["n"].sum() == fit.n_subjects


def test_primary_analysis_failure_is_a_message(small_trial):
    p = analyses.primary_analysis(small_trial)
    assert p.fit is None and p.contrasts is None and p.primary is None
    assert p.error.startswith("InsufficientDataError: ")
    assert "too few for an unstructured covariance" in p.error


def test_supportive_analyses_run_each_function(trial):
    runs = analyses.supportive_analyses(trial)
    assert list(runs) == ["ancova", "welch", "mann_whitney", "hedges_g"]
    assert all(a.ok for a in runs.values())
    pd.testing.assert_frame_equal(runs["welch"].result.table, irtrial.welch_test(trial).table)
    pd.testing.assert_frame_equal(runs["hedges_g"].result.table,
                                  irtrial.effect_sizes(trial).table)


def test_responder_analyses(trial):
    res, curve = analyses.responder_analyses(trial)
    assert res.ok and curve.ok
    pd.testing.assert_frame_equal(res.result.rates, irtrial.responder_analysis(trial).rates)
    assert res.result.missing == "non-responder"
    assert set(curve.result.curve["visit"].astype(str)) == {"Week 6"}


@pytest.fixture(scope="module")
def one_subject_arm_trial(raw):
    """The replica with a third arm 'Low' holding a single subject (one IR subject moved)."""
    d = raw.copy()
    first_ir = d.loc[d["ARM"] == "IR", "USUBJID"].iloc[0]
    d.loc[d["USUBJID"] == first_ir, "ARM"] = "Low"
    return irtrial.read_trial(d, outcome_range=(0, 10), control="Placebo")


def test_one_subject_arm_leaves_the_other_comparisons_standing(one_subject_arm_trial):
    # formerly every supportive and responder analysis failed for the whole trial
    trial = one_subject_arm_trial
    runs = analyses.supportive_analyses(trial)
    assert all(a.ok for a in runs.values()), {k: a.error for k, a in runs.items()}
    for key, a in runs.items():
        t = a.result.table.set_index("arm")
        low = t.loc[["Low"]]
        assert low["estimate"].isna().all(), key
        assert (low["note"] == "Low at Week 6: 1 subject with a value; at least 2 needed").all()
        assert t.loc[["IR"], "estimate"].notna().all(), key
        assert any("Low vs Placebo: not computable" in n for n in a.result.notes), key
    res, curve = analyses.responder_analyses(trial)
    assert res.ok and curve.ok
    t = res.result.table
    assert t.loc[t["arm"] == "Low", "estimate"].isna().all()
    assert t.loc[(t["arm"] == "IR") & (t["measure"] == "risk_difference"), "estimate"].notna().all()


def test_nothing_computable_is_still_a_message(raw):
    first_ir = raw.loc[raw["ARM"] == "IR", "USUBJID"].iloc[0]
    d = raw.loc[(raw["ARM"] != "IR") | (raw["USUBJID"] == first_ir)]
    trial = irtrial.read_trial(d, outcome_range=(0, 10))
    runs = analyses.supportive_analyses(trial)
    assert all(not a.ok for a in runs.values())
    assert runs["welch"].error == (
        "InsufficientDataError: at visit 'Week 6' the analysis of 'change' needs at least 2 "
        "subjects per arm: arm 'IR' has 1"
    )
