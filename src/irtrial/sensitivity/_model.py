"""The imputation model: the MMRM fitted on the observed data, refitted on subsets of subjects.

One preparation (formula -> X for every subject x visit, under the subject's own arm and under
its reference arm), then fits on any subset of subjects: leave-one-out (jackknife, warm start
at the full fit) or a bootstrap sample (subjects repeated). The fits use the engine's REML
likelihood, batched per missing-data pattern (:mod:`irtrial.mmrm.likelihood`), and its
Newton / Fisher-scoring optimiser (:mod:`irtrial.mmrm.fit`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from irtrial import columns as C
from irtrial.errors import ConvergenceError, ModelSpecError, SingularDesignError
from irtrial.mmrm._threads import single_blas_thread
from irtrial.mmrm.control import FitControl
from irtrial.mmrm.covariance import make_covariance
from irtrial.mmrm.design import make_patterns, prepare
from irtrial.mmrm.fit import optimize_theta
from irtrial.mmrm.likelihood import Likelihood
from irtrial.sensitivity._data import SensitivityData

__all__ = ["ImputationModel", "Fit", "default_formula", "GRAD_TOL"]

#: gradient tolerance of the imputation model's fits: tighter than the engine's default (1e-4),
#: so that imputed values are at the REML maximum to ~1e-6 (checked against R rbmi/mmrm fitted
#: with a tightened optimiser, tests/reference/r/rbmi_condmean.R)
GRAD_TOL = 1e-7


def default_formula(data: SensitivityData) -> str:
    """rbmi's vignette model: ``outcome ~ baseline * visit + arm * visit (+ covariates)``."""
    extra = "".join(f" + {c}" for c in data.covariates.columns)
    return f"{data.outcome} ~ {C.BASELINE} * {C.VISIT} + {C.ARM} * {C.VISIT}{extra}"


@dataclass(frozen=True)
class Fit:
    """One fit of the imputation model: beta, theta and Sigma (common to all arms)."""

    beta: np.ndarray
    theta: np.ndarray
    sigma: np.ndarray
    n_iterations: int


class ImputationModel:
    """MMRM of ``data`` with observations ``fit_mask`` (n, v) used in the fit.

    Parameters
    ----------
    data : SensitivityData
    fit_mask : (n, v) bool array
        Observed values that enter the fit (observed values after an ICE handled by a non-MAR
        strategy are left out, as in rbmi).
    reference : (n_arms,) int array
        Reference arm code of each arm.
    formula : str
    covariance : str
    method : {"reml", "ml"}
    """

    def __init__(self, data: SensitivityData, fit_mask: np.ndarray, reference: np.ndarray,
                 formula: str, covariance: str = "us", method: str = "reml"):
        self.data = data
        self.formula = formula
        self.covariance = covariance
        self.method = method
        n, v = data.y.shape
        y_fit = np.where(fit_mask, data.y, np.nan)
        grid = data.long_frame(y=y_fit)
        prepared = prepare(grid, formula, C.SUBJECT, C.VISIT)
        self.design = prepared.design
        if list(map(str, self.design.visit_levels)) != list(data.visits):
            raise ModelSpecError(
                "every visit needs observed values for the imputation model; visits with data: "
                + ", ".join(map(str, self.design.visit_levels))
            )
        self.p = prepared.X.shape[1]
        self.structure = make_covariance(covariance, v, 1)
        # rows of the fit data by population subject
        pos = {s: i for i, s in enumerate(data.subjects)}
        self._row_subject = np.array([pos[s] for s in prepared.subjects], dtype=np.int64)[
            prepared.subject_codes
        ]
        self._X = prepared.X
        self._y = prepared.y
        self._w = prepared.w
        self._vcodes = prepared.visit_codes
        order = np.argsort(self._row_subject, kind="stable")
        counts = np.bincount(self._row_subject, minlength=n)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self._rows_of = [order[starts[i]: starts[i] + counts[i]] for i in range(n)]
        # X of every subject x visit, own arm and reference arm: (n, v, p)
        x_own = self.design.model_matrix(data.long_frame())
        x_ref = self.design.model_matrix(data.long_frame(arm=reference[data.arm]))
        self.x_own = x_own.reshape(n, v, -1)
        self.x_ref = x_ref.reshape(n, v, -1)
        self.full: Fit = self.fit(np.arange(n))

    def __getstate__(self):
        # workers need the arrays only, not the formula machinery
        state = dict(self.__dict__)
        state.pop("design", None)
        return state

    # ------------------------------------------------------------------------------------------
    def fit(self, index: np.ndarray, start: np.ndarray | None = None) -> Fit:
        """Fit on the subjects ``index`` (population positions, repeats allowed).

        A warm ``start`` (theta) is tried first; the default starts follow if it fails.
        Raises ``SingularDesignError`` when X of the subset is rank deficient and
        ``ConvergenceError`` when no optimiser converges.
        """
        index = np.asarray(index, dtype=np.int64)
        rows = [self._rows_of[i] for i in index]
        lens = np.array([len(r) for r in rows])
        keep = lens > 0
        if not keep.any():
            raise SingularDesignError("no observed values in this sample of subjects")
        rows_cat = np.concatenate([r for r, k in zip(rows, keep, strict=True) if k])
        codes = np.repeat(np.arange(int(keep.sum())), lens[keep])
        X = self._X[rows_cat]
        xtx = X.T @ X
        if np.linalg.matrix_rank(xtx) < self.p:
            raise SingularDesignError("the imputation model's design is rank deficient in this "
                                      "sample of subjects")
        patterns = make_patterns(
            X, self._y[rows_cat], self._w[rows_cat], codes,
            np.arange(int(keep.sum())).astype(object), self._vcodes[rows_cat],
            np.zeros(len(rows_cat), dtype=np.int64), self.structure.n_visits,
        )
        lik = Likelihood(patterns, self.structure, self.method)
        with single_blas_thread():
            out = None
            if start is not None:
                try:
                    out = optimize_theta(lik, FitControl(start=tuple(float(t) for t in start),
                                                         grad_tol=GRAD_TOL))
                except ConvergenceError:
                    out = None
            if out is None:
                out = optimize_theta(lik, FitControl(grad_tol=GRAD_TOL))
        theta = np.asarray(out.theta, dtype=float)
        return Fit(beta=np.asarray(out.evaluation.beta, dtype=float), theta=theta,
                   sigma=np.asarray(self.structure.sigma(theta, 0), dtype=float),
                   n_iterations=int(out.n_iterations))

    def means(self, fit: Fit, index: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(mu_own, mu_ref), each (m, v), for the subjects ``index`` (default all)."""
        xo = self.x_own if index is None else self.x_own[index]
        xr = self.x_ref if index is None else self.x_ref[index]
        return xo @ fit.beta, xr @ fit.beta
