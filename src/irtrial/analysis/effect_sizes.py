"""Standardised effect sizes of each active arm against the control: Cohen's d and Hedges' g
with exact confidence intervals from the noncentral t distribution.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from irtrial import columns as C
from irtrial.analysis._compare import Attempts, check_options, prepare
from irtrial.analysis.result import ComparisonResult
from irtrial.errors import ConvergenceError, InsufficientDataError

__all__ = ["effect_sizes"]

_MEASURES = ("cohens_d", "hedges_g")


def _noncentral_t_ci(t: float, df: float, conf_level: float = 0.95) -> tuple[float, float]:
    """Confidence limits for the noncentrality parameter of a noncentral t with ``df`` degrees
    of freedom after observing ``t``: ``P(T <= t | ncp_lo) = 1 - alpha/2`` and
    ``P(T <= t | ncp_hi) = alpha/2`` (Steiger & Fouladi 1997; the CDF falls in ``ncp``)."""
    alpha = 1 - conf_level

    def solve(target: float) -> float:
        f = lambda ncp: stats.nct.cdf(t, df, ncp) - target  # noqa: E731
        step = max(2.0, abs(t))
        lo, hi = t - step, t + step
        for _ in range(60):
            if f(lo) > 0 and f(hi) < 0:
                return optimize.brentq(f, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps)
            lo, hi = lo - step, hi + step
            step *= 2
        raise ConvergenceError(f"could not bracket the noncentrality parameter for t = {t}")

    return solve(1 - alpha / 2), solve(alpha / 2)


def _hedges_j(df: float) -> float:
    """Exact small-sample correction ``J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))``."""
    return math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)


def _cohens_d(x: np.ndarray, y: np.ndarray, conf_level: float = 0.95) -> dict:
    """Cohen's d and Hedges' g of ``x`` vs ``y`` (pooled SD), with noncentral-t CIs."""
    nx, ny = len(x), len(y)
    if nx < 2 or ny < 2:
        raise InsufficientDataError("an effect size needs at least 2 values per group")
    df = nx + ny - 2
    sp = math.sqrt(((nx - 1) * np.var(x, ddof=1) + (ny - 1) * np.var(y, ddof=1)) / df)
    if sp == 0:
        raise InsufficientDataError("the pooled standard deviation is 0: every value is equal")
    d = float((np.mean(x) - np.mean(y)) / sp)
    scale = math.sqrt(1 / nx + 1 / ny)
    t = d / scale
    lo, hi = _noncentral_t_ci(t, df, conf_level)
    j = _hedges_j(df)
    se_d = math.sqrt((nx + ny) / (nx * ny) + d**2 / (2 * (nx + ny)))
    p = 2 * stats.t.sf(abs(t), df)
    common = {C.DF: float(df), C.STATISTIC: t, C.P_VALUE: p, "pooled_sd": sp, "hedges_j": j}
    return {
        "cohens_d": {
            C.ESTIMATE: d,
            C.STD_ERROR: se_d,
            C.CI_LOWER: lo * scale,
            C.CI_UPPER: hi * scale,
            **common,
        },
        "hedges_g": {
            C.ESTIMATE: j * d,
            C.STD_ERROR: j * se_d,
            C.CI_LOWER: j * lo * scale,
            C.CI_UPPER: j * hi * scale,
            **common,
        },
    }


def effect_sizes(
    data: Any,
    *,
    visit: Any = None,
    variable: str = C.CHANGE,
    conf_level: float = 0.95,
    **roles: Any,
) -> ComparisonResult:
    r"""Cohen's d and Hedges' g of each active arm against the control, with exact CIs.

    With pooled SD :math:`s_p = \sqrt{((n_A-1)s_A^2 + (n_P-1)s_P^2)/\nu}`,
    :math:`\nu = n_A + n_P - 2`:

    .. math::
        d = (\bar x_A - \bar x_P)/s_p, \qquad
        g = J(\nu)\,d, \quad J(\nu) = \frac{\Gamma(\nu/2)}{\sqrt{\nu/2}\,\Gamma((\nu-1)/2)}

    The statistic :math:`t = d/\sqrt{1/n_A + 1/n_P}` follows a noncentral t with :math:`\nu`
    df and noncentrality :math:`\delta/\sqrt{1/n_A+1/n_P}`. The CI inverts its CDF: the
    limits :math:`\lambda_L, \lambda_U` solve :math:`F_{\nu,\lambda_L}(t) = 1-\alpha/2` and
    :math:`F_{\nu,\lambda_U}(t) = \alpha/2`, and the CI of :math:`d` is
    :math:`\lambda\sqrt{1/n_A + 1/n_P}`; the CI of :math:`g` is that of :math:`d` times
    :math:`J(\nu)` (as R's *effectsize* and MBESS do).

    Parameters
    ----------
    data, visit, variable, conf_level, **roles
        As :func:`irtrial.analysis.welch_test`.

    Returns
    -------
    ComparisonResult
        ``table``: two rows per visit x active arm (``measure`` = ``"cohens_d"``,
        ``"hedges_g"``): ``visit, arm, control, variable, measure, estimate, std_error``
        (large-sample SE, :math:`\sqrt{(n_A+n_P)/(n_A n_P) + d^2/(2(n_A+n_P))}`, times
        :math:`J` for g), ``df, statistic`` (the pooled-variance t), ``p_value, ci_lower,
        ci_upper`` (exact, noncentral t), ``n_active, n_control, pooled_sd, hedges_j``.

    Raises
    ------
    InsufficientDataError
        No comparison at all can be computed. An arm (or the control) with fewer than 2
        subjects, or every value equal, otherwise gives rows with NaN statistics and
        ``note`` giving the reason; the others are computed as usual.

    Notes
    -----
    R: ``effectsize::hedges_g(chg ~ arm)`` / ``MBESS::ci.smd(ncp = t, n.1, n.2)``; SAS has no
    direct procedure (``PROC TTEST`` gives the t used here).

    References
    ----------
    .. [1] Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and
       related estimators. *J. Educ. Stat.* 6, 107-128.
    .. [2] Steiger, J. H. & Fouladi, R. T. (1997). Noncentrality interval estimation and the
       evaluation of statistical models. In *What If There Were No Significance Tests?*
    .. [3] Hedges, L. V. & Olkin, I. (1985). *Statistical Methods for Meta-Analysis*.
       Academic Press (the large-sample SE).

    Examples
    --------
    >>> from irtrial.analysis import effect_sizes
    >>> from irtrial.synthetic.datasets import ir_wrap_trial
    >>> res = effect_sizes(ir_wrap_trial())
    >>> res.table[["measure", "estimate", "ci_lower", "ci_upper"]].round(2)
        measure  estimate  ci_lower  ci_upper
    0  cohens_d     -1.31     -2.00     -0.61
    1  hedges_g     -1.28     -1.96     -0.60
    """
    check_options(variable, conf_level)
    prep = prepare(data, visit=visit, variable=variable, roles=roles)
    rows = []
    attempts = Attempts()
    for vd in prep.visits:
        y = vd.values(vd.control)
        for arm in vd.active_arms:
            x = vd.values(arm)
            label = f"{vd.visit}, {arm} vs {vd.control}"
            res, why = attempts.run(
                vd, (arm, vd.control), label, lambda x=x, y=y: _cohens_d(x, y, conf_level)
            )
            if res is None:
                res = {m: {c: np.nan for c in C.ESTIMATE_COLUMNS} for m in _MEASURES}
            for measure, r in res.items():
                rows.append(
                    {
                        C.VISIT: vd.visit,
                        C.ARM: arm,
                        "control": vd.control,
                        "variable": variable,
                        "measure": measure,
                        **r,
                        "n_active": len(x),
                        "n_control": len(y),
                        "note": why,
                    }
                )
    attempts.finish()
    front = [C.VISIT, C.ARM, "control", "variable", "measure", *C.ESTIMATE_COLUMNS]
    table = pd.DataFrame(rows)
    rest = [c for c in table.columns if c not in front and c != "note"]
    table = table[front + rest + ["note"]]
    return ComparisonResult(
        method=f"Cohen's d and Hedges' g on {variable} (noncentral t CIs)",
        table=table,
        n_by_arm=prep.n_by_arm(),
        excluded=prep.excluded(),
        notes=tuple(prep.notes() + attempts.notes),
        conf_level=conf_level,
    )
