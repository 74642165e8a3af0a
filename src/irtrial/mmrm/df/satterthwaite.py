"""Satterthwaite degrees of freedom (SAS ``DDFM=SATTERTHWAITE``; R mmrm "Satterthwaite").

For one contrast ``l`` with model-based variance ``v = l' Phi l``:

    df = 2 v^2 / (g' A g),    g_i = d v / d theta_i = l' Phi P_i Phi l,

with ``A = 2 H^-1`` the asymptotic covariance of theta-hat, ``H`` the observed Hessian of the
-2 (restricted) log-likelihood (SAS's "ASYCOV", the inverse of the observed information).

For a q-row ``L`` SAS (and Fai & Cornelius 1996) decompose ``L Phi L' = U D U'``, compute the
one-dimensional df ``nu_j`` of the rows of ``U' L`` and set

    E = sum_{nu_j > 2} nu_j / (nu_j - 2),    df = 2 E / (E - q)  if E > q, else 0 (SAS).

References: SAS/STAT PROC MIXED and GLIMMIX documentation, "Satterthwaite Degrees of Freedom
Approximation"; mmrm vignette "satterthwaite".
"""

from __future__ import annotations

import numpy as np

from irtrial.mmrm._information import get_light_information
from irtrial.mmrm._types import ModelState

__all__ = ["df_1d", "df_md", "rows_df"]


def rows_df(state: ModelState, L: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Satterthwaite df of each row of ``L`` from the model-based Phi (``cov`` is not used:
    SAS's df do not depend on the covariance used for the standard errors)."""
    info = get_light_information(state)
    L = np.atleast_2d(np.asarray(L, float))
    lp = L @ info.phi  # (q, p)
    grad = np.einsum("qa,kab,qb->qk", lp, info.p_mats, lp, optimize=True)  # (q, k)
    v = np.einsum("qa,qa->q", lp, L)
    denom = np.einsum("qk,kj,qj->q", grad, info.theta_vcov, grad)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 2.0 * v**2 / denom


def df_1d(state: ModelState, L: np.ndarray, cov: np.ndarray) -> np.ndarray:
    return rows_df(state, L, cov)


def df_md(state: ModelState, L: np.ndarray, cov: np.ndarray) -> tuple[float, float]:
    """(1.0, SAS multi-row Satterthwaite df) for the joint F test of the rows of ``L``."""
    L = np.atleast_2d(np.asarray(L, float))
    q = L.shape[0]
    if q == 1:
        return 1.0, float(rows_df(state, L, cov)[0])
    vals, vecs = np.linalg.eigh(L @ get_light_information(state).phi @ L.T)
    nu = rows_df(state, vecs.T @ L, cov)
    keep = nu > 2
    e = float(np.sum(nu[keep] / (nu[keep] - 2.0)))
    return 1.0, (2.0 * e / (e - q) if e > q else 0.0)
