r"""Analysis of completed data sets: ANCOVA at every visit, batched over data sets.

At each visit, ``outcome ~ arm + baseline (+ covariates)`` by least squares (rbmi ``ancova``);
the treatment effect of each active arm is its coefficient (difference from the control), and
the LS mean of arm a is the mean over the subjects of the fitted value with every subject put
in arm a (rbmi's default ``weights = "counterfactual"``; with baseline as the only covariate,
the prediction at the mean baseline). The design X is the same for every visit and every
completed data set, so one factorisation of X'X serves them all.

R: ``rbmi::ancova(..., weights = "counterfactual")``, i.e. ``lm(change ~ arm + baseline)`` per
visit. SAS: ``PROC GLM; CLASS arm; MODEL change = arm baseline; LSMEANS arm / OM;`` per visit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from irtrial.errors import InsufficientDataError

__all__ = ["AncovaDesign", "AncovaOutput"]


@dataclass(frozen=True)
class AncovaOutput:
    """Arrays over (data set, visit, ...): effect (S, v, A-1) and LS means (S, v, A)."""

    effect: np.ndarray
    effect_se: np.ndarray
    lsmean: np.ndarray
    lsmean_se: np.ndarray
    df: float


class AncovaDesign:
    """X = [1, arm dummies (control = 0), baseline, covariates] of the population."""

    def __init__(self, arm: np.ndarray, n_arms: int, baseline: np.ndarray,
                 covariates: pd.DataFrame):
        self.n_arms = n_arms
        cols = [np.ones(len(arm))]
        for a in range(1, n_arms):
            cols.append((arm == a).astype(float))
        cols.append(np.asarray(baseline, dtype=float))
        for name in covariates.columns:
            col = covariates[name]
            if isinstance(col.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(
                col
            ):
                cat = pd.Categorical(col)
                for level in cat.categories[1:]:
                    cols.append((cat == level).astype(float))
            else:
                cols.append(col.to_numpy(dtype=float))
        self.X = np.column_stack(cols)
        self.arm = np.asarray(arm)

    def fit(self, index: np.ndarray, y: np.ndarray) -> AncovaOutput:
        """ANCOVA of the completed outcomes ``y`` (S, m, v) of the subjects ``index``."""
        X = self.X[index]
        m, q = X.shape
        df = m - q
        if df < 1:
            raise InsufficientDataError(f"{m} subjects are too few for the ANCOVA ({q} "
                                        "parameters)")
        xtx_inv = np.linalg.inv(X.T @ X)
        s, _, v = y.shape
        ys = np.moveaxis(y, 1, 0).reshape(m, s * v)  # (m, S*v)
        coef = xtx_inv @ (X.T @ ys)  # (q, S*v)
        resid = ys - X @ coef
        sigma2 = (resid * resid).sum(axis=0) / df  # (S*v,)
        a = self.n_arms
        eff = coef[1:a].T.reshape(s, v, a - 1)
        eff_se = np.sqrt(np.outer(sigma2, np.diag(xtx_inv)[1:a])).reshape(s, v, a - 1)
        # counterfactual LS means: mean row of X with every subject in arm j
        rows = np.repeat(X.mean(axis=0)[None, :], a, axis=0)
        rows[:, 1:a] = 0.0
        for j in range(1, a):
            rows[j, j] = 1.0
        lsm = (rows @ coef).T.reshape(s, v, a)
        quad = np.einsum("ij,jk,ik->i", rows, xtx_inv, rows)
        lsm_se = np.sqrt(np.outer(sigma2, quad)).reshape(s, v, a)
        return AncovaOutput(effect=eff, effect_se=eff_se, lsmean=lsm, lsmean_se=lsm_se,
                            df=float(df))
