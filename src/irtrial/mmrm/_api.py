"""``irtrial.mmrm()``: fit a mixed model for repeated measures."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from irtrial.errors import InsufficientDataError, ModelSpecError
from irtrial.mmrm._threads import single_blas_thread
from irtrial.mmrm._types import DF_METHODS, VCOV_METHODS, ModelState
from irtrial.mmrm.control import FitControl
from irtrial.mmrm.covariance import COVARIANCE_TYPES, make_covariance
from irtrial.mmrm.design import prepare
from irtrial.mmrm.fit import optimize_theta
from irtrial.mmrm.likelihood import Likelihood
from irtrial.mmrm.result import MMRMResult

__all__ = ["mmrm", "TRIAL_FORMULA"]

#: the default model on an ``irtrial.Trial``: change from baseline, baseline-adjusted
TRIAL_FORMULA = "change ~ baseline + arm * visit"

_HETERO_VISITS = {"us", "csh", "ar1h", "toeph", "adh"}


def _validate_options(covariance, method, df, vcov, conf_level) -> list[str]:
    problems = []
    if str(covariance).lower() not in COVARIANCE_TYPES:
        problems.append(
            f"covariance={covariance!r} is not one of " + ", ".join(map(repr, COVARIANCE_TYPES))
        )
    if method not in ("reml", "ml"):
        problems.append(f"method={method!r} is not one of 'reml', 'ml'")
    if df not in DF_METHODS:
        problems.append(f"df={df!r} is not one of " + ", ".join(map(repr, DF_METHODS)))
    if vcov is not None and vcov not in VCOV_METHODS:
        problems.append(f"vcov={vcov!r} is not one of None, " + ", ".join(map(repr, VCOV_METHODS)))
    if not (isinstance(conf_level, float | int) and 0 < conf_level < 1):
        problems.append(f"conf_level={conf_level!r} must be a number between 0 and 1")
    kr = "kenward-roger" in (df, str(vcov).removesuffix("-linear"))
    if method == "ml" and kr:
        problems.append(
            "Kenward-Roger needs method='reml' (as in SAS and R mmrm); use df='satterthwaite' "
            "with method='ml'"
        )
    if vcov == "empirical" and df in ("satterthwaite", "kenward-roger", "kenward-roger-linear"):
        problems.append(
            f"df={df!r} is not available with vcov='empirical'; use df='between-within' (SAS's "
            "default with EMPIRICAL) or df='residual'"
        )
    return problems


def _default_df(method: str, vcov: str | None) -> str:
    """SAS's defaults: between-within with EMPIRICAL; Kenward-Roger under REML (the
    recommended primary analysis); Satterthwaite under ML, where KR is undefined."""
    if vcov == "empirical":
        return "between-within"
    return "kenward-roger" if method == "reml" else "satterthwaite"


def _check_information(prepared, structure, covariance) -> None:
    """Enough subjects and observations for the covariance structure; raise otherwise."""
    problems = []
    p = prepared.X.shape[1]
    n_obs = len(prepared.y)
    k = structure.n_theta
    if n_obs - p < k:
        problems.append(
            f"{n_obs} observations and {p} fixed effects leave too few residual degrees of "
            f"freedom for the {k} covariance parameters of {covariance!r}"
        )
    levels = prepared.design.visit_levels
    for g, gl in enumerate(prepared.group_levels):
        sel = prepared.group_codes == g
        counts = np.bincount(prepared.visit_codes[sel], minlength=len(levels))
        label = "" if gl is None else f" in group {gl!r}"
        if covariance in _HETERO_VISITS:
            few = [str(levels[i]) for i in np.flatnonzero(counts < 2)]
            if few:
                problems.append(
                    f"visit(s) {', '.join(few)}{label} have fewer than 2 subjects with data: "
                    f"the per-visit variances of {covariance!r} are not estimable"
                )
        if covariance == "us":
            v = len(levels)
            obs = np.zeros((int(prepared.subject_codes.max()) + 1, v), dtype=bool)
            obs[prepared.subject_codes[sel], prepared.visit_codes[sel]] = True
            subj = obs[obs.any(axis=1)]
            pair = subj.T.astype(int) @ subj.astype(int)
            iu = np.argwhere(np.triu(pair == 0, 1))
            if len(iu):
                shown = ", ".join(f"({levels[a]}, {levels[b]})" for a, b in iu[:10])
                problems.append(
                    f"no subject{label} is observed at both visits of the pairs {shown}: their "
                    "unstructured covariance is not estimable; use a structured covariance"
                )
            if len(subj) <= v:
                problems.append(
                    f"{len(subj)} subjects{label} are too few for an unstructured covariance "
                    f"over {v} visits (more than {v} needed)"
                )
    if problems:
        raise InsufficientDataError("; ".join(problems))


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
    if not isinstance(data, pd.DataFrame) and hasattr(data, "data") and hasattr(data, "arms"):
        trial_data = data.data
        formula = formula or TRIAL_FORMULA
        subject = subject or "subject"
        visit = visit or "visit"
        data = trial_data
    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(
            f"mmrm takes a Trial or a long DataFrame, not a {type(data).__name__}"
            + (f" ({data!r}): read the file first with irtrial.read_trial(...)"
               if isinstance(data, str | os.PathLike) else ""))
    if formula is None or subject is None or visit is None:
        raise ModelSpecError("formula, subject and visit are required for a DataFrame")
    covariance = str(covariance).lower()
    method = str(method).lower()
    if vcov is not None:
        vcov = str(vcov).lower()
    df = _default_df(method, vcov) if df is None else str(df).lower()
    problems = _validate_options(covariance, method, df, vcov, conf_level)
    if control is not None and not isinstance(control, FitControl):
        problems.append("control must be an irtrial.mmrm.FitControl")
    if problems:
        raise ModelSpecError("invalid MMRM options: " + "; ".join(problems))
    control = control or FitControl()

    prepared = prepare(data, formula, subject, visit, group, weights, control.accept_singular)
    v = len(prepared.design.visit_levels)
    structure = make_covariance(covariance, v, len(prepared.group_levels))
    _check_information(prepared, structure, covariance)
    patterns = prepared.patterns()
    lik = Likelihood(patterns, structure, method)
    with single_blas_thread():
        outcome = optimize_theta(lik, control)
    ev = outcome.evaluation
    n_subjects = int(sum(len(p.subjects) for p in patterns))
    state = ModelState(
        patterns=patterns,
        structure=structure,
        theta=outcome.theta,
        beta=ev.beta,
        method=method,
        design=prepared.design,
        n_obs=lik.n_obs,
        n_subjects=n_subjects,
    )
    return MMRMResult(
        state=state,
        formula=formula,
        covariance_type=covariance,
        method=method,
        df=df,
        vcov=vcov,
        group=group,
        weights=weights,
        conf_level=float(conf_level),
        loglik=-0.5 * ev.value,
        n_obs=lik.n_obs,
        n_subjects=n_subjects,
        n_subjects_read=prepared.n_subjects_read,
        n_dropped=int(prepared.exclusions["n_rows"].sum()) if len(prepared.exclusions) else 0,
        exclusions=prepared.exclusions,
        converged=outcome.converged,
        n_iterations=outcome.n_iterations,
        optimizer=outcome.optimizer,
        group_levels=list(prepared.group_levels),
        _xtvx_inv=ev.xtvx_inv,
        _likelihood=lik,
    )
