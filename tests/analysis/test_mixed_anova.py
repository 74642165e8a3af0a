"""Arm x visit mixed ANOVA (complete cases) against R aov with Error(subject/visit).

# source: tests/reference/r/mixed_anova.R -> tests/reference/r/mixed_anova.json
# (R 4.2.2 ``aov(y ~ arm * visit + Error(subject / visit))``, sphericity-assumed F tests;
# the three-arm input is tests/reference/r/mixed_anova_three_arms.csv, written by the script)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from irtrial.analysis.mixed_anova import mixed_anova
from irtrial.errors import InsufficientDataError, IrtrialWarning

ROOT = Path(__file__).parents[2]
REF = {c["name"]: c for c in json.loads((ROOT / "tests/reference/r/mixed_anova.json").read_text())}
SYNTHETIC = ROOT / "data/synthetic/ir_wrap_trial.csv"
THREE = ROOT / "tests/reference/r/mixed_anova_three_arms.csv"


def _check(result, case):
    want = pd.DataFrame(case["anova"]).set_index("term")
    got = result.table.set_index("term").loc[want.index]
    for col in ("num_df", "den_df"):
        np.testing.assert_array_equal(got[col], want[col])
    # closed-form sums of squares on both sides
    np.testing.assert_allclose(
        got[["ss", "f_value", "p_value"]], want[["ss", "f_value", "p_value"]], rtol=1e-6
    )
    assert sorted(result.excluded["subject"]) == sorted(case["dropped"])
    assert result.n_by_arm["n_analysed"].sum() == case["n_subjects"]


@pytest.mark.parametrize(
    ("name", "source", "kwargs"),
    [
        ("synthetic_value", SYNTHETIC, {}),
        ("synthetic_change", SYNTHETIC, {"variable": "change"}),
        ("three_arms", THREE, {"control": "Placebo"}),
    ],
)
def test_matches_r_aov(name, source, kwargs):
    with pytest.warns(IrtrialWarning, match="MMRM"):
        res = mixed_anova(source, **kwargs)
    _check(res, REF[name])


def test_listwise_deletion_is_reported():
    with pytest.warns(IrtrialWarning):
        res = mixed_anova(THREE, control="Placebo")
    row = res.excluded.set_index("subject").loc["T05"]
    assert row["arm"] == "Placebo" and "listwise deletion: missing at Week 3" == row["reason"]
    n = res.n_by_arm.set_index("arm")
    assert n.loc["Placebo", "n_randomised"] == 8 and n.loc["Placebo", "n_analysed"] == 7
    assert any("MMRM" in note for note in res.notes)
    cells = res["cell_means"]
    assert list(cells["arm"].cat.categories) == ["Placebo", "High", "Low"]
    assert cells.loc[cells["arm"] == "Placebo", "n"].eq(7).all()


def test_no_warning_without_dropout():
    d = pd.read_csv(THREE)
    d = d.loc[d["USUBJID"] != "T05"]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", IrtrialWarning)
        res = mixed_anova(d, control="Placebo")
    assert res.excluded.empty


def test_arm_with_one_complete_subject():
    d = pd.read_csv(THREE)
    # placebo keeps T01 (complete) and T05 (missing week 3): one complete subject
    d = d.loc[(d["ARM"] != "Placebo") | d["USUBJID"].isin(["T01", "T05"])]
    with pytest.raises(InsufficientDataError, match="'Placebo' has 1"):
        mixed_anova(d, control="Placebo")


def test_docstring_examples_run():
    import doctest
    import importlib

    module = importlib.import_module("irtrial.analysis.mixed_anova")

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_percent_change_with_baseline_zero_names_the_reason():
    from _comparison_data import toy_frame

    with pytest.warns(IrtrialWarning):
        res = mixed_anova(toy_frame(), variable="pct_change")
    ex = res.excluded.set_index("subject")
    assert ex.loc["L0", "reason"] == "listwise deletion: percent change undefined (baseline 0)"
    assert res.n_by_arm.set_index("arm").loc["Low", "n_analysed"] == 4


def test_no_error_variation_is_a_typed_error():
    # every subject equals its arm's mean at every visit: the error strata have SS 0 and
    # pingouin used to return F = -1.1e16 with p = 3e-154 for the visit effect
    from irtrial.trial import read_trial

    frame = pd.DataFrame({
        "subject": [f"S{i}" for i in range(12) for _ in range(3)],
        "arm": [("Active" if i % 2 else "Placebo") for i in range(12) for _ in range(3)],
        "visit": ["Baseline", "Week 1", "Week 2"] * 12,
        "value": [v for i in range(12) for v in (5.0, 5.0, 4.0 if i % 2 else 5.0)],
    })
    with pytest.raises(InsufficientDataError, match="no variation"):
        mixed_anova(read_trial(frame))
