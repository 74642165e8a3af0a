"""Internal contract between the MMRM engine (fit) and its inference layer (df, vcov, LS means).

The engine (``design``, ``covariance``, ``likelihood``, ``fit``) produces a :class:`ModelState`;
the inference modules (``df/``, ``vcov``, ``lsmeans``, ``testing``) read it and nothing else.
Nothing here builds an N x N matrix: all work is per missing-data pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Pattern:
    """Subjects that share one set of observed visits (and one covariance group).

    Attributes
    ----------
    visits : (t,) int array
        Indices of the observed visits into the visit levels, increasing.
    group : int
        Covariance group index (0 when the model has no ``group=``).
    X : (m, t, p) array
        Fixed-effects design rows of the ``m`` subjects of this pattern.
    y : (m, t) array
        Responses.
    w : (m, t) array
        Observation weights (1.0 when unweighted). The residual covariance of a subject is
        ``W^{-1/2} Sigma[visits, visits] W^{-1/2}`` as in SAS ``WEIGHT``.
    rows : (m, t) int array
        Positions of the observations in the analysis frame.
    subjects : (m,) object array
        Subject identifiers.
    """

    visits: np.ndarray
    group: int
    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    rows: np.ndarray
    subjects: np.ndarray


class CovarianceStructure(Protocol):
    """A residual covariance structure over ``n_visits`` visits, possibly per group.

    ``theta`` is the parameter vector in the structure's *reporting* parametrisation, the one
    SAS prints under "Covariance Parameter Estimates" (for ``us``: the sigma_ij themselves,
    which makes Sigma linear in theta; for ``ar1``: (rho, sigma^2) ...). The optimiser may use
    a different, unconstrained parametrisation internally; ``theta`` here is always the
    reporting one.
    """

    name: str
    n_visits: int
    n_groups: int

    @property
    def n_theta(self) -> int: ...

    @property
    def param_names(self) -> list[str]: ...

    def sigma(self, theta: np.ndarray, group: int = 0) -> np.ndarray:
        """(v, v) covariance matrix of group ``group``."""

    def dsigma(self, theta: np.ndarray, group: int = 0) -> np.ndarray:
        """(k, v, v) first derivatives of ``sigma(theta, group)`` with respect to all of theta."""

    def d2sigma(self, theta: np.ndarray, group: int = 0) -> np.ndarray:
        """(k, k, v, v) second derivatives of ``sigma(theta, group)``."""


class Design(Protocol):
    """The fixed-effects design, as the inference layer needs it (built by ``design.py``).

    Attributes
    ----------
    frame : DataFrame
        The analysis rows (missing responses and covariates dropped), original column names,
        factors as Categorical with the level order the model uses (first level = reference).
    formula : str
    subject, visit : str
        Names of the subject and visit columns; ``visit_levels`` their order.
    column_names : list of str
        Names of the p columns of X, R style (``(Intercept)``, ``ARMCDTRT``,
        ``ARMCDTRT:AVISITVIS2``).
    terms : list of str
        Model terms in formula order, R style (``(Intercept)``, ``RACE``,
        ``ARMCD:AVISIT``).
    term_columns : dict of str -> list of int
        The columns of X that belong to each term.
    factors : dict of str -> list
        Each factor variable of the formula and its levels in model order.
    numerics : dict of str -> float
        Each numeric covariate and its mean over the analysis rows (SAS's LS-means default).
    aliased : list of str
        Columns of the full coding dropped as aliased (``accept_singular=True``).
    nonest_basis : (p_full, k) array or None
        Orthonormal null-space basis of the full X (``irtrial.mmrm.estimability``); None when
        nothing is aliased.
    """

    frame: pd.DataFrame
    formula: str
    subject: str
    visit: str
    visit_levels: list
    column_names: list[str]
    terms: list[str]
    term_columns: dict[str, list[int]]
    factors: dict[str, list]
    numerics: dict[str, float]
    aliased: list[str]
    nonest_basis: np.ndarray | None

    def model_matrix(self, frame: pd.DataFrame, full: bool = False) -> np.ndarray:
        """X rows for new data (a reference grid), with the fitted coding (``full=True``: with
        the aliased columns too)."""

    def drop_aliased(self, x_full: np.ndarray) -> np.ndarray:
        """The kept columns of rows written over the full coding."""


@dataclass(frozen=True)
class ModelState:
    """Everything inference needs from a fitted MMRM.

    Attributes
    ----------
    patterns : tuple of Pattern
    structure : CovarianceStructure
    theta : (k,) array
        Estimated covariance parameters, reporting parametrisation.
    beta : (p,) array
        Estimated fixed effects (GLS at ``theta``).
    method : {"reml", "ml"}
    design : Design
    n_obs, n_subjects : int
    """

    patterns: tuple[Pattern, ...]
    structure: CovarianceStructure
    theta: np.ndarray
    beta: np.ndarray
    method: str
    design: Design
    n_obs: int
    n_subjects: int


# ---------------------------------------------------------------------------------------------
# The inference layer's entry points (owned by df/, vcov.py, testing.py, lsmeans.py), which
# ``result.py`` calls. ``df`` is one of DF_METHODS; ``vcov=None`` means the default for that df
# method (the Kenward-Roger-adjusted covariance for the two KR methods, otherwise asymptotic).
#
#   vcov.beta_vcov(state, vcov: str) -> (p, p) array
#       vcov in {"asymptotic", "kenward-roger", "kenward-roger-linear", "empirical"}
#   testing.contrast_table(state, L, labels, *, df, vcov=None, conf_level=0.95) -> DataFrame
#       one row per row of L: term, estimate, std_error, df, statistic, p_value, ci_lower, ci_upper
#   testing.joint_test(state, L, *, df, vcov=None) -> dict num_df, den_df, f_value, p_value
#   testing.type3_table(state, *, df, vcov=None) -> DataFrame term, num_df, den_df, f_value, p_value
#   lsmeans.lsmeans_table(state, spec, by=None, *, weights="equal", df, vcov=None, conf_level=0.95)
#       -> DataFrame <spec>, <by>, estimate, std_error, df, statistic, p_value, ci_lower, ci_upper
#   lsmeans.contrasts_table(state, spec, control, by=None, *, weights="equal", df, vcov=None,
#       conf_level=0.95) -> DataFrame <spec> (active level), <by>, estimate (active - control), ...
DF_METHODS = (
    "satterthwaite",
    "kenward-roger",
    "kenward-roger-linear",
    "between-within",
    "residual",
)
VCOV_METHODS = ("asymptotic", "kenward-roger", "kenward-roger-linear", "empirical")
