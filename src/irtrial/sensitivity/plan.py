"""The plan's ``[[sensitivity]]`` tables -> sensitivity analyses.

Schema of one table (TOML), every key but ``method`` optional::

    [[sensitivity]]
    method = "conditional-mean"     # or "approximate-bayes", "bayes" (data augmentation)
    strategies = ["MAR", "JR", "CR", "CIR", "LMCF"]   # default: all five (MAR with deltas)
    reference = "Placebo"           # default: the control arm for every arm
    resampling = "jackknife"        # conditional mean: "jackknife" or "bootstrap"
    n_samples = 200                 # bootstrap samples / imputations
    lmcf_fallback = "JR"            # strategy for an ICE at the first visit under LMCF
    deltas = [0, 1, 2, 3, 4]        # a tipping-point grid: the table is a tipping point
    delta_arms = "active"           # "active", "all" or a list of arms
    alpha = 0.05                    # tipping point
    covariance = "us"               # imputation model's covariance structure
    burn_in = 200                   # method "bayes": Gibbs burn-in and thinning
    thin = 5

The seed is the plan's ``seed``.
"""

from __future__ import annotations

from irtrial.errors import ModelSpecError
from irtrial.sensitivity.reference_based import reference_based
from irtrial.sensitivity.strategies import STRATEGIES
from irtrial.sensitivity.tipping_point import tipping_point

__all__ = ["OPTION_KEYS", "run_plan_analysis", "describe"]

OPTION_KEYS = ("resampling", "lmcf_fallback", "delta_arms", "alpha", "covariance", "analysis",
               "bootstrap_ci", "burn_in", "thin")


def _kwargs(analysis, seed) -> tuple[dict, dict]:
    opts = dict(analysis.options)
    unknown = sorted(set(opts) - set(OPTION_KEYS))
    if unknown:
        raise ModelSpecError(
            "sensitivity table: unknown key(s) " + ", ".join(map(repr, unknown))
            + "; known: method, strategies, reference, n_samples, deltas, "
            + ", ".join(OPTION_KEYS)
        )
    kw = {"method": analysis.method, "strategy": list(analysis.strategies) or list(STRATEGIES),
          "reference": analysis.reference, "seed": seed}
    if analysis.n_samples is not None:
        kw["n_samples"] = int(analysis.n_samples)
    tp = {}
    for key in ("resampling", "lmcf_fallback", "covariance", "analysis", "bootstrap_ci",
                "burn_in", "thin"):
        if key in opts:
            kw[key] = opts[key]
    if "delta_arms" in opts:
        tp["arms"] = opts["delta_arms"]
    if "alpha" in opts:
        tp["alpha"] = float(opts["alpha"])
    return kw, tp


def run_plan_analysis(trial, analysis, seed: int, conf_level: float = 0.95, progress=None):
    """Run one plan table: a ``SensitivityResult``, or a ``TippingPointResult`` with deltas."""
    kw, tp = _kwargs(analysis, seed)
    kw["conf_level"] = conf_level
    kw["progress"] = progress
    if analysis.deltas:
        if not analysis.strategies:
            kw["strategy"] = ["MAR"]
        return tipping_point(trial, deltas=list(analysis.deltas), **tp, **kw)
    return reference_based(trial, **kw)


def describe(analysis) -> str:
    """One line of methods text for a plan table."""
    strategies = ", ".join(analysis.strategies or (("MAR",) if analysis.deltas else STRATEGIES))
    what = {"approximate-bayes": "approximate Bayesian multiple imputation",
            "bayes": "Bayesian multiple imputation (data augmentation)"}.get(
        analysis.method, "conditional mean imputation with "
        + str(dict(analysis.options).get("resampling", "jackknife")))
    text = f"reference-based imputation ({strategies}) by {what}"
    if analysis.deltas:
        text += (f"; tipping point over delta = {', '.join(f'{d:g}' for d in analysis.deltas)}")
    return text
