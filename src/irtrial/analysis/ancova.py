"""ANCOVA of change from baseline at one visit: ``change ~ baseline + arm (+ covariates)``,
with LS means per arm, each active arm's difference from the control and a standardised
effect, as R ``lm`` + ``emmeans`` and SAS ``PROC GLM`` + ``LSMEANS`` report them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from irtrial import columns as C
from irtrial.analysis._compare import Attempts, check_options, prepare
from irtrial.analysis.result import ComparisonResult
from irtrial.errors import InsufficientDataError, SingularDesignError

__all__ = ["ancova"]


def _design(frame: pd.DataFrame, arms: Sequence[str], covariates: Sequence[str]):
    """Treatment-coded design and the LS-means rows (one per arm).

    Numeric covariates enter linearly and are set to their mean in the LS means; a
    non-numeric covariate is a factor (first level the reference) whose levels get equal
    weights, as emmeans does by default.
    """
    n = len(frame)
    cols: dict[str, np.ndarray] = {"(Intercept)": np.ones(n)}
    grid: dict[str, float] = {"(Intercept)": 1.0}
    arm = frame[C.ARM].astype(str).to_numpy()
    for a in arms[1:]:
        cols[f"arm[{a}]"] = (arm == a).astype(float)
    cols[C.BASELINE] = frame[C.BASELINE].to_numpy(float)
    grid[C.BASELINE] = float(cols[C.BASELINE].mean())
    for cov in covariates:
        s = frame[cov]
        if pd.api.types.is_numeric_dtype(s) and not isinstance(s.dtype, pd.CategoricalDtype):
            cols[cov] = s.to_numpy(float)
            grid[cov] = float(cols[cov].mean())
        else:
            levels = (
                list(s.cat.categories)
                if isinstance(s.dtype, pd.CategoricalDtype)
                else sorted(s.astype(str).unique())
            )
            levels = [lv for lv in levels if (s.astype(str) == str(lv)).any()]
            for lv in levels[1:]:
                cols[f"{cov}[{lv}]"] = (s.astype(str) == str(lv)).to_numpy(float)
                grid[f"{cov}[{lv}]"] = 1.0 / len(levels)
    X = pd.DataFrame(cols)
    L = np.zeros((len(arms), X.shape[1]))
    for i, a in enumerate(arms):
        for j, name in enumerate(X.columns):
            if name.startswith("arm["):
                L[i, j] = float(name == f"arm[{a}]")
            else:
                L[i, j] = grid[name]
    return X, L


def _ancova_fit(
    y: np.ndarray,
    frame: pd.DataFrame,
    arms: Sequence[str],
    covariates: Sequence[str] = (),
    conf_level: float = 0.95,
) -> dict[str, pd.DataFrame]:
    """Fit the ANCOVA by OLS and return ``lsmeans``, ``contrasts`` (each active arm - the
    first arm), ``effect_size`` and ``coefficients`` tables."""
    X, L = _design(frame, arms, covariates)
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        raise SingularDesignError(
            "the ANCOVA design is rank deficient (a covariate is constant or collinear with "
            f"the arm or baseline); columns: {list(X.columns)}"
        )
    if len(y) <= X.shape[1]:
        raise InsufficientDataError(
            f"the ANCOVA needs more subjects ({len(y)}) than parameters ({X.shape[1]})"
        )
    from statsmodels.regression.linear_model import OLS  # lazy: statsmodels.api costs ~0.3 s

    fit = OLS(np.asarray(y, float), X).fit()
    beta = fit.params.to_numpy()
    V = fit.cov_params().to_numpy()
    df = float(fit.df_resid)
    sigma = math.sqrt(fit.scale)
    q = stats.t.ppf(1 - (1 - conf_level) / 2, df)

    def rows(Lmat, labels):
        est = Lmat @ beta
        se = np.sqrt(np.einsum("ij,jk,ik->i", Lmat, V, Lmat))
        t = est / se
        return pd.DataFrame(
            {
                C.TERM: labels,
                C.ESTIMATE: est,
                C.STD_ERROR: se,
                C.DF: df,
                C.STATISTIC: t,
                C.P_VALUE: 2 * stats.t.sf(np.abs(t), df),
                C.CI_LOWER: est - q * se,
                C.CI_UPPER: est + q * se,
            }
        )

    lsmeans = rows(L, list(arms))
    D = L[1:] - L[0]
    contrasts = rows(D, [f"{a} - {arms[0]}" for a in arms[1:]])
    # standardised effect: difference / residual SD; delta-method SE treating sigma as
    # estimated with df degrees of freedom (var(log sigma) = 1 / (2 df)), as emmeans::eff_size
    d = contrasts[C.ESTIMATE].to_numpy() / sigma
    se_d = np.sqrt((contrasts[C.STD_ERROR].to_numpy() / sigma) ** 2 + d**2 / (2 * df))
    effect = pd.DataFrame(
        {
            C.TERM: contrasts[C.TERM],
            C.ESTIMATE: d,
            C.STD_ERROR: se_d,
            C.DF: df,
            C.STATISTIC: d / se_d,
            C.P_VALUE: 2 * stats.t.sf(np.abs(d / se_d), df),
            C.CI_LOWER: d - q * se_d,
            C.CI_UPPER: d + q * se_d,
        }
    )
    coef = rows(np.eye(len(beta)), list(X.columns))
    return {
        "lsmeans": lsmeans,
        "contrasts": contrasts,
        "effect_size": effect,
        "coefficients": coef,
        "sigma": sigma,
    }


def ancova(
    data: Any,
    *,
    visit: Any = None,
    covariates: Sequence[str] = (),
    variable: str = C.CHANGE,
    conf_level: float = 0.95,
    **roles: Any,
) -> ComparisonResult:
    r"""ANCOVA of change from baseline: ``change ~ baseline + arm (+ covariates)``.

    For subject :math:`i` in arm :math:`a(i)` at the analysed visit,

    .. math::
        y_i = \mu + \tau_{a(i)} + \beta\, b_i + \gamma^\top z_i + \varepsilon_i, \qquad
        \varepsilon_i \sim N(0, \sigma^2), \quad \tau_{\text{control}} = 0,

    fitted by ordinary least squares (statsmodels ``OLS``). The LS mean of arm :math:`a` is
    the prediction at the mean baseline and mean numeric covariates, averaged with equal
    weights over the levels of factor covariates (emmeans' default, SAS ``LSMEANS``). The
    difference active - control is :math:`\hat\tau_a` with a t CI on the residual df
    :math:`n - p`. The standardised effect is :math:`\hat\tau_a / \hat\sigma` with a
    delta-method SE :math:`\sqrt{SE^2/\hat\sigma^2 + d^2/(2(n-p))}` (emmeans
    ``eff_size(sigma = sigma(fit), edf = df.residual(fit))``).

    Parameters
    ----------
    data : Trial, DataFrame or path
        A :class:`irtrial.Trial`, or a long table read with ``read_trial(data, **roles)``.
    visit : label, list, "all" or None
        The visit(s) to analyse (a separate model per visit); the last by default.
    covariates : sequence of str
        Extra covariates besides the baseline (numeric: linear; otherwise a factor).
    variable : {"change", "pct_change", "value"}
        The response. ``value`` gives the same arm differences as ``change`` (the baseline
        is in the model).
    conf_level : float
    **roles
        Column roles for a DataFrame or file, as :func:`irtrial.analysis.welch_test`
        (the visit column as ``visit_column=``); ``covariates`` are read too.

    Returns
    -------
    ComparisonResult
        ``table``: one row per visit x active arm: ``visit, arm, control, term`` (``"IR -
        Placebo"``), ``estimate`` (difference in LS means), ``std_error, df, statistic`` (t),
        ``p_value, ci_lower, ci_upper, effect_size, effect_size_lower, effect_size_upper,
        n_active, n_control, note``. ``tables``: ``lsmeans`` (``visit, term`` = arm and the
        estimate columns), ``effect_size``, ``coefficients`` (per visit), and ``sigma``.

    Raises
    ------
    InsufficientDataError
        No comparison at all can be computed. An arm with fewer than 2 subjects at a visit
        leaves that visit's model and its row has NaN statistics and ``note`` giving the
        reason (the control short, or no more subjects than parameters: every row of that
        visit); the other arms and visits are fitted as usual.
    SingularDesignError
        A covariate is constant or collinear.

    Notes
    -----
    SAS: ``PROC GLM; CLASS arm; MODEL chg = base arm / SOLUTION; LSMEANS arm / PDIFF CL
    E;``. R: ``fit <- lm(chg ~ base + arm); emmeans(fit, trt.vs.ctrl ~ arm)``. Subjects
    without a value at the visit or with a missing covariate are left out (complete-case
    analysis, the endpoint ANCOVA's usual estimand); the MMRM uses every observed visit.

    emmeans 1.8 ``eff_size`` combines LS means with opposite signs differently (it uses
    :math:`(|e_a| - |e_c|)^2` in place of :math:`(e_a - e_c)^2`, so its SE changes when the
    outcome is shifted); irtrial uses the location-invariant delta method, which equals
    emmeans' whenever the arms' LS means share a sign.

    References
    ----------
    .. [1] Senn, S. (2006). Change from baseline and analysis of covariance revisited.
       *Stat. Med.* 25, 4334-4344.
    .. [2] EMA (2015). Guideline on adjustment for baseline covariates in clinical trials.
       EMA/CHMP/295050/2013.
    .. [3] Searle, S. R., Speed, F. M. & Milliken, G. A. (1980). Population marginal means in
       the linear model. *Am. Stat.* 34, 216-221.

    Examples
    --------
    >>> from irtrial.analysis import ancova
    >>> from irtrial.synthetic.datasets import ir_wrap_trial
    >>> res = ancova(ir_wrap_trial(), covariates=["AGE", "SEX"])
    >>> res.table[["term", "estimate", "ci_lower", "ci_upper"]].round(2)
               term  estimate  ci_lower  ci_upper
    0  IR - Placebo     -3.04     -4.31     -1.77
    >>> res["lsmeans"][["term", "estimate", "std_error"]].round(2)
          term  estimate  std_error
    0  Placebo     -1.17       0.45
    1       IR     -4.21       0.37
    """
    check_options(variable, conf_level)
    if isinstance(covariates, str):
        covariates = (covariates,)  # one name, not its letters
    prep = prepare(data, visit=visit, variable=variable, covariates=covariates, roles=roles)
    rows, tables = [], {"lsmeans": [], "effect_size": [], "coefficients": []}
    sigmas = []
    attempts = Attempts()
    for vd in prep.visits:
        # arms with fewer than 2 subjects at this visit leave the model; their comparison is a
        # row with NaN statistics and the reason (the control short: every row of the visit)
        ok = [a for a in vd.arms if not vd.shortage((a,))]
        fit, why_fit = None, None
        if vd.control in ok and len(ok) > 1:
            sub = vd.frame.loc[vd.frame[C.ARM].isin(ok)].reset_index(drop=True)
            fit, why_fit = attempts.run(
                vd,
                ok,
                f"{vd.visit}, model",
                lambda sub=sub, ok=ok: _ancova_fit(
                    sub[variable].to_numpy(float), sub, ok, covariates, conf_level
                ),
            )
            attempts.computed -= fit is not None  # counted per comparison below
        if fit is not None:
            sigmas.append({C.VISIT: vd.visit, "sigma": fit["sigma"]})
            for name in tables:
                tables[name].append(fit[name].assign(**{C.VISIT: vd.visit}))
        for arm in vd.active_arms:
            label = f"{vd.visit}, {arm} vs {vd.control}"
            row = {C.VISIT: vd.visit, C.ARM: arm, "control": vd.control, "variable": variable}
            if fit is not None and arm in ok:
                i = ok.index(arm) - 1
                con = fit["contrasts"].iloc[i]
                es = fit["effect_size"].iloc[i]
                attempts.computed += 1
                row.update(
                    {
                        **con.to_dict(),
                        "effect_size": es[C.ESTIMATE],
                        "effect_size_lower": es[C.CI_LOWER],
                        "effect_size_upper": es[C.CI_UPPER],
                        "note": None,
                    }
                )
            else:
                why = "; ".join(vd.shortage((arm, vd.control))) or why_fit
                if why_fit is None or vd.shortage((arm, vd.control)):
                    attempts.skip(label, why, vd.insufficient(vd.arms))
                nan = {c: np.nan for c in C.ESTIMATE_COLUMNS}
                row.update({C.TERM: f"{arm} - {vd.control}", **nan, "note": why})
                for c in ("effect_size", "effect_size_lower", "effect_size_upper"):
                    row[c] = np.nan
            row["n_active"] = len(vd.values(arm))
            row["n_control"] = len(vd.values(vd.control))
            rows.append(row)
    attempts.finish()
    out_tables = {}
    for name, frames in tables.items():
        t = pd.concat(frames, ignore_index=True)
        out_tables[name] = t[[C.VISIT] + [c for c in t.columns if c != C.VISIT]]
    out_tables["sigma"] = pd.DataFrame(sigmas)
    model = " + ".join([C.BASELINE, C.ARM, *covariates])
    return ComparisonResult(
        method=f"ANCOVA of {variable} ~ {model} (OLS, LS means)",
        table=_table(rows),
        n_by_arm=prep.n_by_arm(),
        excluded=prep.excluded(),
        tables=out_tables,
        notes=tuple(prep.notes() + attempts.notes),
        conf_level=conf_level,
    )


def _table(rows: list[dict]) -> pd.DataFrame:
    front = [C.VISIT, C.ARM, "control", "variable", C.TERM, *C.ESTIMATE_COLUMNS]
    back = ["effect_size", "effect_size_lower", "effect_size_upper", "n_active", "n_control"]
    table = pd.DataFrame(rows)
    return table[front + back + ["note"]]
