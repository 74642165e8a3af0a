"""Shared machinery of the residual covariance structures.

Every structure is a single-group family (``_sigma``, ``_dsigma``, ``_d2sigma`` of the parameters
of one group) wrapped by :class:`CovarianceBase`, which stacks the parameters of ``n_groups``
groups (SAS ``REPEATED ... / GROUP=``: all parameters of the first group, then the second, ...).
Parameters are in SAS's reporting parametrisation (what "Covariance Parameter Estimates" prints).
The optimiser may also use the unconstrained map ``to_unconstrained`` / ``from_unconstrained``.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-10


class CovarianceBase:
    """A residual covariance structure over ``n_visits`` visits with ``n_groups`` groups.

    Subclasses define ``name``, ``_names()``, ``_sigma``, ``_dsigma``, ``_d2sigma``, ``_start``,
    ``_to_unconstrained``, ``_from_unconstrained`` for the parameters of one group.
    """

    name = "base"
    #: whether sigma is linear in theta (second derivatives all zero)
    linear = False

    def __init__(self, n_visits: int, n_groups: int = 1):
        if n_visits < 1:
            raise ValueError("n_visits must be positive")
        self.n_visits = int(n_visits)
        self.n_groups = int(n_groups)

    # -- single-group interface, implemented by the families ---------------------------------
    def _names(self) -> list[str]:
        raise NotImplementedError

    def _sigma(self, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _dsigma(self, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _d2sigma(self, t: np.ndarray) -> np.ndarray:
        k, v = self.n_theta_group, self.n_visits
        return np.zeros((k, k, v, v))

    def _start(self, s: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _to_unconstrained(self, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _from_unconstrained(self, u: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _valid(self, t: np.ndarray) -> bool:
        return True

    def _jac_unconstrained(self, u: np.ndarray) -> np.ndarray | None:
        """(k, k) d theta / d u of ``_from_unconstrained`` for one group; None = not available."""
        return None

    # -- public, grouped interface (the CovarianceStructure contract) ---------------------------
    def _group_names(self) -> list[str]:
        names = self.__dict__.get("_names_cached")
        if names is None:
            names = self.__dict__["_names_cached"] = self._names()
        return names

    @property
    def n_theta_group(self) -> int:
        return len(self._group_names())

    @property
    def n_theta(self) -> int:
        return self.n_groups * self.n_theta_group

    @property
    def param_names(self) -> list[str]:
        return list(self._group_names()) * self.n_groups

    def group_slice(self, group: int) -> slice:
        k = self.n_theta_group
        return slice(group * k, (group + 1) * k)

    def sigma(self, theta: np.ndarray, group: int = 0) -> np.ndarray:
        """(v, v) covariance matrix of group ``group``."""
        return self._sigma(np.asarray(theta, float)[self.group_slice(group)])

    def dsigma_group(self, theta: np.ndarray, group: int = 0) -> np.ndarray:
        """(k_group, v, v) derivatives with respect to the group's own parameters only."""
        return self._dsigma(np.asarray(theta, float)[self.group_slice(group)])

    def dsigma(self, theta: np.ndarray, group: int = 0) -> np.ndarray:
        """(k, v, v) first derivatives of ``sigma(theta, group)`` with respect to all of theta."""
        out = np.zeros((self.n_theta, self.n_visits, self.n_visits))
        out[self.group_slice(group)] = self.dsigma_group(theta, group)
        return out

    def d2sigma(self, theta: np.ndarray, group: int = 0) -> np.ndarray:
        """(k, k, v, v) second derivatives of ``sigma(theta, group)``."""
        k, v = self.n_theta, self.n_visits
        out = np.zeros((k, k, v, v))
        sl = self.group_slice(group)
        out[sl, sl] = self._d2sigma(np.asarray(theta, float)[sl])
        return out

    def start(self, sigmas: list[np.ndarray]) -> np.ndarray:
        """Starting theta from one rough (v, v) covariance estimate per group."""
        return np.concatenate([self._start(np.asarray(s, float)) for s in sigmas])

    def to_unconstrained(self, theta: np.ndarray) -> np.ndarray:
        theta = np.asarray(theta, float)
        return np.concatenate(
            [self._to_unconstrained(theta[self.group_slice(g)]) for g in range(self.n_groups)]
        )

    def from_unconstrained(self, phi: np.ndarray) -> np.ndarray:
        phi = np.asarray(phi, float)
        return np.concatenate(
            [self._from_unconstrained(phi[self.group_slice(g)]) for g in range(self.n_groups)]
        )

    def jacobian_unconstrained(self, phi: np.ndarray) -> np.ndarray | None:
        """(n_theta, n_theta) analytic d theta / d phi of ``from_unconstrained``, or None.

        Block diagonal over the groups. None when the family gives no analytic form (the
        optimiser then uses central differences of ``from_unconstrained``).
        """
        phi = np.asarray(phi, float)
        k = self.n_theta_group
        out = np.zeros((self.n_theta, self.n_theta))
        for g in range(self.n_groups):
            sl = self.group_slice(g)
            jg = self._jac_unconstrained(phi[sl])
            if jg is None:
                return None
            out[g * k : (g + 1) * k, g * k : (g + 1) * k] = jg
        return out

    def valid(self, theta: np.ndarray) -> bool:
        """Whether theta is inside the parameter space (bounds; positive definiteness aside)."""
        theta = np.asarray(theta, float)
        if not np.all(np.isfinite(theta)):
            return False
        return all(self._valid(theta[self.group_slice(g)]) for g in range(self.n_groups))

    def __repr__(self) -> str:
        grp = f", n_groups={self.n_groups}" if self.n_groups > 1 else ""
        return f"<covariance {self.name!r}: n_visits={self.n_visits}{grp}, n_theta={self.n_theta}>"


# -------------------------------------------------------------------------------------------------
# Correlation-based families: Sigma = s s' * R(rho) (heterogeneous, s_a = sqrt(Var(a)))
# or Sigma = s2 * R(rho) (homogeneous). Subclasses give R, dR, d2R and the bounds of rho.
# -------------------------------------------------------------------------------------------------
class CorrelationFamily(CovarianceBase):
    """Sigma from variances and a correlation matrix ``R(rho)``."""

    heterogeneous = True
    #: names of the correlation parameters (one group)
    rho_lower = -1.0
    rho_upper = 1.0
    #: SAS prints the correlations first and the "Residual" variance last for the homogeneous
    #: ar1; ante-dependence and the heterogeneous forms print variances first.
    variance_last = False
    variance_name = "Var"

    # correlation part ---------------------------------------------------------------------
    def n_rho(self) -> int:
        raise NotImplementedError

    def rho_names(self) -> list[str]:
        raise NotImplementedError

    def corr(self, rho: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def dcorr(self, rho: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def d2corr(self, rho: np.ndarray) -> np.ndarray:
        r, v = self.n_rho(), self.n_visits
        return np.zeros((r, r, v, v))

    # layout ---------------------------------------------------------------------------------
    def n_var(self) -> int:
        return self.n_visits if self.heterogeneous else 1

    def _names(self) -> list[str]:
        if self.heterogeneous:
            var = [f"{self.variance_name}({i + 1})" for i in range(self.n_visits)]
        else:
            var = [self.variance_name]
        return self.rho_names() + var if self.variance_last else var + self.rho_names()

    def _split(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nv = self.n_var()
        if self.variance_last:
            return t[-nv:], t[:-nv]
        return t[:nv], t[nv:]

    def _join(self, var: np.ndarray, rho: np.ndarray) -> np.ndarray:
        return np.concatenate([rho, var] if self.variance_last else [var, rho])

    def _var_index(self) -> np.ndarray:
        nv, nr = self.n_var(), self.n_rho()
        return np.arange(nr, nr + nv) if self.variance_last else np.arange(nv)

    def _rho_index(self) -> np.ndarray:
        nv, nr = self.n_var(), self.n_rho()
        return np.arange(nr) if self.variance_last else np.arange(nv, nv + nr)

    # sigma and derivatives -------------------------------------------------------------------
    def _sd(self, var: np.ndarray) -> np.ndarray:
        s = np.sqrt(np.maximum(var, 0.0))
        return s if self.heterogeneous else np.full(self.n_visits, s[0])

    def _sigma(self, t: np.ndarray) -> np.ndarray:
        var, rho = self._split(t)
        s = self._sd(var)
        return np.outer(s, s) * self.corr(rho)

    def _dss(self, var: np.ndarray) -> np.ndarray:
        """(n_var, v, v) derivatives of s s' with respect to the variances."""
        v = self.n_visits
        if not self.heterogeneous:
            return np.ones((1, v, v))
        s = self._sd(var)
        out = np.zeros((v, v, v))
        for i in range(v):
            ds = 0.5 / s[i]
            out[i, i, :] += ds * s
            out[i, :, i] += ds * s
        return out

    def _d2ss(self, var: np.ndarray) -> np.ndarray:
        v = self.n_visits
        if not self.heterogeneous:
            return np.zeros((1, 1, v, v))
        s = self._sd(var)
        ds = 0.5 / s
        d2s = -0.25 / s**3
        out = np.zeros((v, v, v, v))
        for i in range(v):
            out[i, i, i, :] += d2s[i] * s
            out[i, i, :, i] += d2s[i] * s
            out[i, i, i, i] += 2 * ds[i] ** 2
            for j in range(v):
                if j != i:
                    out[i, j, i, j] += ds[i] * ds[j]
                    out[i, j, j, i] += ds[i] * ds[j]
        return out

    def _dsigma(self, t: np.ndarray) -> np.ndarray:
        var, rho = self._split(t)
        s = self._sd(var)
        r = self.corr(rho)
        out = np.empty((len(t), self.n_visits, self.n_visits))
        out[self._var_index()] = self._dss(var) * r
        out[self._rho_index()] = np.outer(s, s) * self.dcorr(rho)
        return out

    def _d2sigma(self, t: np.ndarray) -> np.ndarray:
        var, rho = self._split(t)
        s = self._sd(var)
        vi, ri = self._var_index(), self._rho_index()
        k, v = len(t), self.n_visits
        out = np.zeros((k, k, v, v))
        r, dr = self.corr(rho), self.dcorr(rho)
        dss = self._dss(var)
        out[np.ix_(vi, vi)] = self._d2ss(var) * r
        cross = dss[:, None] * dr[None, :]
        out[np.ix_(vi, ri)] = cross
        out[np.ix_(ri, vi)] = np.swapaxes(cross, 0, 1)
        out[np.ix_(ri, ri)] = np.outer(s, s) * self.d2corr(rho)
        return out

    # start values and transforms ---------------------------------------------------------
    def _start_rho(self, c: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _start(self, s: np.ndarray) -> np.ndarray:
        d = np.maximum(np.diag(s), 1e-8)
        c = s / np.sqrt(np.outer(d, d))
        var = d if self.heterogeneous else np.array([d.mean()])
        lo, hi = self.rho_lower, self.rho_upper
        rho = np.clip(self._start_rho(c), lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo))
        return self._join(var, rho)

    def _to_unconstrained(self, t: np.ndarray) -> np.ndarray:
        var, rho = self._split(t)
        lo, hi = self.rho_lower, self.rho_upper
        z = np.clip((rho - lo) / (hi - lo), 1e-12, 1 - 1e-12)
        return self._join(np.log(var), np.log(z) - np.log1p(-z))

    def _from_unconstrained(self, u: np.ndarray) -> np.ndarray:
        lv, lz = self._split(u)
        lo, hi = self.rho_lower, self.rho_upper
        return self._join(np.exp(lv), lo + (hi - lo) / (1 + np.exp(-lz)))

    def _valid(self, t: np.ndarray) -> bool:
        var, rho = self._split(t)
        return bool(
            np.all(var > 0) and np.all(rho > self.rho_lower) and np.all(rho < self.rho_upper)
        )


def log_cholesky(s: np.ndarray) -> np.ndarray:
    """Lower-triangular Cholesky factor of ``s`` with log diagonal, row-wise lower triangle."""
    lo = np.linalg.cholesky(s)
    lo[np.diag_indices_from(lo)] = np.log(np.diag(lo))
    return lo[np.tril_indices_from(lo)]


_LC_INDEX: dict[int, tuple] = {}  # v -> (tril_indices(v), diag_indices(v)), built once


def from_log_cholesky(u: np.ndarray, v: int) -> np.ndarray:
    ix = _LC_INDEX.get(v)
    if ix is None:
        ix = _LC_INDEX[v] = (np.tril_indices(v), np.diag_indices(v))
    lo = np.zeros((v, v))
    lo[ix[0]] = u
    lo[ix[1]] = np.exp(np.diag(lo))
    return lo @ lo.T


_LC_JAC_INDEX: dict[int, tuple] = {}  # v -> index arrays of jac_log_cholesky, built once


def jac_log_cholesky(u: np.ndarray, v: int) -> np.ndarray:
    """(k, k) Jacobian of the row-wise lower triangle of ``from_log_cholesky(u, v)`` in ``u``.

    With Sigma = L L' and L_ab = u_ab off the diagonal, L_aa = exp(u_aa):
    d Sigma_ij / d L_ab = [i = a] L_jb + [j = a] L_ib, times L_aa for a diagonal element.
    Rows and columns are both in the row-wise lower-triangle order (i, j), (a, b).
    """
    ix = _LC_JAC_INDEX.get(v)
    if ix is None:
        rows, cols = np.tril_indices(v)
        ix = _LC_JAC_INDEX[v] = (
            rows,
            cols,
            rows[:, None] == rows[None, :],
            cols[:, None] == rows[None, :],
            np.diag_indices(v),
            rows == cols,
        )
    rows, cols, i_eq_a, j_eq_a, diag, on_diag = ix
    lo = np.zeros((v, v))
    lo[rows, cols] = u
    lo[diag] = np.exp(np.diag(lo))
    # L[j, b] and L[i, b] for every (theta (i, j), parameter (a, b)) pair
    jac = i_eq_a * lo[cols[:, None], cols[None, :]] + j_eq_a * lo[rows[:, None], cols[None, :]]
    jac[:, on_diag] *= np.diag(lo)
    return jac


def nearest_pd(s: np.ndarray, floor: float = 1e-3) -> np.ndarray:
    """Symmetric matrix with eigenvalues raised to ``floor * mean diagonal`` (start values)."""
    s = 0.5 * (s + s.T)
    w, q = np.linalg.eigh(s)
    w = np.maximum(w, floor * max(float(np.mean(np.diag(s))), _EPS))
    return (q * w) @ q.T
