"""First-order ante-dependence: homogeneous (``ad``) and heterogeneous (``adh``, SAS ANTE(1)).

Sigma_ab = s_a s_b prod_{k=a}^{b-1} rho_k for a < b: the correlation between two visits is the
product of the correlations of the consecutive pairs in between.
``adh`` parameters ``Var(1..v), Rho(1..v-1)`` as SAS prints them; ``ad`` (not in SAS) has one
variance ``Var`` and ``Rho(1..v-1)`` (R: ``mmrm::mmrm(... + ad(AVISIT | USUBJID))``).
"""

from __future__ import annotations

import numpy as np

from irtrial.mmrm.covariance._base import CorrelationFamily


class _AnteDependence(CorrelationFamily):
    def __init__(self, n_visits: int, n_groups: int = 1):
        super().__init__(n_visits, n_groups)
        v = self.n_visits
        idx = np.arange(v)
        lo = np.minimum(idx[:, None], idx[None, :])
        hi = np.maximum(idx[:, None], idx[None, :])
        # mask[k, a, b]: rho_k is a factor of the correlation between visits a and b
        self._mask = np.stack([(lo <= k) & (k < hi) for k in range(v - 1)]).reshape(v - 1, v, v)

    def n_rho(self) -> int:
        return self.n_visits - 1

    def rho_names(self) -> list[str]:
        return [f"Rho({j + 1})" for j in range(self.n_visits - 1)]

    def _factors(self, rho: np.ndarray) -> np.ndarray:
        return np.where(self._mask, rho[:, None, None], 1.0)

    def corr(self, rho: np.ndarray) -> np.ndarray:
        if self.n_rho() == 0:
            return np.ones((1, 1))
        return np.prod(self._factors(rho), axis=0)

    def dcorr(self, rho: np.ndarray) -> np.ndarray:
        f = self._factors(rho)
        out = np.empty_like(f)
        for k in range(self.n_rho()):
            g = f.copy()
            g[k] = 1.0
            out[k] = np.prod(g, axis=0) * self._mask[k]
        return out

    def d2corr(self, rho: np.ndarray) -> np.ndarray:
        f = self._factors(rho)
        r, v = self.n_rho(), self.n_visits
        out = np.zeros((r, r, v, v))
        for k in range(r):
            for j in range(r):
                if j == k:
                    continue
                g = f.copy()
                g[k] = 1.0
                g[j] = 1.0
                out[k, j] = np.prod(g, axis=0) * self._mask[k] * self._mask[j]
        return out

    def _start_rho(self, c: np.ndarray) -> np.ndarray:
        return np.diagonal(c, 1).copy()


class AnteDependence(_AnteDependence):
    """Homogeneous first-order ante-dependence: one variance, v-1 consecutive correlations."""

    name = "ad"
    heterogeneous = False


class HeterogeneousAnteDependence(_AnteDependence):
    """Heterogeneous first-order ante-dependence (SAS ANTE(1))."""

    name = "adh"
