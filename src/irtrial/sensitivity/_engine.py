"""The resampling loop: fit -> impute under each strategy -> delta -> ANCOVA, per sample.

A sample is the full data (index = every subject), a leave-one-out set (jackknife), a
bootstrap set (conditional mean with bootstrap) or a bootstrap fit used to impute the original
data by a draw (approximate Bayes). Samples run in chunks on joblib processes or on a Dask
distributed cluster; every random sample has its own ``numpy.random.SeedSequence`` child, so
a seed gives the same numbers with any number of workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from irtrial.errors import ConvergenceError, IrtrialError, SingularDesignError
from irtrial.sensitivity.analysis import AncovaDesign
from irtrial.sensitivity.impute import Conditioner, PatternIndex
from irtrial.sensitivity.strategies import strategy_mean

__all__ = ["Context", "StrategyPlan", "run_samples"]


@dataclass(frozen=True, eq=False)
class StrategyPlan:
    """One analysis strategy: per-subject strategy (after overrides and fallback), its model."""

    label: str
    per_subject: np.ndarray  # (n,) object: a strategy name or callable per subject
    model: int  # index into Context.models

    def __post_init__(self):
        kinds, codes = [], np.empty(len(self.per_subject), dtype=np.int64)
        for i, s in enumerate(self.per_subject):
            for k, known in enumerate(kinds):
                if known is s or (not callable(s) and not callable(known) and known == s):
                    codes[i] = k
                    break
            else:
                kinds.append(s)
                codes[i] = len(kinds) - 1
        object.__setattr__(self, "kinds", kinds)
        object.__setattr__(self, "codes", codes)


@dataclass(eq=False)
class Context:
    """Everything a worker needs (picklable)."""

    y: np.ndarray
    ice: np.ndarray
    arm: np.ndarray
    models: list
    plans: list
    patterns: PatternIndex
    ancova: AncovaDesign
    delta_unit: np.ndarray  # (n, v)
    deltas: np.ndarray  # (D,)
    kind: str  # "condmean-jackknife" | "condmean-bootstrap" | "approx-bayes" | "bayes"
    analysis: object = None  # MmrmAnalysis, or None for the ANCOVA
    keep: bool = False
    bayes_draws: list | None = None  # per model: the kept Gibbs draws (list of Fit)

    # ------------------------------------------------------------------------------------------
    def _means(self, own: np.ndarray, ref: np.ndarray, plan: StrategyPlan, index: np.ndarray):
        mu = np.empty_like(own)
        codes = plan.codes[index]
        ice = self.ice[index]
        for c in np.unique(codes):
            pos = np.flatnonzero(codes == c)
            mu[pos] = strategy_mean(plan.kinds[c], own[pos], ref[pos], ice[pos])
        return mu

    def analyse(self, index: np.ndarray, fits: list, impute_index: np.ndarray | None = None,
                z: np.ndarray | None = None, keep: bool = False) -> dict:
        """Impute ``impute_index`` (default ``index``) under each plan and run the ANCOVA."""
        idx = index if impute_index is None else impute_index
        y = self.y[idx]
        unit = self.delta_unit[idx]
        stack = []
        cache = {}
        for plan in self.plans:
            if plan.model not in cache:
                model = self.models[plan.model]
                fit = fits[plan.model]
                own, ref = model.means(fit, idx)
                cond = Conditioner(fit.sigma, self.patterns, idx, draws=z is not None)
                cache[plan.model] = (own, ref, cond)
            own, ref, cond = cache[plan.model]
            mu = self._means(own, ref, plan, idx)
            done = cond.apply(y, mu, z)
            for d in self.deltas:
                stack.append(done + d * unit if d != 0 else done)
        data = np.stack(stack)
        out = (self.ancova if self.analysis is None else self.analysis).fit(idx, data)
        shape = (len(self.plans), len(self.deltas))
        res = {
            "effect": out.effect.reshape(shape + out.effect.shape[1:]),
            "effect_se": out.effect_se.reshape(shape + out.effect.shape[1:]),
            "lsmean": out.lsmean.reshape(shape + out.lsmean.shape[1:]),
            "lsmean_se": out.lsmean_se.reshape(shape + out.lsmean.shape[1:]),
            "effect_df": out.effect_df.reshape(shape + out.effect.shape[1:]),
            "lsmean_df": out.lsmean_df.reshape(shape + out.lsmean.shape[1:]),
        }
        if keep or self.keep:  # the data sets at the delta closest to 0
            d0 = int(np.argmin(np.abs(self.deltas)))
            res["completed"] = data.reshape(shape + data.shape[1:])[:, d0]
        return res

    def full_fits(self) -> list:
        return [m.full for m in self.models]

    def fits(self, index: np.ndarray, warm: bool = True) -> list:
        return [m.fit(index, m.full.theta if warm else None) for m in self.models]


def _stratified(rng: np.random.Generator, arm: np.ndarray) -> np.ndarray:
    parts = []
    for a in np.unique(arm):
        members = np.flatnonzero(arm == a)
        parts.append(rng.choice(members, size=len(members), replace=True))
    return np.sort(np.concatenate(parts))


MAX_TRIES = 20


def _one(ctx: Context, sample: int, seed_seq) -> dict:
    n = len(ctx.y)
    if ctx.kind == "condmean-jackknife":
        index = np.delete(np.arange(n), sample)
        return ctx.analyse(index, ctx.fits(index))
    rng = np.random.default_rng(seed_seq)
    if ctx.kind == "bayes":
        fits = [draws[sample] for draws in ctx.bayes_draws]
        return ctx.analyse(np.arange(n), fits, z=rng.standard_normal(ctx.y.shape))
    failures = []
    for _ in range(MAX_TRIES):
        index = _stratified(rng, ctx.arm)
        try:
            fits = ctx.fits(index)
        except (SingularDesignError, ConvergenceError) as exc:
            failures.append(str(exc).splitlines()[0])
            continue
        if ctx.kind == "condmean-bootstrap":
            res = ctx.analyse(index, fits)
        else:
            z = rng.standard_normal(ctx.y.shape)
            res = ctx.analyse(np.arange(n), fits, z=z)
        res["failures"] = len(failures)
        return res
    raise IrtrialError(
        f"the imputation model failed on {MAX_TRIES} bootstrap samples in a row (last: "
        f"{failures[-1]}); use a simpler covariance structure or fewer visits"
    )


def _chunk(ctx: Context, samples: list, seeds: list) -> list:
    from irtrial.mmrm._threads import single_blas_thread

    with single_blas_thread():
        return [_one(ctx, s, q) for s, q in zip(samples, seeds, strict=True)]


def run_samples(ctx: Context, n_samples: int, seed, n_jobs: int = 1, scheduler=None,
                progress=None) -> list:
    """Run samples 0..n_samples-1 (jackknife: leave subject i out) and return their outputs."""
    if ctx.kind == "condmean-jackknife":
        seeds = [None] * n_samples
    else:
        seeds = np.random.SeedSequence(seed).spawn(n_samples)
    samples = list(range(n_samples))
    workers = 1 if scheduler is None and (n_jobs is None or n_jobs == 1) else None
    if workers == 1:
        out = []
        step = max(1, n_samples // 50)
        for i in range(0, n_samples, step):
            out += _chunk(ctx, samples[i:i + step], seeds[i:i + step])
            if progress is not None:
                progress(min(i + step, n_samples), n_samples)
        return out
    if scheduler is not None:
        return _run_dask(ctx, samples, seeds, scheduler, progress)
    import joblib

    n_workers = joblib.cpu_count() if n_jobs in (-1, None) else int(n_jobs)
    n_chunks = min(n_samples, max(1, 4 * n_workers))
    bounds = np.linspace(0, n_samples, n_chunks + 1).astype(int)
    parts = joblib.Parallel(n_jobs=n_workers)(
        joblib.delayed(_chunk)(ctx, samples[a:b], seeds[a:b])
        for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a
    )
    if progress is not None:
        progress(n_samples, n_samples)
    return [r for part in parts for r in part]


def _run_dask(ctx, samples, seeds, scheduler, progress):
    from distributed import Client

    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        n_chunks = min(len(samples), 4 * n_workers)
        bounds = np.linspace(0, len(samples), n_chunks + 1).astype(int)
        shared = client.scatter(ctx, broadcast=True)
        futures = [
            client.submit(_chunk, shared, samples[a:b], seeds[a:b], pure=False)
            for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a
        ]
        parts = client.gather(futures)
    finally:
        if own:
            client.close()
    if progress is not None:
        progress(len(samples), len(samples))
    return [r for part in parts for r in part]
