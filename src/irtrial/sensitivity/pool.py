r"""Pooling: Rubin's rules with Barnard-Rubin df, the jackknife and the bootstrap.

Rubin's rules (M imputations, estimates q_i, variances u_i, complete-data df nu_com):
qbar = mean q_i, W = mean u_i, B = var(q_i), T = W + (1 + 1/M) B, lambda = (1 + 1/M) B / T,
nu_old = (M - 1) / lambda^2, nu_obs = (nu_com + 1) / (nu_com + 3) nu_com (1 - lambda),
df = nu_old nu_obs / (nu_old + nu_obs) (Barnard & Rubin 1999); t test and CI on df.

Jackknife (conditional mean): the point estimate is the full-data one; with the n
leave-one-out estimates theta_(i), SE = sqrt((n - 1)/n sum (theta_(i) - mean)^2), normal CI
and p (rbmi ``pool_internal.jackknife``).

Bootstrap (conditional mean): point estimate from the full data; ``"normal"``: SE = SD of the
bootstrap estimates, normal CI and p; ``"percentile"``: CI from the type-6 quantiles and the
p-value of rbmi's ``pval_percentile`` (the SD is reported as the SE).

R: ``rbmi::pool()``; ``mice::pool()`` for Rubin's rules. SAS: ``PROC MIANALYZE``
(``EDF=`` gives nu_com).

References
----------
Barnard J, Rubin DB. Small-sample degrees of freedom with multiple imputation. Biometrika
1999;86:948-955. Rubin DB. Multiple Imputation for Nonresponse in Surveys. Wiley 1987.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats

__all__ = ["rubin", "jackknife", "bootstrap", "normal_test"]


def _t_test(est, se, df, conf_level):
    est = np.asarray(est, dtype=float)
    se = np.asarray(se, dtype=float)
    df = np.broadcast_to(np.asarray(df, dtype=float), est.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    q = stats.t.ppf(0.5 + conf_level / 2, df)
    p = 2 * stats.t.sf(np.abs(stat), df)
    return {"estimate": est, "std_error": se, "df": df, "statistic": stat, "p_value": p,
            "ci_lower": est - q * se, "ci_upper": est + q * se}


def normal_test(est, se, conf_level=0.95):
    """Wald z test and normal CI (df = inf)."""
    return _t_test(est, se, np.inf, conf_level)


def rubin(ests: np.ndarray, ses: np.ndarray, df_com, conf_level: float = 0.95) -> dict:
    """Rubin's rules over axis 0 with Barnard-Rubin df (``df_com``: scalar or per estimate).

    Examples
    --------
    >>> import numpy as np
    >>> r = rubin(np.array([1.0, 1.2, 0.8]), np.array([0.5, 0.5, 0.5]), df_com=20)
    >>> round(float(r["estimate"]), 6), round(float(r["std_error"]) ** 2, 6)
    (1.0, 0.303333)
    """
    ests = np.asarray(ests, dtype=float)
    ses = np.asarray(ses, dtype=float)
    m = ests.shape[0]
    qbar = ests.mean(axis=0)
    w = (ses**2).mean(axis=0)
    b = ests.var(axis=0, ddof=1) if m > 1 else np.zeros_like(qbar)
    t = w + (1 + 1 / m) * b
    lam = (1 + 1 / m) * b / t
    df_com = np.broadcast_to(np.asarray(df_com, dtype=float), np.shape(qbar))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        nu_old = (m - 1) / lam**2
        nu_obs = (df_com + 1) / (df_com + 3) * df_com * (1 - lam)
        finite = np.where(lam > 0, nu_old * nu_obs / (nu_old + nu_obs), nu_obs)
        infinite = np.where(lam > 0, nu_old, np.inf)
        df = np.where(np.isinf(df_com), infinite, finite)
    return _t_test(qbar, np.sqrt(t), df, conf_level)


def jackknife(full: np.ndarray, jack: np.ndarray, conf_level: float = 0.95) -> dict:
    """Jackknife SE (leave-one-out estimates on axis 0), normal CI around ``full``."""
    jack = np.asarray(jack, dtype=float)
    n = jack.shape[0]
    se = np.sqrt((n - 1) / n * ((jack - jack.mean(axis=0)) ** 2).sum(axis=0))
    return normal_test(full, se, conf_level)


def _quantile6(x: np.ndarray, p: float) -> float:
    return float(np.quantile(x, p, method="weibull"))


def _pval_percentile(est: np.ndarray) -> float:
    if np.all(est == 0):
        return 1.0
    if est.min() > 0 or est.max() < 0:
        return 0.0
    if np.any(est == 0):
        rank = stats.rankdata(est, method="ordinal") / (len(est) + 1)
        lo, hi = rank[est == 0].min(), 1 - rank[est == 0].max()
        return min(2 * min(lo, hi), 1.0)
    x = optimize.brentq(lambda q: _quantile6(est, q), 1 / (len(est) + 1),
                        len(est) / (len(est) + 1))
    return min(2 * min(x, 1 - x), 1.0)


def bootstrap(full: np.ndarray, boot: np.ndarray, conf_level: float = 0.95,
              kind: str = "percentile") -> dict:
    """Bootstrap inference (samples on axis 0) around the full-data estimate ``full``."""
    boot = np.asarray(boot, dtype=float)
    full = np.asarray(full, dtype=float)
    sd = boot.std(axis=0, ddof=1)
    if kind == "normal":
        return normal_test(full, sd, conf_level)
    alpha = 1 - conf_level
    flat = boot.reshape(boot.shape[0], -1)
    lo = np.array([_quantile6(flat[:, j], alpha / 2) for j in range(flat.shape[1])])
    hi = np.array([_quantile6(flat[:, j], 1 - alpha / 2) for j in range(flat.shape[1])])
    p = np.array([_pval_percentile(flat[:, j]) for j in range(flat.shape[1])])
    shape = full.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = full / sd
    return {"estimate": full, "std_error": sd, "df": np.full(shape, np.inf), "statistic": stat,
            "p_value": p.reshape(shape), "ci_lower": lo.reshape(shape),
            "ci_upper": hi.reshape(shape)}
