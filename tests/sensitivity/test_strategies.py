"""Strategy means and conditional-mean imputation on a hand-computed 3-subject, 3-visit example.

Sigma = [[4, 2, 1], [2, 4, 2], [1, 2, 4]]; own-arm mean (1, 2, 3), reference mean (0.5, 1.5, 1.8).
Subject A: y = (3, ., .), ICE at visit 2.
  E[y2, y3 | y1] = mu2 + 0.5 (y1 - mu1), mu3 + 0.25 (y1 - mu1).
Subject B: y = (2, 4, .), ICE at visit 3.
  S_oo^-1 S_om = (0, 0.5): E[y3 | y1, y2] = mu3 + 0.5 (y2 - mu2).
Subject C (reference arm, own = reference mean): nothing observed, ICE at visit 1.
The expected values below are worked out by hand from these formulas.
"""

import numpy as np
import pytest

from irtrial.errors import ModelSpecError
from irtrial.sensitivity.impute import PatternIndex, impute
from irtrial.sensitivity.strategies import strategy_label, strategy_mean

SIGMA = np.array([[4.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 4.0]])
OWN = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [0.5, 1.5, 1.8]])
REF = np.array([[0.5, 1.5, 1.8], [0.5, 1.5, 1.8], [0.5, 1.5, 1.8]])
Y = np.array([[3.0, np.nan, np.nan], [2.0, 4.0, np.nan], [np.nan, np.nan, np.nan]])
ICE = np.array([1, 2, 0])

# hand-computed completed data (see the module docstring)
EXPECTED = {
    # JR: A mu = (1, 1.5, 1.8), y1 - mu1 = 2 -> (2.5, 2.3); B mu3 = 1.8 -> 1.8 + 0.5 * 2 = 2.8
    "JR": [[3.0, 2.5, 2.3], [2.0, 4.0, 2.8], [0.5, 1.5, 1.8]],
    # CR: A mu = (0.5, 1.5, 1.8), y1 - mu1 = 2.5 -> (2.75, 2.425); B 1.8 + 0.5 * 2.5 = 3.05
    "CR": [[3.0, 2.75, 2.425], [2.0, 4.0, 3.05], [0.5, 1.5, 1.8]],
    # CIR: A mu = (1, 1 + 1.0, 1 + 1.3) -> (2 + 1, 2.3 + 0.5); B mu3 = 2 + 0.3 -> 2.3 + 1 = 3.3
    "CIR": [[3.0, 3.0, 2.8], [2.0, 4.0, 3.3], [0.5, 1.5, 1.8]],
    # MAR: A mu = (1, 2, 3) -> (3, 3.5); B 3 + 1 = 4
    "MAR": [[3.0, 3.0, 3.5], [2.0, 4.0, 4.0], [0.5, 1.5, 1.8]],
}


@pytest.mark.parametrize("name", ["JR", "CR", "CIR", "MAR"])
def test_hand_computed_conditional_mean(name):
    mu = strategy_mean(name, OWN, REF, ICE)
    done = impute(Y, mu, SIGMA, PatternIndex(np.isnan(Y)), np.arange(3))
    np.testing.assert_allclose(done, EXPECTED[name], rtol=0, atol=1e-12)


def test_lmcf_hand_computed_and_first_visit():
    # LMCF: A mu = (1, 1, 1) -> (1 + 1, 1 + 0.5); B mu3 = 2 -> 2 + 1 = 3
    mu = strategy_mean("LMCF", OWN[:2], REF[:2], ICE[:2])
    done = impute(Y[:2], mu, SIGMA, PatternIndex(np.isnan(Y)), np.arange(2))
    np.testing.assert_allclose(done, [[3.0, 2.0, 1.5], [2.0, 4.0, 3.0]], atol=1e-12)
    with pytest.raises(ModelSpecError):
        strategy_mean("LMCF", OWN, REF, ICE)


def test_draw_adds_cholesky_of_conditional_covariance():
    z = np.array([[0.0, 1.0, -1.0]])
    y = Y[:1]
    mu = strategy_mean("JR", OWN[:1], REF[:1], ICE[:1])
    done = impute(y, mu, SIGMA, PatternIndex(np.isnan(y)), np.arange(1), z=z)
    # conditional covariance of (y2, y3) | y1: [[4 - 1, 2 - 0.5], [2 - 0.5, 4 - 0.25]]
    c = np.array([[3.0, 1.5], [1.5, 3.75]])
    expected = np.array([2.5, 2.3]) + np.linalg.cholesky(c) @ z[0, 1:]
    np.testing.assert_allclose(done[0, 1:], expected, atol=1e-12)


def test_user_function_and_labels():
    def half_way(own, ref, ice):
        post = np.arange(own.shape[1])[None, :] >= ice[:, None]
        return np.where(post, 0.5 * (own + ref), own)

    mu = strategy_mean(half_way, OWN, REF, ICE)
    np.testing.assert_allclose(mu[0], [1.0, 1.75, 2.4])
    assert strategy_label(half_way) == "half_way"
    assert strategy_label("j2r") == "JR"
    with pytest.raises(ModelSpecError, match="shape"):
        strategy_mean(lambda o, r, i: o[:, :1], OWN, REF, ICE)
    with pytest.raises(ModelSpecError, match="unknown strategy"):
        strategy_mean("XYZ", OWN, REF, ICE)
