"""REML / ML criterion of the MMRM, its analytic gradient and average-information matrix.

Model
-----
For subject i with observed visits s_i,

    y_i = X_i beta + e_i,    e_i ~ N(0, R_i),    R_i = W_i^{-1/2} Sigma_g[s_i, s_i] W_i^{-1/2},

Sigma_g the (v, v) covariance of the subject's group (one group without ``group=``) and W_i the
diagonal observation weights (SAS ``WEIGHT``; identity when unweighted). With V = diag(R_i),
beta(theta) = (X' V^-1 X)^-1 X' V^-1 y and r = y - X beta(theta), the criteria are (SAS's
"-2 Res Log Likelihood" and "-2 Log Likelihood")

    -2 l_R(theta) = (N - p) log 2 pi + sum_i log|R_i| + log|X' V^-1 X| + r' V^-1 r
    -2 l_ML(theta) = N log 2 pi + sum_i log|R_i| + r' V^-1 r.

Computation
-----------
Subjects sharing a missing-data pattern (and group) share Sigma[s, s]: one Cholesky per pattern,
then batched matrix products over its subjects. No N x N matrix is ever formed.
The gradient of -2 l is ``tr(dSigma_k G)`` with G accumulated per pattern from
``m S^-1 - S^-1 (sum_i r_i r_i' + sum_i X_i B X_i') S^-1`` (the X-term only for REML), and the
average information ``AI_kl = u' dV_k P dV_l u`` (u = V^-1 r, P the REML projection) serves as
the Hessian of the Newton / Fisher-scoring steps (Gilmour, Thompson & Cullis 1995).

SAS: ``PROC MIXED METHOD=REML; REPEATED AVISIT / SUBJECT=USUBJID TYPE=UN;``.
R: ``mmrm::mmrm(FEV1 ~ ... + us(AVISIT | USUBJID), reml = TRUE)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg
from scipy.linalg import lapack

from irtrial.mmrm._types import CovarianceStructure, Pattern

__all__ = ["Likelihood", "Evaluation"]

_LOG2PI = float(np.log(2 * np.pi))


@dataclass(frozen=True)
class Evaluation:
    """The criterion and its derivatives at one theta.

    Attributes
    ----------
    value : float
        -2 log-likelihood (REML or ML).
    beta : (p,) array
        GLS estimate at theta.
    xtvx_inv : (p, p) array
        (X' V^-1 X)^-1, the asymptotic covariance of beta given theta.
    grad : (k,) array or None
        Gradient of ``value`` in theta.
    info : (k, k) array or None
        Average-information matrix (Hessian approximation of ``value``).
    """

    value: float
    beta: np.ndarray
    xtvx_inv: np.ndarray
    grad: np.ndarray | None = None
    info: np.ndarray | None = None


class Likelihood:
    """The -2 log-likelihood of an MMRM as a function of the covariance parameters theta.

    Parameters
    ----------
    patterns : tuple of Pattern
    structure : CovarianceStructure
    method : {"reml", "ml"}
    """

    def __init__(self, patterns: tuple[Pattern, ...], structure: CovarianceStructure, method: str):
        if method not in ("reml", "ml"):
            raise ValueError("method must be 'reml' or 'ml'")
        self.patterns = patterns
        self.structure = structure
        self.method = method
        self.reml = method == "reml"
        self.p = patterns[0].X.shape[2]
        self.n_obs = int(sum(pt.y.size for pt in patterns))
        self._data = []
        log_w = 0.0
        for pt in patterns:
            if np.all(pt.w == 1.0):
                xs, ys = pt.X, pt.y
            else:
                sw = np.sqrt(pt.w)
                xs, ys = pt.X * sw[:, :, None], pt.y * sw
                log_w += float(np.log(pt.w).sum())
            # (t, m, p) layout: every per-pattern product below is one BLAS call
            self._data.append(
                (pt.visits, pt.group, xs, ys, np.ascontiguousarray(xs.transpose(1, 0, 2)))
            )
        n_eff = self.n_obs - self.p if self.reml else self.n_obs
        self.constant = n_eff * _LOG2PI - log_w
        self.n_groups = int(getattr(structure, "n_groups", 1))
        v = structure.n_visits
        # flat positions of each pattern's Sigma[visits, visits] in a raveled (v, v) matrix
        self._flat = [(vis[:, None] * v + vis[None, :]).reshape(-1) for vis, *_ in self._data]
        self._slices = self._group_slices()
        self._eyes: dict[int, np.ndarray] = {}
        # Sigma linear in theta (us): the derivatives do not depend on theta, compute them once
        self._dsig_const = None
        if getattr(structure, "linear", False):
            self._dsig_const = [self._dsigma_group(np.zeros(structure.n_theta), g)
                                for g in range(self.n_groups)]

    # ------------------------------------------------------------------------------------------
    def _eye(self, n: int) -> np.ndarray:
        eye = self._eyes.get(n)
        if eye is None:
            eye = self._eyes[n] = np.eye(n)
        return eye

    def _group_slices(self) -> list[slice]:
        s = self.structure
        if hasattr(s, "group_slice"):
            return [s.group_slice(g) for g in range(self.n_groups)]
        return [slice(0, s.n_theta)] * self.n_groups

    def _dsigma_group(self, theta: np.ndarray, g: int) -> np.ndarray:
        s = self.structure
        if hasattr(s, "dsigma_group"):
            return s.dsigma_group(theta, g)
        return s.dsigma(theta, g)[self._group_slices()[g]]

    def evaluate(self, theta: np.ndarray, order: int = 0) -> Evaluation | None:
        """Criterion (order 0), plus gradient (1), plus average information (2).

        Returns None when Sigma is not positive definite at theta (outside the space).
        """
        theta = np.asarray(theta, dtype=float)
        p = self.p
        v = self.structure.n_visits
        sigmas = [self.structure.sigma(theta, g).reshape(-1) for g in range(self.n_groups)]
        xtvx = np.zeros((p, p))
        xtvy = np.zeros(p)
        logdet = 0.0
        cache = []
        # LAPACK directly: the scipy wrappers cost more than these tiny factorisations
        potrf, potrs = lapack.dpotrf, lapack.dpotrs
        for (_visits, g, _xs, ys, xt), flat in zip(self._data, self._flat, strict=True):
            m, t = ys.shape
            s = sigmas[g].take(flat).reshape(t, t)
            chol, bad = potrf(s, lower=1, clean=1)
            d = chol.diagonal()
            if bad != 0 or not (d.min() > 0 and np.isfinite(d).all()):
                return None
            logdet += m * 2.0 * float(np.log(d).sum())
            sinv = potrs(chol, self._eye(t), lower=1)[0]
            xt2 = xt.reshape(t, m * p)
            a = (sinv @ xt2).reshape(t * m, p)  # rows (visit, subject): S^-1 X_i
            xtvx += a.T @ xt.reshape(t * m, p)
            xtvy += a.T @ ys.T.reshape(-1)
            cache.append((sinv, a))
        cx, bad = potrf(xtvx, lower=1, clean=1)
        dx = cx.diagonal()
        if bad != 0 or not (dx.min() > 0 and np.isfinite(dx).all()):
            return None
        beta = potrs(cx, xtvy, lower=1)[0]
        b = potrs(cx, self._eye(p), lower=1)[0]
        value = self.constant + logdet
        if self.reml:
            value += 2.0 * float(np.log(dx).sum())
        quad = 0.0
        slices = self._slices
        k = self.structure.n_theta
        gmats = [np.zeros(v * v) for _ in range(self.n_groups)] if order >= 1 else None
        if order >= 2:
            if self._dsig_const is not None:
                dsig = self._dsig_const
            else:
                dsig = [self._dsigma_group(theta, g) for g in range(self.n_groups)]
            dsig = [dg.reshape(dg.shape[0], v * v) for dg in dsig]
            t1 = np.zeros((k, k))
            h = np.zeros((k, p))
        for (_visits, g, xs, ys, xt), (sinv, a), flat in zip(self._data, cache, self._flat,
                                                              strict=True):
            m, t = ys.shape
            r = ys - xs @ beta  # (m, t)
            u = r @ sinv
            quad += float(np.sum(r * u))
            if order >= 1:
                inner = r.T @ r
                if self.reml:
                    xb = (xt.reshape(t * m, p) @ b).reshape(t, m * p)
                    inner = inner + xb @ xt.reshape(t, m * p).T  # sum_i X_i B X_i'
                q = m * sinv - sinv @ inner @ sinv
                gmats[g][flat] += q.reshape(-1)
            if order >= 2:
                sl = slices[g]
                dk = dsig[g].take(flat, axis=1)  # (kg, t*t): dSigma_k[visits, visits]
                # sum_i u_i' D_k S^-1 D_l u_i = tr(D_k S^-1 D_l U), U = sum_i u_i u_i':
                # M[(a,b),(c,d)] = S^-1[b,c] U[d,a], so the cost does not grow with m
                uu = u.T @ u
                mk = (sinv[None, :, :, None] * uu.T[:, None, None, :]).reshape(t * t, t * t)
                t1[sl, sl] += dk @ mk @ dk.T
                if self.reml:
                    # sum_i X_i' S^-1 D_k u_i = sum_cd D_k[c,d] W[c,d,:],
                    # W[c,d,:] = sum_i (S^-1 X_i)[c,:] u_i[d]
                    w = np.matmul(a.reshape(t, m, p).transpose(0, 2, 1), u)  # (t, p, t)
                    h[sl] += dk @ w.transpose(0, 2, 1).reshape(t * t, p)
        value += quad
        grad = info = None
        if order >= 1:
            grad = np.zeros(k)
            for g in range(self.n_groups):
                if order >= 2:
                    dg = dsig[g]
                elif self._dsig_const is not None:
                    dg = self._dsig_const[g].reshape(-1, v * v)
                else:
                    dg = self._dsigma_group(theta, g).reshape(-1, v * v)
                grad[slices[g]] += dg @ gmats[g]
        if order >= 2:
            info = t1 - h @ b @ h.T if self.reml else t1
            info = 0.5 * (info + info.T)
        return Evaluation(value=float(value), beta=beta, xtvx_inv=b, grad=grad, info=info)

    def reml_information(self, theta: np.ndarray):
        """(phi, P, H) at theta for REML with Sigma linear in theta (``us``, ``cs``, ``toep``).

        ``phi = (X'V^-1X)^-1``, ``P[k] = X'V^-1 D_k V^-1 X`` and the observed Hessian of
        -2 l_R, ``H_kl = -tr(P D_k P D_l) + 2 y'P D_k P D_l P y`` (P the REML projection,
        D_k = dV/dtheta_k constant), computed per pattern from t x t moments:
        ``tr(P D_k P D_l) = sum_pat tr(D_k S^-1 D_l (m S^-1 - 2 S^-1 C S^-1)) + tr(phi P_k phi
        P_l)`` with ``C = sum_i X_i phi X_i'``. The same numbers as
        :func:`irtrial.mmrm._information.information` (tested), in fewer steps: the refit path
        uses it for Satterthwaite df. None outside the parameter space.
        """
        if not (self.reml and self._dsig_const is not None):
            raise ValueError("reml_information needs REML and a covariance linear in theta")
        theta = np.asarray(theta, dtype=float)
        p = self.p
        v = self.structure.n_visits
        k = self.structure.n_theta
        sigmas = [self.structure.sigma(theta, g).reshape(-1) for g in range(self.n_groups)]
        xtvx = np.zeros((p, p))
        xtvy = np.zeros(p)
        cache = []
        for (_visits, g, _xs, ys, xt), flat in zip(self._data, self._flat, strict=True):
            m, t = ys.shape
            s = sigmas[g].take(flat).reshape(t, t)
            try:
                chol = linalg.cholesky(s, lower=True, check_finite=False)
            except (linalg.LinAlgError, ValueError):
                return None
            sinv = linalg.cho_solve((chol, True), np.eye(t), check_finite=False)
            a = (sinv @ xt.reshape(t, m * p)).reshape(t * m, p)
            xtvx += a.T @ xt.reshape(t * m, p)
            xtvy += a.T @ ys.T.reshape(-1)
            cache.append((sinv, a))
        try:
            cx = linalg.cho_factor(xtvx, lower=True, check_finite=False)
        except (linalg.LinAlgError, ValueError):
            return None
        beta = linalg.cho_solve(cx, xtvy, check_finite=False)
        b = linalg.cho_solve(cx, np.eye(p), check_finite=False)
        dsig = [dg.reshape(dg.shape[0], v * v) for dg in self._dsig_const]
        info = np.zeros((k, k))
        trace = np.zeros((k, k))
        h = np.zeros((k, p))
        p_mats = np.zeros((k, p * p))
        for (_visits, g, xs, ys, xt), (sinv, a), flat in zip(self._data, cache, self._flat,
                                                              strict=True):
            m, t = ys.shape
            sl = self._slices[g]
            dk = dsig[g].take(flat, axis=1)  # (kg, t*t)
            u = (ys - xs @ beta) @ sinv  # (m, t): V^-1 r = P y
            xb = (xt.reshape(t * m, p) @ b).reshape(t, m * p)
            c = xb @ xt.reshape(t, m * p).T  # sum_i X_i phi X_i'
            bm = m * sinv - 2.0 * sinv @ c @ sinv
            si4 = sinv[None, :, :, None]
            mk_u = (si4 * (u.T @ u).T[:, None, None, :]).reshape(t * t, t * t)
            mk_b = (si4 * bm.T[:, None, None, :]).reshape(t * t, t * t)
            info[sl, sl] += dk @ mk_u @ dk.T
            trace[sl, sl] += dk @ mk_b @ dk.T
            a3 = a.reshape(t, m, p)
            w = (a3.transpose(0, 2, 1).reshape(t * p, m) @ u)
            h[sl] += dk @ w.reshape(t, p, t).transpose(0, 2, 1).reshape(t * t, p)
            a2 = a3.transpose(1, 0, 2).reshape(m, t * p)
            ga = (a2.T @ a2).reshape(t, p, t, p).transpose(0, 2, 1, 3).reshape(t * t, p * p)
            p_mats[sl] += dk @ ga
        p_mats = p_mats.reshape(k, p, p)
        info -= h @ b @ h.T
        mp = b @ p_mats  # (k, p, p): phi P_k
        trace += mp.reshape(k, -1) @ mp.transpose(0, 2, 1).reshape(k, -1).T
        hess = 2.0 * info - trace
        return b, p_mats, 0.5 * (hess + hess.T)

    def value(self, theta: np.ndarray) -> float:
        ev = self.evaluate(theta, 0)
        return np.inf if ev is None else ev.value

    def hessian(self, theta: np.ndarray, rel_step: float = 1e-5) -> np.ndarray:
        """Observed Hessian of -2 l in theta: central differences of the analytic gradient."""
        theta = np.asarray(theta, dtype=float)
        k = len(theta)
        out = np.empty((k, k))
        for j in range(k):
            hj = rel_step * max(abs(theta[j]), 1e-2)
            e = np.zeros(k)
            e[j] = hj
            up = self.evaluate(theta + e, 1)
            dn = self.evaluate(theta - e, 1)
            if up is None or dn is None:  # at the boundary: one-sided
                base = self.evaluate(theta, 1)
                if up is not None:
                    out[:, j] = (up.grad - base.grad) / hj
                elif dn is not None:
                    out[:, j] = (base.grad - dn.grad) / hj
                else:
                    out[:, j] = np.nan
                continue
            out[:, j] = (up.grad - dn.grad) / (2 * hj)
        return 0.5 * (out + out.T)
