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

__all__ = ["AncovaDesign", "AncovaOutput", "MmrmAnalysis"]


@dataclass(frozen=True)
class AncovaOutput:
    """Arrays over (data set, visit, ...): effect (S, v, A-1) and LS means (S, v, A), with the
    complete-data df of each (the residual df of the ANCOVA; the MMRM's df method)."""

    effect: np.ndarray
    effect_se: np.ndarray
    lsmean: np.ndarray
    lsmean_se: np.ndarray
    effect_df: np.ndarray
    lsmean_df: np.ndarray


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
                            effect_df=np.full(eff.shape, float(df)),
                            lsmean_df=np.full(lsm.shape, float(df)))


class MmrmAnalysis:
    """The MMRM on each completed data set (``analysis="mmrm"``).

    ``formula`` (default: the imputation model's) with an unstructured covariance by REML; the
    effect of each active arm at each visit is the difference of LS means (equal weights,
    numeric covariates at their means), with the df of ``df`` (default Kenward-Roger).
    R: ``mmrm::mmrm(change ~ baseline * visit + arm * visit + us(visit | subject))`` +
    ``emmeans`` on each completed data set.
    """

    def __init__(self, data, formula: str, covariance: str = "us", df: str = "kenward-roger"):
        self.data = data
        self.formula = formula
        self.covariance = covariance
        self.df = df

    def fit(self, index: np.ndarray, y: np.ndarray) -> AncovaOutput:
        from irtrial import columns as C
        from irtrial.mmrm import mmrm

        sd = self.data
        frame = sd.long_frame(index=index, y=y[0])
        # bootstrap samples repeat subjects: each copy is its own subject
        frame[C.SUBJECT] = np.repeat(np.arange(len(index)), len(sd.visits))
        s, _, v = y.shape
        a = len(sd.arms)
        out = {k: np.empty((s, v, a - 1)) for k in ("e", "es", "ed")}
        out.update({k: np.empty((s, v, a)) for k in ("m", "ms", "md")})
        vis = {str(x): j for j, x in enumerate(sd.visits)}
        arm = {str(x): j for j, x in enumerate(sd.arms)}
        for g in range(s):
            frame[sd.outcome] = y[g].reshape(-1)
            fit = mmrm(frame, self.formula, subject=C.SUBJECT, visit=C.VISIT,
                       covariance=self.covariance, df=self.df)
            con = fit.contrasts(C.ARM, by=C.VISIT)
            for _, r in con.iterrows():
                j, k = vis[str(r[C.VISIT])], arm[str(r[C.ARM])] - 1
                out["e"][g, j, k], out["es"][g, j, k] = r[C.ESTIMATE], r[C.STD_ERROR]
                out["ed"][g, j, k] = r[C.DF]
            lsm = fit.lsmeans(C.ARM, by=C.VISIT)
            for _, r in lsm.iterrows():
                j, k = vis[str(r[C.VISIT])], arm[str(r[C.ARM])]
                out["m"][g, j, k], out["ms"][g, j, k] = r[C.ESTIMATE], r[C.STD_ERROR]
                out["md"][g, j, k] = r[C.DF]
        return AncovaOutput(effect=out["e"], effect_se=out["es"], lsmean=out["m"],
                            lsmean_se=out["ms"], effect_df=out["ed"], lsmean_df=out["md"])
