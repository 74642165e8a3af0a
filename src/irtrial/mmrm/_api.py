"""``irtrial.mmrm()``: fit a mixed model for repeated measures (``MMRM(...).fit()``)."""

from __future__ import annotations

from irtrial.mmrm.control import FitControl
from irtrial.mmrm.model import MMRM, TRIAL_FORMULA
from irtrial.mmrm.result import MMRMResult

__all__ = ["mmrm", "TRIAL_FORMULA"]


def mmrm(
    data,
    formula: str | None = None,
    subject: str | None = None,
    visit: str | None = None,
    covariance: str = "us",
    method: str = "reml",
    df: str | None = None,
    group: str | None = None,
    weights: str | None = None,
    vcov: str | None = None,
    conf_level: float = 0.95,
    control: FitControl | None = None,
    visit_num: str | None = None,
) -> MMRMResult:
    r"""Fit a mixed model for repeated measures (MMRM) by REML or ML.

    Parameters
    ----------
    data : DataFrame or irtrial.Trial
        Long data, one row per subject and visit. For a ``Trial``, the defaults are
        ``formula="change ~ baseline + arm * visit"``, ``subject="subject"``,
        ``visit="visit"``.
    formula : str
        Fixed effects, R/formulaic style: ``"FEV1 ~ RACE + SEX + ARMCD * AVISIT"``. Factors use
        treatment coding with the first level as reference (a Categorical's own order, text
        sorted).
    subject, visit : str
        Columns identifying the subject and the repeated visit (the covariance index).
    covariance : {"us", "cs", "csh", "ar1", "ar1h", "toep", "toeph", "ad", "adh"}
        Residual covariance structure (see :mod:`irtrial.mmrm.covariance`).
    method : {"reml", "ml"}
    df : {None, "satterthwaite", "kenward-roger", "kenward-roger-linear", "between-within", \
"residual"}
        Denominator degrees of freedom of tests and intervals. None (the default) means
        "kenward-roger" under REML, "satterthwaite" under ML and "between-within" with
        ``vcov="empirical"``. ``"kenward-roger"`` reproduces SAS ``DDFM=KR``;
        ``"kenward-roger-linear"`` reproduces SAS ``DDFM=KR(FIRSTORDER)``; for ``us`` and ``cs``
        they coincide.
    group : str, optional
        A column (e.g. the arm) whose levels get separate covariance parameters (SAS
        ``REPEATED / GROUP=``).
    weights : str, optional
        Column of positive observation weights (SAS ``WEIGHT``): R_i = W^-1/2 Sigma W^-1/2.
    vcov : {None, "asymptotic", "kenward-roger", "kenward-roger-linear", "empirical"}
        Covariance of the fixed effects; None uses the df method's default.
    conf_level : float
    control : FitControl, optional
    visit_num : str, optional
        A numeric column ordering the visits of a raw frame (ADaM ``AVISITN``); see
        :mod:`irtrial.mmrm.design` for how the order is otherwise inferred.

    Returns
    -------
    MMRMResult
        ``coefficients`` (term, estimate, std_error, df, statistic, p_value, ci_lower,
        ci_upper), ``covariance`` (visits x visits), ``covariance_parameters``, ``loglik``,
        ``aic``, ``bic``, ``lsmeans()``, ``contrasts()``, ``type3()``, ``state``.

    Notes
    -----
    The model is y_i = X_i beta + e_i, e_i ~ N(0, Sigma_i), with Sigma_i the sub-block of the
    (v, v) matrix Sigma for the visits subject i has (so intermittent missing visits are used
    correctly, under missing at random). REML maximises

    .. math:: -2 l_R = (N-p)\log 2\pi + \sum_i \log|\Sigma_i| + \log|X'V^{-1}X| + r'V^{-1}r,

    r = y - X\hat\beta(\theta); ML drops the log|X'V^-1X| term and uses N log 2 pi.
    Rows with a missing response or covariate are dropped and counted (``exclusions``).
    AIC and BIC follow SAS: q counts the covariance parameters (plus p under ML), BIC uses every
    subject read.

    ``irtrial.mmrm(...)`` is ``irtrial.mmrm.MMRM(...).fit()``: keep the :class:`MMRM` to refit
    new outcomes, subsets or covariates cheaply.

    SAS: ``PROC MIXED METHOD=REML; CLASS ...; MODEL FEV1 = RACE SEX ARMCD|AVISIT / DDFM=KR;
    REPEATED AVISIT / SUBJECT=USUBJID TYPE=UN;``.
    R: ``mmrm::mmrm(FEV1 ~ RACE + SEX + ARMCD * AVISIT + us(AVISIT | USUBJID), data,
    method = "Kenward-Roger")``, or ``nlme::gls(FEV1 ~ ..., correlation = corSymm(form = ~ 1 |
    USUBJID), weights = varIdent(form = ~ 1 | AVISIT), method = "REML")``.

    References
    ----------
    1. Mallinckrodt CH et al. Recommendations for the primary analysis of continuous
       endpoints in longitudinal clinical trials. Drug Inf J 2008;42:303-319.
    2. SAS/STAT User's Guide, The MIXED Procedure.
    3. Sabanes Bove D et al. mmrm: Mixed Models for Repeated Measures (R package).

    Examples
    --------
    >>> import irtrial, numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"id": np.repeat(np.arange(30), 3),
    ...                   "visit": np.tile(["W1", "W2", "W3"], 30),
    ...                   "arm": np.repeat(["PBO", "ACT"], 45)})
    >>> d["y"] = rng.normal(size=90) + (d.arm == "ACT") * 1.0
    >>> fit = irtrial.mmrm(d, "y ~ arm * visit", subject="id", visit="visit", df="residual")
    >>> fit.n_subjects, fit.converged
    (30, True)
    """
    return MMRM(
        data,
        formula,
        subject=subject,
        visit=visit,
        covariance=covariance,
        method=method,
        df=df,
        vcov=vcov,
        group=group,
        weights=weights,
        conf_level=conf_level,
        control=control,
        visit_num=visit_num,
    ).fit()
