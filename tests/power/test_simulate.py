"""irtrial.power.simulate: Monte Carlo power against the analytic formulas and an R mmrm
simulation, and bit-identical results across backends and worker counts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

import irtrial
from irtrial.errors import InsufficientDataError, ModelSpecError
from irtrial.power import analytic_inputs, mmrm, proportions, simulate
from irtrial.power.execute import subset_arms
from irtrial.synthetic import Dropout, TrialDesign, ir_wrap_design, simulate_arrays

from ._reference import load


def _design(n=30, hazard=0.1, effect=(0.0, -0.6, -1.1, -1.5), **kw):
    ctrl = (10.0, 10.0, 10.0, 10.0)
    return TrialDesign(("Placebo", "Active"), (n, n), (0, 1, 2, 3),
                       (ctrl, tuple(10.0 + e for e in effect)), subject_sd=1.5,
                       residual_sd=1.0, ar1=0.5, dropout=Dropout(hazard=hazard), **kw)


def _numbers(res):
    return res.replicates.drop(columns="message").to_numpy(dtype=float)


def test_simulated_mmrm_power_agrees_with_lu_luo_chen():
    """n = 60 per arm: the normal approximation holds; 3 Monte Carlo SEs."""
    d = _design(n=60, effect=(0.0, -0.3, -0.5, -0.7))
    res = simulate(d, "mmrm", n_sim=200, seed=11)
    inp = analytic_inputs(d)
    inp.pop("notes")
    analytic = mmrm(n=60, **inp).power
    assert res.table["analytic_power"].iloc[0] == pytest.approx(analytic)
    assert 0.4 < analytic < 0.8  # a sensitive region of the curve
    assert abs(res.power - analytic) < 3 * res.mc_se
    assert res.failure_rate == 0
    assert abs(res.bias) < 3 * res.table["empirical_se"].iloc[0] / np.sqrt(200)


def test_simulated_power_agrees_with_r_mmrm_simulation():
    # source: tests/reference/r/power_mmrm_sim.R (R mmrm, its own random numbers)
    ref = load("power_mmrm_sim.json")
    res = simulate(_design(effect=(0.0, -0.4, -0.7, -0.9)), "mmrm", n_sim=300, seed=3,
                   covariance="us", df="satterthwaite")
    se = np.sqrt(res.power * (1 - res.power) / 300 + ref["power"] * (1 - ref["power"])
                 / (ref["n_sim"] - ref["n_failed"]))
    assert abs(res.power - ref["power"]) < 3 * se
    se_mean = np.hypot(res.table["empirical_se"].iloc[0] / np.sqrt(300),
                       ref["empirical_se"] / np.sqrt(ref["n_sim"]))
    assert abs(res.mean_estimate - ref["mean_estimate"]) < 3 * se_mean
    assert res.table["mean_std_error"].iloc[0] == pytest.approx(ref["mean_std_error"], rel=0.05)


def test_same_seed_bit_identical_with_one_and_two_joblib_workers():
    d = _design(n=12)
    one = simulate(d, "mmrm", n_sim=16, seed=5, n=[8, 12])
    two = simulate(d, "mmrm", n_sim=16, seed=5, n=[8, 12], n_jobs=2, batch_size=3)
    assert np.array_equal(_numbers(one), _numbers(two), equal_nan=True)
    assert one.table.equals(two.table)
    other = simulate(d, "mmrm", n_sim=16, seed=6, n=[8, 12])
    assert not np.array_equal(_numbers(one), _numbers(other), equal_nan=True)


def test_dask_local_cluster_equals_local():
    distributed = pytest.importorskip("distributed")
    d = _design(n=12)
    local = simulate(d, "mmrm", n_sim=12, seed=9, n=[8, 12])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        remote = simulate(d, "mmrm", n_sim=12, seed=9, n=[8, 12],
                          scheduler=cluster.scheduler_address, batch_size=5)
    assert remote.backend.startswith("dask")
    assert np.array_equal(_numbers(local), _numbers(remote), equal_nan=True)


def test_nested_samples_share_subjects():
    sim = simulate_arrays(_design(n=10), seed=1)
    sub = subset_arms(sim, (4, 6))
    assert np.bincount(sub.arm).tolist() == [4, 6]
    for a, k in ((0, 4), (1, 6)):
        np.testing.assert_array_equal(sub.y[sub.arm == a], sim.y[sim.arm == a][:k])


def test_ancova_bias_and_coverage_within_monte_carlo_error():
    res = simulate(_design(n=25, hazard=0.0), "ancova", n_sim=1000, seed=2)
    assert abs(res.coverage - 0.95) < 3 * np.sqrt(0.95 * 0.05 / 1000)
    assert abs(res.bias) < 3 * res.table["empirical_se"].iloc[0] / np.sqrt(1000)
    # analytic: the ANCOVA t formula on the conditional SD (exact but for random baseline)
    assert abs(res.power - res.table["analytic_power"].iloc[0]) < 3 * res.mc_se + 0.01


def test_responder_power_agrees_with_exact_newcombe_power():
    d = _design(n=40, hazard=0.0)
    s = d.covariance_matrix()
    sd_change = np.sqrt(s[0, 0] + s[-1, -1] - 2 * s[0, -1])
    means = d.means_array()
    p = [stats.norm.cdf((-1.0 - (m[-1] - m[0])) / sd_change) for m in means]
    exact = proportions(p[0], p[1], n=40, method="newcombe").power
    res = simulate(d, "responder", n_sim=1000, seed=4, threshold=-1.0, method="newcombe")
    assert abs(res.power - exact) < 3 * np.sqrt(exact * (1 - exact) / 1000)


def _welch_last_visit(trial):
    return irtrial.welch_test(trial).table


def _always_fails(trial):
    raise InsufficientDataError("not this time")


def test_any_function_of_a_trial_and_failures_are_counted():
    d = _design(n=10)
    res = simulate(d, _welch_last_visit, n_sim=8, seed=1)
    assert res.failure_rate == 0 and np.isfinite(res.replicates["p_value"]).all()
    bad = simulate(d, _always_fails, n_sim=4, seed=1)
    assert bad.failure_rate == 1 and bad.power == 0
    assert bad.replicates["message"].str.contains("not this time").all()


def test_design_errors_say_what_to_do():
    with pytest.raises(ModelSpecError, match="match_means"):
        simulate(ir_wrap_design(), n_sim=2, seed=1)
    d = replace(ir_wrap_design(), match_means=False)
    with pytest.raises(ModelSpecError, match="fixed_n"):
        simulate(d, n_sim=2, seed=1, n=[10, 20])
    with pytest.raises(ModelSpecError, match="n_sim"):
        simulate(_design(), n_sim=0)
    with pytest.raises(ModelSpecError, match="analysis"):
        simulate(_design(), "anova", n_sim=2)


def test_sample_size_search_brackets_the_analytic_ancova_answer():
    from irtrial.power import ancova, sample_size

    d = _design(n=20, hazard=0.0, effect=(0.0, -0.3, -0.5, -0.8))
    s = d.covariance_matrix()
    var_c = s[0, 0] + s[-1, -1] - 2 * s[0, -1]
    rho = (s[0, -1] - s[0, 0]) / np.sqrt(var_c * s[0, 0])  # corr(change, baseline)
    exact = ancova(-0.8, np.sqrt(var_c), rho=rho, power=0.8).n
    res = sample_size(d, 0.8, "ancova", n_grid=[10, 15, 20, 25, 30, 35, 40, 45], n_sim=400,
                      seed=8)
    lo, hi = res.n_ci
    assert lo <= exact <= hi
    assert res.power_at(res.n) >= 0.8 > res.power_at(res.n - 1)
    assert res.n_total == res.n + res.n_active
    t = res.table
    assert list(t["n"]) == [10, 15, 20, 25, 30, 35, 40, 45]
    assert np.all(np.abs(t["power"] - t["smoothed_power"]) < 4 * t["mc_se"] + 1e-9)
    with pytest.raises(ModelSpecError, match="every n"):
        sample_size(d, 0.8, "ancova", n_grid=[200, 300], n_sim=20, seed=1)


def test_mmrm_with_a_numeric_covariate_redraws_it_per_replicate():
    from irtrial.power.analyses import MMRMAnalysis
    from irtrial.synthetic import Covariate

    d = replace(_design(n=15), covariates=(Covariate("AGE", mean=50, sd=10, effect=0.1),))
    a = MMRMAnalysis(formula="change ~ baseline + AGE + arm * visit")
    prep = a.prepare(d)
    sim = simulate_arrays(d, seed=3)
    got = a.run(prep, sim)
    # the same replicate as a data set, fitted from scratch
    trial = irtrial.simulate_trial(d, seed=3)
    fit = irtrial.mmrm(trial, "change ~ baseline + AGE + arm * visit", df="satterthwaite")
    ref = fit.contrasts("arm", by="visit").iloc[-1]
    assert got.estimate == pytest.approx(ref["estimate"], rel=1e-6)
    assert got.std_error == pytest.approx(ref["std_error"], rel=1e-5)
    with pytest.raises(ModelSpecError, match="cannot be redrawn"):
        MMRMAnalysis(formula="change ~ baseline + SEX + arm * visit").prepare(
            replace(d, covariates=(Covariate("SEX", "categorical", levels=("F", "M"),
                                             probs=(0.5, 0.5)),)))
