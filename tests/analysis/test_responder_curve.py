"""Tests of irtrial.analysis.responder_curve."""

# source: tests/reference/r/responders.R -> tests/reference/r/responders.json ("curve")

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from irtrial.analysis.responder_curve import responder_curve
from irtrial.errors import ModelSpecError
from irtrial.trial import read_trial

ROOT = Path(__file__).parents[2]
CSV = ROOT / "data/synthetic/ir_wrap_trial.csv"
REF = json.loads((ROOT / "tests/reference/r/responders.json").read_text())["curve"]


@pytest.mark.parametrize("missing", ["non-responder", "exclude"])
def test_synthetic_curve_matches_r(missing):
    rc = responder_curve(CSV, missing=missing)
    assert rc.curve["visit"].unique().tolist() == ["Week 6"]
    for ref in (r for r in REF if r["missing"] == missing):
        got = rc.curve.loc[rc.curve["arm"] == ref["arm"]]
        np.testing.assert_array_equal(got["threshold"], ref["threshold"])
        np.testing.assert_array_equal(got["n_responders"], ref["n_responders"])
        assert (got["n"] == ref["n"]).all()
        np.testing.assert_allclose(got["percent"], ref["percent"], rtol=1e-12)
    counts = rc.n_by_arm.set_index("arm")
    assert counts.loc["Placebo", "n_analysed"] == (19 if missing == "non-responder" else 18)
    assert len(rc.excluded) == (0 if missing == "non-responder" else 1)


def _trial(rows):
    recs = []
    for s, arm, b, y in rows:
        recs += [(s, arm, "Week 0", b), (s, arm, "Week 1", y)]
    df = pd.DataFrame(recs, columns=["id", "arm", "week", "pain"])
    return read_trial(df, subject="id", arm="arm", visit="week", outcome="pain", control="Placebo")


def test_curve_by_hand_with_ties_baseline_zero_and_worsening():
    rows = [
        ("A1", "IR", 10, 7),  # 30%
        ("A2", "IR", 10, 5),  # 50%
        ("A3", "IR", 4, 5),  # worse: -25%
        ("P1", "Placebo", 0, 0),  # baseline 0: responder at no threshold
        ("P2", "Placebo", 8, 8),
    ]  # 0%
    rc = responder_curve(_trial(rows), thresholds=[0, 30, 30.5, 50, 100])
    got = rc.curve.pivot(index="threshold", columns="arm", values="n_responders")
    assert got["IR"].tolist() == [2, 2, 1, 1, 0]
    assert got["Placebo"].tolist() == [1, 0, 0, 0, 0]
    assert rc.curve.groupby("arm")["n"].first().to_dict() == {"IR": 3, "Placebo": 2}
    assert any("P1" in n for n in rc.notes)
    # distinct thresholds: 0 and every observed non-negative improvement
    rc = responder_curve(_trial(rows), thresholds="distinct")
    assert rc.curve["threshold"].unique().tolist() == [0.0, 30.0, 50.0]
    # absolute scale: 0 .. max |improvement| by 1 point
    rc = responder_curve(_trial(rows), kind="absolute")
    ir = rc.curve.query("arm == 'IR'")
    assert ir["threshold"].tolist() == [0, 1, 2, 3, 4, 5]
    assert ir["n_responders"].tolist() == [2, 2, 2, 2, 1, 1]


def test_bad_options():
    with pytest.raises(ModelSpecError) as err:
        responder_curve(CSV, kind="ratio", missing="locf", thresholds=[np.nan])
    msg = str(err.value)
    assert "kind" in msg and "missing" in msg and "thresholds" in msg


def test_arm_without_counted_subjects_is_noted():
    # arm 'Low' has its only subject at Week 1 but not at Week 2
    recs = []
    for sid, arm, b, y1, y2 in [
        ("A1", "IR", 6, 3, 2),
        ("A2", "IR", 6, 5, 5),
        ("B1", "Low", 6, 4, None),
        ("P1", "Placebo", 6, 6, 6),
        ("P2", "Placebo", 5, 3, 1),
    ]:
        recs += [(sid, arm, "Week 0", b), (sid, arm, "Week 1", y1), (sid, arm, "Week 2", y2)]
    df = pd.DataFrame(recs, columns=["id", "arm", "week", "pain"])
    trial = read_trial(df, subject="id", arm="arm", visit="week", outcome="pain", control="Placebo")
    rc = responder_curve(trial, missing="exclude", thresholds=[0, 50])
    low = rc.curve.query("arm == 'Low'")
    assert (low["n"] == 0).all() and low["percent"].isna().all()
    assert any("'Low' has no subject" in n for n in rc.notes)
    assert rc.excluded["subject"].tolist() == ["B1"]
    assert rc.excluded["reason"].tolist() == ["no value at Week 2"]
