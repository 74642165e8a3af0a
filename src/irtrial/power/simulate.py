r"""Simulation-based power of any irtrial analysis, and the sample-size search.

For each of ``n_sim`` replicates a trial is drawn from the design
(:func:`irtrial.synthetic.simulate_arrays`, one :class:`numpy.random.SeedSequence` per
replicate) and analysed; power is the fraction of replicates with :math:`p < \alpha`. A
replicate whose fit fails (no convergence, not estimable) counts as *not significant* and is
reported in the failure rate; ``power_converged`` gives the power among converged fits.

Monte Carlo error: :math:`\mathrm{SE}(\hat\pi) = \sqrt{\hat\pi(1 - \hat\pi)/R}` for ``R``
replicates, with the Clopper-Pearson interval. Bias, empirical SE and coverage of the
confidence interval are against the design's true effect
(:func:`irtrial.power.analyses.true_effect`, latent scale).

Sample size (:func:`sample_size`): the replicates are simulated once at the largest ``n`` of
the grid and every smaller ``n`` analyses the first subjects of each arm (nested samples, so
common random numbers across ``n`` and a smooth observed curve). The power curve
:math:`\pi(n) = \Phi(a + b\sqrt n)` (the shape of the normal approximation,
:math:`\Phi(|\delta|\sqrt{n}/(\sigma\sqrt{\phi(1 + 1/r)}) - z_{1-\alpha/2})`) is fitted to the
counts by maximum likelihood and solved for the target; the interval of :math:`n` comes from
resampling whole replicates (which keeps the correlation between the grid points) and
refitting (percentile bootstrap, 400 resamples).

SAS: ``PROC POWER`` has no simulation; a macro loops ``PROC MIXED`` with ``BY replicate``. R:
``simr::powerSim`` (lme4 only, serial), or a loop over ``mmrm::mmrm``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from irtrial.errors import ModelSpecError
from irtrial.power.analyses import (
    AncovaAnalysis,
    MMRMAnalysis,
    TrialAnalysis,
    make_analysis,
    true_effect,
)
from irtrial.power.design_inputs import analytic_inputs
from irtrial.power.execute import RECORD_FIELDS, Task, run_batches
from irtrial.synthetic import TrialDesign

__all__ = ["SampleSizeResult", "SimulationResult", "sample_size", "simulate"]


def _clopper_pearson(k: int, m: int, level: float = 0.95) -> tuple[float, float]:
    a = (1 - level) / 2
    lo = 0.0 if k == 0 else stats.beta.ppf(a, k, m - k + 1)
    hi = 1.0 if k == m else stats.beta.ppf(1 - a, k + 1, m - k)
    return float(lo), float(hi)


@dataclass(frozen=True)
class SimulationResult:
    """Simulated power at one or more sample sizes.

    Attributes
    ----------
    table : DataFrame
        One row per sample size: ``n`` (control arm), ``n_active``, ``n_total``, ``n_sim``,
        ``power``, ``mc_se``, ``ci_lower``, ``ci_upper`` (Clopper-Pearson 95%),
        ``power_converged``, ``n_failed``, ``failure_rate``, ``true_effect``,
        ``mean_estimate``, ``bias``, ``empirical_se``, ``mean_std_error``, ``coverage``,
        ``analytic_power`` (Lu-Luo-Chen for the MMRM, the ANCOVA formula for the ANCOVA).
    replicates : DataFrame
        One row per replicate and sample size: ``replicate, n, estimate, std_error, df,
        p_value, ci_lower, ci_upper, converged, significant, message``.
    design : TrialDesign
    analysis : str
        What was analysed.
    alpha : float
    seed : int
        Root entropy of the replicate seeds (pass it back as ``seed`` to reproduce).
    n_jobs : int
    backend : str
    elapsed : float
        Seconds.
    notes : tuple of str
    """

    table: pd.DataFrame
    replicates: pd.DataFrame
    design: TrialDesign
    analysis: str
    alpha: float
    seed: int
    n_jobs: int
    backend: str
    elapsed: float
    notes: tuple[str, ...] = ()

    def _row(self, col: str):
        if len(self.table) != 1:
            raise AttributeError(f"{col}: several sample sizes; read .table")
        return self.table[col].iloc[0]

    @property
    def n(self) -> int:
        """Subjects in the control arm (single sample size)."""
        return int(self._row("n"))

    @property
    def n_total(self) -> int:
        return int(self._row("n_total"))

    @property
    def power(self) -> float:
        return float(self._row("power"))

    @property
    def mc_se(self) -> float:
        return float(self._row("mc_se"))

    @property
    def ci(self) -> tuple[float, float]:
        return float(self._row("ci_lower")), float(self._row("ci_upper"))

    @property
    def bias(self) -> float:
        return float(self._row("bias"))

    @property
    def coverage(self) -> float:
        return float(self._row("coverage"))

    @property
    def failure_rate(self) -> float:
        return float(self._row("failure_rate"))

    @property
    def mean_estimate(self) -> float:
        return float(self._row("mean_estimate"))

    @property
    def n_sim(self) -> int:
        return int(self.table["n_sim"].iloc[0])

    def __str__(self) -> str:
        cols = ["n", "n_total", "power", "mc_se", "ci_lower", "ci_upper", "failure_rate",
                "bias", "coverage", "analytic_power"]
        return (f"Simulated power: {self.analysis}\n{self.n_sim} replicates, alpha "
                f"{self.alpha:g}, seed {self.seed}, {self.backend}, {self.elapsed:.1f} s\n"
                + self.table[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}")
                + "".join(f"\nnote: {n}" for n in self.notes))


@dataclass(frozen=True)
class SampleSizeResult:
    """Sample size for a target power, from a smoothed simulated power curve.

    Attributes
    ----------
    n : int
        Subjects in the control arm (per arm for equal allocation) for ``target`` power on
        the smoothed curve, rounded up.
    n_exact : float
        The curve's solution before rounding; ``n_ci`` its 95% bootstrap interval.
    n_active, n_total : int
    power : float
        Smoothed power at ``n``.
    target : float
    curve : (float, float)
        ``(a, b)`` of :math:`\\pi(n) = \\Phi(a + b\\sqrt n)`.
    simulation : SimulationResult
        The grid: ``.table`` per ``n``, ``.replicates``.
    n_grid_first : int or None
        Smallest grid ``n`` whose observed power reaches the target.
    analytic : PowerResult or None
        The analytic answer (Lu-Luo-Chen for the MMRM) for comparison.
    notes : tuple of str
    """

    n: int
    n_exact: float
    n_ci: tuple[float, float]
    n_active: int
    power: float
    target: float
    curve: tuple[float, float]
    simulation: SimulationResult
    n_grid_first: int | None
    analytic: Any = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_total(self) -> int:
        return self.n + self.n_active

    @property
    def table(self) -> pd.DataFrame:
        """The grid (one row per n) with the smoothed power added."""
        t = self.simulation.table.copy()
        t["smoothed_power"] = self.power_at(t["n"].to_numpy(dtype=float))
        return t

    def power_at(self, n) -> np.ndarray:
        """Smoothed power at control-arm size(s) ``n``."""
        a, b = self.curve
        return stats.norm.cdf(a + b * np.sqrt(np.asarray(n, dtype=float)))

    def __str__(self) -> str:
        lo, hi = self.n_ci
        s = (f"Sample size for {self.target:.0%} power: n = {self.n} (control), "
             f"{self.n_active} (active), total {self.n_total}\n"
             f"  smoothed curve solution {self.n_exact:.2f} (95% CI {lo:.1f} to {hi:.1f}); "
             f"smallest grid n with observed power >= target: {self.n_grid_first}\n")
        if self.analytic is not None:
            s += f"  analytic ({self.analytic.method}): n = {self.analytic.n:.2f}\n"
        return s + str(self.simulation)


# ---- helpers ----------------------------------------------------------------------------------
def _entropy(seed) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, np.random.SeedSequence):
        if seed.spawn_key:
            raise ModelSpecError("seed: pass an int or a root SeedSequence (no spawn_key)")
        return int(seed.entropy)
    if isinstance(seed, int | np.integer) and seed >= 0:
        return int(seed)
    raise ModelSpecError(f"seed={seed!r} must be a non-negative int or a SeedSequence")


def _sizes(design: TrialDesign, n: int) -> tuple[int, ...]:
    """Arm sizes for control size n, keeping the design's allocation ratios."""
    n0 = design.n_per_arm[0]
    return tuple(max(1, round(n * k / n0)) for k in design.n_per_arm)


def _check_design(design: TrialDesign, nested: bool) -> None:
    problems = []
    if not isinstance(design, TrialDesign):
        raise ModelSpecError(f"design must be an irtrial.synthetic.TrialDesign, got "
                             f"{type(design).__name__}")
    if design.match_means:
        problems.append("the design has match_means=True, which removes sampling variation: "
                        "use dataclasses.replace(design, match_means=False) for power")
    if len(design.arms) < 2:
        problems.append("a power simulation needs a control and at least one active arm")
    if nested and any(d.fixed_n for d in design.dropouts()):
        problems.append("fixed_n dropout (an exact count) does not scale with n: give a "
                        "dropout hazard instead (e.g. Dropout(hazard=(f, 0, ...)))")
    if problems:
        raise ModelSpecError("design not usable for a power simulation:\n"
                             + "\n".join(f"  - {p}" for p in problems))


def _with_level(obj, given, options, alpha):
    """A named analysis' intervals at level 1 - alpha (so that an interval excluding 0 and
    p < alpha agree), unless conf_level was given."""
    if isinstance(given, str) and "conf_level" not in options and hasattr(obj, "conf_level"):
        from dataclasses import replace as _replace

        return _replace(obj, conf_level=1.0 - alpha)
    return obj


def _analytic_power(analysis, design: TrialDesign, alpha: float) -> tuple[float, list[str]]:
    from irtrial.power.analytic import ancova as ancova_power
    from irtrial.power.longitudinal import mmrm as mmrm_power

    inp = analytic_inputs(design, getattr(analysis, "arm", 1))
    notes = inp.pop("notes")
    if inp["delta"] == 0:
        return float("nan"), notes
    n0 = design.n_per_arm[0]
    if isinstance(analysis, MMRMAnalysis):
        return mmrm_power(n=n0, alpha=alpha, **inp).power, notes
    if isinstance(analysis, AncovaAnalysis):
        s, rj = inp["sigma"], inp["retention"][-1]  # completers at the last visit
        n_c = n0 * inp["retention_control"][-1]
        ratio = inp["ratio"] * rj / inp["retention_control"][-1]
        return ancova_power(inp["delta"], math.sqrt(s[-1, -1]), rho=0.0, n=n_c, alpha=alpha,
                            ratio=ratio).power, notes
    return float("nan"), []


def _summarise(rec: np.ndarray, messages: list[str], design: TrialDesign, sizes, analysis,
               alpha: float) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    rep = pd.DataFrame(rec, columns=list(RECORD_FIELDS))
    rep["replicate"] = rep["replicate"].astype(np.int64)
    k = rep.pop("n_index").astype(int).to_numpy()
    n_ctrl = np.array([s[0] for s in sizes])
    rep.insert(1, "n", n_ctrl[k])
    rep["converged"] = rep["converged"].astype(bool)
    rep["significant"] = rep["converged"] & (rep["p_value"] < alpha)
    rep["message"] = messages
    rep = rep.sort_values(["n", "replicate"], kind="stable").reset_index(drop=True)
    arm = getattr(analysis, "arm", 1)
    notes: list[str] = []
    rows = []
    for sz in sizes:
        d = design.with_n(sz)
        g = rep[rep["n"] == sz[0]]
        m = len(g)
        ok = g[g["converged"]]
        hits = int(g["significant"].sum())
        pw = hits / m
        lo, hi = _clopper_pearson(hits, m)
        truth = true_effect(d, arm) if not isinstance(analysis, TrialAnalysis) \
            and getattr(analysis, "name", "") in ("mmrm", "ancova") else np.nan
        covered = (ok["ci_lower"] <= truth) & (truth <= ok["ci_upper"])
        ap, an = _analytic_power(analysis, d, alpha)
        notes += [x for x in an if x not in notes]
        rows.append({
            "n": sz[0], "n_active": sz[arm], "n_total": sum(sz), "n_sim": m, "power": pw,
            "mc_se": math.sqrt(pw * (1 - pw) / m), "ci_lower": lo, "ci_upper": hi,
            "power_converged": ok["significant"].mean() if len(ok) else np.nan,
            "n_failed": m - len(ok), "failure_rate": (m - len(ok)) / m,
            "true_effect": truth,
            "mean_estimate": ok["estimate"].mean() if len(ok) else np.nan,
            "bias": ok["estimate"].mean() - truth if len(ok) else np.nan,
            "empirical_se": ok["estimate"].std(ddof=1) if len(ok) > 1 else np.nan,
            "mean_std_error": ok["std_error"].mean() if len(ok) else np.nan,
            "coverage": covered.mean() if len(ok) and np.isfinite(truth) else np.nan,
            "analytic_power": ap,
        })
    return pd.DataFrame(rows), rep, notes


def _run(design, analysis, sizes, n_sim, seed, n_jobs, scheduler, alpha, batch_size,
         progress) -> SimulationResult:
    if not (isinstance(n_sim, int | np.integer) and n_sim >= 1):
        raise ModelSpecError(f"n_sim={n_sim!r} must be a positive integer")
    if not 0 < alpha < 1:
        raise ModelSpecError(f"alpha={alpha!r} must lie in (0, 1)")
    entropy = _entropy(seed)
    sizes = sorted({tuple(s) for s in sizes})
    big = design.with_n(tuple(max(s[a] for s in sizes) for a in range(len(design.arms))))
    prepared = tuple(analysis.prepare(design.with_n(s)) for s in sizes)
    task = Task(design=big, sizes=tuple(sizes), analysis=analysis, prepared=prepared,
                entropy=entropy)
    t0 = time.perf_counter()
    rec, messages = run_batches(task, int(n_sim), n_jobs=n_jobs, scheduler=scheduler,
                                batch_size=batch_size, progress=progress)
    elapsed = time.perf_counter() - t0
    table, reps, notes = _summarise(rec, messages, design, sizes, analysis, alpha)
    notes = ["a failed fit counts as not significant (power_converged: among converged "
             "fits)", "bias and coverage against the design's effect on the latent scale"] \
        + notes
    if scheduler is not None:
        backend = f"dask ({scheduler if isinstance(scheduler, str) else 'client'})"
    else:
        backend = "this process" if n_jobs == 1 else f"joblib, n_jobs={n_jobs}"
    return SimulationResult(table=table, replicates=reps, design=design,
                            analysis=analysis.describe(), alpha=float(alpha), seed=entropy,
                            n_jobs=int(n_jobs), backend=backend, elapsed=elapsed,
                            notes=tuple(notes))


def simulate(design: TrialDesign, analysis: Any = "mmrm", n_sim: int = 1000, seed=None,
             n_jobs: int = 1, scheduler: Any = None, alpha: float = 0.05,
             n: int | Sequence[int] | None = None, batch_size: int | None = None,
             progress: Callable[[int], None] | None = None,
             **analysis_options: Any) -> SimulationResult:
    """Simulated power of an analysis of trials drawn from ``design``.

    Parameters
    ----------
    design : TrialDesign
        Arms, sizes, visits, means, covariance, dropout (``match_means`` off).
    analysis : str, callable or analysis object
        ``"mmrm"`` (default; options ``covariance``, ``df``, ``method``, ``formula``,
        ``visit``), ``"ancova"``, ``"responder"`` (``threshold``, ``method``), a function of
        an :class:`irtrial.Trial` (e.g. a sensitivity analysis) returning a p-value, or an
        object of :mod:`irtrial.power.analyses`.
    n_sim : int
        Replicates.
    seed : int or SeedSequence, optional
        Root seed; replicate ``i`` uses its ``i``-th spawned child. None draws one (reported
        as ``result.seed``).
    n_jobs : int
        joblib worker processes (1: this process; -1: every core).
    scheduler : str or distributed.Client, optional
        Run on an existing Dask cluster (``"tcp://host:8786"``).
    alpha : float
        Two-sided significance level (``p < alpha``).
    n : int or sequence of int, optional
        Control-arm size(s) (other arms keep the design's ratio); default the design's.
        Several sizes share their replicates (nested samples).
    batch_size : int, optional
        Replicates per task sent to a worker.
    progress : callable, optional
        Called with the number of replicates finished (the CLI's progress bar).

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> from irtrial.synthetic import TrialDesign
    >>> d = TrialDesign(("Placebo", "Active"), (20, 20), (0, 1, 2),
    ...                 ((5, 5, 5), (5, 4.5, 4)), ar1=0.5)
    >>> res = simulate(d, "ancova", n_sim=200, seed=1)
    >>> res.n, res.n_sim, 0.5 < res.power < 1
    (20, 200, True)
    """
    analysis = _with_level(make_analysis(analysis, **analysis_options), analysis,
                           analysis_options, alpha)
    ns = [design.n_per_arm[0]] if n is None else list(np.atleast_1d(n))
    _check_design(design, nested=len(ns) > 1)
    sizes = [_sizes(design, int(v)) for v in ns]
    return _run(design, analysis, sizes, n_sim, seed, n_jobs, scheduler, alpha, batch_size,
                progress)


# ---- the sample-size search -------------------------------------------------------------------
def _fit_probit(sqrt_n: np.ndarray, k: np.ndarray, m: np.ndarray) -> tuple[float, float]:
    """ML fit of P = Phi(a + b sqrt(n)) to k successes of m (Fisher scoring)."""
    eps = 0.5 / m
    p = np.clip(k / m, eps, 1 - eps)
    x = np.column_stack([np.ones_like(sqrt_n), sqrt_n])
    beta = np.linalg.lstsq(x, special.ndtri(p), rcond=None)[0]
    for _ in range(50):
        eta = x @ beta
        mu = np.clip(special.ndtr(eta), 1e-10, 1 - 1e-10)
        dens = np.exp(-0.5 * eta**2) / np.sqrt(2 * np.pi)
        w = m * dens**2 / (mu * (1 - mu))
        z = eta + (k / m - mu) / np.maximum(dens, 1e-300)
        new = np.linalg.lstsq(x.T @ (w[:, None] * x), x.T @ (w * z), rcond=None)[0]
        if np.max(np.abs(new - beta)) < 1e-10:
            beta = new
            break
        beta = new
    return float(beta[0]), float(beta[1])


def _solve_curve(a: float, b: float, target: float) -> float:
    if b <= 0:
        return float("nan")
    return float(((stats.norm.ppf(target) - a) / b) ** 2)


def sample_size(design: TrialDesign, target: float = 0.9, analysis: Any = "mmrm",
                n_grid: Sequence[int] | None = None, n_sim: int = 2000, seed=None,
                n_jobs: int = 1, scheduler: Any = None, alpha: float = 0.05,
                batch_size: int | None = None,
                progress: Callable[[int], None] | None = None,
                **analysis_options: Any) -> SampleSizeResult:
    """Control-arm size reaching ``target`` power, from a simulated, smoothed power curve.

    Parameters
    ----------
    design : TrialDesign
        The design; its allocation ratio is kept, its ``n_per_arm`` only sets the default grid
        when no analytic answer is available.
    target : float
        Target power.
    n_grid : sequence of int, optional
        Control-arm sizes to simulate. Default: 8 sizes from 0.6 to 1.6 times the analytic
        answer (Lu-Luo-Chen, t version, for the MMRM and the ANCOVA), else 0.5 to 2 times the
        design's n; at least 8 consecutive sizes, none below what the covariance needs.
    n_sim, seed, n_jobs, scheduler, alpha, batch_size, progress, analysis, **analysis_options
        As :func:`simulate`.

    Returns
    -------
    SampleSizeResult

    Examples
    --------
    >>> from irtrial.synthetic import TrialDesign
    >>> d = TrialDesign(("Placebo", "Active"), (20, 20), (0, 1, 2),
    ...                 ((5, 5, 5), (5, 4.5, 4)), ar1=0.5)
    >>> res = sample_size(d, 0.8, "ancova", n_grid=[10, 15, 20, 25, 30], n_sim=200, seed=1)
    >>> 10 <= res.n <= 30
    True
    """
    if not 0 < target < 1:
        raise ModelSpecError(f"target={target!r} must lie in (0, 1)")
    analysis = _with_level(make_analysis(analysis, **analysis_options), analysis,
                           analysis_options, alpha)
    _check_design(design, nested=True)
    analytic = None
    if isinstance(analysis, MMRMAnalysis | AncovaAnalysis):
        from irtrial.power.longitudinal import mmrm as mmrm_power

        inp = analytic_inputs(design, analysis.arm)
        inp.pop("notes")
        if inp["delta"] != 0:
            analytic = mmrm_power(power=target, alpha=alpha, **inp)
    if n_grid is None:
        centre = analytic.n if analytic is not None else design.n_per_arm[0]
        lo, hi = (0.6, 1.6) if analytic is not None else (0.5, 2.0)
        ratio = sum(design.n_per_arm) / design.n_per_arm[0]
        n_min = max(3, math.ceil((design.n_visits + 1) / ratio))  # estimable covariance
        start = max(n_min, lo * centre)
        n_grid = np.unique(np.round(np.linspace(start, max(start + 7, hi * centre), 8)))
    n_grid = sorted({int(v) for v in n_grid})
    if len(n_grid) < 2 or n_grid[0] < 2:
        raise ModelSpecError("n_grid needs at least two control-arm sizes >= 2")
    sizes = [_sizes(design, v) for v in n_grid]
    sim = _run(design, analysis, sizes, n_sim, seed, n_jobs, scheduler, alpha, batch_size,
               progress)
    t = sim.table
    sq = np.sqrt(t["n"].to_numpy(dtype=float))
    m = t["n_sim"].to_numpy(dtype=float)
    k = np.round(t["power"].to_numpy() * m)
    if np.all(k == 0) or np.all(k == m):
        raise ModelSpecError(f"the simulated power is {k[0] / m[0]:.0%} at every n of the grid "
                             f"{n_grid}: no curve to fit; give a grid (--n / n_grid) across the "
                             "target")
    a, b = _fit_probit(sq, k, m)
    n_star = _solve_curve(a, b, target)
    # bootstrap whole replicates: keeps the common-random-number correlation across n
    sig = sim.replicates.pivot(index="replicate", columns="n", values="significant")
    sig = sig[t["n"].to_list()].to_numpy(dtype=float)
    rng = np.random.default_rng(np.random.SeedSequence(sim.seed, spawn_key=(2**32 - 1,)))
    boots = []
    for _ in range(400):
        idx = rng.integers(0, sig.shape[0], sig.shape[0])
        kb = sig[idx].sum(axis=0)
        boots.append(_solve_curve(*_fit_probit(sq, kb, m), target))
    boots = np.asarray(boots)
    boots = boots[np.isfinite(boots)]
    n_ci = (float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5))) \
        if boots.size else (np.nan, np.nan)
    notes = list(sim.notes)
    if not np.isfinite(n_star):
        raise ModelSpecError("the simulated power does not increase with n on this grid; "
                             "give a wider n_grid or more replicates")
    if not n_grid[0] <= n_star <= n_grid[-1]:
        notes.append(f"the solution {n_star:.1f} lies outside the simulated grid "
                     f"({n_grid[0]}-{n_grid[-1]}): extrapolated; widen n_grid")
    n_req = max(2, math.ceil(n_star - 1e-9))
    sz = _sizes(design, n_req)
    reached = t.loc[t["power"] >= target, "n"]
    arm = getattr(analysis, "arm", 1)
    return SampleSizeResult(
        n=n_req, n_exact=n_star, n_ci=n_ci, n_active=sz[arm],
        power=float(stats.norm.cdf(a + b * math.sqrt(n_req))), target=float(target),
        curve=(a, b), simulation=sim,
        n_grid_first=int(reached.iloc[0]) if len(reached) else None, analytic=analytic,
        notes=tuple(notes))
