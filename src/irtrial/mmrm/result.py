"""The fitted MMRM: an immutable result holding tidy tables (``MMRMResult``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.errors import ModelSpecError
from irtrial.mmrm._threads import single_blas_thread
from irtrial.mmrm._types import ModelState
from irtrial.mmrm.conditional import (
    ConditionalNormal,
    conditional_mean_frame,
    fitted_conditional,
)
from irtrial.mmrm.design import MMRMDesign
from irtrial.mmrm.lsmeans import contrasts_table, lsmeans_table
from irtrial.mmrm.options import MMRMOptions, resolve_options, vcov_name
from irtrial.mmrm.summary import mmrm_summary, summary_notes
from irtrial.mmrm.testing import contrast_table, type3_table
from irtrial.mmrm.vcov import beta_vcov as _beta_vcov
from irtrial.summary import Summary

__all__ = ["MMRMResult"]

COVARIANCE_PARAMETER_COLUMNS = ["cov_parm", "group", C.ESTIMATE, C.STD_ERROR]


@dataclass(frozen=True, eq=False)
class MMRMResult:
    """A fitted mixed model for repeated measures (see :func:`irtrial.mmrm.mmrm`).

    Attributes
    ----------
    state : ModelState
        Everything inference needs: patterns, structure, theta, beta, method, design.
    formula : str
    covariance_type, method, df, vcov : str
        The resolved options (see ``options``): ``df`` is the denominator df method and
        ``vcov`` the covariance of beta-hat used by every table of this result (never None).
    options : MMRMOptions
        The resolved options, saying which were defaults (:mod:`irtrial.mmrm.options`).
    group, weights : str or None
    conf_level : float
    loglik : float
        Maximised log-likelihood (REML or ML); ``-2 * loglik`` is SAS's "-2 Res Log Likelihood"
        (REML) or "-2 Log Likelihood" (ML).
    n_obs, n_subjects : int
        Observations and subjects used.
    n_subjects_read : int
        Distinct subjects in the input, including those without a complete row (SAS's
        "Subjects", used in BIC).
    n_dropped : int
        Rows dropped (missing response, covariate, ...); reasons in ``exclusions``.
    exclusions : DataFrame
        ``reason, column, n_rows, n_subjects, subjects``.
    converged : bool
        Always True for a result returned by :func:`irtrial.mmrm.mmrm`: when no optimiser
        converges the fit raises :class:`~irtrial.errors.ConvergenceError` (listing every
        attempt) instead of returning a result.
    n_iterations : int
    optimizer : str
        The optimiser that converged.
    aliased : list of str
        Design columns dropped as aliased (``accept_singular=True`` only).

    Notes
    -----
    Rank-deficient designs (``FitControl(accept_singular=True)``): ``coefficients`` lists the
    fitted columns only; an aliased column is left out (its name is in ``aliased``; R's
    ``coef`` shows NA, SAS prints 0 with no SE). ``lsmeans``, ``contrasts`` and ``type3`` are
    checked for estimability on the full coding (:mod:`irtrial.mmrm.estimability`): their tables
    then carry a boolean ``estimable`` column, and a non-estimable LS mean or difference (SAS
    "Non-est", emmeans ``nonEst``) has NaN in every number; a type 3 term that is not fully
    estimable is tested on its estimable part (see :func:`irtrial.mmrm.testing.type3_table`).
    ``contrast(L)`` takes ``L`` over the fitted columns as given (no check).
    """

    state: ModelState
    formula: str
    covariance_type: str
    method: str
    df: str
    vcov: str | None
    group: str | None
    weights: str | None
    conf_level: float
    loglik: float
    n_obs: int
    n_subjects: int
    n_subjects_read: int
    n_dropped: int
    exclusions: pd.DataFrame
    converged: bool
    n_iterations: int
    optimizer: str
    group_levels: list = field(default_factory=list)
    _xtvx_inv: np.ndarray | None = None
    _likelihood: object = None
    _model: object = field(default=None, repr=False)
    options: MMRMOptions | None = None

    def __post_init__(self) -> None:
        opts = self.options
        if opts is None:  # built from the option fields: resolve them once, here
            opts = resolve_options("us", self.method, self.df, self.vcov, self.conf_level)
            opts = replace(opts, covariance=self.covariance_type)
            object.__setattr__(self, "options", opts)
        for name, value in (("covariance_type", opts.covariance), ("method", opts.method),
                            ("df", opts.df), ("vcov", opts.vcov),
                            ("conf_level", opts.conf_level)):
            object.__setattr__(self, name, value)

    # ---- basic quantities ---------------------------------------------------------------------
    @property
    def design(self) -> MMRMDesign:
        return self.state.design

    @property
    def aliased(self) -> list[str]:
        return list(self.design.aliased)

    @property
    def beta(self) -> np.ndarray:
        return self.state.beta

    @property
    def theta(self) -> np.ndarray:
        return self.state.theta

    @property
    def n_parameters(self) -> int:
        """Parameters counted in AIC/BIC: covariance parameters, plus the fixed effects under ML
        (SAS's convention)."""
        q = self.state.structure.n_theta
        return q + (len(self.beta) if self.method == "ml" else 0)

    @property
    def aic(self) -> float:
        """-2 log L + 2 q, q as in :attr:`n_parameters` (SAS's "AIC (Smaller is Better)")."""
        return -2.0 * self.loglik + 2.0 * self.n_parameters

    @property
    def aicc(self) -> float:
        """SAS's AICC: n = N - p observations under REML, N under ML."""
        n = self.n_obs - (len(self.beta) if self.method == "reml" else 0)
        q = self.n_parameters
        return -2.0 * self.loglik + 2.0 * q * n / (n - q - 1)

    @property
    def bic(self) -> float:
        """-2 log L + q log(n_subjects_read) (SAS's convention: every subject read)."""
        return -2.0 * self.loglik + self.n_parameters * np.log(self.n_subjects_read)

    @property
    def notes(self) -> tuple[str, ...]:
        """What the reader must know: rows not used and why, aliased columns, and how the
        visit order was inferred from a raw frame (also in :meth:`summary`)."""
        return tuple(summary_notes(self))

    def sigma(self, group=None) -> np.ndarray:
        """The estimated (v, v) residual covariance matrix (of ``group`` when ``group=``)."""
        g = 0 if group is None else self.group_levels.index(group)
        return self.state.structure.sigma(self.theta, g)

    @cached_property
    def covariance(self):
        """Visits x visits DataFrame; a dict group level -> DataFrame with ``group=``."""
        lv = [str(v) for v in self.design.visit_levels]
        frames = {
            gl: pd.DataFrame(self.state.structure.sigma(self.theta, g), index=lv, columns=lv)
            for g, gl in enumerate(self.group_levels)
        }
        return frames[self.group_levels[0]] if self.group is None else frames

    @cached_property
    def covariance_parameters(self) -> pd.DataFrame:
        """SAS's "Covariance Parameter Estimates": ``cov_parm, group, estimate, std_error``.

        Standard errors come from the observed Hessian of -2 log L (central differences of the
        analytic gradient): var(theta) = 2 H^-1, as SAS computes them.
        """
        s = self.state.structure
        k1 = s.n_theta // max(len(self.group_levels), 1)
        groups = [gl for gl in self.group_levels for _ in range(k1)]
        try:
            with single_blas_thread():
                h = self._likelihood.hessian(self.theta)
            cov = 2.0 * np.linalg.inv(h)
            se = np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))
        except (np.linalg.LinAlgError, AttributeError):
            se = np.full(s.n_theta, np.nan)
        return pd.DataFrame(
            {
                "cov_parm": s.param_names,
                "group": groups if self.group is not None else [None] * s.n_theta,
                C.ESTIMATE: self.theta,
                C.STD_ERROR: se,
            },
            columns=COVARIANCE_PARAMETER_COLUMNS,
        )

    # ---- fixed effects ----------------------------------------------------------------------
    def beta_vcov(self, vcov: str | None = None) -> np.ndarray:
        """(p, p) covariance of beta-hat: the fit's ``vcov`` by default, or the one named
        (``"asymptotic"`` (X'V^-1X)^-1, ``"kenward-roger"``, ``"kenward-roger-linear"``,
        ``"empirical"``, or their SAS spellings)."""
        kind = self.vcov if vcov is None else vcov_name(vcov)
        if kind == "asymptotic" and self._xtvx_inv is not None:
            return self._xtvx_inv
        return _beta_vcov(self.state, kind)

    @cached_property
    def coefficients(self) -> pd.DataFrame:
        """``term, estimate, std_error, df, statistic, p_value, ci_lower, ci_upper``."""
        names = list(self.design.column_names)
        return contrast_table(self.state, np.eye(len(names)), names, df=self.df, vcov=self.vcov,
                              conf_level=self.conf_level)

    def lsmeans(
        self,
        spec: str,
        by: str | None = None,
        *,
        weights: str = "equal",
        conf_level: float | None = None,
    ) -> pd.DataFrame:
        """LS means of ``spec`` (optionally within ``by``); see ``irtrial.mmrm.lsmeans``."""
        return lsmeans_table(self.state, spec, by, weights=weights, df=self.df, vcov=self.vcov,
                             conf_level=conf_level or self.conf_level)

    def contrasts(
        self,
        spec: str,
        control=None,
        by: str | None = None,
        *,
        weights: str = "equal",
        conf_level: float | None = None,
        adjust: str | None = None,
    ) -> pd.DataFrame:
        """Each level of ``spec`` minus ``control`` (default: the first level), within ``by``.

        ``adjust``: None, ``"holm"``, ``"bonferroni"`` or ``"dunnett"`` (several doses against
        one control, multivariate t), within each level of ``by``, as emmeans; adds
        ``p_adjusted, ci_lower_adjusted, ci_upper_adjusted, adjust`` (see
        :func:`irtrial.mmrm.lsmeans.contrasts_table` and :mod:`irtrial.mmrm.adjust`).

        Examples
        --------
        >>> import irtrial
        >>> from irtrial.synthetic import TrialDesign, simulate_frame
        >>> design = TrialDesign(arms=("Placebo", "Low", "High"), n_per_arm=(30, 30, 30),
        ...                      visits=(0, 4, 8), means=((6, 5.5, 5.2), (6, 5, 4.6),
        ...                                                (6, 4.8, 4.1)))
        >>> d = simulate_frame(design, seed=7)
        >>> fit = irtrial.mmrm(d[d.AVISITN > 0], "AVAL ~ ARM * AVISIT", subject="USUBJID",
        ...                    visit="AVISIT", df="SATTERTH")
        >>> tab = fit.contrasts("ARM", "Placebo", by="AVISIT", adjust="dunnett")
        >>> tab[tab.AVISIT == "Week 8"][["ARM", "p_value", "p_adjusted"]].round(4).values.tolist()
        [['High', 0.0119, 0.0224], ['Low', 0.0033, 0.0063]]
        """
        if spec not in self.design.factors:
            raise ModelSpecError(f"{spec!r} is not a factor of the model: "
                                 f"{list(self.design.factors)}")
        control = self.design.factors[spec][0] if control is None else control
        return contrasts_table(self.state, spec, control, by, weights=weights, df=self.df,
                               vcov=self.vcov, conf_level=conf_level or self.conf_level,
                               adjust=adjust)

    def type3(self) -> pd.DataFrame:
        """Type 3 F tests of the model terms: ``term, num_df, den_df, f_value, p_value``."""
        return type3_table(self.state, df=self.df, vcov=self.vcov)

    def contrast(self, L, labels=None) -> pd.DataFrame:
        """Estimate rows of ``L @ beta`` with the model's df and vcov."""
        L = np.atleast_2d(np.asarray(L, dtype=float))
        labels = labels or [f"L{i + 1}" for i in range(L.shape[0])]
        return contrast_table(self.state, L, labels, df=self.df, vcov=self.vcov,
                              conf_level=self.conf_level)

    # ---- conditional distribution (sensitivity analyses) -------------------------------------
    def conditional_mean(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Subjects' missing responses given their observed ones, under the fitted model.

        ``frame`` holds the rows of one or more subjects for the visits of interest
        (covariates filled in, the response NaN where missing). Returns ``subject, visit,
        observed, mean, cond_mean, cond_sd`` in the rows' order: the marginal mean X beta and,
        for missing visits, E[y_m | y_o] = mu_m + S_mo S_oo^-1 (y_o - mu_o) and the sd from
        S_mm - S_mo S_oo^-1 S_om (unweighted rows), batched by missing-data pattern
        (:func:`irtrial.mmrm.conditional_normal`).
        """
        return conditional_mean_frame(self, frame)

    def conditional(self, beta=None, sigma=None, *, at: dict | None = None) -> ConditionalNormal:
        """Conditional distribution of every subject's unobserved visits given the observed.

        Over the full subject x visit grid of the model (rows with a missing response
        included; visits without a row take the subject's covariates), for the fitted
        (beta, Sigma) or given ones (``sigma`` (v, v) or (G, v, v) with ``group=``). ``at``
        sets factor levels of the mean, e.g. ``{"arm": "Placebo"}`` for the reference arm.
        See :func:`irtrial.mmrm.conditional_normal`.

        Examples
        --------
        >>> import irtrial
        >>> from irtrial.synthetic import ir_wrap_trial
        >>> cn = irtrial.mmrm(ir_wrap_trial(), df="satterthwaite").conditional()
        >>> cn.mean.shape, len(cn.visits)
        ((39, 6), 6)
        """
        return fitted_conditional(self, beta, sigma, at=at)

    def simulate(self, n: int = 1, seed=None, method: str = "conditional", *,
                 given_observed: bool = False, frame: bool = False):
        """New response vectors from the fitted model (R mmrm ``simulate()``); see
        :func:`irtrial.mmrm.simulate.simulate`.

        Examples
        --------
        >>> import irtrial
        >>> from irtrial.synthetic import ir_wrap_trial
        >>> irtrial.mmrm(ir_wrap_trial(), df="satterthwaite").simulate(3, seed=1).shape
        (234, 3)
        """
        from irtrial.mmrm.simulate import simulate

        return simulate(self, n, seed, method, given_observed=given_observed, frame=frame)

    def draw_parameters(self, n: int, seed=None, method: str = "asymptotic", *,
                        strata: str | None = None, n_jobs: int = 1, scheduler=None):
        """Draws of (beta, Sigma) (asymptotic normal or bootstrap of subjects); see
        :func:`irtrial.mmrm.simulate.draw_parameters`.

        Examples
        --------
        >>> import irtrial
        >>> from irtrial.synthetic import ir_wrap_trial
        >>> fit = irtrial.mmrm(ir_wrap_trial(), df="satterthwaite")
        >>> fit.draw_parameters(10, seed=1).sigma.shape
        (10, 1, 6, 6)
        """
        from irtrial.mmrm.simulate import draw_parameters

        return draw_parameters(self, n, seed, method, strata=strata, n_jobs=n_jobs,
                               scheduler=scheduler)

    # ---- display ---------------------------------------------------------------------------
    def summary(self) -> Summary:
        """SAS-style summary: model information, fit statistics, covariance parameters,
        fixed effects and type 3 tests. Prints as text; renders as HTML in Jupyter; its tables
        are DataFrame attributes (``.coefficients``, ``.type3`` ...); see
        :mod:`irtrial.mmrm.summary`."""
        return mmrm_summary(self)

    def __repr__(self) -> str:
        return (
            f"<MMRMResult {self.formula!r} covariance={self.covariance_type!r}"
            f" method={self.method!r}"
            f" n_subjects={self.n_subjects} n_obs={self.n_obs} -2logL={-2 * self.loglik:.4f}>"
        )
