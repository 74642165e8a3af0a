"""irtrial.reference_based: invariants, errors, reproducibility (rbmi comparisons in
test_rbmi.py)."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

import irtrial
from irtrial.errors import IrtrialError, ModelSpecError, TrialValidationError
from irtrial.sensitivity import reference_based
from irtrial.sensitivity._model import GRAD_TOL

STRATEGIES = ["MAR", "JR", "CR", "CIR", "LMCF"]
#: fast inference where only point estimates are checked (they come from the full data)
FAST = dict(resampling="bootstrap", n_samples=2, seed=1)
COLUMNS = ["strategy", "visit", "arm", "control", "estimate", "std_error", "df", "statistic",
           "p_value", "ci_lower", "ci_upper"]


def _ols_per_visit(frame: pd.DataFrame, y: str = "change") -> dict:
    out = {}
    for vis, d in frame.groupby("visit", observed=True):
        fit = smf.ols(f"{y} ~ C(arm, Treatment('{frame.arm.cat.categories[0]}')) + baseline",
                      d).fit()
        name = [k for k in fit.params.index if k.startswith("C(arm")][0]
        out[str(vis)] = float(fit.params[name])
    return out


def test_no_missing_data_every_strategy_is_the_complete_data_analysis(intermittent):
    d = intermittent.data
    complete = d.groupby("subject")["value"].transform(lambda s: s.notna().all())
    sub = d[complete].copy()
    trial = irtrial.read_trial(sub[["subject", "arm", "visit", "value", "baseline"]],
                               baseline="baseline", control="PBO")
    res = reference_based(trial, strategy=STRATEGIES)
    assert list(res.table.columns) == COLUMNS
    first = res.table[res.table.strategy == "MAR"].reset_index(drop=True)
    for s in STRATEGIES[1:]:
        other = res.table[res.table.strategy == s].reset_index(drop=True)
        pd.testing.assert_frame_equal(first.drop(columns="strategy"),
                                      other.drop(columns="strategy"), check_exact=True)
    ols = _ols_per_visit(trial.data)
    for _, row in first.iterrows():
        assert row.estimate == pytest.approx(ols[row.visit], rel=1e-10)
    assert not res.imputed["imputed"].any()


def test_mar_conditional_mean_is_ancova_on_mmrm_imputed_data(intermittent):
    # independent path: the public MMRM, its conditional_mean per subject, statsmodels OLS
    # the same convergence tolerance as the imputation model (GRAD_TOL)
    fit = irtrial.mmrm(intermittent.data, "change ~ baseline * visit + arm * visit",
                       subject="subject", visit="visit", df="residual",
                       control=irtrial.FitControl(grad_tol=GRAD_TOL))
    subjects = intermittent.subjects
    pop = subjects[subjects.excluded.isna() | (subjects.excluded == "no post-baseline value")]
    grid = pd.DataFrame([(s, v) for s in pop.subject for v in intermittent.visits],
                        columns=["subject", "visit"])
    grid = grid.merge(pop[["subject", "arm", "baseline"]], on="subject")
    obs = intermittent.data[["subject", "visit", "change"]].astype({"visit": str})
    grid = grid.merge(obs, on=["subject", "visit"], how="left")
    grid["visit"] = pd.Categorical(grid["visit"], categories=list(intermittent.visits))
    grid["arm"] = pd.Categorical(grid["arm"], categories=list(intermittent.arms))
    parts = []
    for _, g in grid.groupby("subject", sort=False):
        g = g.sort_values("visit").copy()
        if g["change"].isna().any():
            g["change"] = fit.conditional_mean(g)["cond_mean"].to_numpy()
        parts.append(g)
    done = pd.concat(parts)
    expected = _ols_per_visit(done)
    res = reference_based(intermittent, strategy="MAR", **FAST)
    assert len(pop) == 90 and any("3 randomised subject(s)" in n for n in res.notes)
    for _, row in res.table.iterrows():
        # two independent REML fits, each converged to a gradient of 1e-7
        assert row.estimate == pytest.approx(expected[row.visit], abs=1e-6)


def test_lmcf_with_ice_at_first_visit(intermittent):
    with pytest.raises(IrtrialError, match="lmcf_fallback"):
        reference_based(intermittent, strategy="LMCF", **FAST)
    res = reference_based(intermittent, strategy="LMCF", lmcf_fallback="JR", **FAST)
    assert any("imputed under JR (lmcf_fallback)" in n for n in res.notes)
    ice = res.ice.set_index("subject")
    assert set(ice.loc[["S007", "S052", "S071"], "strategy"]) == {"JR"}
    assert (ice.drop(["S007", "S052", "S071"])["strategy"] == "LMCF").all()


def test_delta_is_linear_for_the_conditional_mean(antidepressant):
    r0 = reference_based(antidepressant, strategy="JR", **FAST)
    r1 = reference_based(antidepressant, strategy="JR", delta=1.5, **FAST)
    r2 = reference_based(antidepressant, strategy="JR", delta=3.0, **FAST)
    np.testing.assert_allclose(r2.table.estimate - r0.table.estimate,
                               2 * (r1.table.estimate - r0.table.estimate), atol=1e-10)
    # only the active arm's imputed values after the ICE move
    drug = r1.imputed.arm == "DRUG"
    diff = r1.imputed.change.to_numpy() - r0.imputed.change.to_numpy()
    assert np.allclose(diff[~drug], 0) and np.allclose(diff[drug & r1.imputed.imputed.to_numpy()
                                                           & (np.abs(diff) > 0)], 1.5)


def test_user_ice_table(intermittent):
    ice = pd.DataFrame({"subject": ["S001", "S002"], "visit": ["W3", "W4"],
                        "strategy": ["CR", None]})
    res = reference_based(intermittent, strategy="JR", ice=ice, **FAST)
    got = res.ice.set_index("subject")
    assert got.loc["S001", "strategy"] == "CR" and got.loc["S002", "strategy"] == "JR"
    assert len(got) == 2
    # S001 has observed values at W3-W5: left out of the imputation model, noted
    assert any("left out of the imputation model" in n for n in res.notes)
    bad = pd.DataFrame({"subject": ["nobody", "S001", "S001"], "visit": ["W9", "W1", "W2"],
                        "strategy": ["XX", "JR", "JR"]})
    with pytest.raises(TrialValidationError) as err:
        reference_based(intermittent, ice=bad)
    text = str(err.value)
    for word in ("nobody", "W9", "more than one ICE", "XX"):
        assert word in text


def test_bad_options_listed_at_once(antidepressant):
    with pytest.raises(ModelSpecError) as err:
        reference_based(antidepressant, strategy="J3R", method="gibbs", resampling="none")
    text = str(err.value)
    assert "J3R" in text and "gibbs" in text and "none" in text


def test_same_seed_same_numbers_at_any_number_of_workers():
    trial = irtrial.ir_wrap_trial()
    kw = dict(strategy=["MAR", "JR"], method="approximate-bayes", n_samples=6, seed=11)
    a = reference_based(trial, n_jobs=1, **kw)
    b = reference_based(trial, n_jobs=2, **kw)
    c = reference_based(trial, n_jobs=1, **{**kw, "seed": 12})
    # identical up to BLAS rounding in another process (observed: exactly equal, or 1e-16)
    np.testing.assert_allclose(a.table[COLUMNS[4:]], b.table[COLUMNS[4:]], rtol=1e-12)
    np.testing.assert_allclose(a.imputed.change, b.imputed.change, rtol=1e-12)
    assert not np.allclose(a.table.estimate, c.table.estimate)
    assert set(a.imputed.imputation) == set(range(7))


def test_dask_scheduler_gives_the_same_numbers():
    distributed = pytest.importorskip("distributed")
    trial = irtrial.ir_wrap_trial()
    kw = dict(strategy="JR", method="conditional-mean", resampling="bootstrap", n_samples=5,
              seed=3)
    a = reference_based(trial, **kw)
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=1,
                            dashboard_address=None) as client:
        b = reference_based(trial, scheduler=client, **kw)
    np.testing.assert_allclose(a.table[COLUMNS[4:]], b.table[COLUMNS[4:]], rtol=1e-12)


def test_mmrm_analysis_of_completed_data(intermittent):
    # with every visit's own baseline slope and arm effect (the imputation formula) and no
    # missing value left, the MMRM's GLS is OLS per visit (identical regressors): same estimates
    kw = dict(strategy="JR", resampling="bootstrap", n_samples=2, seed=5)
    a = reference_based(intermittent, **kw)
    m = reference_based(intermittent, analysis="mmrm", **kw)
    np.testing.assert_allclose(m.table.estimate, a.table.estimate, rtol=1e-7)
    np.testing.assert_allclose(m.lsmeans.estimate, a.lsmeans.estimate, rtol=1e-7)
    other = reference_based(intermittent, analysis="mmrm",
                            analysis_formula="change ~ baseline + arm * visit", **kw)
    assert not np.allclose(other.table.estimate, a.table.estimate, rtol=1e-4)
    assert any("MMRM on each completed data set" in n for n in m.notes)


def test_three_arms_and_references(intermittent):
    d = intermittent.data[["subject", "arm", "visit", "value", "baseline"]].copy()
    d["arm"] = d["arm"].astype(str)
    high = d.subject.isin([f"S{i:03d}" for i in range(46, 70)])
    d.loc[high, "arm"] = "HIGH"
    trial = irtrial.read_trial(d, baseline="baseline", control="PBO",
                               arm_order=["PBO", "ACT", "HIGH"])
    ref = {"ACT": "PBO", "HIGH": "HIGH"}
    jr = reference_based(trial, strategy="JR", reference=ref, **FAST)
    mar = reference_based(trial, strategy="MAR", **FAST)
    assert set(jr.table.arm) == {"ACT", "HIGH"} and set(jr.lsmeans.arm) == {"PBO", "ACT", "HIGH"}
    assert jr.reference == {"PBO": "PBO", "ACT": "PBO", "HIGH": "HIGH"}
    # HIGH is its own reference: jump to reference is MAR for its subjects, not for ACT's
    arm = jr.imputed.arm.astype(str).to_numpy()
    imp = jr.imputed.imputed.to_numpy()
    diff = np.abs(jr.imputed.change.to_numpy() - mar.imputed.change.to_numpy())
    assert diff[(arm == "HIGH") & imp].max() < 1e-10
    assert diff[(arm == "ACT") & imp].max() > 0.1
    with pytest.raises(ModelSpecError, match="unknown arm"):
        reference_based(trial, reference={"LOW": "PBO"}, **FAST)


def test_path_with_roles_is_read_like_read_trial(antidepressant):
    from pathlib import Path

    data = Path(__file__).parents[1] / "reference" / "data"
    kw = dict(subject="PATIENT", arm="THERAPY", visit="VISIT", outcome="HAMDTL17",
              baseline="BASVAL", control="PLACEBO")
    a = reference_based(data / "rbmi_antidepressant.csv", strategy="CR", **kw, **FAST)
    b = reference_based(antidepressant, strategy="CR", **FAST)
    pd.testing.assert_frame_equal(a.table, b.table)
    with pytest.raises(ModelSpecError, match="role arguments"):
        reference_based(antidepressant, subject="PATIENT")
