r"""Reference-based imputation strategies: the mean of a subject's outcomes after an ICE.

Carpenter, Roger & Kenward (2013) define each strategy by the joint distribution of a subject's
outcomes at all visits, built from the subject's own arm's MMRM mean mu_own (X beta with the
subject's own arm and covariates) and the reference arm's mean mu_ref (the same row with the arm
replaced by the reference). With ``ice`` the first visit after the ICE (``k``), visit t:

- ``MAR``: mu_own (missing at random, the primary MMRM's assumption);
- ``JR`` (jump to reference): mu_own[t] before k, mu_ref[t] from k on;
- ``CR`` (copy reference): mu_ref at every visit, before the ICE too;
- ``CIR`` (copy increments from reference): mu_own[t] before k, then
  mu_own[k-1] + (mu_ref[t] - mu_ref[k-1]); with k = 0, mu_ref;
- ``LMCF`` (last mean carried forward): mu_own[t] before k, then mu_own[k-1]; undefined for
  k = 0 (an ICE at the first visit): see ``lmcf_fallback`` of ``reference_based``;
- a user function ``f(mu_own, mu_ref, ice) -> mu`` on (m, v) arrays and the (m,) ICE indices
  (it must keep mu_own before the ICE for the missing-at-random part to hold).

The imputation model has one covariance matrix Sigma for every arm (rbmi's ``same_cov = TRUE``
default). Carpenter et al.'s covariance of JR/CIR (Sigma_own before, Sigma_ref after, linked
through the reference's conditional structure; rbmi ``compute_sigma``) and CR's Sigma_ref are
then Sigma itself: the strategies differ only in the mean.

R: ``rbmi::strategy_JR``, ``strategy_CR``, ``strategy_CIR``, ``strategy_LMCF`` (R/strategies.R).
SAS: the DIA working group's "five macros" (part1b ``Method=J2R/CR/CIR``).

References
----------
Carpenter JR, Roger JH, Kenward MG. Analysis of longitudinal trials with protocol deviation:
a framework for relevant, accessible assumptions, and inference via multiple imputation.
J Biopharm Stat 2013;23:1352-1371.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from irtrial.errors import ModelSpecError

__all__ = ["STRATEGIES", "strategy_mean", "strategy_label"]

STRATEGIES = ("MAR", "JR", "CR", "CIR", "LMCF")

#: accepted spellings of the built-in strategies
_ALIASES = {"J2R": "JR", "JTR": "JR", "JUMP-TO-REFERENCE": "JR", "COPY-REFERENCE": "CR",
            "COPY-INCREMENTS": "CIR", "LAST-MEAN-CARRIED-FORWARD": "LMCF"}


def strategy_label(strategy) -> str:
    """The name of a strategy (canonical upper case for built-ins, ``__name__`` for functions)."""
    if callable(strategy):
        return getattr(strategy, "__name__", "user")
    name = str(strategy).strip().upper()
    return _ALIASES.get(name, name)


def _last(mu: np.ndarray, ice: np.ndarray) -> np.ndarray:
    """mu[i, ice_i - 1] (the last visit before the ICE), ice_i >= 1."""
    return mu[np.arange(len(ice)), np.maximum(ice - 1, 0)]


def strategy_mean(strategy: str | Callable, mu_own: np.ndarray, mu_ref: np.ndarray,
                  ice: np.ndarray) -> np.ndarray:
    """The (m, v) mean of m subjects under ``strategy``.

    Parameters
    ----------
    strategy : str or callable
        One of ``STRATEGIES`` or ``f(mu_own, mu_ref, ice) -> (m, v) array``.
    mu_own, mu_ref : (m, v) arrays
        Marginal MMRM means with the subject's own arm and with its reference arm.
    ice : (m,) int array
        First visit after the ICE (v: no ICE). For ``LMCF`` every ice must be >= 1.

    Examples
    --------
    >>> import numpy as np
    >>> own = np.array([[1.0, 2.0, 3.0]]); ref = np.array([[1.0, 1.5, 1.8]])
    >>> ice = np.array([1])
    >>> strategy_mean("JR", own, ref, ice).tolist()
    [[1.0, 1.5, 1.8]]
    >>> strategy_mean("CIR", own, ref, ice).tolist()
    [[1.0, 1.5, 1.8]]
    >>> strategy_mean("LMCF", own, ref, ice).tolist()
    [[1.0, 1.0, 1.0]]
    """
    mu_own = np.asarray(mu_own, dtype=float)
    mu_ref = np.asarray(mu_ref, dtype=float)
    ice = np.asarray(ice, dtype=np.int64)
    m, v = mu_own.shape
    post = np.arange(v)[None, :] >= ice[:, None]
    if callable(strategy):
        out = np.asarray(strategy(mu_own.copy(), mu_ref.copy(), ice.copy()), dtype=float)
        if out.shape != (m, v) or not np.isfinite(out).all():
            raise ModelSpecError(
                f"the user strategy {strategy_label(strategy)!r} must return a finite array of "
                f"shape {(m, v)} (the mean of each subject at each visit), got {out.shape}"
            )
        return out
    name = strategy_label(strategy)
    if name == "MAR":
        return mu_own
    if name == "CR":
        return mu_ref
    if name == "JR":
        return np.where(post, mu_ref, mu_own)
    if name == "CIR":
        shift = _last(mu_own, ice) - _last(mu_ref, ice)
        cir = np.where(post, mu_ref + shift[:, None], mu_own)
        return np.where((ice == 0)[:, None], mu_ref, cir)
    if name == "LMCF":
        if (ice == 0).any():
            raise ModelSpecError("LMCF needs a visit before the ICE (internal: fallback not "
                                 "applied)")
        return np.where(post, _last(mu_own, ice)[:, None], mu_own)
    raise ModelSpecError(
        f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)} or a function "
        "f(mu_own, mu_ref, ice) -> mu"
    )
