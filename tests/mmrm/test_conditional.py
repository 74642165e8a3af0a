"""Conditional normal distributions: a hand-computed 3-visit example and a dense computation on
fev_data (MAR and a reference-arm mean).

source: tests/reference/sas/fev_data.csv (mmrm data/fev_data.rda, Apache-2.0); the dense
reference below inverts each subject's full Sigma_oo directly (closed form vs closed form:
1e-10).
"""

import numpy as np
import pytest
from _sas_reference import fev_data

import irtrial
from irtrial.errors import ModelSpecError
from irtrial.mmrm import conditional_normal

SIGMA = np.array([[4.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 4.0]])
MU = np.array([1.0, 2.0, 3.0])


def test_hand_computed_three_visit_example():
    y = np.array([[2.0, np.nan, np.nan],  # dropout after visit 1
                  [np.nan, 1.0, np.nan],  # only visit 2 observed
                  [np.nan, np.nan, np.nan],  # nothing observed: the marginal
                  [0.0, 1.0, 2.0]])  # complete: unchanged
    cn = conditional_normal(y, np.tile(MU, (4, 1)), SIGMA)
    # E[y2 | y1 = 2] = 2 + (2/4)(2 - 1); E[y3 | y1] = 3 + (1/4)(2 - 1)
    np.testing.assert_allclose(cn.mean[0], [2.0, 2.5, 3.25], rtol=1e-12)
    np.testing.assert_allclose(cn.cov(0)[1:, 1:], [[3.0, 1.5], [1.5, 3.75]], rtol=1e-12)
    # given y2 = 1: E[y1] = 1 + (2/4)(1 - 2), E[y3] = 3 + (2/4)(1 - 2); Cov = [[3, 0], [0, 3]]
    np.testing.assert_allclose(cn.mean[1], [0.5, 1.0, 2.5], rtol=1e-12)
    np.testing.assert_allclose(cn.cov(1)[np.ix_([0, 2], [0, 2])], [[3.0, 0.0], [0.0, 3.0]],
                               atol=1e-12)
    np.testing.assert_allclose(cn.mean[2], MU)
    np.testing.assert_allclose(cn.cov(2), SIGMA)
    np.testing.assert_array_equal(cn.mean[3], y[3])
    assert not cn.cov(3).any()
    assert len(cn.blocks) == 3
    np.testing.assert_allclose(cn.sd[0], [0.0, np.sqrt(3.0), np.sqrt(3.75)])


def test_groups_use_their_own_sigma():
    y = np.array([[2.0, np.nan, np.nan], [2.0, np.nan, np.nan]])
    sig = np.stack([SIGMA, 2 * SIGMA + np.eye(3)])
    cn = conditional_normal(y, np.tile(MU, (2, 1)), sig, group=np.array([0, 1]))
    s = sig[1]
    expected = MU[1:] + s[1:, :1] @ np.linalg.solve(s[:1, :1], [2.0 - MU[0]])
    np.testing.assert_allclose(cn.mean[1, 1:], expected, rtol=1e-12)
    np.testing.assert_allclose(cn.mean[0], [2.0, 2.5, 3.25], rtol=1e-12)


def test_draws_have_the_conditional_moments():
    y = np.array([[2.0, np.nan, np.nan]])
    cn = conditional_normal(y, MU[None], SIGMA)
    draws = cn.sample(np.random.default_rng(5), size=20000)[:, 0, :]
    assert (draws[:, 0] == 2.0).all()
    # Monte Carlo: SE of a mean is sd / sqrt(20000) < 0.014; allow 4 SE
    np.testing.assert_allclose(draws[:, 1:].mean(axis=0), [2.5, 3.25], atol=0.06)
    np.testing.assert_allclose(np.cov(draws[:, 1:].T), [[3.0, 1.5], [1.5, 3.75]], atol=0.15)
    np.testing.assert_array_equal(cn.sample(1), cn.sample(1))


def _dense(y, mean, sigma):
    """Per subject, the textbook formula with an explicit inverse (the reference)."""
    out_mean = y.copy()
    covs = []
    for i in range(len(y)):
        m = np.isnan(y[i])
        o = ~m
        cov = np.zeros_like(sigma)
        if m.any():
            inv = np.linalg.inv(sigma[np.ix_(o, o)]) if o.any() else np.zeros((0, 0))
            k = sigma[np.ix_(m, o)] @ inv
            out_mean[i, m] = mean[i, m] + k @ (y[i, o] - mean[i, o])
            cov[np.ix_(m, m)] = sigma[np.ix_(m, m)] - k @ sigma[np.ix_(o, m)]
        covs.append(cov)
    return out_mean, covs


@pytest.mark.parametrize("at", [None, {"ARMCD": "PBO"}])
def test_fitted_conditional_on_fev_data_matches_a_dense_computation(at):
    d = fev_data()
    fit = irtrial.mmrm(d, "FEV1 ~ RACE + SEX + ARMCD * AVISIT", subject="USUBJID",
                       visit="AVISIT", df="satterthwaite")
    cn = fit.conditional(at=at)
    assert cn.mean.shape == (200, 4)  # every subject, those without any FEV1 included
    # the dense reference: X of every subject x visit row (arm set to PBO for the reference)
    grid = d.sort_values(["USUBJID", "AVISIT"])
    assert list(cn.subjects) == list(dict.fromkeys(d.USUBJID))
    grid = grid.set_index("USUBJID").loc[cn.subjects].reset_index()
    if at:
        grid = grid.assign(ARMCD=grid.ARMCD.cat.categories[0])
        grid["ARMCD"] = grid["ARMCD"].astype(d.ARMCD.dtype)
    mean = (fit.design.model_matrix(grid) @ fit.beta).reshape(200, 4)
    y = grid.FEV1.to_numpy().reshape(200, 4)
    ref_mean, ref_cov = _dense(y, mean, fit.sigma())
    np.testing.assert_allclose(cn.mean, ref_mean, rtol=1e-10)
    for i in (0, 1, 7, 50, 199):
        np.testing.assert_allclose(cn.cov(i), ref_cov[i], rtol=1e-10, atol=1e-12)
    # the old one-subject entry point gives the same numbers through the batched path
    rows = d[d.USUBJID == cn.subjects[1]]
    old = fit.conditional_mean(rows.assign(ARMCD=grid.ARMCD.iloc[4]) if at else rows)
    np.testing.assert_allclose(old["cond_mean"], ref_mean[1], rtol=1e-10)


def test_errors_list_the_problems():
    with pytest.raises(ModelSpecError, match="mean has shape"):
        conditional_normal(np.zeros((2, 3)), np.zeros((2, 2)), SIGMA)
    with pytest.raises(ModelSpecError, match="give group="):
        conditional_normal(np.zeros((2, 3)), np.zeros((2, 3)), np.stack([SIGMA, SIGMA]))
    with pytest.raises(ModelSpecError, match="not positive definite"):
        conditional_normal(np.array([[1.0, 1.0, np.nan]]), np.zeros((1, 3)), -SIGMA)


def test_fitted_conditional_uses_each_groups_sigma():
    d = fev_data()
    fit = irtrial.mmrm(d, "FEV1 ~ ARMCD * AVISIT", subject="USUBJID", visit="AVISIT",
                       group="ARMCD", df="satterthwaite")
    cn = fit.conditional()
    grid = d.set_index("USUBJID").loc[cn.subjects].reset_index()
    mean = (fit.design.model_matrix(grid) @ fit.beta).reshape(200, 4)
    y = grid.FEV1.to_numpy().reshape(200, 4)
    arm = grid.ARMCD.to_numpy().reshape(200, 4)[:, 0]
    for level in ("PBO", "TRT"):
        rows = arm == level
        ref_mean, _ = _dense(y[rows], mean[rows], fit.sigma(level))
        np.testing.assert_allclose(cn.mean[rows], ref_mean, rtol=1e-10)
