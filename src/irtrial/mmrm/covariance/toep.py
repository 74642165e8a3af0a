"""Toeplitz: ``toep`` (SAS ``TYPE=TOEP``) and heterogeneous ``toeph`` (SAS ``TYPE=TOEPH``).

``toep``: Sigma_ab = sigma_{|a-b|}, parameters ``TOEP(2), ..., TOEP(v), Residual`` (the
covariances at lags 1..v-1, then the common variance; linear in theta).
``toeph``: Sigma_ab = s_a s_b rho_{|a-b|}, parameters ``Var(1..v), TOEPH(1..v-1)``.
R: ``mmrm::mmrm(... + toep(AVISIT | USUBJID))`` / ``toeph(...)``.
"""

from __future__ import annotations

import numpy as np

from irtrial.mmrm.covariance._base import CorrelationFamily, CovarianceBase


def _lags(v: int) -> np.ndarray:
    idx = np.arange(v)
    return np.abs(idx[:, None] - idx[None, :])


class Toeplitz(CovarianceBase):
    """Homogeneous Toeplitz: one covariance per lag and a common variance."""

    name = "toep"
    linear = True

    def __init__(self, n_visits: int, n_groups: int = 1):
        super().__init__(n_visits, n_groups)
        lag = _lags(self.n_visits)
        v = self.n_visits
        # parameter j < v-1 is lag j+1; the last one (Residual) is lag 0
        self._basis = np.stack(
            [(lag == j + 1).astype(float) for j in range(v - 1)] + [(lag == 0).astype(float)]
        )

    def _names(self) -> list[str]:
        return [f"TOEP({j + 2})" for j in range(self.n_visits - 1)] + ["Residual"]

    def _sigma(self, t: np.ndarray) -> np.ndarray:
        return np.tensordot(t, self._basis, axes=1)

    def _dsigma(self, t: np.ndarray) -> np.ndarray:
        return self._basis.copy()

    def _start(self, s: np.ndarray) -> np.ndarray:
        v = self.n_visits
        var = float(np.mean(np.diag(s)))
        cov = [float(np.mean(np.diagonal(s, j + 1))) for j in range(v - 1)]
        cov = np.clip(cov, -0.5 * var, 0.9 * var) * 0.5
        return np.concatenate([cov, [var]])

    def _to_unconstrained(self, t: np.ndarray) -> np.ndarray:
        s2 = t[-1]
        r = np.clip(t[:-1] / s2, -1 + 1e-12, 1 - 1e-12)
        return np.concatenate([np.arctanh(r), [np.log(s2)]])

    def _from_unconstrained(self, u: np.ndarray) -> np.ndarray:
        s2 = np.exp(u[-1])
        return np.concatenate([np.tanh(u[:-1]) * s2, [s2]])

    def _valid(self, t: np.ndarray) -> bool:
        return bool(t[-1] > 0 and np.all(np.abs(t[:-1]) < t[-1]))


class HeterogeneousToeplitz(CorrelationFamily):
    """Heterogeneous Toeplitz: one variance per visit, one correlation per lag."""

    name = "toeph"

    def __init__(self, n_visits: int, n_groups: int = 1):
        super().__init__(n_visits, n_groups)
        lag = _lags(self.n_visits)
        self._lag = lag
        self._dr = np.stack([(lag == j + 1).astype(float) for j in range(self.n_visits - 1)])

    def n_rho(self) -> int:
        return self.n_visits - 1

    def rho_names(self) -> list[str]:
        return [f"TOEPH({j + 1})" for j in range(self.n_visits - 1)]

    def corr(self, rho: np.ndarray) -> np.ndarray:
        return np.concatenate([[1.0], rho])[self._lag]

    def dcorr(self, rho: np.ndarray) -> np.ndarray:
        return self._dr.reshape(self.n_rho(), self.n_visits, self.n_visits)

    def _start_rho(self, c: np.ndarray) -> np.ndarray:
        return 0.5 * np.array([np.mean(np.diagonal(c, j + 1)) for j in range(self.n_visits - 1)])
