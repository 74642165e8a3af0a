"""First-order autoregressive: ``ar1`` (SAS ``TYPE=AR(1)``) and ``ar1h`` (``TYPE=ARH(1)``).

``ar1``: Sigma_ab = sigma^2 rho^|a-b|, parameters ``(AR(1), Residual)`` in SAS's order.
``ar1h``: Sigma_ab = s_a s_b rho^|a-b|, parameters ``Var(1..v), ARH(1)``.
Visits are equally spaced by their order (the visit index), as in SAS and R mmrm.
R: ``mmrm::mmrm(... + ar1(AVISIT | USUBJID))``; ``nlme::gls(correlation = corAR1())``.
"""

from __future__ import annotations

import numpy as np

from irtrial.mmrm.covariance._base import CorrelationFamily


class _AR1Correlation(CorrelationFamily):
    def __init__(self, n_visits: int, n_groups: int = 1):
        super().__init__(n_visits, n_groups)
        idx = np.arange(self.n_visits)
        self._lag = np.abs(idx[:, None] - idx[None, :]).astype(float)

    def n_rho(self) -> int:
        return 1

    def corr(self, rho: np.ndarray) -> np.ndarray:
        return rho[0] ** self._lag

    def dcorr(self, rho: np.ndarray) -> np.ndarray:
        lag = self._lag
        out = np.where(lag >= 1, lag * rho[0] ** np.maximum(lag - 1, 0), 0.0)
        return out[None]

    def d2corr(self, rho: np.ndarray) -> np.ndarray:
        lag = self._lag
        out = np.where(lag >= 2, lag * (lag - 1) * rho[0] ** np.maximum(lag - 2, 0), 0.0)
        return out[None, None]

    def _start_rho(self, c: np.ndarray) -> np.ndarray:
        return np.array([float(np.mean(np.diagonal(c, 1))) if self.n_visits > 1 else 0.0])


class AR1(_AR1Correlation):
    """Homogeneous AR(1): a common variance and a correlation decaying with the visit lag."""

    name = "ar1"
    heterogeneous = False
    variance_last = True
    variance_name = "Residual"

    def rho_names(self) -> list[str]:
        return ["AR(1)"]


class HeterogeneousAR1(_AR1Correlation):
    """Heterogeneous AR(1): one variance per visit, correlation rho^|a-b|."""

    name = "ar1h"

    def rho_names(self) -> list[str]:
        return ["ARH(1)"]
