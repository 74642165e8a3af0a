"""Residual degrees of freedom: ``N - rank(X)`` for every contrast (SAS ``DDFM=RESIDUAL``).

Examples
--------
>>> import irtrial
>>> from irtrial.synthetic import ir_wrap_trial
>>> fit = irtrial.mmrm(ir_wrap_trial(), df="residual")
>>> residual_df(fit.state)  # 234 observations, 13 coefficients
221.0
"""

from __future__ import annotations

import numpy as np

from irtrial.mmrm._types import ModelState

__all__ = ["residual_df", "df_1d", "df_md"]


def residual_df(state: ModelState) -> float:
    """``n_obs - rank(X)`` with the rank taken from ``X' X`` summed over patterns."""
    p = state.beta.size
    xtx = np.zeros((p, p))
    for pat in state.patterns:
        xtx += np.einsum("mtp,mtq->pq", pat.X, pat.X)
    return float(state.n_obs - np.linalg.matrix_rank(xtx))


def df_1d(state: ModelState, L: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Residual df for each row of ``L`` (one value repeated)."""
    return np.full(np.atleast_2d(L).shape[0], residual_df(state))


def df_md(state: ModelState, L: np.ndarray, cov: np.ndarray) -> tuple[float, float]:
    """(F scale 1.0, residual df) for the joint test of the rows of ``L``."""
    return 1.0, residual_df(state)
