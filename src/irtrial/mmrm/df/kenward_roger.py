"""Kenward-Roger adjusted covariance and degrees of freedom (Kenward & Roger 1997).

With ``W`` the asymptotic covariance of theta-hat (``2 H^-1``, observed Hessian ``H`` of the
-2 REML log-likelihood) and ``P_i, Q_ij, R_ij`` as in :mod:`irtrial.mmrm._information`:

    Phi_A = Phi + 2 Phi { sum_ij W_ij (Q_ij - P_i Phi P_j - R_ij / 4) } Phi

``"kenward-roger"`` keeps ``R_ij`` (second derivatives of Sigma in SAS's reporting
parametrisation); ``"kenward-roger-linear"`` drops them. For SAS ``TYPE=UN`` (Sigma linear in
the UN(i,j)) both coincide and equal SAS ``DDFM=KR``; for nonlinear structures SAS ``DDFM=KR``
is ``"kenward-roger"`` and ``DDFM=KR(FIRSTORDER)`` (SE method "Prasad-Rao-Jeske-Kackar-Harville")
is ``"kenward-roger-linear"`` -- tested in ``tests/mmrm/test_kenward_roger.py``.

For a q-row contrast ``L``, with ``Theta = L' (L Phi L')^-1 L`` (the *unadjusted* Phi, as in
Kenward & Roger's expansion of E(F) and Var(F)):

    A1 = sum_ij W_ij tr(Theta Phi P_i Phi) tr(Theta Phi P_j Phi)
    A2 = sum_ij W_ij tr(Theta Phi P_i Phi Theta Phi P_j Phi)
    B = (A1 + 6 A2) / (2 q);  g = ((q + 1) A1 - (q + 4) A2) / ((q + 2) A2)
    c1 = g / (3q + 2(1 - g)); c2 = (q - g) / (3q + 2(1 - g)); c3 = (q + 2 - g) / (3q + 2(1 - g))
    E* = 1 / (1 - A2 / q);  V* = (2 / q) (1 + c1 B) / ((1 - c2 B)^2 (1 - c3 B))
    rho = V* / (2 E*^2);  m = 4 + (q + 2) / (q rho - 1);  lambda = m / (E* (m - 2))

and ``F* = lambda F ~ F(q, m)`` with ``F = (L b)' (L Phi_A L')^-1 (L b) / q``. For q = 1,
lambda = 1 and ``m = 2 (l' Phi l)^2 / (g' W g)``: the Satterthwaite df. This is what SAS
prints: its ``DDFM=KR`` and ``DDFM=KR(FIRSTORDER)`` df are identical for every structure and equal
the Satterthwaite df (``tests/mmrm/test_kenward_roger.py``); only the standard errors differ.
References: Kenward & Roger, Biometrics 1997;53:983-997; SAS/STAT PROC MIXED "DDFM=KENWARDROGER";
mmrm vignette "kenward".
"""

from __future__ import annotations

import numpy as np

from irtrial.errors import ModelSpecError
from irtrial.mmrm._information import get_information
from irtrial.mmrm._threads import single_blas_thread
from irtrial.mmrm._types import ModelState

__all__ = ["adjusted_vcov", "df_1d", "df_md", "kr_test"]


def adjusted_vcov(
    state: ModelState, linear: bool = False, information: str = "observed"
) -> np.ndarray:
    """``Phi_A``; ``linear=True`` drops the second-derivative terms R_ij (REML fits only).

    ``information="expected"`` takes W from the expected information (R pbkrtest's choice);
    the default, observed, is SAS's.
    """
    if state.method != "reml":
        raise ModelSpecError("Kenward-Roger needs a REML fit (method='reml'), as in SAS and R mmrm")
    info = get_information(state)
    w = _weights(info, information)
    phi = info.phi
    with single_blas_thread():
        q_w, r_w = info.kr_sums(w)
    wp = np.tensordot(w, info.p_mats, axes=(1, 0))  # sum_j W_ij P_j
    pp = np.einsum("iab,ibd->ad", info.p_mats @ phi, wp)  # sum_ij W_ij P_i Phi P_j
    mid = q_w - pp
    if not linear and not info.linear:
        mid = mid - r_w / 4.0
    phi_a = phi + 2.0 * phi @ mid @ phi
    return (phi_a + phi_a.T) / 2.0


def _weights(info, information: str) -> np.ndarray:
    if information not in ("observed", "expected"):
        raise ModelSpecError(f"information must be 'observed' or 'expected', not {information!r}")
    return info.theta_vcov if information == "observed" else info.expected_theta_vcov


def kr_test(
    state: ModelState, L: np.ndarray, cov: np.ndarray, information: str = "observed"
) -> tuple[float, float]:
    """(lambda, m) for the joint test of the rows of ``L`` (they depend on Phi, not ``cov``)."""
    info = get_information(state)
    L = np.atleast_2d(np.asarray(L, float))
    q = L.shape[0]
    w = _weights(info, information)
    theta = L.T @ np.linalg.solve(L @ info.phi @ L.T, L)  # (p, p)
    # M_i = Theta Phi P_i Phi
    k, p = info.p_mats.shape[:2]
    m_i = (theta @ info.phi) @ info.p_mats @ info.phi  # (k, p, p)
    tr = np.einsum("kaa->k", m_i)
    a1 = float(tr @ w @ tr)
    cross = m_i.reshape(k, p * p) @ m_i.transpose(0, 2, 1).reshape(k, p * p).T
    a2 = float(np.sum(w * cross))
    b = (a1 + 6.0 * a2) / (2.0 * q)
    g = ((q + 1) * a1 - (q + 4) * a2) / ((q + 2) * a2)
    den = 3 * q + 2 * (1 - g)
    c1, c2, c3 = g / den, (q - g) / den, (q + 2 - g) / den
    e_star = 1.0 / (1.0 - a2 / q)
    v_star = (2.0 / q) * (1 + c1 * b) / ((1 - c2 * b) ** 2 * (1 - c3 * b))
    rho = v_star / (2.0 * e_star**2)
    m = 4.0 + (q + 2.0) / (q * rho - 1.0)
    lam = m / (e_star * (m - 2.0))
    return float(lam), float(m)


def df_1d(state: ModelState, L: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """KR df of each row of ``L`` (``cov`` = the KR-adjusted covariance in use)."""
    L = np.atleast_2d(np.asarray(L, float))
    return np.array([kr_test(state, row[None, :], cov)[1] for row in L])


def df_md(state: ModelState, L: np.ndarray, cov: np.ndarray) -> tuple[float, float]:
    return kr_test(state, L, cov)
