r"""Simulation from a fitted MMRM and draws of its parameters (beta, Sigma).

``simulate``
    New response vectors from the fitted model, :math:`y_i^* = X_i\hat\beta + e_i`,
    :math:`e_i \sim N(0, W_i^{-1/2}\hat\Sigma_i W_i^{-1/2})`, for every row of the model (rows
    whose response is missing included). R mmrm's ``simulate.mmrm_tmb`` keeps the observed
    responses and draws only the missing ones given them; ``given_observed=True`` does that.
    ``method="marginal"`` (R's name) first draws (beta, Sigma) per simulated vector from their
    approximate sampling distribution, so the draws carry the estimation uncertainty too.
``draw_parameters``
    ``"asymptotic"``: :math:`\theta^* \sim N(\hat\theta, 2H^{-1})` (H the observed Hessian of
    -2 log L, SAS's ASYCOV), redrawn until Sigma is positive definite; then
    :math:`\beta^* \mid \theta^* \sim N(\tilde\beta(\theta^*), (X'V(\theta^*)^{-1}X)^{-1})` with
    :math:`\tilde\beta(\theta^*)` the GLS estimate at :math:`\theta^*` (as R mmrm's
    ``simulate(method = "marginal")``). ``"joint"``: the joint asymptotic normal of
    (theta-hat, beta-hat), independent blocks. ``"bootstrap"``: refit on a resample of subjects with
    replacement (optionally within strata such as the arm, as rbmi does), through
    :meth:`MMRM.refit`.

Every draw has its own :class:`numpy.random.SeedSequence` spawned from ``seed``, so a seed gives
the same numbers with any number of workers (joblib ``n_jobs``, or a Dask ``scheduler``).

Simulating a trial from parameters without a fit (means by arm and visit, a full Sigma,
dropout) is :func:`irtrial.synthetic.simulate_arrays` with a
:class:`~irtrial.synthetic.TrialDesign` (``means=``, ``covariance=``, ``dropout=``).

SAS: PROC MIXED has no simulate; a DATA step with ``CALL VNORMAL`` from the ``SOLUTION`` and
``R`` tables does it. R: ``simulate(fit, nsim, method = c("conditional", "marginal"))``
(mmrm); ``rbmi::draws(method_bayes/method_approxbayes/method_condmean(type = "bootstrap"))``.

References
----------
1. Sabanes Bove D et al. mmrm: Mixed Models for Repeated Measures, ``simulate.mmrm_tmb``.
2. Carpenter JR, Roger JH, Kenward MG (2013), J Biopharm Stat 23:1352-1371 (draws for
   reference-based imputation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from irtrial.errors import ConvergenceError, ModelSpecError
from irtrial.mmrm._threads import single_blas_thread
from irtrial.mmrm.conditional import conditional_normal

__all__ = ["ParameterDraws", "simulate", "draw_parameters"]


@dataclass(frozen=True, eq=False)
class ParameterDraws:
    """Draws of the MMRM parameters.

    Attributes
    ----------
    beta : (n, p) array
    theta : (n, k) array
        Covariance parameters (reporting parametrisation).
    sigma : (n, G, v, v) array
        Residual covariance per draw and covariance group (G = 1 without ``group=``).
    method : str
    n_redrawn : int
        Draws replaced because Sigma was not positive definite (asymptotic) or the refit did
        not converge (bootstrap).
    subjects : list of arrays or None
        Bootstrap: the resampled subject indices of each draw.

    Iterating gives ``(beta, sigma)`` pairs.
    """

    beta: np.ndarray
    theta: np.ndarray
    sigma: np.ndarray
    method: str
    n_redrawn: int = 0
    subjects: list | None = None

    def __len__(self) -> int:
        return self.beta.shape[0]

    def __iter__(self):
        return iter(zip(self.beta, self.sigma, strict=True))

    def __getitem__(self, i):
        return self.beta[i], self.sigma[i]


def _seeds(seed, n: int) -> list[np.random.SeedSequence]:
    if isinstance(seed, np.random.Generator):
        seed = np.random.SeedSequence(seed.integers(0, 2**63))
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return ss.spawn(n)


def _sigmas(structure, theta, n_groups) -> np.ndarray:
    return np.stack([structure.sigma(theta, g) for g in range(n_groups)])


def _is_pd(sig: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(sig)
        return True
    except np.linalg.LinAlgError:
        return False


# ---- asymptotic draws ---------------------------------------------------------------------------
def _asymptotic_one(lik, structure, theta_hat, chol_theta, n_groups, ss, max_tries,
                    joint=None):
    rng = np.random.default_rng(ss)
    redrawn = 0
    for _ in range(max_tries):
        theta = theta_hat + chol_theta @ rng.standard_normal(len(theta_hat))
        if structure.valid(theta):
            sig = _sigmas(structure, theta, n_groups)
            if all(_is_pd(s) for s in sig):
                if joint is not None:  # beta ~ N(beta_hat, Phi), independent of theta
                    beta_hat, c = joint
                    beta = beta_hat + c @ rng.standard_normal(len(beta_hat))
                    return beta, theta, sig, redrawn
                ev = lik.evaluate(theta, 0)
                if ev is not None:
                    c = np.linalg.cholesky(ev.xtvx_inv)
                    beta = ev.beta + c @ rng.standard_normal(len(ev.beta))
                    return beta, theta, sig, redrawn
        redrawn += 1
    raise ConvergenceError(
        f"draw_parameters: {max_tries} draws of theta in a row gave a covariance matrix that is "
        "not positive definite; the asymptotic normal approximation of theta is poor here: "
        "use method='bootstrap'")


def _draw_asymptotic(result, n, seed, max_tries=100, joint=False):
    from irtrial.mmrm._information import get_information

    structure = result.state.structure
    info = get_information(result.state)
    v = 0.5 * (info.theta_vcov + info.theta_vcov.T)
    w, q = np.linalg.eigh(v)
    if np.min(w) < -1e-8 * max(np.max(np.abs(w)), 1e-300):
        raise ModelSpecError(
            "draw_parameters: the covariance of theta-hat (2 H^-1) is not positive definite "
            "(the fit is at a boundary or not identified); use method='bootstrap'")
    chol_theta = q * np.sqrt(np.clip(w, 0.0, None))
    lik = result._likelihood
    n_groups = max(len(result.group_levels), 1)
    beta_joint = None
    if joint:
        beta_joint = (np.asarray(result.beta, float), np.linalg.cholesky(info.phi))
    out = []
    with single_blas_thread():
        for ss in _seeds(seed, n):
            out.append(_asymptotic_one(lik, structure, np.asarray(result.theta, float),
                                       chol_theta, n_groups, ss, max_tries, beta_joint))
    beta, theta, sig, red = zip(*out, strict=True) if out else ((), (), (), ())
    return ParameterDraws(beta=np.array(beta), theta=np.array(theta), sigma=np.array(sig),
                          method="joint" if joint else "asymptotic", n_redrawn=int(sum(red)))


# ---- bootstrap draws ----------------------------------------------------------------------------
def _strata_codes(model, strata):
    if strata is None:
        return np.zeros(model.n_subjects, dtype=np.int64)
    frame = model._full.frame
    if strata not in frame.columns:
        raise ModelSpecError(f"strata={strata!r} is not a column of the model "
                             f"({list(frame.columns)})")
    per_subject = pd.Series(frame[strata].astype(str).to_numpy()).groupby(
        model.subject_codes).agg(["nunique", "first"])
    if (per_subject["nunique"] > 1).any():
        raise ModelSpecError(f"strata={strata!r} varies within subjects; give a subject-level "
                             "column such as the arm")
    codes, _ = pd.factorize(per_subject["first"].to_numpy())
    return codes


def _bootstrap_chunk(model, seeds, strata_codes, start, max_tries):
    n_groups = len(model._full.group_levels)
    structure = model._full.structure
    out = []
    members = [np.flatnonzero(strata_codes == s) for s in range(int(strata_codes.max()) + 1)]
    for ss in seeds:
        rng = np.random.default_rng(ss)
        redrawn = 0
        for _ in range(max_tries):
            idx = np.concatenate([rng.choice(m, size=len(m), replace=True) for m in members])
            r = model.refit(subjects=idx, contrast=np.zeros((0, len(model.column_names))),
                            start=start)
            if r.converged:
                out.append((r.beta, r.theta, _sigmas(structure, r.theta, n_groups), redrawn,
                            idx))
                break
            redrawn += 1
        else:
            raise ConvergenceError(
                f"draw_parameters: {max_tries} bootstrap samples in a row did not converge")
    return out


def _run_chunks(func, chunks, n_jobs, scheduler):
    if scheduler is not None:
        from distributed import Client

        client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
        futures = client.map(func, chunks, pure=False)
        return client.gather(futures)
    if n_jobs == 1 or len(chunks) <= 1:
        return [func(c) for c in chunks]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs)(delayed(func)(c) for c in chunks)


class _BootstrapTask:
    """Picklable chunk runner (joblib / Dask workers)."""

    def __init__(self, model, strata_codes, start, max_tries):
        self.model, self.strata_codes = model, strata_codes
        self.start, self.max_tries = start, max_tries

    def __call__(self, seeds):
        return _bootstrap_chunk(self.model, seeds, self.strata_codes, self.start,
                                self.max_tries)


def _draw_bootstrap(result, n, seed, strata, n_jobs, scheduler, max_tries=20):
    model = getattr(result, "_model", None)
    if model is None:
        raise ModelSpecError("draw_parameters(method='bootstrap') needs a fit made by "
                             "irtrial.mmrm or MMRM(...).fit()")
    codes = _strata_codes(model, strata)
    seeds = _seeds(seed, n)
    n_chunks = 1 if (n_jobs == 1 and scheduler is None) else min(n, 4 * max(abs(n_jobs), 2))
    chunks = [list(c) for c in np.array_split(np.array(seeds, dtype=object), n_chunks) if len(c)]
    task = _BootstrapTask(model, codes, np.asarray(result.theta, float), max_tries)
    rows = [r for part in _run_chunks(task, chunks, n_jobs, scheduler) for r in part]
    beta, theta, sig, red, idx = zip(*rows, strict=True) if rows else ((), (), (), (), ())
    return ParameterDraws(beta=np.array(beta), theta=np.array(theta), sigma=np.array(sig),
                          method="bootstrap", n_redrawn=int(sum(red)), subjects=list(idx))


def draw_parameters(result, n: int, seed=None, method: str = "asymptotic", *,
                    strata: str | None = None, n_jobs: int = 1, scheduler=None
                    ) -> ParameterDraws:
    r"""Draws of (beta, Sigma) from their approximate sampling distribution.

    Parameters
    ----------
    result : MMRMResult
    n : int
        Number of draws.
    seed : int, SeedSequence or Generator, optional
        One SeedSequence is spawned per draw: the same seed gives the same draws whatever
        ``n_jobs`` or ``scheduler``.
    method : {"asymptotic", "joint", "bootstrap"}
        ``"asymptotic"``: theta ~ N(theta_hat, 2 H^-1) with positive-definite check and
        redraw, then beta | theta ~ N(GLS beta at theta, (X'V^-1X)^-1 at theta).
        ``"joint"``: the joint asymptotic normal, (theta, beta) ~ N((theta_hat, beta_hat),
        diag(2 H^-1, Phi)) (theta-hat and beta-hat are asymptotically independent), with the
        same positive-definite check and redraw of theta.
        ``"bootstrap"``: refits on subjects resampled with replacement (within ``strata``),
        warm-started at theta_hat.
    strata : str, optional
        Bootstrap only: a subject-level column (e.g. ``"arm"``) to resample within, keeping
        each stratum's size (rbmi resamples within the treatment groups). None: no strata.
    n_jobs : int
        Bootstrap only: joblib workers (1: in this process).
    scheduler : str or distributed.Client, optional
        Bootstrap only: run on this Dask distributed cluster instead.

    Returns
    -------
    ParameterDraws
        ``beta`` (n, p), ``theta`` (n, k), ``sigma`` (n, G, v, v), ``n_redrawn``; iterating
        gives ``(beta, sigma)`` pairs.

    Examples
    --------
    >>> import irtrial
    >>> from irtrial.synthetic import ir_wrap_trial
    >>> fit = irtrial.mmrm(ir_wrap_trial(), df="satterthwaite")
    >>> d = draw_parameters(fit, 200, seed=1)
    >>> d.beta.shape, d.sigma.shape
    ((200, 13), (200, 1, 6, 6))
    >>> b = draw_parameters(fit, 3, seed=1, method="bootstrap", strata="arm")
    >>> len(b), b.method
    (3, 'bootstrap')
    """
    if not (isinstance(n, int | np.integer) and n >= 1):
        raise ModelSpecError(f"n must be a positive integer, not {n!r}")
    if method in ("asymptotic", "joint"):
        if strata is not None:
            raise ModelSpecError("strata= applies to method='bootstrap' only")
        return _draw_asymptotic(result, int(n), seed, joint=method == "joint")
    if method == "bootstrap":
        return _draw_bootstrap(result, int(n), seed, strata, n_jobs, scheduler)
    raise ModelSpecError(f"method={method!r} is not one of 'asymptotic', 'joint', 'bootstrap'")


# ---- simulation of responses ---------------------------------------------------------------
def _rows(result):
    """(X, w, subject codes, visit codes, group codes, y, data row positions) of the model rows
    (those of the MMRM when the result came from one, else the analysed rows)."""
    model = getattr(result, "_model", None)
    if model is not None:
        f = model._full
        return (f.X, f.w, f.subject_codes, f.visit_codes, f.group_codes, f.y, f.rows)
    pats = result.state.patterns
    n = sum(p.y.size for p in pats)
    p_dim = result.beta.size
    x = np.empty((n, p_dim))
    w, y = np.empty(n), np.empty(n)
    sc, vc, gc = (np.empty(n, dtype=np.int64) for _ in range(3))
    s0 = 0
    for pat in pats:
        rows = pat.rows.reshape(-1)
        x[rows] = pat.X.reshape(-1, p_dim)
        w[rows], y[rows] = pat.w.reshape(-1), pat.y.reshape(-1)
        m, t = pat.rows.shape
        sc[rows] = np.repeat(np.arange(s0, s0 + m), t)
        vc[rows] = np.tile(pat.visits, m)
        gc[rows] = pat.group
        s0 += m
    return x, w, sc, vc, gc, y, np.arange(n)


def _layout(sc, vc, gc, n_visits):
    """Per (group, set of visits with a row) pattern: (group, visits, (m, t) row matrix)."""
    from irtrial.mmrm.design import make_patterns

    n = len(sc)
    dummy = np.zeros((n, 1))
    pats = make_patterns(dummy, np.zeros(n), np.ones(n), sc, np.arange(int(sc.max()) + 1), vc,
                         gc, n_visits)
    return [(p.group, p.visits, p.rows) for p in pats]


def _marginal_draw(out, layout, mu, w, sigmas, rng, k):
    for g, visits, rows in layout:
        c = np.linalg.cholesky(sigmas[g][np.ix_(visits, visits)])
        m, t = rows.shape
        z = rng.standard_normal((k, m, t)) @ c.T  # (k, m, t)
        out[rows, :] = mu[rows][..., None] + np.moveaxis(z, 0, -1) / np.sqrt(w[rows])[..., None]


def simulate(result, n: int = 1, seed=None, method: str = "conditional", *,
             given_observed: bool = False, frame: bool = False):
    r"""New response vectors from a fitted MMRM, one column per simulation.

    Parameters
    ----------
    result : MMRMResult
    n : int
        Number of simulated response vectors.
    seed : int, SeedSequence or Generator, optional
    method : {"conditional", "marginal"}
        R mmrm's names: ``"conditional"`` uses the estimated (beta, Sigma);
        ``"marginal"`` draws (beta, Sigma) for each simulation from their asymptotic
        distribution (:func:`draw_parameters`, one SeedSequence each) before drawing y.
    given_observed : bool
        False (default): every model row is drawn, y* = X beta + e, e ~ N(0, Sigma_i) (the
        model's rows with a missing response included). True: as R mmrm's ``simulate()``,
        observed responses are kept and only the missing ones are drawn, from their
        conditional distribution given the subject's observed ones.
    frame : bool
        Return a DataFrame (index: the rows' positions in the data, columns ``sim_1`` ...) as
        R does, instead of an (n_rows, n) array.

    Returns
    -------
    (n_rows, n) array or DataFrame
        Rows in the model's row order (:attr:`MMRM.rows`, or the analysed rows of a result
        not made by :class:`MMRM`).

    Notes
    -----
    Weighted fits draw e_i ~ N(0, W_i^{-1/2} Sigma_i W_i^{-1/2}), the model's residual covariance.

    Examples
    --------
    >>> import irtrial
    >>> from irtrial.synthetic import ir_wrap_trial
    >>> fit = irtrial.mmrm(ir_wrap_trial(), df="satterthwaite")
    >>> simulate(fit, 5, seed=1).shape
    (234, 5)
    >>> simulate(fit, 2, seed=1, method="marginal", frame=True).columns.tolist()
    ['sim_1', 'sim_2']
    """
    if not (isinstance(n, int | np.integer) and n >= 1):
        raise ModelSpecError(f"n must be a positive integer, not {n!r}")
    if method not in ("conditional", "marginal"):
        raise ModelSpecError(f"method={method!r} is not one of 'conditional', 'marginal'")
    x, w, sc, vc, gc, y, positions = _rows(result)
    structure = result.state.structure
    n_groups = max(len(result.group_levels), 1)
    v = structure.n_visits
    out = np.empty((len(w), int(n)))
    if method == "conditional":
        params = [(result.beta, _sigmas(structure, result.theta, n_groups))]
        rngs = [np.random.default_rng(seed)]
        cols = [np.arange(n)]
    else:
        seeds = _seeds(seed, int(n) + 1)
        d = draw_parameters(result, int(n), seed=seeds[0])
        params = list(d)
        rngs = [np.random.default_rng(s) for s in seeds[1:]]
        cols = [np.array([i]) for i in range(int(n))]
    with single_blas_thread():
        if not given_observed:
            layout = _layout(sc, vc, gc, v)
            for (beta, sig), rng, cc in zip(params, rngs, cols, strict=True):
                sub = np.empty((len(w), len(cc)))
                _marginal_draw(sub, layout, x @ beta, w, sig, rng, len(cc))
                out[:, cc] = sub
        else:
            if np.any(w != 1.0):
                raise ModelSpecError("simulate(given_observed=True) is not available for a "
                                     "weighted fit")
            n_sub = int(sc.max()) + 1
            cell = sc * v + vc
            grid_y = np.full(n_sub * v, np.nan)
            grid_y[cell] = y
            groups = np.zeros(n_sub, dtype=np.int64)
            groups[sc] = gc
            for (beta, sig), rng, cc in zip(params, rngs, cols, strict=True):
                mean = np.zeros(n_sub * v)
                mean[cell] = x @ beta
                cn = conditional_normal(grid_y.reshape(n_sub, v), mean.reshape(n_sub, v), sig,
                                        group=groups)
                draws = cn.sample(rng, size=len(cc)).reshape(len(cc), -1)
                out[:, cc] = draws[:, cell].T
    if frame:
        return pd.DataFrame(out, index=positions,
                            columns=[f"sim_{i + 1}" for i in range(out.shape[1])])
    return out
