"""TrialDesign.from_fit: the design a fitted MMRM describes (means, covariance, dropout)."""

from __future__ import annotations

import numpy as np
import pytest

import irtrial
from irtrial.errors import ModelSpecError
from irtrial.power import true_effect
from irtrial.synthetic import Dropout, TrialDesign, simulate_trial


@pytest.fixture(scope="module")
def fitted():
    d = TrialDesign(("Placebo", "Active"), (60, 60), (0, 2, 4, 8),
                    ((6, 6, 6, 6), (6, 5, 4.5, 4)), subject_sd=1.2, residual_sd=1.0, ar1=0.6,
                    dropout={"Active": Dropout(hazard=(0.0, 0.1, 0.2))})
    trial = simulate_trial(d, seed=3)
    return trial, irtrial.mmrm(trial, covariance="us", df="satterthwaite")


def test_conditional_covariance_and_effect_are_the_fits(fitted):
    trial, fit = fitted
    d = TrialDesign.from_fit(fit)
    s = d.covariance_matrix()
    cond = s[1:, 1:] - np.outer(s[1:, 0], s[0, 1:]) / s[0, 0]
    np.testing.assert_allclose(cond, fit.sigma(), rtol=1e-10)
    diff = fit.contrasts("arm", by="visit")
    np.testing.assert_allclose(true_effect(d), diff["estimate"].iloc[-1], rtol=1e-10)
    assert d.visits == (0.0, 2.0, 4.0, 8.0)
    assert d.n_per_arm == tuple(trial.n_by_arm())


def test_observed_retention(fitted):
    trial, fit = fitted
    d = TrialDesign.from_fit(fit)
    data = trial.data.dropna(subset=["change"])
    last = data.groupby("subject", observed=True)["visit_num"].max()
    arm = trial.subjects.set_index("subject")["arm"]
    for a, drop in zip(d.arms, d.dropouts(), strict=True):
        lj = last[arm[last.index] == a].to_numpy()
        r_expected = [np.mean(lj >= v) for v in (2, 4, 8)]
        np.testing.assert_allclose(np.cumprod(1 - np.asarray(drop.hazards(3))), r_expected)
    assert TrialDesign.from_fit(fit, dropout="none").dropouts()[1].hazards(3).sum() == 0


def test_from_fit_needs_the_arm(fitted):
    _, fit = fitted
    with pytest.raises(ModelSpecError, match="arm"):
        TrialDesign.from_fit(fit, arm="sex")
