"""simulate_trial / ir_wrap_trial: the simulated frame goes through read_trial."""

from __future__ import annotations

import numpy as np

from irtrial.synthetic import (
    Covariate,
    Dropout,
    TrialDesign,
    ir_wrap_trial,
    simulate_trial,
)


def test_ir_wrap_trial_analyses_21_vs_18():
    trial = ir_wrap_trial()
    assert trial.arms == ("Placebo", "IR")
    assert trial.control == "Placebo"
    assert trial.n_by_arm().to_dict() == {"Placebo": 18, "IR": 21}
    assert len(trial.subjects) == 40
    assert trial.exclusions["reason"].tolist() == ["no post-baseline value"]
    assert trial.exclusions["arm"].astype(str).tolist() == ["Placebo"]
    assert trial.visits == tuple(f"Week {k}" for k in range(1, 7))
    assert trial.baseline_visit == "Week 0"
    assert trial.covariates == ("AGE", "SEX", "PAINDUR")
    assert trial.outcome_range == (0, 10)


def test_ir_wrap_trial_change_from_baseline_at_week_6():
    w6 = ir_wrap_trial().at_visit("Week 6")
    change = w6.groupby("arm", observed=True)["change"].mean()
    # published: IR 6.9 -> 3.0 (-3.9), placebo 7.4 -> 6.0 (-1.4); replica within 0.3
    assert abs(change["IR"] - (-3.9)) < 0.3
    assert abs(change["Placebo"] - (-1.4)) < 0.3


def test_simulate_trial_with_mcar_dropout_keeps_missing_rows():
    d = TrialDesign(arms=("Placebo", "Active"), n_per_arm=(25, 25), visits=(0, 1, 2, 3),
                    means=((6, 6, 6, 6), (6, 5, 4, 3)), scale=(0, 10),
                    dropout=Dropout(hazard=0.2),
                    covariates=(Covariate("AGE", mean=50, sd=10, bounds=(18, 90), decimals=0),))
    trial = simulate_trial(d, seed=1)
    assert trial.covariates == ("AGE",)
    assert trial.data["value"].isna().any()  # dropout visible as NaN rows
    assert len(trial.data) == 3 * int(trial.n_by_arm().sum())
    # subjects with no post-baseline value are excluded with a reason, not lost
    n_excluded = int(trial.subjects["excluded"].notna().sum())
    assert n_excluded == len(trial.exclusions)
    assert int(trial.n_by_arm().sum()) + n_excluded == 50


def test_simulate_trial_same_seed_same_trial():
    d = TrialDesign(arms=("Placebo", "Active"), n_per_arm=(5, 5), visits=(0, 1, 2),
                    means=((6, 6, 6), (6, 5, 4)), scale=(0, 10))
    a, b = simulate_trial(d, 3), simulate_trial(d, 3)
    np.testing.assert_array_equal(a.data["value"], b.data["value"])
