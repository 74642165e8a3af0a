"""Estimability of linear functions of the fixed effects of a rank-deficient MMRM.

With ``FitControl(accept_singular=True)`` the columns of X that are linear combinations of
earlier ones are dropped (R's and SAS's order) and the fit uses the remaining ones. A linear
function ``l' beta`` written over the *full* coding (all columns, aliased ones included) is
estimable iff ``l' N = 0`` for a basis ``N`` of the null space of the full X (equivalently,
``l`` lies in the row space of X). Only then does ``l' beta`` not depend on which columns were
dropped, and only then is it reported; otherwise the estimate is not defined.

``N`` is built once per fit from the cross-product ``X'X`` of the full design (p x p, never
N x N): each aliased column ``j`` satisfies ``x_j = X_K b_j`` with ``X_K`` the kept columns before
it, so ``e_j - b_j`` (embedded) is a null vector; these vectors, one per aliased column, span the
null space and are orthonormalised. A row ``l`` is estimable when
``||l' N||^2 <= tol * ||l||^2`` with ``tol = 1e-8``, emmeans' rule.

SAS: "Non-est" in the LSMEANS/ESTIMATE tables (its estimable functions, ``E`` option).
R: ``estimability::nonest.basis`` and ``estimability::is.estble`` (emmeans prints ``nonEst``).

Examples
--------
>>> import numpy as np
>>> x = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0]])[:, [0, 1, 1]]  # column 2 = column 1
>>> N = null_basis(x.T @ x, aliased=[2])
>>> is_estimable(np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 0.0]]), N).tolist()
[False, True, True]
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "null_basis",
    "is_estimable",
    "estimable_part",
    "full_model_matrix",
    "fitted_columns",
    "ESTIMABLE_TOL",
]

#: emmeans' (estimability::is.estble) default tolerance
ESTIMABLE_TOL = 1e-8


def null_basis(gram: np.ndarray, aliased) -> np.ndarray | None:
    """(p, k) orthonormal basis of the null space of the full X from ``gram = X'X``.

    ``aliased`` are the positions of the aliased columns (each dependent on the *non-aliased*
    columns before it). Returns None when nothing is aliased.
    """
    aliased = sorted(int(j) for j in aliased)
    if not aliased:
        return None
    p = gram.shape[0]
    alias_set = set(aliased)
    vectors = []
    for j in aliased:
        kept = [k for k in range(j) if k not in alias_set]
        v = np.zeros(p)
        v[j] = 1.0
        if kept:
            g_kk = gram[np.ix_(kept, kept)]
            b = np.linalg.lstsq(g_kk, gram[kept, j], rcond=None)[0]
            v[kept] = -b
        vectors.append(v)
    q, _ = np.linalg.qr(np.column_stack(vectors))
    return q


def is_estimable(L: np.ndarray, basis: np.ndarray | None, tol: float = ESTIMABLE_TOL) -> np.ndarray:
    """(q,) bool: which rows of ``L`` (full coding) are estimable given ``null_basis``."""
    L = np.atleast_2d(np.asarray(L, dtype=float))
    if basis is None:
        return np.ones(L.shape[0], dtype=bool)
    chk = L @ basis
    return np.sum(chk * chk, axis=1) <= tol * np.sum(L * L, axis=1)


def estimable_part(L: np.ndarray, basis: np.ndarray | None, tol: float = ESTIMABLE_TOL):
    """Rows spanning the estimable part of the row space of ``L`` (full coding).

    The combinations ``c' L`` with ``c' L N = 0``: the largest sub-hypothesis of ``L beta = 0``
    that is estimable. Returns ``L`` itself when it is all estimable (or nothing is aliased).
    """
    L = np.atleast_2d(np.asarray(L, dtype=float))
    if basis is None or is_estimable(L, basis, tol).all():
        return L
    m = L @ basis  # (q, k)
    u, s, _ = np.linalg.svd(m, full_matrices=True)
    scale = max(1.0, float(np.abs(L).max()))
    rank = int(np.sum(s > np.sqrt(tol) * scale))
    c = u[:, rank:]  # left null space of m
    return c.T @ L


def _basis(design) -> np.ndarray | None:
    return getattr(design, "nonest_basis", None)


def full_model_matrix(design, frame) -> np.ndarray:
    """``design.model_matrix`` over the full coding (the fitted one when nothing is aliased)."""
    if _basis(design) is None:
        return np.asarray(design.model_matrix(frame), dtype=float)
    return np.asarray(design.model_matrix(frame, full=True), dtype=float)


def fitted_columns(design, L_full: np.ndarray) -> np.ndarray:
    """Rows over the full coding restricted to the fitted (kept) columns."""
    if _basis(design) is None:
        return L_full
    return design.drop_aliased(L_full)
