r"""Impute the missing values of subjects from a multivariate normal, batched per pattern.

For a subject with observed visits o and missing visits m, mean mu (the strategy's) and
covariance Sigma,

.. math:: y_m | y_o \sim N(\mu_m + \Sigma_{mo}\Sigma_{oo}^{-1}(y_o - \mu_o),\;
          \Sigma_{mm} - \Sigma_{mo}\Sigma_{oo}^{-1}\Sigma_{om}).

The conditional mean imputes by the mean (rbmi ``method_condmean``), the approximate Bayesian
method by one draw (rbmi ``method_approxbayes``). Subjects that share a missing-data pattern
share one solve and one Cholesky factor; nothing larger than visits x visits is formed.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

__all__ = ["PatternIndex", "Conditioner", "impute"]


class PatternIndex:
    """Missing-data pattern (bit mask of missing visits) of each subject, computed once."""

    def __init__(self, missing: np.ndarray):
        missing = np.asarray(missing, dtype=bool)
        self.missing = missing
        v = missing.shape[1]
        weights = (1 << np.arange(v, dtype=object)) if v > 62 else (1 << np.arange(v))
        self.code = (missing * weights).sum(axis=1)
        self.masks = {}
        for c, row in zip(self.code.tolist(), missing, strict=True):
            self.masks.setdefault(c, row)

    def groups(self, index: np.ndarray):
        """(mask, positions into ``index``) for each pattern with a missing value."""
        codes = np.asarray(self.code)[index]
        order = np.argsort(codes, kind="stable")
        sorted_codes = codes[order]
        cut = np.flatnonzero(np.diff(sorted_codes)) + 1
        for part in np.split(order, cut):
            if len(part) == 0:
                continue
            mask = self.masks[int(codes[part[0]])]
            if mask.any():
                yield mask, part


class Conditioner:
    """The per-pattern pieces of y_m | y_o for one Sigma and one set of subjects, built once.

    ``apply`` then imputes under any mean (every strategy of a sample shares them).
    """

    def __init__(self, sigma: np.ndarray, patterns: PatternIndex, index: np.ndarray,
                 draws: bool = False):
        self.blocks = []
        for mask, part in patterns.groups(index):
            m = mask
            o = ~mask
            if o.any():
                cf = linalg.cho_factor(sigma[np.ix_(o, o)], lower=True, check_finite=False)
                s_om = sigma[np.ix_(o, m)]
                k = linalg.cho_solve(cf, s_om, check_finite=False)  # (o, m) = S_oo^-1 S_om
                cond = sigma[np.ix_(m, m)] - s_om.T @ k
            else:
                k = None
                cond = sigma[np.ix_(m, m)]
            chol = np.linalg.cholesky(0.5 * (cond + cond.T)) if draws else None
            self.blocks.append((np.flatnonzero(m), np.flatnonzero(o), part, k, chol))

    def apply(self, y: np.ndarray, mu: np.ndarray, z: np.ndarray | None = None) -> np.ndarray:
        """Completed copy of ``y`` (m, v) under the means ``mu`` (+ draws from ``z``)."""
        out = np.array(y, dtype=float, copy=True)
        for m, o, part, k, chol in self.blocks:
            mu_p = mu[part]
            cond = mu_p[:, m]
            if k is not None:
                cond = cond + (y[part][:, o] - mu_p[:, o]) @ k
            if z is not None:
                cond = cond + z[part][:, m] @ chol.T
            out[np.ix_(part, m)] = cond
        return out


def impute(y: np.ndarray, mu: np.ndarray, sigma: np.ndarray, patterns: PatternIndex,
           index: np.ndarray, z: np.ndarray | None = None) -> np.ndarray:
    """Completed copy of ``y`` (m, v): missing values by their conditional mean (+ a draw).

    Parameters
    ----------
    y, mu : (m, v) arrays
        Outcomes (NaN missing) and strategy means of the subjects ``index``.
    sigma : (v, v) array
    patterns : PatternIndex
        Built on the population; ``index`` (m,) picks the subjects (repeats allowed).
    z : (m, v) array of standard normals, optional
        Given, each subject's missing values get the draw mean + L z_m with L the Cholesky
        factor of the conditional covariance.

    Examples
    --------
    >>> import numpy as np
    >>> S = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> y = np.array([[2.0, np.nan]])
    >>> pats = PatternIndex(np.isnan(y))
    >>> impute(y, np.zeros((1, 2)), S, pats, np.array([0])).tolist()
    [[2.0, 1.0]]
    """
    return Conditioner(sigma, patterns, index, draws=z is not None).apply(y, mu, z)
