"""Covariance structures: closed-form values and analytic derivatives vs finite differences."""

import numpy as np
import pytest

from irtrial.errors import ModelSpecError
from irtrial.mmrm.covariance import COVARIANCE_TYPES, make_covariance


def _theta(s, rng):
    """A valid parameter vector for structure ``s`` (start values from a random PD matrix)."""
    v = s.n_visits
    a = rng.normal(size=(v, v))
    sig = a @ a.T + v * np.eye(v)
    sig = sig + 2.0 * np.ones((v, v))  # positive correlations
    return s.start([sig] * s.n_groups)


@pytest.mark.parametrize("name", sorted(COVARIANCE_TYPES))
@pytest.mark.parametrize("n_groups", [1, 2])
def test_first_and_second_derivatives_match_finite_differences(name, n_groups):
    rng = np.random.default_rng(1)
    s = make_covariance(name, 4, n_groups)
    theta = _theta(s, rng)
    assert s.valid(theta)
    h = 1e-6
    for g in range(n_groups):
        d1 = s.dsigma(theta, g)
        d2 = s.d2sigma(theta, g)
        assert d1.shape == (s.n_theta, 4, 4)
        assert d2.shape == (s.n_theta, s.n_theta, 4, 4)
        for k in range(s.n_theta):
            e = np.zeros(s.n_theta)
            e[k] = h * max(1.0, abs(theta[k]))
            num = (s.sigma(theta + e, g) - s.sigma(theta - e, g)) / (2 * e[k])
            np.testing.assert_allclose(d1[k], num, rtol=1e-6, atol=1e-6)
            num2 = (s.dsigma(theta + e, g) - s.dsigma(theta - e, g)) / (2 * e[k])
            np.testing.assert_allclose(d2[:, k], num2, rtol=1e-5, atol=1e-5)
        # symmetric second derivatives
        np.testing.assert_allclose(d2, np.swapaxes(d2, 0, 1), atol=1e-12)


@pytest.mark.parametrize("name", sorted(COVARIANCE_TYPES))
def test_unconstrained_round_trip_and_positive_definite(name):
    rng = np.random.default_rng(2)
    s = make_covariance(name, 5, 2)
    theta = _theta(s, rng)
    np.testing.assert_allclose(s.from_unconstrained(s.to_unconstrained(theta)), theta, rtol=1e-9)
    for g in range(2):
        np.linalg.cholesky(s.sigma(theta, g))
    assert len(s.param_names) == s.n_theta


def test_closed_forms():
    ar1 = make_covariance("ar1", 4)
    np.testing.assert_allclose(ar1.sigma([0.5, 2.0])[0], 2.0 * 0.5 ** np.arange(4))
    cs = make_covariance("cs", 3)
    np.testing.assert_allclose(cs.sigma([1.0, 4.0]), np.ones((3, 3)) + 4 * np.eye(3))
    us = make_covariance("us", 3)
    sig = us.sigma([1, 2, 3, 4, 5, 6])
    np.testing.assert_allclose(sig, [[1, 2, 4], [2, 3, 5], [4, 5, 6]])
    adh = make_covariance("adh", 3)
    sig = adh.sigma([1.0, 4.0, 9.0, 0.5, 0.2])
    np.testing.assert_allclose(sig[0, 2], 1 * 3 * 0.5 * 0.2)
    np.testing.assert_allclose(sig[1, 2], 2 * 3 * 0.2)
    toep = make_covariance("toep", 3)
    np.testing.assert_allclose(toep.sigma([2.0, 1.0, 5.0]), [[5, 2, 1], [2, 5, 2], [1, 2, 5]])
    toeph = make_covariance("toeph", 3)
    sig = toeph.sigma([1.0, 4.0, 9.0, 0.5, 0.1])
    np.testing.assert_allclose(sig[0, 2], 3 * 0.1)
    csh = make_covariance("csh", 3)
    np.testing.assert_allclose(csh.sigma([1.0, 4.0, 9.0, 0.3])[1, 2], 6 * 0.3)


def test_groups_have_separate_parameters():
    s = make_covariance("ar1", 3, n_groups=2)
    theta = np.array([0.5, 1.0, 0.2, 3.0])
    np.testing.assert_allclose(s.sigma(theta, 1)[0, 1], 0.2 * 3.0)
    d = s.dsigma(theta, 1)
    assert np.all(d[:2] == 0)


def test_unknown_structure_lists_choices():
    with pytest.raises(ModelSpecError, match="'us'.*'adh'"):
        make_covariance("unstructured", 4)
