"""Unstructured covariance (``us``; SAS ``TYPE=UN``).

Sigma is any positive definite (v, v) matrix. The reporting parameters are its lower triangle
row by row, ``UN(1,1), UN(2,1), UN(2,2), UN(3,1), ...`` as SAS prints them, so Sigma is linear in
theta and every second derivative is zero (which is why SAS's ``DDFM=KR`` equals
``KR(LINEAR)`` for UN). The optimiser's fallback uses the log-Cholesky parametrisation.
R: ``mmrm::mmrm(... + us(AVISIT | USUBJID))``; ``nlme::gls(correlation = corSymm(),
weights = varIdent())``.
"""

from __future__ import annotations

import numpy as np

from irtrial.mmrm.covariance._base import (
    CovarianceBase,
    from_log_cholesky,
    jac_log_cholesky,
    log_cholesky,
    nearest_pd,
)


class Unstructured(CovarianceBase):
    """Unstructured covariance: v (v + 1) / 2 parameters per group."""

    name = "us"
    linear = True

    def __init__(self, n_visits: int, n_groups: int = 1):
        super().__init__(n_visits, n_groups)
        v = self.n_visits
        self._rows, self._cols = np.tril_indices(v)
        k = len(self._rows)
        basis = np.zeros((k, v, v))
        basis[np.arange(k), self._rows, self._cols] = 1.0
        basis[np.arange(k), self._cols, self._rows] = 1.0
        self._basis = basis
        # positions of the variances UN(i,i) in theta, all groups (for the fast ``valid``)
        diag = np.flatnonzero(self._rows == self._cols)
        self._diag_all = (diag[None, :] + k * np.arange(self.n_groups)[:, None]).reshape(-1)

    def _names(self) -> list[str]:
        return [f"UN({i + 1},{j + 1})" for i, j in zip(self._rows, self._cols, strict=True)]

    def _sigma(self, t: np.ndarray) -> np.ndarray:
        s = np.zeros((self.n_visits, self.n_visits))
        s[self._rows, self._cols] = t
        s[self._cols, self._rows] = t
        return s

    def _dsigma(self, t: np.ndarray) -> np.ndarray:
        return self._basis.copy()

    def _start(self, s: np.ndarray) -> np.ndarray:
        return nearest_pd(s)[self._rows, self._cols]

    def _to_unconstrained(self, t: np.ndarray) -> np.ndarray:
        return log_cholesky(self._sigma(t))

    def _from_unconstrained(self, u: np.ndarray) -> np.ndarray:
        return from_log_cholesky(u, self.n_visits)[self._rows, self._cols]

    def _jac_unconstrained(self, u: np.ndarray) -> np.ndarray:
        return jac_log_cholesky(u, self.n_visits)

    def _valid(self, t: np.ndarray) -> bool:
        return bool(np.all(t[self._rows == self._cols] > 0))

    def valid(self, theta: np.ndarray) -> bool:
        # same answer as CovarianceBase.valid (finite, positive variances), without the
        # per-group loop: the Newton line search calls it once per trial step
        theta = np.asarray(theta, float)
        return bool(np.isfinite(theta).all() and (theta[self._diag_all] > 0).all())
