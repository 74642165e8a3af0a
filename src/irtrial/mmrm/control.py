"""Options of the MMRM optimiser."""

from __future__ import annotations

from dataclasses import dataclass

from irtrial.errors import ModelSpecError

__all__ = ["FitControl", "OPTIMIZERS"]

#: optimisers tried in turn until one converges
OPTIMIZERS = ("newton", "l-bfgs-b", "bfgs")


@dataclass(frozen=True)
class FitControl:
    """How the covariance parameters are optimised.

    Parameters
    ----------
    optimizers : tuple of str
        Tried in order until one converges: ``"newton"`` (Newton / Fisher scoring with the
        average-information matrix and step halving, in SAS's parametrisation), ``"l-bfgs-b"``
        and ``"bfgs"`` (scipy, analytic gradient, on an unconstrained parametrisation:
        log-Cholesky for ``us``, log variances and logit-scaled correlations otherwise), each
        followed by Newton polishing.
    max_iter : int
        Iterations per optimiser.
    tol : float
        Convergence when the Newton decrement g' H^-1 g of the -2 log-likelihood is below
        ``tol * (1 + |-2 log L|)``.
    grad_tol : float
        ... and the largest absolute gradient component (scaled by ``1 + |theta|``) is below this.
    n_starts : int
        Starting values tried: the moment estimate from OLS residuals, then a diagonal start.
    accept_singular : bool
        Drop aliased columns of a rank-deficient design instead of raising
        ``SingularDesignError`` (as SAS and R do; the dropped names are in ``fit.aliased``).
        LS means, differences and type 3 tests are then checked for estimability: a
        non-estimable one is reported as NaN with ``estimable`` False
        (:mod:`irtrial.mmrm.estimability`).
    start : array-like or None
        Starting theta in the reporting parametrisation (overrides the computed start).
    """

    optimizers: tuple[str, ...] = OPTIMIZERS
    max_iter: int = 100
    tol: float = 1e-11
    grad_tol: float = 1e-4
    n_starts: int = 2
    accept_singular: bool = False
    start: tuple[float, ...] | None = None

    def __post_init__(self):
        problems = []
        bad = [o for o in self.optimizers if o not in OPTIMIZERS]
        if bad or not self.optimizers:
            problems.append(f"optimizers must be a non-empty subset of {OPTIMIZERS}, got {bad}")
        if self.max_iter < 1:
            problems.append("max_iter must be at least 1")
        if not self.tol > 0:
            problems.append("tol must be positive")
        if self.n_starts < 1:
            problems.append("n_starts must be at least 1")
        if problems:
            raise ModelSpecError("invalid FitControl: " + "; ".join(problems))
