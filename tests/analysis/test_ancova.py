"""ANCOVA (change ~ baseline + arm + covariates) against R lm + emmeans.

# source: tests/reference/r/ancova.R -> tests/reference/r/ancova.json
# (R 4.2.2, emmeans 1.8.4.1: emmeans(fit, "arm"), contrast(trt.vs.ctrl), eff_size)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from irtrial.analysis.ancova import _ancova_fit
from irtrial.errors import SingularDesignError

REF = Path(__file__).parents[1] / "reference" / "r" / "ancova.json"
CASES = json.loads(REF.read_text())


def _fit(case):
    d = pd.DataFrame(case["data"]).rename(columns={"base": "baseline"})
    arms = [case["control"], *sorted(set(d["arm"]) - {case["control"]})]
    return _ancova_fit(d["chg"].to_numpy(), d, arms, case["covariates"]), d


def _compare(got, want, key):
    want = pd.DataFrame(want).set_index(key)
    got = got.set_index("term").loc[want.index]
    for col in want.columns:
        # closed form (OLS) vs closed form (lm)
        np.testing.assert_allclose(
            got[col].to_numpy(), want[col].to_numpy(), rtol=1e-6, err_msg=col
        )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_lsmeans_and_differences_match_emmeans(case):
    got, _ = _fit(case)
    _compare(got["lsmeans"], case["lsmeans"], "arm")
    _compare(got["contrasts"], case["contrasts"], "contrast")
    np.testing.assert_allclose(got["sigma"], case["sigma"], rtol=1e-6)
    coef = got["coefficients"].set_index("term")["estimate"]
    np.testing.assert_allclose(coef["baseline"], case["coefficients"]["base"], rtol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_standardised_effect(case):
    got, _ = _fit(case)
    _compare(
        got["effect_size"].drop(columns=["df", "statistic", "p_value"]),
        case["effect_size_delta"],
        "contrast",
    )
    if case["lsmeans_same_sign"]:
        # emmeans::eff_size itself (it differs only when LS means have opposite signs)
        _compare(
            got["effect_size"].drop(columns=["statistic", "p_value"]),
            case["effect_size"],
            "contrast",
        )


def test_reference_covers_three_arms_and_factor_covariates():
    names = {c["name"] for c in CASES}
    assert {"three_arms_base", "three_arms_covariates"} <= names
    three = next(c for c in CASES if c["name"] == "three_arms_covariates")
    assert len(three["contrasts"]) == 2 and "SEX" in three["covariates"]


def test_constant_covariate_is_singular():
    case = next(c for c in CASES if c["name"] == "three_arms_base")
    d = pd.DataFrame(case["data"]).rename(columns={"base": "baseline"}).assign(K=1.0)
    with pytest.raises(SingularDesignError):
        _ancova_fit(d["chg"].to_numpy(), d, ["Placebo", "High", "Low"], ["K"])


# ---------------------------------------------------------------- through the Trial layer

from _comparison_data import SYNTHETIC, toy_frame  # noqa: E402

from irtrial.analysis.ancova import ancova  # noqa: E402
from irtrial.errors import InsufficientDataError  # noqa: E402

BY_NAME = {c["name"]: c for c in CASES}


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("synthetic_wk6", {}),
        ("synthetic_covariates", {"covariates": ["AGE", "SEX", "PAINDUR"]}),
        ("synthetic_pct_change", {"variable": "pct_change"}),
        ("synthetic_wk3", {"visit": "Week 3"}),
    ],
)
def test_synthetic_replica_matches_r(name, kwargs):
    res = ancova(SYNTHETIC, **kwargs)
    case = BY_NAME[name]
    _compare(res["lsmeans"].drop(columns="visit"), case["lsmeans"], "arm")
    _compare(
        res.table.drop(
            columns=[
                "visit",
                "arm",
                "control",
                "variable",
                "effect_size",
                "effect_size_lower",
                "effect_size_upper",
                "n_active",
                "n_control",
            ]
        ),
        case["contrasts"],
        "contrast",
    )
    want = case["effect_size"][0]
    row = res.table.iloc[0]
    np.testing.assert_allclose(
        [row["effect_size"], row["effect_size_lower"], row["effect_size_upper"]],
        [want["estimate"], want["ci_lower"], want["ci_upper"]],
        rtol=1e-6,
    )
    assert (row["n_active"], row["n_control"]) == (21, 18)


def test_all_visits_one_model_each():
    res = ancova(SYNTHETIC, visit="all")
    assert list(res.table["visit"]) == [f"Week {k}" for k in range(1, 7)]
    for k in range(1, 7):
        want = BY_NAME[f"synthetic_wk{k}"]["contrasts"][0]
        np.testing.assert_allclose(res.table.iloc[k - 1]["estimate"], want["estimate"], rtol=1e-6)


def test_three_arms_baseline_zero_and_single_subject():
    res = ancova(toy_frame(), variable="pct_change")
    assert list(res.table["term"]) == ["High - Placebo", "Low - Placebo"]
    assert "L0" in set(res.excluded["subject"])
    d = toy_frame()
    d = d.loc[(d["ARM"] != "Low") | (d["USUBJID"] == "L1")]
    # 'Low' has one subject: it leaves the model, its row is not computable, High is fitted
    res = ancova(d)
    t = res.table.set_index("arm")
    assert list(t.index) == ["High", "Low"]
    assert t.loc["Low", ["estimate", "p_value", "effect_size"]].isna().all()
    assert t.loc["Low", "note"] == "Low at Week 2: 1 subject with a value; at least 2 needed"
    assert t.loc["Low", "term"] == "Low - Placebo" and t.loc["Low", "n_active"] == 1
    assert list(res["lsmeans"]["term"]) == ["Placebo", "High"]
    # a one-subject arm is fitted exactly by its own parameter, so the High - Placebo
    # contrast equals that of the model with the Low subject in it (closed form vs closed form)
    y = ancova(d.loc[d["ARM"] != "Low"]).table.iloc[0]
    for col in ("estimate", "std_error", "df", "p_value"):
        np.testing.assert_allclose(t.loc["High", col], y[col], rtol=1e-6)
    assert t.loc["High", "note"] is None
    assert any("Low vs Placebo: not computable" in n for n in res.notes)
    # two arms, the only comparison impossible: the same error as before
    d2 = d.loc[d["ARM"] != "High"]
    with pytest.raises(
        InsufficientDataError, match="needs at least 2 subjects per arm: arm 'Low' has 1$"
    ):
        ancova(d2)


def test_visit_all_with_one_short_visit():
    d = pd.read_csv(SYNTHETIC)
    ir = sorted(d.loc[d["ARM"] == "IR", "USUBJID"].unique())
    d.loc[(d["AVISIT"] == "Week 3") & d["USUBJID"].isin(ir[1:]), "AVAL"] = np.nan
    res = ancova(d, visit="all")
    ref = ancova(pd.read_csv(SYNTHETIC), visit="all").table.set_index("visit")
    t = res.table.set_index("visit")
    assert list(t.index) == list(ref.index)
    assert np.isnan(t.loc["Week 3", "estimate"])
    assert t.loc["Week 3", "note"] == "IR at Week 3: 1 subject with a value; at least 2 needed"
    np.testing.assert_allclose(
        t.drop(index="Week 3")["estimate"], ref.drop(index="Week 3")["estimate"], rtol=1e-12
    )


def test_docstring_examples_run():
    import doctest
    import importlib

    module = importlib.import_module("irtrial.analysis.ancova")

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_single_covariate_name_is_one_covariate():
    # covariates="AGE" used to be read as the covariates 'A', 'G', 'E'
    from irtrial.trial import read_trial

    trial = read_trial(SYNTHETIC, covariates=["AGE"])
    one = ancova(trial, covariates="AGE")
    pd.testing.assert_frame_equal(one.table, ancova(trial, covariates=["AGE"]).table)
    assert "AGE" in one.method
