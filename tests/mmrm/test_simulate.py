"""simulate() and draw_parameters(): Monte Carlo moments against the fitted X beta, Sigma and the
asymptotic covariance of theta-hat; seeds reproducible with any number of workers.

The fits are irtrial.mmrm on fev_data (tested against SAS in test_fit.py; source:
tests/reference/sas/mmrm_engine.json). Monte Carlo tolerances are stated as multiples of the
Monte Carlo standard error at each comparison.
"""

import numpy as np
import pytest
from _sas_reference import fev_data
from joblib import parallel_config

import irtrial
from irtrial.errors import ModelSpecError
from irtrial.mmrm import MMRM
from irtrial.mmrm.simulate import draw_parameters, simulate

FORMULA = "FEV1 ~ RACE + SEX + ARMCD * AVISIT"


@pytest.fixture(scope="module")
def fit():
    return irtrial.mmrm(fev_data(), FORMULA, subject="USUBJID", visit="AVISIT",
                        df="satterthwaite")


def test_simulated_moments_match_x_beta_and_sigma(fit):
    nsim = 4000
    sims = simulate(fit, nsim, seed=11)
    model = fit._model
    assert sims.shape == (800, nsim)  # every model row, missing responses included
    mu = model.X @ fit.beta
    sigma = fit.sigma()
    vc = model.visit_codes
    # means: each row's Monte Carlo SE is sqrt(Sigma_vv / nsim); 800 rows, allow 4.5 SE
    z = (sims.mean(axis=1) - mu) / np.sqrt(np.diag(sigma)[vc] / nsim)
    assert np.max(np.abs(z)) < 4.5
    # covariances pooled over subjects (every subject has a row at each visit)
    e = (sims - mu[:, None]).reshape(200, 4, nsim)  # rows are subject-major, visits in order
    assert (vc.reshape(200, 4) == np.arange(4)).all()
    emp = np.einsum("sak,sbk->ab", e, e) / (200 * nsim)
    se = np.sqrt((np.outer(np.diag(sigma), np.diag(sigma)) + sigma**2) / (200 * nsim))
    assert np.max(np.abs(emp - sigma) / se) < 5


def test_same_seed_same_draws_and_frame_output(fit):
    a = simulate(fit, 3, seed=5)
    np.testing.assert_array_equal(a, simulate(fit, 3, seed=5))
    f = simulate(fit, 3, seed=5, frame=True)
    np.testing.assert_array_equal(f.to_numpy(), a)
    assert f.columns.tolist() == ["sim_1", "sim_2", "sim_3"]
    np.testing.assert_array_equal(f.index, fit._model.rows)


def test_given_observed_keeps_data_and_centres_missing_on_the_conditional_mean(fit):
    nsim = 4000
    sims = simulate(fit, nsim, seed=3, given_observed=True)
    model = fit._model
    obs = ~np.isnan(model.y)
    np.testing.assert_array_equal(sims[obs], np.repeat(model.y[obs, None], nsim, axis=1))
    cn = fit.conditional()
    cell = model.subject_codes * 4 + model.visit_codes
    expected = cn.mean.reshape(-1)[cell][~obs]
    sd = cn.sd.reshape(-1)[cell][~obs]
    z = (sims[~obs].mean(axis=1) - expected) / (sd / np.sqrt(nsim))
    assert np.max(np.abs(z)) < 4.5


def test_marginal_simulation_carries_parameter_uncertainty(fit):
    nsim = 1000
    cond = simulate(fit, nsim, seed=2)
    marg = simulate(fit, nsim, seed=2, method="marginal")
    mu = fit._model.X @ fit.beta
    # centred on X beta (extra spread from beta draws: allow 6 SE of the wider marginal draws)
    sd = marg.std(axis=1)
    assert np.max(np.abs(marg.mean(axis=1) - mu) / (sd / np.sqrt(nsim))) < 6
    # and wider on average than draws at the estimates (Var(x'beta) + E[Sigma] > Sigma)
    assert marg.var(axis=1).mean() > cond.var(axis=1).mean()


def test_asymptotic_parameter_draws_have_the_asymptotic_moments(fit):
    from irtrial.mmrm._information import get_information

    n = 1000
    d = draw_parameters(fit, n, seed=8)
    assert d.beta.shape == (n, fit.beta.size) and d.sigma.shape == (n, 1, 4, 4)
    assert all(np.all(np.linalg.eigvalsh(s[0]) > 0) for s in d.sigma[:50])
    vt = get_information(fit.state).theta_vcov
    se = np.sqrt(np.diag(vt) / n)
    assert np.max(np.abs(d.theta.mean(axis=0) - fit.theta) / se) < 4.5
    # sample covariance of theta draws vs 2 H^-1: relative error of a variance ~ sqrt(2 / n)
    np.testing.assert_allclose(np.diag(np.cov(d.theta.T)), np.diag(vt), rtol=5 * np.sqrt(2 / n))
    # beta | theta is centred on the GLS beta at theta, so beta draws centre on beta-hat
    seb = np.sqrt(np.diag(fit.beta_vcov("asymptotic")) / n)
    assert np.max(np.abs(d.beta.mean(axis=0) - fit.beta) / seb) < 5
    np.testing.assert_array_equal(draw_parameters(fit, 4, seed=8).beta, d.beta[:4])
    beta0, sigma0 = d[0]
    np.testing.assert_array_equal(sigma0[0], fit.state.structure.sigma(d.theta[0]))


def test_bootstrap_draws_are_refits_and_do_not_depend_on_workers():
    model = MMRM(fev_data(), FORMULA, subject="USUBJID", visit="AVISIT", df="satterthwaite")
    fit = model.fit()
    one = draw_parameters(fit, 4, seed=21, method="bootstrap", strata="ARMCD")
    with parallel_config(backend="threading"):  # the joblib path, without process start-up
        two = draw_parameters(fit, 4, seed=21, method="bootstrap", strata="ARMCD", n_jobs=2)
    np.testing.assert_array_equal(one.beta, two.beta)
    idx = one.subjects[1]
    arm = fev_data().groupby("USUBJID", sort=False).ARMCD.first().loc[model.subjects]
    assert (arm.iloc[idx].value_counts().sort_index().to_numpy()
            == arm.value_counts().sort_index().to_numpy()).all()  # stratum sizes kept
    ref = model.refit(subjects=idx, start="fit")
    np.testing.assert_allclose(one.beta[1], ref.beta, rtol=1e-12)


def test_bad_arguments(fit):
    with pytest.raises(ModelSpecError, match="method"):
        simulate(fit, 2, method="bayes")
    with pytest.raises(ModelSpecError, match="positive integer"):
        draw_parameters(fit, 0)
    with pytest.raises(ModelSpecError, match="bootstrap only|applies to"):
        draw_parameters(fit, 2, strata="ARMCD")
    with pytest.raises(ModelSpecError, match="varies within subjects"):
        draw_parameters(fit, 2, method="bootstrap", strata="FEV1")


def test_joint_normal_draws_centre_on_the_estimates_with_phi(fit):
    n = 1000
    d = draw_parameters(fit, n, seed=4, method="joint")
    assert d.method == "joint" and d.sigma.shape == (n, 1, 4, 4)
    phi = fit.beta_vcov("asymptotic")
    se = np.sqrt(np.diag(phi) / n)
    assert np.max(np.abs(d.beta.mean(axis=0) - fit.beta) / se) < 4.5
    # variance of each beta draw: relative error ~ sqrt(2 / n); allow 5 of them
    np.testing.assert_allclose(d.beta.var(axis=0), np.diag(phi), rtol=5 * np.sqrt(2 / n))
