"""Optimisation of the covariance parameters, with fallbacks.

1. Newton / Fisher scoring on theta (SAS's parametrisation) with the average-information matrix
   from :mod:`irtrial.mmrm.likelihood`, step halving to stay in the parameter space and to
   decrease -2 log L. This is what converges in a handful of iterations on trial data.
2. If that fails: scipy L-BFGS-B, then BFGS, on an unconstrained parametrisation (log-Cholesky
   for ``us``; log variances and logit-scaled correlations otherwise) with the analytic gradient
   (chain rule), each polished by Newton.
3. Each optimiser from each starting value (moment estimate from OLS residuals, then diagonal).
If nothing converges, :class:`~irtrial.errors.ConvergenceError` lists every attempt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy.linalg import lapack

from irtrial.errors import ConvergenceError
from irtrial.mmrm.control import FitControl
from irtrial.mmrm.likelihood import Evaluation, Likelihood

__all__ = ["FitOutcome", "optimize_theta", "start_values"]


@dataclass(frozen=True)
class FitOutcome:
    theta: np.ndarray
    evaluation: Evaluation
    n_iterations: int
    optimizer: str
    converged: bool
    messages: tuple[str, ...]


def _moment_sigmas(lik: Likelihood) -> np.ndarray:
    """(G, v, v) pairwise covariances of the OLS residuals per group, scaled by N / (N - p)."""
    s = lik.structure
    v = s.n_visits
    p = lik.p
    xtx = np.zeros((p, p))
    xty = np.zeros(p)
    for _, _, xs, ys, _ in lik._data:
        x2 = xs.reshape(-1, p)
        xtx += x2.T @ x2
        xty += x2.T @ ys.reshape(-1)
    beta = np.linalg.lstsq(xtx, xty, rcond=None)[0]
    sums = np.zeros((lik.n_groups, v * v))
    counts = np.zeros((lik.n_groups, v * v))
    for (_, g, xs, ys, _), flat in zip(lik._data, lik._flat, strict=True):
        r = ys - xs @ beta
        sums[g][flat] += (r.T @ r).reshape(-1)
        counts[g][flat] += r.shape[0]
    sig = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0).reshape(lik.n_groups, v, v)
    # degrees-of-freedom correction of the residual moments, N / (N - p), as the REML
    # variance estimator: a start nearer the optimum (about half an iteration fewer)
    if lik.n_obs > lik.p:
        sig *= lik.n_obs / (lik.n_obs - lik.p)
    for g in range(lik.n_groups):
        d = np.diag(sig[g]).copy()
        d[d <= 0] = np.mean(d[d > 0]) if np.any(d > 0) else 1.0
        sig[g][np.diag_indices(v)] = d
    return sig


def _diagonal_start(lik: Likelihood, sig: np.ndarray) -> np.ndarray:
    diag = [np.diag(np.diag(sg)) + 0.1 * np.mean(np.diag(sg)) for sg in sig]
    return lik.structure.start(diag)


def start_values(lik: Likelihood) -> list[np.ndarray]:
    """Moment starting values: OLS residuals -> pairwise covariance per group -> structure;
    then a diagonal start (the moment variances, inflated)."""
    sig = _moment_sigmas(lik)
    return [lik.structure.start(list(sig)), _diagonal_start(lik, sig)]


def _iter_starts(lik: Likelihood, control: FitControl):
    """The starts of :func:`start_values`, each computed only when the previous one failed."""
    if control.start is not None:
        yield np.asarray(control.start, float)
        return
    sig = _moment_sigmas(lik)
    yield lik.structure.start(list(sig))
    if control.n_starts >= 2:
        yield _diagonal_start(lik, sig)


def _converged(ev: Evaluation, theta: np.ndarray, control: FitControl) -> tuple[bool, float]:
    try:
        step = np.linalg.solve(ev.info, ev.grad)
        dec = float(ev.grad @ step)
    except np.linalg.LinAlgError:
        return False, np.inf
    gmax = float(np.max(np.abs(ev.grad) / (1.0 + np.abs(theta)))) if len(theta) else 0.0
    ok = abs(dec) < control.tol * (1.0 + abs(ev.value)) and gmax < control.grad_tol
    return ok, dec


def _converged_eig(ev: Evaluation, theta, control: FitControl, w, qg) -> bool:
    """:func:`_converged` from the eigendecomposition ``info = q diag(w) q'`` (qg = q' grad)."""
    if not np.all(np.isfinite(w)) or np.any(w == 0):
        return False
    dec = float(np.sum(qg * qg / w))
    gmax = float(np.max(np.abs(ev.grad) / (1.0 + np.abs(theta)))) if len(theta) else 0.0
    return abs(dec) < control.tol * (1.0 + abs(ev.value)) and gmax < control.grad_tol


def _cholesky_step(ev: Evaluation, theta, control: FitControl):
    """(H^-1 g, converged) by Cholesky when the information H is well conditioned (LAPACK's
    1-norm reciprocal condition estimate above 1e-6: for symmetric H, lambda_min / lambda_max
    >= rcond_1, so 100 times above the 1e-8 eigenvalue floor of the eigen step and both steps
    are the same); (None, False) otherwise. The former threshold 1e-4 sent half the Newton steps
    of very small trials (us, 21 parameters, 11 subjects) to the eigendecomposition."""
    h = ev.info
    if h.size == 0:
        return None, False
    c, bad = lapack.dpotrf(h, lower=1, clean=1)
    if bad != 0:
        return None, False
    rcond, bad = lapack.dpocon(c, float(np.abs(h).sum(axis=0).max()), uplo="L")
    if bad != 0 or not rcond > 1e-6:
        return None, False
    step = lapack.dpotrs(c, ev.grad, lower=1)[0]
    dec = float(ev.grad @ step)
    gmax = float(np.max(np.abs(ev.grad) / (1.0 + np.abs(theta))))
    ok = abs(dec) < control.tol * (1.0 + abs(ev.value)) and gmax < control.grad_tol
    return step, ok


def _newton(lik: Likelihood, theta: np.ndarray, control: FitControl):
    s = lik.structure
    ev = lik.evaluate(theta, 2)
    if ev is None:
        return None, theta, 0, "start value is outside the parameter space"
    for it in range(1, control.max_iter + 1):
        step, ok = _cholesky_step(ev, theta, control)
        if step is None:
            # one eigendecomposition of the information serves the convergence test (the
            # Newton decrement g' H^-1 g) and the step
            w, q = np.linalg.eigh(ev.info)
            qg = q.T @ ev.grad
            ok = _converged_eig(ev, theta, control, w, qg)
            # relative floor only: an absolute one (the former max(..., 1e-12)) swamps every
            # eigenvalue when the outcome is on a large scale (info ~ 1/variance^2 ~ 1e-24)
            floor = 1e-8 * float(np.max(np.abs(w), initial=0.0)) or np.finfo(float).tiny
            step = q @ (qg / np.maximum(w, floor))
        if ok:
            return ev, theta, it - 1, ""
        alpha = 1.0
        accepted = False
        while alpha > 1e-10:
            new = theta - alpha * step
            if s.valid(new):
                ev_new = lik.evaluate(new, 2)
                if ev_new is not None and ev_new.value <= ev.value + 1e-10 * (1 + abs(ev.value)):
                    accepted = True
                    break
            alpha *= 0.5
        if not accepted:
            ok, dec = _converged(ev, theta, control)
            # a flat criterion at machine precision counts as converged
            if ok or (abs(dec) < 1e3 * control.tol * (1 + abs(ev.value))):
                return ev, theta, it, ""
            return None, theta, it, f"Newton: no descent step at iteration {it}"
        theta, ev = new, ev_new
    ok, _ = _converged(ev, theta, control)
    if ok:
        return ev, theta, control.max_iter, ""
    return None, theta, control.max_iter, f"Newton: no convergence in {control.max_iter} iterations"


def _scipy(lik: Likelihood, theta: np.ndarray, method: str, control: FitControl):
    s = lik.structure
    phi0 = s.to_unconstrained(theta)

    def jac_map(phi):
        # d theta / d phi: analytic where the structure gives it (us: log-Cholesky), else by
        # central differences of the cheap parameter map
        jac = s.jacobian_unconstrained(phi)
        if jac is not None:
            return jac
        k = len(phi)
        out = np.empty((k, k))
        for j in range(k):
            hj = 1e-6 * max(1.0, abs(phi[j]))
            e = np.zeros(k)
            e[j] = hj
            out[:, j] = (s.from_unconstrained(phi + e) - s.from_unconstrained(phi - e)) / (2 * hj)
        return out

    def fun(phi):
        th = s.from_unconstrained(phi)
        ev = lik.evaluate(th, 1)
        if ev is None:
            return 1e100, np.zeros_like(phi)
        return ev.value, jac_map(phi).T @ ev.grad

    res = optimize.minimize(
        fun,
        phi0,
        jac=True,
        method="L-BFGS-B" if method == "l-bfgs-b" else "BFGS",
        options={"maxiter": 20 * control.max_iter},
    )
    theta_new = s.from_unconstrained(res.x)
    ev, theta_new, it, msg = _newton(lik, theta_new, control)
    return ev, theta_new, int(res.nit) + it, msg or ("" if ev is not None else res.message)


def optimize_theta(lik: Likelihood, control: FitControl | None = None) -> FitOutcome:
    """Minimise -2 log L over theta with the fallbacks of ``control``."""
    control = control or FitControl()
    messages = []
    for i, theta0 in enumerate(_iter_starts(lik, control)):
        for opt in control.optimizers:
            if opt == "newton":
                ev, theta, it, msg = _newton(lik, theta0, control)
            else:
                try:
                    ev, theta, it, msg = _scipy(lik, theta0, opt, control)
                except (ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
                    ev, theta, it, msg = None, theta0, 0, f"{opt}: {exc}"
            if ev is not None:
                return FitOutcome(
                    theta=theta,
                    evaluation=ev,
                    n_iterations=it,
                    optimizer=opt,
                    converged=True,
                    messages=tuple(messages),
                )
            messages.append(f"start {i + 1}, {opt}: {msg}")
    raise ConvergenceError(
        f"the {lik.structure.name!r} covariance model did not converge; attempts:\n  - "
        + "\n  - ".join(messages)
        + "\nTry a simpler covariance structure (e.g. 'toeph', 'ar1h', 'cs'), fewer visits, "
        "or check for visits with very few subjects."
    )
