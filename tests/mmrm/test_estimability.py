"""Estimability of LS means, differences and type 3 tests when aliased columns are dropped.

A three-arm trial in which arm IR2 has no data at Week 3: with ``accept_singular=True`` the
column ``armIR2:visitWeek 3`` of ``change ~ baseline + arm * visit`` is dropped, and the LS mean
of IR2 at Week 3 and its difference from Placebo are not estimable (SAS "Non-est", emmeans
``nonEst``); every other LS mean and difference is estimable and unchanged.

# source: tests/reference/r/mmrm_nonestimable.R (nlme::gls + emmeans on
# tests/reference/r/mmrm_nonestimable.csv) -> tests/reference/r/mmrm_nonestimable.json
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import irtrial
from irtrial.mmrm import estimability, testing

R_DIR = Path(__file__).resolve().parents[1] / "reference" / "r"
DATA = Path(__file__).resolve().parents[2] / "data" / "synthetic" / "ir_wrap_trial.csv"
ARMS = ["Placebo", "IR", "IR2"]
VISITS = [f"Week {i}" for i in range(1, 7)]
NUMS = ["estimate", "std_error", "df", "statistic", "p_value", "ci_lower", "ci_upper"]


def make_nonestimable_frame() -> pd.DataFrame:
    """The reproducer: the IR subjects copied as a third arm IR2 (change shifted by -0.5, 0,
    +0.5 in turn), IR2's Week 3 change missing."""
    d = irtrial.read_trial(str(DATA)).data
    ir = d[d.arm == "IR"].copy()
    ir["subject"] = "X" + ir["subject"].astype(str)
    ir["change"] = ir["change"] + (np.arange(len(ir)) % 3 - 1) * 0.5
    ir["arm"] = "IR2"
    df = pd.concat([d.assign(arm=d.arm.astype(str)), ir], ignore_index=True)
    df.loc[(df.arm == "IR2") & (df.visit.astype(str) == "Week 3"), "change"] = np.nan
    df = df[["subject", "arm", "visit", "baseline", "change"]].copy()
    df["arm"] = pd.Categorical(df["arm"], categories=ARMS)
    df["visit"] = pd.Categorical(df["visit"].astype(str), categories=VISITS)
    return df


def _fit(data, **kwargs):
    return irtrial.mmrm(data, "change ~ baseline + arm * visit", subject="subject", visit="visit",
                        control=irtrial.FitControl(accept_singular=True), **kwargs)


@pytest.fixture(scope="module")
def frame():
    return make_nonestimable_frame()


@pytest.fixture(scope="module")
def fit(frame):
    # emmeans' gls SEs are the asymptotic (model-based) ones
    return _fit(frame, df="residual", vcov="asymptotic")


@pytest.fixture(scope="module")
def ref():
    return json.loads((R_DIR / "mmrm_nonestimable.json").read_text())


def test_reference_csv_is_the_reproducer(frame):
    saved = pd.read_csv(R_DIR / "mmrm_nonestimable.csv")
    pd.testing.assert_frame_equal(
        frame.assign(arm=frame.arm.astype(str), visit=frame.visit.astype(str)), saved)


def test_fit_matches_r(fit, ref):
    assert fit.aliased == ref["aliased"] == ["armIR2:visitWeek 3"]
    assert -2 * fit.loglik == pytest.approx(ref["minus2_reml_loglik"], rel=1e-6)
    coef = fit.coefficients.set_index("term")["estimate"]
    assert list(coef.index) == list(ref["coefficients"])
    np.testing.assert_allclose(coef.to_numpy(), list(ref["coefficients"].values()), rtol=1e-4,
                               atol=1e-6)


def _check_against_r(tab, ref_rows, key):
    assert len(tab) == len(ref_rows)
    n_nonest = 0
    for (_, row), r in zip(tab.iterrows(), ref_rows, strict=True):
        assert key(row) == (r.get("arm") or r["contrast"], r["visit"])
        if r["estimate"] is None:
            n_nonest += 1
            assert not row["estimable"]
            assert row[NUMS].isna().all()
        else:
            assert row["estimable"]
            assert row["estimate"] == pytest.approx(r["estimate"], rel=1e-4)
            assert row["std_error"] == pytest.approx(r["std_error"], rel=1e-4)
            assert row[NUMS].notna().all()
    assert n_nonest == 1


def test_lsmeans_nonestimable_cell_is_nan_others_match_emmeans(fit, ref):
    # source: tests/reference/r/mmrm_nonestimable.json "lsmeans" (emmeans nonEst -> null)
    tab = fit.lsmeans("arm", by="visit")
    _check_against_r(tab, ref["lsmeans"], lambda r: (r["arm"], r["visit"]))
    bad = tab[~tab["estimable"]]
    assert bad[["arm", "visit"]].values.tolist() == [["IR2", "Week 3"]]


def test_contrasts_nonestimable_cell_is_nan_others_match_emmeans(fit, ref):
    # source: tests/reference/r/mmrm_nonestimable.json "contrasts"
    tab = fit.contrasts("arm", control="Placebo", by="visit")
    _check_against_r(tab, ref["contrasts"],
                     lambda r: (f"{r['arm']} - {r['control']}", r["visit"]))
    # the estimable differences are the differences of the LS means
    lsm = fit.lsmeans("arm", by="visit").set_index(["arm", "visit"])["estimate"]
    for _, r in tab[tab["estimable"]].iterrows():
        diff = lsm[(r["arm"], r["visit"])] - lsm[("Placebo", r["visit"])]
        assert r["estimate"] == pytest.approx(diff, rel=1e-10)


def test_estimable_cells_do_not_depend_on_which_column_is_aliased(frame, fit):
    # Week 3 as the visit reference: now armIR2 = sum of IR2's interaction columns and the
    # last of them, armIR2:visitWeek 6, is aliased (a null vector spread over several
    # columns); the fit is the same model, so every estimable LS mean is unchanged
    order = ["Week 3", "Week 1", "Week 2", "Week 4", "Week 5", "Week 6"]
    other = _fit(frame.assign(visit=frame.visit.cat.reorder_categories(order)),
                 df="residual", vcov="asymptotic")
    assert other.aliased == ["armIR2:visitWeek 6"]
    assert other.loglik == pytest.approx(fit.loglik, rel=1e-8)
    a = fit.lsmeans("arm", by="visit").set_index(["arm", "visit"])
    b = other.lsmeans("arm", by="visit").set_index(["arm", "visit"]).loc[a.index]
    assert (a["estimable"] == b["estimable"]).all()
    ok = a["estimable"].to_numpy()
    np.testing.assert_allclose(b.loc[ok, ["estimate", "std_error"]],
                               a.loc[ok, ["estimate", "std_error"]], rtol=1e-4)


def test_full_rank_fit_has_no_estimable_column(frame):
    full = _fit(frame.dropna(subset=["change"]).query("arm != 'IR2'").assign(
        arm=lambda d: d.arm.cat.remove_unused_categories()))
    assert full.aliased == []
    assert full.state.design.nonest_basis is None
    assert "estimable" not in full.lsmeans("arm", by="visit").columns
    assert "estimable" not in full.type3().columns


def test_type3_tests_the_estimable_part(fit):
    tab = fit.type3().set_index("term")
    # baseline: estimable; arm averaged over visits: IR2's average needs the empty cell, so
    # only IR - Placebo is left; visit: Week 3 - Week 1 averaged over arms is not estimable;
    # arm:visit: every interaction but the empty cell's
    assert tab["estimable"].to_dict() == {"baseline": True, "arm": False, "visit": False,
                                          "arm:visit": False}
    assert tab["num_df"].to_dict() == {"baseline": 1, "arm": 1, "visit": 4, "arm:visit": 9}
    names = fit.design.column_names
    inter = [i for i, n in enumerate(names) if n.startswith("arm") and ":" in n]
    assert len(inter) == 9
    res = testing.joint_test(fit.state, np.eye(len(names))[inter], df="residual",
                             vcov="asymptotic")
    assert tab.loc["arm:visit", "f_value"] == pytest.approx(res["f_value"], rel=1e-10)
    assert tab[["den_df", "f_value", "p_value"]].notna().all().all()


def test_null_basis_spans_the_null_space():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30, 4))
    x = np.column_stack([x[:, 0], x[:, 1], x[:, 0] + 2 * x[:, 1], x[:, 2], x[:, 3],
                         x[:, 2] - x[:, 3]])
    n = estimability.null_basis(x.T @ x, aliased=[2, 5])
    assert n.shape == (6, 2)
    np.testing.assert_allclose(x @ n, 0.0, atol=1e-10)
    np.testing.assert_allclose(n.T @ n, np.eye(2), atol=1e-12)
    # rows of X are estimable, a lone aliased coefficient is not
    rows = np.vstack([x[:3], np.eye(6)[[2, 0]]])
    assert estimability.is_estimable(rows, n).tolist() == [True] * 3 + [False, False]
    assert estimability.null_basis(x.T @ x, aliased=[]) is None


def test_contrast_table_estimable_mask_checks_its_length(fit):
    with pytest.raises(irtrial.errors.ModelSpecError, match="estimable has"):
        testing.contrast_table(fit.state, np.eye(len(fit.beta))[:2], df="residual",
                               estimable=[True])
