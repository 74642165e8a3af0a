"""Between-within degrees of freedom (Schluchter & Elashoff 1990; SAS ``DDFM=BW``).

Each column of X is *between* subjects (constant within every subject), *within* (varies
within some subject) or the intercept. With ``N_1`` subjects, ``N_2`` observations and ``p_1``,
``p_2`` between and within parameters (intercept excluded):

    DF_between = N_1 - (1 + p_1)        (intercept: 1 if the model has one)
    DF_within  = N_2 - (N_1 + p_2)      (also used for the intercept)

A contrast gets the minimum DF over the coefficients it involves, as in R ``mmrm``
(vignette "between_within"). SAS differs in details the mmrm vignette lists (for ``TYPE=UN``
SAS gives every effect the between DF; SAS partitions within DF by subject-by-effect
interactions); this module reproduces SAS for between-subject effects (e.g. the treatment
contrast of ``FEV1 ~ ARMCD``, DF 195 in ``design/Robust/empirical_*``), and R mmrm otherwise.
"""

from __future__ import annotations

import numpy as np

from irtrial.mmrm._types import ModelState

__all__ = ["coefficient_df", "df_1d", "df_md"]


def coefficient_df(state: ModelState) -> np.ndarray:
    """(p,) BW degrees of freedom of each coefficient."""
    p = state.beta.size
    varies = np.zeros(p, dtype=bool)
    for pat in state.patterns:
        spread = np.ptp(pat.X, axis=1)  # (m, p) range within subject
        varies |= np.any(spread > 1e-12 * (1 + np.abs(pat.X).max(axis=(0, 1))), axis=0)
    const = np.array([np.all(pat.X[:, :, j] == 1.0) for pat in state.patterns for j in range(p)])
    const = const.reshape(len(state.patterns), p).all(axis=0)
    intercept = const & ~varies
    n_int = int(intercept.any())
    between = ~varies & ~intercept
    within = varies
    df_between = state.n_subjects - (n_int + int(between.sum()))
    df_within = state.n_obs - (state.n_subjects + int(within.sum()))
    return np.where(between, float(df_between), float(df_within))


def _involved_min(state: ModelState, L: np.ndarray) -> np.ndarray:
    dfs = coefficient_df(state)
    L = np.atleast_2d(L)
    return np.array([dfs[np.abs(row) > 0].min() if np.any(row) else np.nan for row in L])


def df_1d(state: ModelState, L: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """BW df of each row of ``L`` (minimum over the coefficients the row involves)."""
    return _involved_min(state, L)


def df_md(state: ModelState, L: np.ndarray, cov: np.ndarray) -> tuple[float, float]:
    """(1.0, minimum BW df over all coefficients involved in ``L``)."""
    return 1.0, float(np.nanmin(_involved_min(state, L)))
