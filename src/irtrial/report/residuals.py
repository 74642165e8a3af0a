r"""Residual diagnostics of a fitted MMRM: marginal and Cholesky-scaled residuals, per pattern.

For subject :math:`i` with observed visits :math:`o_i`, marginal residuals
:math:`r_i = y_i - X_i\hat\beta` have covariance :math:`\Sigma_i = W_i^{-1/2}
\hat\Sigma[o_i, o_i] W_i^{-1/2}`. With the Cholesky factor :math:`\Sigma_i = L_i L_i^\top`, the
scaled residuals

.. math:: r_i^{*} = L_i^{-1} r_i

are uncorrelated with unit variance when the model holds (Fitzmaurice, Laird & Ware 2011,
section 14.3; SAS ``PROC MIXED ... / VCIRY`` "scaled residuals"; R ``mmrm``
``residuals(fit, type = "normalized")``). They are computed per missing-data pattern: one
:math:`L` per pattern (per subject only when observation weights differ), one triangular solve
for all its subjects; no N x N matrix is formed.

Examples
--------
>>> import irtrial
>>> res = scaled_residuals(irtrial.mmrm(irtrial.ir_wrap_trial()))
>>> list(res.columns)
['subject', 'visit', 'fitted', 'residual', 'scaled']
>>> bool(abs(res["scaled"].std() - 1) < 0.2)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.linalg import solve_triangular

__all__ = ["scaled_residuals"]


def scaled_residuals(fit) -> pd.DataFrame:
    """Fitted values, marginal residuals and Cholesky-scaled residuals of every observation.

    Parameters
    ----------
    fit : MMRMResult

    Returns
    -------
    DataFrame
        ``subject, visit, fitted, residual, scaled``, in the order of the analysis rows.
    """
    state = fit.state
    levels = [str(v) for v in state.design.visit_levels]
    n = int(state.n_obs)
    rows = np.empty(n, dtype=np.int64)
    fitted = np.empty(n)
    resid = np.empty(n)
    scaled = np.empty(n)
    visit = np.empty(n, dtype=object)
    subject = np.empty(n, dtype=object)
    at = 0
    sigmas: dict[int, np.ndarray] = {}
    for p in state.patterns:
        if p.group not in sigmas:
            sigmas[p.group] = state.structure.sigma(state.theta, p.group)
        sig = sigmas[p.group][np.ix_(p.visits, p.visits)]
        m, t = p.y.shape
        mu = p.X @ state.beta  # (m, t)
        r = p.y - mu
        if np.all(p.w == 1.0):
            chol = np.linalg.cholesky(sig)
            z = solve_triangular(chol, r.T, lower=True).T
        else:
            z = np.empty_like(r)
            for k in range(m):
                s = 1.0 / np.sqrt(p.w[k])
                z[k] = solve_triangular(np.linalg.cholesky(sig * np.outer(s, s)), r[k],
                                        lower=True)
        sl = slice(at, at + m * t)
        rows[sl] = p.rows.ravel()
        fitted[sl] = mu.ravel()
        resid[sl] = r.ravel()
        scaled[sl] = z.ravel()
        visit[sl] = np.tile(np.asarray(levels, dtype=object)[p.visits], m)
        subject[sl] = np.repeat(np.asarray(p.subjects, dtype=object), t)
        at += m * t
    order = np.argsort(rows[:at], kind="stable")
    return pd.DataFrame({"subject": subject[:at][order], "visit": visit[:at][order],
                         "fitted": fitted[:at][order], "residual": resid[:at][order],
                         "scaled": scaled[:at][order]})
