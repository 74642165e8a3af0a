r"""The analyses a power simulation repeats, each prepared once and run on numpy arrays.

An *analysis* turns one simulated trial (:class:`~irtrial.synthetic.SimulatedArrays`) into one
:class:`Outcome`: the estimate of the treatment effect (active minus control at the last
visit), its SE, df, p-value, confidence interval and whether the fit converged. Each analysis
has a :meth:`prepare` step run once per sample size (in the parent process), whose result is
what a worker receives -- a prepared model and seeds, never a DataFrame per replicate.

- :class:`MMRMAnalysis`: ``change ~ baseline + arm * visit`` (any covariance, any df method),
  the LS-mean difference at the last visit; fitted by :meth:`irtrial.mmrm.MMRM.refit` on a
  model prepared once.
- :class:`AncovaAnalysis`: ANCOVA of the change at the last visit on baseline and arm,
  completers only (ordinary least squares, residual df).
- :class:`ResponderAnalysis`: responders at the last visit (change beyond a threshold,
  dropouts counted as non-responders), risk difference with the Newcombe interval or the
  Miettinen-Nurminen score test.
- :class:`TrialAnalysis`: any function of an :class:`irtrial.Trial` (a sensitivity analysis,
  a user's own analysis) returning a p-value and, optionally, an estimate and interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import special

from irtrial.errors import IrtrialError, ModelSpecError
from irtrial.synthetic import Dropout, SimulatedArrays, TrialDesign, simulate_trial

__all__ = [
    "AncovaAnalysis",
    "MMRMAnalysis",
    "Outcome",
    "ResponderAnalysis",
    "TrialAnalysis",
    "make_analysis",
    "total_covariance",
    "true_effect",
]

_FIELDS = ("estimate", "std_error", "df", "p_value", "ci_lower", "ci_upper")


@dataclass(frozen=True)
class Outcome:
    """One replicate's result (NaN numbers and ``converged=False`` when the fit failed)."""

    estimate: float = np.nan
    std_error: float = np.nan
    df: float = np.nan
    p_value: float = np.nan
    ci_lower: float = np.nan
    ci_upper: float = np.nan
    converged: bool = False
    message: str = ""


def total_covariance(design: TrialDesign) -> np.ndarray:
    """Visits x visits covariance of a subject's latent outcomes, covariate effects included
    (each covariate adds the variance of its effect to every entry)."""
    s = design.covariance_matrix().copy()
    for c in design.covariates:
        if c.distribution == "categorical":
            e = np.broadcast_to(np.asarray(c.effect, dtype=float), (len(c.levels),))
            p = np.asarray(c.probs)
            var = float(p @ e**2 - (p @ e) ** 2)
        else:
            var = float(c.effect) ** 2 * c.sd**2
        s += var
    return s


def true_effect(design: TrialDesign, arm: int = 1) -> float:
    r"""The baseline-adjusted effect at the last visit implied by the design (latent scale).

    .. math:: \delta = (\mu_{aJ} - \mu_{0J}) - \beta_J(\mu_{a0} - \mu_{00}),\qquad
       \beta_J = \Sigma_{J0} / \Sigma_{00},

    which is what ``change ~ baseline + arm * visit`` (and the ANCOVA) estimate when the arms'
    baseline means differ; with equal baselines it is the difference in means. Rounding and
    clipping to a bounded ``scale`` are ignored.

    Examples
    --------
    >>> from irtrial.synthetic import TrialDesign
    >>> d = TrialDesign(("P", "A"), (10, 10), (0, 1), ((5, 5), (5, 4)))
    >>> true_effect(d)
    -1.0
    """
    m = design.means_array()
    s = total_covariance(design)
    beta = s[-1, 0] / s[0, 0] if s[0, 0] > 0 else 0.0
    return float((m[arm, -1] - m[0, -1]) - beta * (m[arm, 0] - m[0, 0]))


def _t_outcome(est, se, dfv, conf_level) -> Outcome:
    if not (np.isfinite(est) and np.isfinite(se) and se > 0 and dfv > 0):
        return Outcome(message="not estimable")
    t = est / se
    q = special.stdtrit(dfv, 0.5 + conf_level / 2)  # scipy.special: no per-call overhead
    return Outcome(estimate=est, std_error=se, df=dfv, p_value=2 * special.stdtr(dfv, -abs(t)),
                   ci_lower=est - q * se, ci_upper=est + q * se, converged=True)


def _arm_order(sim: SimulatedArrays, n_arms: int) -> list[np.ndarray]:
    return [np.flatnonzero(sim.arm == a) for a in range(n_arms)]


# ---- MMRM -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _PreparedMMRM:
    model: Any                # irtrial.mmrm.MMRM, prepared on a template trial
    slots: tuple              # per arm: template subject indices (model subject order)
    subj: np.ndarray          # per model row: template subject index
    col: np.ndarray           # per model row: design visit column (1..J)
    change: bool
    contrast: Any
    df: str | None
    numerics: tuple = ()      # numeric covariates of the formula (besides baseline)


@dataclass(frozen=True)
class MMRMAnalysis:
    """The MMRM contrast (active - control) at the last visit, refitted per replicate.

    Parameters
    ----------
    covariance : str
        Any irtrial structure (``"us"``, ``"ar1"``, ``"cs"``, ``"toeph"`` ...).
    df : str
        df method (``"satterthwaite"``, ``"kenward-roger"``, ``"between-within"``,
        ``"residual"``).
    method : {"reml", "ml"}
    formula : str
        On the :class:`irtrial.Trial` columns (``change`` or ``value``, ``baseline``, ``arm``,
        ``visit``).
    visit : str, optional
        Visit label of the contrast; default the last visit.
    arm : int
        Which active arm (1 = the first after the control).
    conf_level : float
    """

    covariance: str = "us"
    df: str = "satterthwaite"
    method: str = "reml"
    formula: str = "change ~ baseline + arm * visit"
    visit: str | None = None
    arm: int = 1
    conf_level: float = 0.95
    name: str = "mmrm"

    def describe(self) -> str:
        return (f"MMRM {self.formula}, covariance {self.covariance}, {self.method.upper()}, "
                f"{self.df} df; contrast {self.arm_label()} at "
                f"{self.visit or 'the last visit'}")

    def arm_label(self) -> str:
        return "active - control" if self.arm == 1 else f"arm {self.arm} - control"

    def prepare(self, design: TrialDesign) -> _PreparedMMRM:
        from irtrial.mmrm import MMRM

        template = replace(design, dropout=Dropout(), match_means=False)
        trial = simulate_trial(template, seed=0)
        model = MMRM(trial, self.formula, covariance=self.covariance, df=self.df,
                     method=self.method, conf_level=self.conf_level)
        model._full  # noqa: B018 - build the full-row arrays once, before pickling
        labels = list(design.visit_labels)
        col = np.array([labels.index(str(v)) for v in model.visit_levels])[model.visit_codes]
        subj_arm = trial.subjects.set_index("subject")["arm"].astype(str)
        arms = np.array([design.arms.index(subj_arm[s]) for s in model.subjects])
        slots = tuple(np.flatnonzero(arms == a) for a in range(len(design.arms)))
        resp = self.formula.split("~")[0].strip()
        dz = model.design
        numerics = tuple(v for v in dz.numerics if v != "baseline")
        factors = [f for f in dz.factors if f not in ("arm", "visit")]
        known = {c.name for c in design.covariates}
        bad = [v for v in numerics if v not in known] + factors
        if bad:
            raise ModelSpecError(
                f"simulated MMRM: the formula's {bad} cannot be redrawn per replicate (only "
                "baseline and the design's numeric covariates can); drop them from formula=")
        # build the covariate maps (X at 0 and the slope, by formulaic) once here, so they are
        # pickled with the model: built lazily, every worker batch would rebuild them (~30 ms
        # per model and batch, 8 models in a sample-size search)
        for name in ("baseline", *numerics):
            if name in dz.numerics:
                model._covariate_map(name)
        visit = self.visit or design.visit_labels[-1]
        contrast = ("arm", design.arms[0], visit)
        L, labels_ = model.contrast_matrix(contrast)
        return _PreparedMMRM(model=model, slots=slots, subj=model.subject_codes, col=col,
                             change=resp == "change", contrast=L[self.arm - 1:self.arm],
                             df=self.df, numerics=numerics)

    def run(self, prep: _PreparedMMRM, sim: SimulatedArrays) -> Outcome:
        order = np.empty(sum(len(s) for s in prep.slots), dtype=np.int64)
        for slot, members in zip(prep.slots, _arm_order(sim, len(prep.slots)), strict=True):
            order[slot] = members
        y = sim.y[order]
        base = y[:, 0]
        yr = y[prep.subj, prep.col]
        if prep.change:
            yr = yr - base[prep.subj]
        covs = {"baseline": base}
        for name in prep.numerics:  # the replicate's own covariate draws, per subject
            covs[name] = np.asarray(sim.covariates[name], dtype=float)[order]
        r = prep.model.refit(yr, covariates=covs, contrast=prep.contrast)
        if not r.converged:
            return Outcome(message=r.message or "did not converge")
        return Outcome(estimate=float(r.estimate[0]), std_error=float(r.std_error[0]),
                       df=float(r.df[0]), p_value=float(r.p_value[0]),
                       ci_lower=float(r.ci_lower[0]), ci_upper=float(r.ci_upper[0]),
                       converged=True)


# ---- ANCOVA -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AncovaAnalysis:
    """ANCOVA of the last-visit change on baseline and arm, completers (OLS, residual df)."""

    arm: int = 1
    conf_level: float = 0.95
    name: str = "ancova"

    def describe(self) -> str:
        return "ANCOVA change ~ baseline + arm at the last visit (completers)"

    def prepare(self, design: TrialDesign) -> int:
        return len(design.arms)

    def run(self, n_arms: int, sim: SimulatedArrays) -> Outcome:
        keep = np.isfinite(sim.y[:, -1]) & ((sim.arm == 0) | (sim.arm == self.arm))
        y0, yj, arm = sim.y[keep, 0], sim.y[keep, -1], sim.arm[keep]
        x = np.column_stack([np.ones(y0.size), y0, arm == self.arm])
        dfv = y0.size - 3
        if dfv < 1 or len(np.unique(arm)) < 2:
            return Outcome(message="too few completers")
        try:
            xtx_inv = np.linalg.inv(x.T @ x)
        except np.linalg.LinAlgError:
            return Outcome(message="singular design (constant baseline?)")
        beta = xtx_inv @ (x.T @ (yj - y0))
        resid = yj - y0 - x @ beta
        se = np.sqrt(resid @ resid / dfv * xtx_inv[2, 2])
        return _t_outcome(float(beta[2]), float(se), dfv, self.conf_level)


# ---- responders -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResponderAnalysis:
    """Responders at the last visit, risk difference active - control.

    Parameters
    ----------
    threshold : float
        A subject responds when the change from baseline at the last visit is at most
        ``threshold`` (``direction="decrease"``, e.g. -2 NRS points) or at least it
        (``"increase"``); with ``relative=True`` the threshold is a percent change.
    method : {"newcombe", "mn"}
        Newcombe hybrid score interval excludes 0, or the Miettinen-Nurminen score test.
        Newcombe's interval has no p-value: ``p_value`` is 0 when the interval excludes 0
        and 1 otherwise.

    Dropouts (no value at the last visit) are non-responders.
    """

    threshold: float = -2.0
    direction: str = "decrease"
    relative: bool = False
    method: str = "newcombe"
    arm: int = 1
    conf_level: float = 0.95
    name: str = "responder"

    def describe(self) -> str:
        unit = "%" if self.relative else ""
        op = "<=" if self.direction == "decrease" else ">="
        return (f"responders (change {op} {self.threshold:g}{unit} at the last visit, dropouts "
                f"non-responders), risk difference with the {self.method} method")

    def prepare(self, design: TrialDesign) -> int:
        if self.method not in ("newcombe", "mn") or self.direction not in ("decrease",
                                                                            "increase"):
            raise ModelSpecError("responder analysis: method must be 'newcombe' or 'mn', "
                                 "direction 'decrease' or 'increase'")
        return len(design.arms)

    def run(self, n_arms: int, sim: SimulatedArrays) -> Outcome:
        from irtrial.analysis.proportions import (
            miettinen_nurminen_ci,
            miettinen_nurminen_test,
            newcombe_ci,
        )

        change = sim.y[:, -1] - sim.y[:, 0]
        if self.relative:
            with np.errstate(divide="ignore", invalid="ignore"):
                change = 100 * change / sim.y[:, 0]
        resp = change <= self.threshold if self.direction == "decrease" \
            else change >= self.threshold
        resp &= np.isfinite(change)
        x1, n1 = int(resp[sim.arm == self.arm].sum()), int((sim.arm == self.arm).sum())
        x0, n0 = int(resp[sim.arm == 0].sum()), int((sim.arm == 0).sum())
        est = x1 / n1 - x0 / n0
        if self.method == "newcombe":
            lo, hi = newcombe_ci(x1, n1, x0, n0, conf_level=self.conf_level)
            p = 0.0 if (lo > 0 or hi < 0) else 1.0  # the interval is the test
            return Outcome(estimate=est, p_value=p, ci_lower=lo, ci_upper=hi, converged=True)
        z, p = miettinen_nurminen_test(x1, n1, x0, n0)
        lo, hi = miettinen_nurminen_ci(x1, n1, x0, n0, conf_level=self.conf_level)
        return Outcome(estimate=est, p_value=p, ci_lower=lo, ci_upper=hi, converged=True)


# ---- any function of a Trial ------------------------------------------------------------------
@dataclass(frozen=True)
class TrialAnalysis:
    """Any analysis of a :class:`irtrial.Trial`: ``func(trial) -> result``.

    The result may be a mapping or object with ``p_value`` (required) and optionally
    ``estimate, std_error, df, ci_lower, ci_upper``; a one-row DataFrame (e.g. a
    ``ComparisonResult.table`` row); or a ``ComparisonResult`` / sensitivity result whose
    ``.table`` last row is the effect. An :class:`~irtrial.errors.IrtrialError` raised by the
    function counts as a failed replicate. Slower than the prepared analyses: each replicate
    builds a Trial. ``func`` must be picklable (a module-level function) for parallel runs.
    """

    func: Callable[..., Any]
    kwargs: tuple = ()
    name: str = "trial-function"

    def describe(self) -> str:
        return f"user analysis {getattr(self.func, '__name__', repr(self.func))}(trial)"

    def prepare(self, design: TrialDesign) -> TrialDesign:
        return design

    def run(self, design: TrialDesign, sim: SimulatedArrays) -> Outcome:
        raise NotImplementedError  # replaced by run_trial (needs the seed, not the arrays)

    def run_trial(self, design: TrialDesign, seed) -> Outcome:
        try:
            res = self.func(simulate_trial(design, seed), **dict(self.kwargs))
        except IrtrialError as exc:
            return Outcome(message=f"{type(exc).__name__}: {exc}"[:200])
        return _coerce(res)


def _coerce(res: Any) -> Outcome:
    import pandas as pd

    if hasattr(res, "table") and isinstance(res.table, pd.DataFrame):
        res = res.table
    if isinstance(res, pd.DataFrame):
        res = res.iloc[-1].to_dict()
    get = res.get if isinstance(res, dict) else (lambda k, d=np.nan: getattr(res, k, d))
    vals = {}
    for f in _FIELDS:
        v = get(f, np.nan)
        v = np.asarray(v, dtype=float).reshape(-1)
        vals[f] = float(v[0]) if v.size else np.nan
    if not np.isfinite(vals["p_value"]):
        return Outcome(message="the analysis returned no p-value")
    conv = get("converged", True)
    return Outcome(**vals, converged=bool(np.all(conv)))


def make_analysis(analysis: Any, **options: Any):
    """An analysis object from a name (``"mmrm"``, ``"ancova"``, ``"responder"``), a callable
    of a Trial, or an analysis object (returned as is)."""
    if isinstance(analysis, str):
        table = {"mmrm": MMRMAnalysis, "ancova": AncovaAnalysis,
                 "responder": ResponderAnalysis, "responders": ResponderAnalysis}
        if analysis.lower() not in table:
            raise ModelSpecError(f"analysis={analysis!r} is not one of 'mmrm', 'ancova', "
                                 "'responder', a function of a Trial or an analysis object")
        try:
            return table[analysis.lower()](**options)
        except TypeError as exc:
            raise ModelSpecError(f"analysis {analysis!r}: {exc}") from None
    if hasattr(analysis, "prepare") and hasattr(analysis, "run"):
        return analysis
    if callable(analysis):
        return TrialAnalysis(analysis, tuple(options.items()))
    raise ModelSpecError(f"analysis={analysis!r} is not a name, a function or an analysis")
