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
