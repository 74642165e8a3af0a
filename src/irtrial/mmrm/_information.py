"""Pattern-wise building blocks of MMRM inference: Phi, P_i, the information of theta, KR sums.

Notation (Kenward & Roger 1997; SAS PROC MIXED "Kenward-Roger"; mmrm vignette "kenward"):
``V`` is the block-diagonal residual covariance, ``V_i = dV/dtheta_i``, ``V_ij`` the second
derivatives, ``Phi = (X' V^-1 X)^-1`` the asymptotic covariance of beta-hat and

    P_i  = X' V^-1 V_i V^-1 X
    Q_ij = X' V^-1 V_i V^-1 V_j V^-1 X
    R_ij = X' V^-1 V_ij V^-1 X

Everything is summed over missing-data patterns: subjects in a pattern share
``Sigma_s = Sigma[visits, visits]``; observation weights enter by scaling the rows of X and the
residuals by ``sqrt(w)`` (``V^-1 = W^1/2 Sigma_s^-1 W^1/2``), so no N x N matrix is ever built.
Per pattern only t x t matrices and the cross products ``G = sum_m x_m x_m'`` (t, t, p, p) are kept.

The Hessian of the -2 (restricted) log-likelihood with respect to theta is computed analytically
(observed, not expected, information). This is what SAS uses by default for both
DDFM=SATTERTHWAITE and DDFM=KR: it reproduces SAS's KR standard errors and df on fev_data for
every structure (``tests/mmrm/test_kenward_roger.py``), whereas the expected information gives
df 170.9 / 220.5 instead of SAS's 160.73 / 188.47 for the ``us`` / ``ar1`` treatment contrast.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from irtrial.errors import SingularDesignError
from irtrial.mmrm._threads import single_blas_thread
from irtrial.mmrm._types import ModelState

__all__ = ["Information", "LightInformation", "information", "get_information",
           "get_light_information"]

_CACHE: dict[int, tuple[weakref.ref, Information]] = {}


@dataclass(frozen=True)
class _Block:
    """Per-pattern pieces (weights already folded into X and r)."""

    m: int
    si: np.ndarray  # (t, t) Sigma_s^-1
    d: np.ndarray  # (k, t, t) dSigma_s
    d2: np.ndarray | None  # (k, k, t, t) d2Sigma_s, None when Sigma is linear in theta
    xs: np.ndarray  # (m, t, p) sqrt(w) X
    rs: np.ndarray  # (m, t) sqrt(w) (y - X beta)
    g: np.ndarray  # (t*t, p*p) sum_m x_mt x_mu'
    active: np.ndarray  # indices of the theta that move this pattern's Sigma_s

    @cached_property
    def a(self) -> np.ndarray:
        """(k, t, t) Sigma^-1 dSigma_i Sigma^-1."""
        return self.si @ self.d @ self.si


@dataclass(frozen=True)
class Information:
    """Inference building blocks at the fitted (theta, beta) of a :class:`ModelState`.

    Attributes
    ----------
    phi : (p, p) array
        ``(X' V^-1 X)^-1``, the model-based covariance of beta-hat.
    p_mats : (k, p, p) array
        ``P_i`` (so that ``dPhi/dtheta_i = Phi P_i Phi``).
    hessian : (k, k) array
        Observed Hessian of the -2 log-likelihood (REML or ML, as fitted) w.r.t. theta.
    theta_vcov : (k, k) array
        Asymptotic covariance of theta-hat, ``2 * hessian^-1``.
    gradient : (k,) array
        Gradient of the -2 log-likelihood w.r.t. theta (zero at the optimum; used by tests).
    linear : bool
        True when Sigma is linear in theta (all R_ij vanish), as for SAS's UN.
    """

    phi: np.ndarray
    p_mats: np.ndarray
    hessian: np.ndarray
    gradient: np.ndarray
    linear: bool
    blocks: tuple[_Block, ...] = field(repr=False)

    @cached_property
    def theta_vcov(self) -> np.ndarray:
        return 2.0 * _inv_sym(self.hessian)

    def kr_sums(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``sum_ij W_ij Q_ij`` and ``sum_ij W_ij R_ij`` for a (k, k) weight matrix W."""
        p = self.phi.shape[0]
        q = np.zeros(p * p)
        r = np.zeros(p * p)
        for b in self.blocks:
            if b.active.size == 0:
                continue
            w = weights[np.ix_(b.active, b.active)]
            ds = b.d @ b.si  # (ka, t, t) dSigma_i Sigma^-1
            wd = np.tensordot(w, b.d, axes=(1, 0))  # sum_j W_ij dSigma_j
            e = np.einsum("itu,iuv->tv", ds, wd)  # sum_ij W_ij dSigma_i Sigma^-1 dSigma_j
            q += (b.si @ e @ b.si).reshape(-1) @ b.g
            if b.d2 is not None:
                f = np.tensordot(w, b.d2, axes=([0, 1], [0, 1]))
                r += (b.si @ f @ b.si).reshape(-1) @ b.g
        return q.reshape(p, p), r.reshape(p, p)

    @cached_property
    def expected_theta_vcov(self) -> np.ndarray:
        """``2 E[H]^-1`` from the expected REML information ``tr(P V_i P V_j)`` (as R pbkrtest;
        SAS and the df methods here use the observed :attr:`theta_vcov`)."""
        k = self.hessian.shape[0]
        phi_flat = self.phi.reshape(-1)
        h = np.zeros((k, k))
        with single_blas_thread():
            for b in self.blocks:
                act, t = b.active, b.si.shape[0]
                if act.size == 0:
                    continue
                d_flat = b.d.reshape(act.size, t * t)
                a_tr = b.a.transpose(0, 2, 1).reshape(act.size, t * t)
                c_phi = (b.g @ phi_flat).reshape(t, t)
                n = b.a @ (c_phi @ b.si)
                h[np.ix_(act, act)] += b.m * (d_flat @ a_tr.T) - 2.0 * (
                    d_flat @ n.transpose(0, 2, 1).reshape(act.size, t * t).T
                )
            mp = self.phi @ self.p_mats
            h += mp.reshape(k, -1) @ mp.transpose(0, 2, 1).reshape(k, -1).T
        return 2.0 * _inv_sym((h + h.T) / 2.0)

    def scores(self) -> list[np.ndarray]:
        """Per-pattern (m, p) arrays of subject scores ``X_s' V_s^-1 r_s``."""
        return [np.einsum("mtp,tu,mu->mp", b.xs, b.si, b.rs, optimize=True) for b in self.blocks]


def _inv_sym(a: np.ndarray) -> np.ndarray:
    inv = np.linalg.inv(a)
    return (inv + inv.T) / 2.0


def get_information(state: ModelState) -> Information:
    """:func:`information` cached per state object (a state is immutable)."""
    hit = _CACHE.get(id(state))
    if hit is not None and hit[0]() is state:
        return hit[1]
    info = information(state)
    for key in [k for k, (ref, _) in _CACHE.items() if ref() is None]:
        del _CACHE[key]
    _CACHE[id(state)] = (weakref.ref(state), info)
    return info


@dataclass(frozen=True)
class LightInformation:
    """What the asymptotic covariance and the Satterthwaite df need: ``phi``, ``p_mats``,
    ``theta_vcov`` (as :class:`Information`), without the per-pattern blocks of Kenward-Roger
    and the sandwich."""

    phi: np.ndarray
    p_mats: np.ndarray
    theta_vcov: np.ndarray


_LIGHT: dict[int, tuple[weakref.ref, LightInformation]] = {}


def get_light_information(state: ModelState) -> LightInformation:
    """``phi, p_mats, theta_vcov`` of a fitted state, cached per state.

    The full :func:`get_information` when it was already computed (or when the fit is ML or
    Sigma is not linear in theta); otherwise the engine's
    :meth:`irtrial.mmrm.likelihood.Likelihood.reml_information` (REML, Sigma linear in theta:
    ``us``, ``cs``, ``toep``), the same numbers from t x t moments in fewer steps (bcva: 35 ms
    instead of 50 ms).
    """
    hit = _CACHE.get(id(state))
    if hit is not None and hit[0]() is state:
        return hit[1]
    hit = _LIGHT.get(id(state))
    if hit is not None and hit[0]() is state:
        return hit[1]
    light = None
    if state.method == "reml" and getattr(state.structure, "linear", False):
        from irtrial.mmrm.likelihood import Likelihood

        with single_blas_thread():
            lik = Likelihood(state.patterns, state.structure, "reml")
            out = lik.reml_information(np.asarray(state.theta, dtype=float))
        if out is not None:
            phi, p_mats, hess = out
            light = LightInformation(phi=phi, p_mats=p_mats, theta_vcov=2.0 * _inv_sym(hess))
    if light is None:
        return get_information(state)
    for key in [k for k, (ref, _) in _LIGHT.items() if ref() is None]:
        del _LIGHT[key]
    _LIGHT[id(state)] = (weakref.ref(state), light)
    return light


def information(state: ModelState) -> Information:
    """Compute :class:`Information` for a fitted model (two passes over the patterns).

    The per-pattern products are small; they run on one BLAS thread (see ``_threads``).
    """
    with single_blas_thread():
        return _information(state)


def _information(state: ModelState) -> Information:
    structure = state.structure
    theta = np.asarray(state.theta, dtype=float)
    k = structure.n_theta
    groups = sorted({pat.group for pat in state.patterns})
    sig = {g: structure.sigma(theta, g) for g in groups}
    dsig = {g: structure.dsigma(theta, g) for g in groups}
    d2sig = {g: structure.d2sigma(theta, g) for g in groups}
    linear = all(not np.any(d2sig[g]) for g in groups)

    p = state.patterns[0].X.shape[2]
    xtvx = np.zeros((p, p))
    blocks = []
    for pat in state.patterns:
        v = pat.visits
        sw = np.sqrt(pat.w)
        xs = pat.X * sw[:, :, None]
        rs = (pat.y - pat.X @ state.beta) * sw
        si = _inv_sym(sig[pat.group][v][:, v])
        m, t, _ = xs.shape
        xf = xs.reshape(m, t * p)
        # g[(t, u), (p, q)] = sum_m x_mtp x_muq, flattened for BLAS contractions
        g = (xf.T @ xf).reshape(t, p, t, p).transpose(0, 2, 1, 3).reshape(t * t, p * p)
        d_all = dsig[pat.group][:, v][:, :, v]
        active = np.flatnonzero(np.abs(d_all).reshape(k, -1).max(axis=1) > 0)
        d2 = None
        if not linear:
            d2 = d2sig[pat.group][np.ix_(active, active)][:, :, v][:, :, :, v]
        blocks.append(_Block(m=m, si=si, d=d_all[active], d2=d2, xs=xs, rs=rs, g=g,
                             active=active))
        xtvx += (si.reshape(1, -1) @ g).reshape(p, p)

    try:
        phi = _inv_sym(xtvx)
    except np.linalg.LinAlgError as exc:  # pragma: no cover - the engine checks rank first
        raise SingularDesignError(
            "X' V^-1 X is singular: the fixed effects are not estimable."
        ) from exc

    reml = state.method == "reml"
    p_mats = np.zeros((k, p * p))
    hess = np.zeros((k, k))
    grad = np.zeros(k)
    u = np.zeros((k, p))
    phi_flat = phi.reshape(-1)
    for b in blocks:
        act, a, t = b.active, b.a, b.si.shape[0]
        ka = act.size
        if ka == 0:
            continue
        a_flat = a.reshape(ka, t * t)
        d_flat = b.d.reshape(ka, t * t)
        p_mats[act] += a_flat @ b.g
        c = b.rs.T @ b.rs  # (t, t) sum_m r r'
        c_phi = (b.g @ phi_flat).reshape(t, t) if reml else np.zeros((t, t))
        # tr(Sigma^-1 D_i Sigma^-1 D_j) = sum_tu D_i[t, u] a_j[u, t]
        a_tr = a.transpose(0, 2, 1).reshape(ka, t * t)
        h = -b.m * (d_flat @ a_tr.T)
        # 2 tr(Sigma^-1 D_i Sigma^-1 D_j Sigma^-1 (C_r + C_phi)) = 2 tr(D_i a_j (C) Sigma^-1)
        n = a @ ((c + c_phi) @ b.si)  # (ka, t, t)
        h += 2.0 * (d_flat @ n.transpose(0, 2, 1).reshape(ka, t * t).T)
        grad[act] += b.m * (d_flat @ b.si.T.reshape(-1)) - a_flat @ c.T.reshape(-1)
        # hr[(t, u), p] = sum_m x_mtp r_mu, as one GEMM
        hr = (b.xs.transpose(1, 2, 0).reshape(t * p, b.m) @ b.rs).reshape(t, p, t)
        u[act] += a_flat @ hr.transpose(0, 2, 1).reshape(t * t, p)
        if b.d2 is not None:
            d2_flat = b.d2.reshape(ka * ka, t * t)
            f = (b.m * b.si - b.si @ (c + c_phi) @ b.si).T.reshape(-1)
            h += (d2_flat @ f).reshape(ka, ka)
        hess[np.ix_(act, act)] += h
    p_mats = p_mats.reshape(k, p, p)
    hess -= 2.0 * u @ phi @ u.T
    if reml:
        mp = phi @ p_mats  # (k, p, p)
        hess -= mp.reshape(k, -1) @ mp.transpose(0, 2, 1).reshape(k, -1).T
        grad -= np.einsum("ipp->i", mp)
    hess = (hess + hess.T) / 2.0
    return Information(
        phi=phi, p_mats=p_mats, hessian=hess, gradient=grad, linear=linear, blocks=tuple(blocks)
    )
