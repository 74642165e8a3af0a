"""Run replicates in batches: in this process, on joblib workers or on a Dask cluster.

A *task* (the design at the largest sample size, the analysis and its prepared models, one
per sample size) is sent to each worker once; batches of replicate indices follow. Replicate
``i`` draws from ``SeedSequence(entropy, spawn_key=(i,))`` -- the ``i``-th child of
``SeedSequence(entropy).spawn`` -- so its numbers do not depend on the batch it lands in, the
number of workers or the backend: a seed gives bit-identical results everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from irtrial.errors import ModelSpecError
from irtrial.power.analyses import Outcome, TrialAnalysis
from irtrial.synthetic import SimulatedArrays, TrialDesign, simulate_arrays

__all__ = ["Task", "run_batches", "run_batch", "subset_arms"]

#: columns of a batch's record array, in order
RECORD_FIELDS = ("replicate", "n_index", "estimate", "std_error", "df", "p_value", "ci_lower",
                 "ci_upper", "converged")


@dataclass(frozen=True)
class Task:
    """Everything a worker needs: the design at the largest n, the per-n arm sizes, the
    analysis and its prepared state per n, and the root entropy of the seeds."""

    design: TrialDesign
    sizes: tuple[tuple[int, ...], ...]
    analysis: Any
    prepared: tuple
    entropy: int


def subset_arms(sim: SimulatedArrays, sizes: Sequence[int]) -> SimulatedArrays:
    """The first ``sizes[a]`` subjects of each arm (in randomisation order): nested samples,
    so that the sample sizes of a search share their subjects (common random numbers)."""
    if all(int((sim.arm == a).sum()) == n for a, n in enumerate(sizes)):
        return sim
    keep = np.zeros(sim.arm.size, dtype=bool)
    for a, n in enumerate(sizes):
        keep[np.flatnonzero(sim.arm == a)[:n]] = True
    return SimulatedArrays(subject=sim.subject[keep], arm=sim.arm[keep], y=sim.y[keep],
                           covariates={k: v[keep] for k, v in sim.covariates.items()},
                           last_visit=sim.last_visit[keep])


def _record(i: int, k: int, o: Outcome) -> tuple:
    return (i, k, o.estimate, o.std_error, o.df, o.p_value, o.ci_lower, o.ci_upper,
            float(o.converged))


def run_batch(task: Task, start: int, stop: int) -> tuple[np.ndarray, list[str]]:
    """Replicates ``start .. stop-1`` at every sample size: a float array (one row per
    replicate x n, columns :data:`RECORD_FIELDS`) and the failure messages."""
    with np.errstate(all="ignore"):  # a diverging fit is a failed replicate, not a warning
        return _run_batch(task, start, stop)


def _run_batch(task: Task, start: int, stop: int) -> tuple[np.ndarray, list[str]]:
    rows, messages = [], []
    for i in range(start, stop):
        ss = np.random.SeedSequence(task.entropy, spawn_key=(i,))
        if isinstance(task.analysis, TrialAnalysis):
            for k, sizes in enumerate(task.sizes):
                d = task.design.with_n(sizes)
                o = task.analysis.run_trial(d, np.random.SeedSequence(task.entropy,
                                                                      spawn_key=(i, k)))
                rows.append(_record(i, k, o))
                messages.append(o.message)
            continue
        sim = simulate_arrays(task.design, ss)
        for k, sizes in enumerate(task.sizes):
            o = task.analysis.run(task.prepared[k], subset_arms(sim, sizes))
            rows.append(_record(i, k, o))
            messages.append(o.message)
    return np.array(rows, dtype=float).reshape(-1, len(RECORD_FIELDS)), messages


def _batches(n_sim: int, batch_size: int) -> list[tuple[int, int]]:
    return [(s, min(s + batch_size, n_sim)) for s in range(0, n_sim, batch_size)]


def run_batches(task: Task, n_sim: int, n_jobs: int = 1, scheduler: Any = None,
                batch_size: int | None = None,
                progress: Callable[[int], None] | None = None) -> tuple[np.ndarray, list[str]]:
    """Run ``n_sim`` replicates; returns the stacked records in replicate order.

    Parameters
    ----------
    n_jobs : int
        joblib worker processes (``-1``: all cores); 1 runs in this process.
    scheduler : str or distributed.Client, optional
        Address of an existing Dask scheduler (``"tcp://host:8786"``) or a client: run there.
    batch_size : int, optional
        Replicates per batch (default: about 16 batches per worker, at most 250, so that the
        workers finish together even when a few replicates need the slow optimiser fallback;
        the batching does not change the numbers).
    progress : callable, optional
        Called with the number of replicates just finished.
    """
    if n_jobs == 0 or not isinstance(n_jobs, int | np.integer):
        raise ModelSpecError(f"n_jobs={n_jobs!r} must be a non-zero integer (-1 = all cores)")
    workers = _n_workers(n_jobs, scheduler)
    if batch_size is None:
        batch_size = int(min(250, max(1, -(-n_sim // (16 * workers)))))
    batches = _batches(n_sim, batch_size)
    results: dict[int, tuple[np.ndarray, list[str]]] = {}

    def done(start, stop, res):
        results[start] = res
        if progress is not None:
            progress(stop - start)

    if scheduler is not None:
        _run_dask(task, batches, scheduler, done)
    elif workers == 1:
        for start, stop in batches:  # same BLAS settings as a worker: one thread
            done(start, stop, _run_batch_keyed(task, start, stop))
    else:
        from joblib import Parallel, delayed

        par = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator")
        outs = par(delayed(_run_batch_keyed)(task, s, e) for s, e in batches)
        for (start, stop), res in zip(batches, outs, strict=True):
            done(start, stop, res)
    keys = sorted(results)
    arrays = [results[k][0] for k in keys]
    messages = [m for k in keys for m in results[k][1]]
    return np.vstack(arrays), messages


def _run_batch_keyed(task, start, stop):
    from irtrial.mmrm._threads import single_blas_thread

    with single_blas_thread():
        return run_batch(task, start, stop)


def _n_workers(n_jobs, scheduler) -> int:
    if scheduler is not None:
        return 8
    if n_jobs < 0:
        import os

        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return int(n_jobs)


def _run_dask(task: Task, batches, scheduler, done) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise ModelSpecError("scheduler= needs the 'distributed' package") from exc
    own = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler, timeout="20s") if own else scheduler
    except OSError as exc:
        raise ModelSpecError(f"cannot connect to the Dask scheduler {scheduler!r}: {exc}. "
                             "Start one (dask scheduler / dask worker) or leave scheduler "
                             "unset to run locally") from None
    try:
        [remote] = client.scatter([task], broadcast=True)
        futures = {client.submit(_run_batch_keyed, remote, s, e, pure=False): (s, e)
                   for s, e in batches}
        for fut in as_completed(futures):
            s, e = futures[fut]
            done(s, e, fut.result())
    finally:
        if own:
            client.close()
