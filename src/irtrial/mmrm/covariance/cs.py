"""Compound symmetry: ``cs`` (SAS ``TYPE=CS``) and heterogeneous ``csh`` (SAS ``TYPE=CSH``).

``cs``: Sigma = CS * J + Residual * I, parameters ``(CS, Residual)`` (linear in theta).
``csh``: Sigma_ab = s_a s_b (rho if a != b else 1), parameters ``Var(1..v), CSH``.
R: ``mmrm::mmrm(... + cs(AVISIT | USUBJID))`` / ``csh(...)``; ``nlme::gls(correlation =
corCompSymm())``.
"""

from __future__ import annotations

import numpy as np

from irtrial.mmrm.covariance._base import CorrelationFamily, CovarianceBase


class CompoundSymmetry(CovarianceBase):
    """Homogeneous compound symmetry: common covariance ``CS`` plus ``Residual`` on the diagonal."""

    name = "cs"
    linear = True

    def _names(self) -> list[str]:
        return ["CS", "Residual"]

    def _sigma(self, t: np.ndarray) -> np.ndarray:
        v = self.n_visits
        return t[0] * np.ones((v, v)) + t[1] * np.eye(v)

    def _dsigma(self, t: np.ndarray) -> np.ndarray:
        v = self.n_visits
        return np.stack([np.ones((v, v)), np.eye(v)])

    def _start(self, s: np.ndarray) -> np.ndarray:
        v = self.n_visits
        var = float(np.mean(np.diag(s)))
        cov = float((s.sum() - np.trace(s)) / max(v * (v - 1), 1))
        cov = min(max(cov, -0.5 * var / max(v - 1, 1)), 0.9 * var)
        return np.array([cov, var - cov])

    def _to_unconstrained(self, t: np.ndarray) -> np.ndarray:
        # total variance s2 = CS + Residual > 0 and rho = CS / s2 in (-1/(v-1), 1)
        v = self.n_visits
        s2 = t[0] + t[1]
        lo = -1.0 / max(v - 1, 1)
        z = np.clip((t[0] / s2 - lo) / (1 - lo), 1e-12, 1 - 1e-12)
        return np.array([np.log(s2), np.log(z) - np.log1p(-z)])

    def _from_unconstrained(self, u: np.ndarray) -> np.ndarray:
        v = self.n_visits
        s2 = np.exp(u[0])
        lo = -1.0 / max(v - 1, 1)
        rho = lo + (1 - lo) / (1 + np.exp(-u[1]))
        return np.array([rho * s2, (1 - rho) * s2])

    def _valid(self, t: np.ndarray) -> bool:
        v = self.n_visits
        return bool(t[1] > 0 and t[1] + v * t[0] > 0)


class HeterogeneousCompoundSymmetry(CorrelationFamily):
    """Heterogeneous compound symmetry: one variance per visit and one common correlation."""

    name = "csh"

    def __init__(self, n_visits: int, n_groups: int = 1):
        super().__init__(n_visits, n_groups)
        self.rho_lower = -1.0 / max(self.n_visits - 1, 1)

    def n_rho(self) -> int:
        return 1

    def rho_names(self) -> list[str]:
        return ["CSH"]

    def corr(self, rho: np.ndarray) -> np.ndarray:
        v = self.n_visits
        return (1 - rho[0]) * np.eye(v) + rho[0] * np.ones((v, v))

    def dcorr(self, rho: np.ndarray) -> np.ndarray:
        v = self.n_visits
        return (np.ones((v, v)) - np.eye(v))[None]

    def _start_rho(self, c: np.ndarray) -> np.ndarray:
        v = self.n_visits
        return np.array([(c.sum() - np.trace(c)) / max(v * (v - 1), 1)])
