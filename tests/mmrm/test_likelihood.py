"""The pattern-batched REML/ML criterion against a brute-force dense computation."""

import numpy as np
import pytest
from _sas_reference import fev_data

import irtrial
from irtrial.mmrm.covariance import make_covariance
from irtrial.mmrm.design import make_patterns
from irtrial.mmrm.likelihood import Likelihood


def _toy(seed=3, n=12, v=4, p=3, gaps=True, weighted=False, groups=1):
    """Small data: every subject misses some visits, including gaps in the middle."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        visits = np.arange(v)
        if gaps:
            keep = rng.random(v) > 0.3
            keep[i % v] = True
            visits = visits[keep]
        for t in visits:
            rows.append((i, t))
    subj = np.array([r[0] for r in rows])
    vis = np.array([r[1] for r in rows])
    x = np.column_stack([np.ones(len(rows)), rng.normal(size=(len(rows), p - 1))])
    y = x @ rng.normal(size=p) + rng.normal(size=len(rows)) * 2
    w = rng.uniform(0.5, 3, size=len(rows)) if weighted else np.ones(len(rows))
    grp = (subj % groups).astype(np.int64)
    return x, y, w, subj, vis, grp


def _dense(x, y, w, subj, vis, grp, s, theta, reml):
    """-2 log L from the full N x N block-diagonal V (test only)."""
    n = len(y)
    V = np.zeros((n, n))
    for i in np.unique(subj):
        ix = np.flatnonzero(subj == i)
        sig = s.sigma(theta, grp[ix[0]])[np.ix_(vis[ix], vis[ix])]
        sw = 1 / np.sqrt(w[ix])
        V[np.ix_(ix, ix)] = sw[:, None] * sig * sw[None, :]
    Vi = np.linalg.inv(V)
    xtvx = x.T @ Vi @ x
    beta = np.linalg.solve(xtvx, x.T @ Vi @ y)
    r = y - x @ beta
    p = x.shape[1]
    val = np.linalg.slogdet(V)[1] + r @ Vi @ r
    if reml:
        val += (n - p) * np.log(2 * np.pi) + np.linalg.slogdet(xtvx)[1]
    else:
        val += n * np.log(2 * np.pi)
    return val, beta


def _lik(x, y, w, subj, vis, grp, name, method, v=4):
    s = make_covariance(name, v, int(grp.max()) + 1)
    subjects = np.array([f"S{i}" for i in range(subj.max() + 1)], dtype=object)
    pats = make_patterns(x, y, w, subj, subjects, vis, grp, v)
    return Likelihood(pats, s, method), s


@pytest.mark.parametrize("method", ["reml", "ml"])
@pytest.mark.parametrize("name", ["us", "ar1h", "csh", "toeph", "adh"])
@pytest.mark.parametrize("weighted", [False, True])
def test_batched_equals_dense_with_intermittent_gaps(method, name, weighted):
    data = _toy(weighted=weighted, groups=2)
    lik, s = _lik(*data, name, method)
    assert len(lik.patterns) > 2
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4, 4))
    theta = s.start([a @ a.T + 4 * np.eye(4), 2 * np.eye(4) + 0.5])
    ev = lik.evaluate(theta, 2)
    val, beta = _dense(*data, s, theta, method == "reml")
    np.testing.assert_allclose(ev.value, val, rtol=1e-10)
    np.testing.assert_allclose(ev.beta, beta, rtol=1e-8)


@pytest.mark.parametrize("method", ["reml", "ml"])
@pytest.mark.parametrize("name", ["us", "ar1", "cs", "toep", "ad", "adh"])
def test_analytic_gradient_matches_finite_differences(method, name):
    data = _toy(seed=5, n=20, weighted=True)
    lik, s = _lik(*data, name, method)
    theta = s.start([np.eye(4) * 3 + 1.0])
    ev = lik.evaluate(theta, 2)
    for k in range(len(theta)):
        h = 1e-6 * max(1, abs(theta[k]))
        e = np.zeros(len(theta))
        e[k] = h
        num = (lik.value(theta + e) - lik.value(theta - e)) / (2 * h)
        np.testing.assert_allclose(ev.grad[k], num, rtol=1e-5, atol=1e-6)
    # average information is symmetric positive semi-definite
    assert np.all(np.linalg.eigvalsh(ev.info) > -1e-10)


def test_not_positive_definite_returns_none():
    data = _toy()
    lik, s = _lik(*data, "us", "reml")
    theta = s.start([np.eye(4)])
    theta[1] = 5.0  # |cov| > variances
    assert lik.evaluate(theta) is None
    assert lik.value(theta) == np.inf


def test_patterns_group_subjects_by_visits():
    x, y, w, subj, vis, grp = _toy(groups=2)
    _, _ = _lik(x, y, w, subj, vis, grp, "us", "reml")
    subjects = np.array([f"S{i}" for i in range(subj.max() + 1)], dtype=object)
    pats = make_patterns(x, y, w, subj, subjects, vis, grp, 4)
    assert sum(len(p.subjects) for p in pats) == subj.max() + 1
    assert sum(p.y.size for p in pats) == len(y)
    for p in pats:
        assert np.all(np.diff(p.visits) > 0)
        np.testing.assert_array_equal(y[p.rows], p.y)
        np.testing.assert_array_equal(vis[p.rows], np.broadcast_to(p.visits, p.rows.shape))
        assert np.all(grp[p.rows] == p.group)


@pytest.mark.parametrize("covariance,group", [("us", None), ("cs", None), ("toep", None),
                                               ("us", "ARMCD")])
def test_reml_information_equals_the_inference_layers(covariance, group):
    """Likelihood.reml_information (refit's Satterthwaite path) = _information, closed form."""
    from irtrial.mmrm._information import information

    fit = irtrial.mmrm(fev_data(), "FEV1 ~ RACE + SEX + ARMCD * AVISIT", subject="USUBJID",
                       visit="AVISIT", df="satterthwaite", covariance=covariance, group=group)
    phi, p_mats, hess = fit._likelihood.reml_information(fit.theta)
    ref = information(fit.state)
    np.testing.assert_allclose(phi, ref.phi, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(p_mats, ref.p_mats, rtol=1e-9,
                               atol=1e-12 * np.abs(ref.p_mats).max())
    np.testing.assert_allclose(hess, ref.hessian, rtol=1e-9,
                               atol=1e-12 * np.abs(ref.hessian).max())
