"""Tests for irtrial.synthetic.generate: reproducibility, scale, covariance, dropout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from irtrial.synthetic import (
    Covariate,
    Dropout,
    TrialDesign,
    simulate_arrays,
    simulate_frame,
    simulate_trial,
    trial_mapping,
)


def _design(**kw):
    base = dict(
        arms=("Placebo", "Active"),
        n_per_arm=(30, 30),
        visits=(0, 1, 2, 3),
        means=((6, 6, 6, 6), (6, 5, 4, 3)),
        subject_sd=1.0,
        residual_sd=1.0,
        ar1=0.5,
        scale=(0, 10),
    )
    base.update(kw)
    return TrialDesign(**base)


def test_same_seed_gives_identical_frame():
    d = _design(covariates=(Covariate("AGE", mean=50, sd=10, bounds=(18, 90), decimals=0),))
    pd.testing.assert_frame_equal(simulate_frame(d, 11), simulate_frame(d, 11))


def test_different_seed_gives_different_frame():
    d = _design()
    a, b = simulate_frame(d, 11), simulate_frame(d, 12)
    assert not a["AVAL"].equals(b["AVAL"])


def test_seed_sequence_and_generator_are_accepted():
    d = _design()
    ss = np.random.SeedSequence(5)
    a = simulate_arrays(d, ss).y
    b = simulate_arrays(d, np.random.SeedSequence(5)).y
    c = simulate_arrays(d, np.random.default_rng(np.random.SeedSequence(5))).y
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_bounded_integer_scale():
    d = _design(means=((1, 1, 1, 1), (9, 9, 9, 9)), subject_sd=3.0)
    y = simulate_arrays(d, 1).y
    assert np.all((y >= 0) & (y <= 10))
    assert np.all(y == np.round(y))
    # clipping really happens at both ends with these means and SDs
    assert (y == 0).any() and (y == 10).any()


def test_unbounded_scale_keeps_real_values():
    y = simulate_arrays(_design(scale=None), 1).y
    assert np.any(y != np.round(y))


def test_frame_layout_and_dtypes():
    df = simulate_frame(_design(), 3)
    assert list(df.columns) == ["USUBJID", "ARM", "AVISIT", "AVISITN", "AVAL"]
    assert len(df) == 60 * 4
    assert str(df["AVAL"].dtype) == "Int64"
    assert df["AVISIT"].iloc[:4].tolist() == ["Week 0", "Week 1", "Week 2", "Week 3"]
    assert df.groupby("ARM")["USUBJID"].nunique().to_dict() == {"Active": 30, "Placebo": 30}


def test_allocation_is_randomised_not_blocked():
    sim = simulate_arrays(_design(), 4)
    # arms are not simply the first 30 then the last 30 subjects
    assert not np.array_equal(sim.arm, np.repeat([0, 1], 30))
    assert np.bincount(sim.arm).tolist() == [30, 30]


def test_covariance_is_reproduced_in_large_samples():
    # Monte Carlo check: 20000 subjects, sample covariance within 0.05 of the design's
    d = _design(n_per_arm=(10000, 10000), scale=None, slope_sd=0.3, intercept_slope_corr=-0.3)
    sim = simulate_arrays(d, 7)
    resid = sim.y - d.means_array()[sim.arm]
    np.testing.assert_allclose(np.cov(resid.T), d.covariance_matrix(), atol=0.05)


def test_explicit_unstructured_covariance():
    sigma = ((4.0, 2.0, 1.0), (2.0, 3.0, 1.5), (1.0, 1.5, 2.0))
    d = TrialDesign(arms=("A", "B"), n_per_arm=(10000, 10000), visits=(0, 1, 2),
                    means=((0, 0, 0), (0, 1, 2)), covariance=sigma)
    sim = simulate_arrays(d, 8)
    resid = sim.y - d.means_array()[sim.arm]
    np.testing.assert_allclose(np.cov(resid.T), np.array(sigma), atol=0.1)


def test_match_means_reproduces_design_means_exactly_on_latent_scale():
    d = _design(scale=None, match_means=True, n_per_arm=(7, 9))
    sim = simulate_arrays(d, 9)
    for a in range(2):
        np.testing.assert_allclose(sim.y[sim.arm == a].mean(axis=0), d.means[a], atol=1e-12)


def test_fixed_dropout_count_and_timing():
    d = _design(dropout={"Placebo": Dropout(fixed_n=3, fixed_after=1)})
    sim = simulate_arrays(d, 2)
    dropped = np.isnan(sim.y).any(axis=1)
    assert dropped.sum() == 3
    assert np.all(sim.arm[dropped] == 0)
    # monotone: values up to visit index 1, nothing after
    assert not np.isnan(sim.y[dropped][:, :2]).any()
    assert np.isnan(sim.y[dropped][:, 2:]).all()
    assert np.all(sim.last_visit[dropped] == 1)


def test_mcar_dropout_rate_and_monotone_pattern():
    # hazard 0.1 per visit over 3 post-baseline visits: P(complete) = 0.9**3 = 0.729
    d = _design(n_per_arm=(5000, 5000), dropout=Dropout(hazard=0.1))
    sim = simulate_arrays(d, 3)
    complete = (~np.isnan(sim.y)).all(axis=1).mean()
    assert abs(complete - 0.729) < 0.015  # ~3.3 Monte Carlo SEs
    miss = np.isnan(sim.y)
    assert not miss[:, 0].any()  # baseline always observed
    assert np.all(miss[:, :-1] <= miss[:, 1:])  # once missing, always missing


def test_mar_dropout_depends_on_last_observed_value():
    d = _design(n_per_arm=(5000, 5000), dropout=Dropout(hazard=0.15, mar_slope=1.0, mar_center=6))
    sim = simulate_arrays(d, 4)
    left_after_baseline = sim.last_visit == 0
    high = sim.y[:, 0] >= 7
    low = sim.y[:, 0] <= 5
    assert left_after_baseline[high].mean() > 2 * left_after_baseline[low].mean()


def test_zero_hazard_changes_nothing_else():
    # common random numbers: adding dropout leaves the observed values untouched
    a = simulate_arrays(_design(), 5).y
    b = simulate_arrays(_design(dropout=Dropout(hazard=0.3)), 5).y
    seen = ~np.isnan(b)
    np.testing.assert_array_equal(a[seen], b[seen])


def test_covariates_drawn_within_bounds():
    d = _design(covariates=(
        Covariate("AGE", "normal", mean=50, sd=20, bounds=(30, 70), decimals=0),
        Covariate("DUR", "gamma", mean=6.5, sd=0.4, bounds=(6, 12), decimals=1),
        Covariate("SEX", "categorical", levels=("F", "M"), probs=(0.5, 0.5)),
    ), n_per_arm=(500, 500))
    sim = simulate_arrays(d, 6)
    age, dur, sex = (sim.covariates[k] for k in ("AGE", "DUR", "SEX"))
    assert age.min() >= 30 and age.max() <= 70 and age.dtype.kind == "i"
    assert dur.min() > 6 and abs(dur.mean() - 6.5) < 0.05
    assert set(sex) == {"F", "M"}


def test_covariate_effect_shifts_the_outcome():
    d = _design(scale=None, n_per_arm=(3000, 3000), covariates=(
        Covariate("X", "normal", mean=0, sd=1, effect=2.0),))
    sim = simulate_arrays(d, 1)
    x = sim.covariates["X"]
    resid = sim.y[:, 0] - d.means_array()[sim.arm, 0]
    slope = np.polyfit(x, resid, 1)[0]
    assert abs(slope - 2.0) < 0.1


@pytest.mark.parametrize(
    "kw, text",
    [
        (dict(n_per_arm=(10,)), "n_per_arm"),
        (dict(means=((1, 2), (3, 4))), "means"),
        (dict(visits=(0, 2, 1, 3)), "visits"),
        (dict(ar1=1.0), "ar1"),
        (dict(dropout={"Nope": Dropout()}), "unknown arms"),
        (dict(covariance=((1, 2), (2, 1))), "covariance"),
        (dict(scale=(10, 0)), "scale"),
    ],
)
def test_invalid_design_raises_model_spec_error(kw, text):
    from irtrial.errors import ModelSpecError

    with pytest.raises(ModelSpecError, match=text):
        _design(**kw)


def test_invalid_design_lists_every_problem():
    from irtrial.errors import ModelSpecError

    with pytest.raises(ModelSpecError) as info:
        _design(n_per_arm=(10,), ar1=2.0, scale=(5, 1))
    msg = str(info.value)
    assert "n_per_arm" in msg and "ar1" in msg and "scale" in msg


def test_designs_are_hashable_and_compare_by_value():
    a = _design(dropout={"Placebo": Dropout(hazard=[0.1, 0.1, 0.1])},
                covariates=(Covariate("SEX", "categorical", levels=["F", "M"], probs=[.5, .5]),))
    b = _design(dropout={"Placebo": Dropout(hazard=(0.1, 0.1, 0.1))},
                covariates=(Covariate("SEX", "categorical", levels=("F", "M"), probs=(.5, .5)),))
    assert a == b and hash(a) == hash(b)
    assert a.dropouts()[1] == Dropout()


def test_simulate_trial_keeps_the_design_arm_order():
    # the trial used to come out as Placebo, High, Low (active arms sorted alphabetically)
    d = _design(arms=("Placebo", "Low", "High"), n_per_arm=(20, 20, 20),
                means=((6, 6, 6, 6), (6, 5, 5, 5), (6, 4, 3, 2)))
    assert trial_mapping(d)["arm_order"] == ("Placebo", "Low", "High")
    trial = simulate_trial(d, seed=2)
    assert trial.arms == ("Placebo", "Low", "High")
    assert trial.active_arms == ("Low", "High")
    assert list(trial.data["arm"].cat.categories) == ["Placebo", "Low", "High"]
    assert trial.n_by_arm().index.tolist() == ["Placebo", "Low", "High"]
    # the arms still carry the design's means: High improves most by the last visit
    change = trial.at_visit().groupby("arm", observed=True)["change"].mean()
    assert change["High"] < change["Low"] < change["Placebo"]
    # a caller's own order still wins
    assert simulate_trial(d, seed=2, arm_order=("Placebo", "High", "Low")).arms == (
        "Placebo", "High", "Low")
