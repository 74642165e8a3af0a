"""Internal contract between the MMRM engine (fit) and its inference layer (df, vcov, LS means).

The engine (``design``, ``covariance``, ``likelihood``, ``fit``) produces a :class:`ModelState`;
the inference modules (``df/``, ``vcov``, ``lsmeans``, ``testing``) read it and nothing else.
Nothing here builds an N x N matrix: all work is per missing-data pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


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
    column_names : list of str
        Names of the p columns of X (R-style, e.g. ``ARMCDTRT:AVISITVIS2``).
    n_obs, n_subjects : int
    """

    patterns: tuple[Pattern, ...]
    structure: CovarianceStructure
    theta: np.ndarray
    beta: np.ndarray
    method: str
    column_names: list[str]
    n_obs: int
    n_subjects: int
