"""Change from baseline within each arm: paired t-test and Wilcoxon signed-rank test with the
Hodges-Lehmann pseudo-median and its confidence interval.

Both reproduce R (4.2): ``t.test(chg)`` (= ``t.test(post, base, paired = TRUE)``) and
``wilcox.test(chg, conf.int = TRUE)``.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from irtrial import columns as C
from irtrial.analysis._compare import Attempts, check_options, prepare
from irtrial.analysis._zeroin import zeroin
from irtrial.analysis.result import ComparisonResult
from irtrial.analysis.twosample import (
    _correction,
    _normal_p_value,
    _quantile,
    _t_inference,
    _tie_term,
)
from irtrial.errors import InsufficientDataError, ModelSpecError

__all__ = ["within_arm"]


def _one_sample_t(x: np.ndarray, conf_level: float = 0.95, alternative: str = "two-sided"):
    """One-sample t-test of ``mean(x) = 0`` (R ``t.test(x)``)."""
    n = len(x)
    if n < 2:
        raise InsufficientDataError("the paired t-test needs at least 2 subjects")
    est = float(np.mean(x))
    se = float(np.std(x, ddof=1) / math.sqrt(n))
    if se == 0:
        raise InsufficientDataError("the paired t-test: every change is equal (zero variance)")
    t = est / se
    p, lo, hi = _t_inference(est, se, n - 1, t, conf_level, alternative)
    return {
        C.ESTIMATE: est,
        C.STD_ERROR: se,
        C.DF: float(n - 1),
        C.STATISTIC: t,
        C.P_VALUE: float(p),
        C.CI_LOWER: float(lo),
        C.CI_UPPER: float(hi),
    }


@lru_cache(maxsize=64)
def _signed_rank_counts(n: int) -> np.ndarray:
    """Number of sign patterns giving each value ``v = 0 .. n(n+1)/2`` of the signed-rank
    statistic (R's ``csignrank``)."""
    top = n * (n + 1) // 2
    dp = np.zeros(top + 1)
    dp[0] = 1.0
    for i in range(1, n + 1):
        dp[i:] += dp[: top + 1 - i].copy()
    return dp


def _psignrank(q: float, n: int, lower_tail: bool = True) -> float:
    counts = _signed_rank_counts(n)
    k = min(max(math.floor(q + 1e-7) + 1, 0), len(counts))
    tail = counts[:k] if lower_tail else counts[k:]
    return float(min(tail.sum() / counts.sum(), 1.0))


def _signed_rank(
    x: np.ndarray,
    conf_level: float = 0.95,
    alternative: str = "two-sided",
    exact: bool | None = None,
    correct: bool = True,
    tol_root: float = 1e-4,
) -> dict:
    """Wilcoxon signed-rank test of ``x`` with the pseudo-median and its CI, step for step as
    R ``wilcox.test(x, conf.int = TRUE)``."""
    x = np.asarray(x, float)
    zeroes = bool(np.any(x == 0))
    xs = x[x != 0]
    n = len(xs)
    if len(x) < 1:
        raise InsufficientDataError("the signed-rank test needs at least 1 value")
    if exact is None:
        exact = n < 50
    r = stats.rankdata(np.abs(xs))
    v = float(r[xs > 0].sum())
    ties = len(np.unique(r)) != len(r)
    alpha = 1 - conf_level
    notes = []
    if exact and not ties and not zeroes:
        method = "exact"
        if alternative == "two-sided":
            p = _psignrank(v - 1, n, lower_tail=False) if v > n * (n + 1) / 4 else _psignrank(v, n)
            p = min(2 * p, 1.0)
        elif alternative == "greater":
            p = _psignrank(v - 1, n, lower_tail=False)
        else:
            p = _psignrank(v, n)
        walsh = np.add.outer(x, x)[np.triu_indices(len(x))]
        walsh = np.sort(walsh) / 2
        qu = _quantile(_signed_rank_counts(n), alpha / 2 if alternative == "two-sided" else alpha)
        if qu == 0:
            qu = 1
        ql = n * (n + 1) // 2 - qu
        achieved = _psignrank(qu - 1, n) * (2 if alternative == "two-sided" else 1)
        lo = walsh[qu - 1] if alternative != "less" else -math.inf
        hi = walsh[ql] if alternative != "greater" else math.inf
        if achieved - alpha > alpha / 2:
            notes.append(
                "requested confidence level not achievable; achieved "
                f"{1 - float(f'{achieved:.2g}'):.4g}"
            )
        estimate = float(np.median(walsh))
    else:
        method = "normal approximation" + (" with continuity correction" if correct else "")
        sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - _tie_term(r) / 48)
        z0 = v - n * (n + 1) / 4
        corr = (_correction(z0, alternative)) if correct else 0.0
        z = (z0 - corr) / sigma if sigma > 0 else math.nan
        p = _normal_p_value(z, alternative)

        # as R, the CI search works on the values with the zeros already dropped
        def w_of(d: float, correct_: bool) -> float:
            xd = xs - d
            xd = xd[xd != 0]
            nx = len(xd)
            dr = stats.rankdata(np.abs(xd))
            zd = dr[xd > 0].sum() - nx * (nx + 1) / 4
            s = math.sqrt(nx * (nx + 1) * (2 * nx + 1) / 24 - _tie_term(dr) / 48)
            c = _correction(zd, alternative) if correct_ else 0.0
            if s == 0:
                return math.nan if zd - c == 0 else math.copysign(math.inf, zd - c)
            return (zd - c) / s

        if n == 0:
            lo = hi = estimate = math.nan
            notes.append("every change is zero: no estimate or confidence interval")
            w_max = math.nan
        else:
            mumin, mumax = float(xs.min()), float(xs.max())
            w_min = w_of(mumin, correct)
            w_max = w_of(mumax, correct) if math.isfinite(w_min) else math.nan
        if n == 0:
            pass
        elif not math.isfinite(w_max):
            lo = hi = math.nan
            estimate = (mumin + mumax) / 2
            notes.append("confidence interval not computable: all values zero or tied")
        else:

            def root(zq: float) -> float:
                return zeroin(
                    lambda d: w_of(d, correct) - zq, mumin, mumax, w_min - zq, w_max - zq, tol_root
                )

            lo, hi = -math.inf, math.inf
            a = alpha
            if alternative == "two-sided":
                while w_min - stats.norm.isf(a / 2) < 0 or w_max - stats.norm.ppf(a / 2) > 0:
                    a *= 2
                if a < 1:
                    lo, hi = root(stats.norm.isf(a / 2)), root(stats.norm.ppf(a / 2))
                else:
                    lo = hi = float(np.median(xs))
            elif alternative == "greater":
                while w_min - stats.norm.isf(a) < 0:
                    a *= 2
                lo = root(stats.norm.isf(a)) if a < 1 else float(np.median(xs))
            else:
                while w_max - stats.norm.ppf(a / 2) > 0:
                    a *= 2
                hi = root(stats.norm.ppf(a)) if a < 1 else float(np.median(xs))
            if a >= 1 or 1 - conf_level < a * 0.75:
                notes.append(
                    f"requested confidence level not achievable; achieved {1 - min(1, a):.4g}"
                )
            estimate = zeroin(lambda d: w_of(d, False), mumin, mumax, tol=tol_root)
        if ties:
            notes.append("ties present: normal approximation with tie correction used")
        if zeroes:
            notes.append("zero changes present: dropped from the ranks, normal approximation used")
    return {
        C.ESTIMATE: float(estimate),
        C.STATISTIC: v,
        C.P_VALUE: float(p),
        C.CI_LOWER: float(lo),
        C.CI_UPPER: float(hi),
        "method": method,
        "notes": notes,
    }


def within_arm(
    data: Any,
    *,
    visit: Any = None,
    variable: str = C.CHANGE,
    conf_level: float = 0.95,
    alternative: str = "two-sided",
    **roles: Any,
) -> ComparisonResult:
    r"""Change from baseline within each arm: paired t-test and Wilcoxon signed-rank test.

    For the :math:`n` changes :math:`d_i = y_{i,\text{visit}} - y_{i,0}` of one arm:

    * **paired t**: :math:`\bar d \pm t_{n-1,1-\alpha/2}\, s_d/\sqrt n`, :math:`t = \bar d /
      (s_d/\sqrt n)`;
    * **signed rank**: :math:`V = \sum_{d_i > 0} R(|d_i|)`; the estimate is the
      Hodges-Lehmann pseudo-median, the median of the Walsh averages :math:`(d_i + d_j)/2,
      i \le j`. Exact p-value and CI (order statistics of the Walsh averages) when
      :math:`n < 50` without ties or zeros; otherwise the normal approximation with tie and
      continuity corrections, zeros dropped, and the CI and estimate found as roots with
      Brent's method at tolerance 1e-4, as R does.

    Parameters
    ----------
    data, visit, conf_level, alternative, **roles
        As :func:`irtrial.analysis.welch_test`.
    variable : {"change", "pct_change"}
        What is tested against 0.

    Returns
    -------
    ComparisonResult
        ``table``: one row per visit x arm x test: ``visit, arm, test`` (``"paired t"`` or
        ``"signed rank"``), ``variable, estimate`` (mean change, or pseudo-median),
        ``std_error, df`` (paired t only), ``statistic`` (t or V), ``p_value, ci_lower,
        ci_upper, n, method``.

    Raises
    ------
    InsufficientDataError
        No test at all can be computed. An arm with fewer than 2 analysable subjects at a
        visit (or a test that cannot be computed) otherwise gives rows with NaN statistics
        and ``note`` giving the reason; the other arms and visits are tested as usual.

    Notes
    -----
    SAS: ``PROC TTEST; PAIRED aval*base; BY arm;`` and ``PROC UNIVARIATE; VAR chg; BY arm;``
    (signed rank; the Hodges-Lehmann CI via ``CIPCTLDF``/``ROBUSTSCALE`` is not the same).
    R: ``t.test(chg)``, ``wilcox.test(chg, conf.int = TRUE)`` per arm.

    References
    ----------
    .. [1] Wilcoxon, F. (1945). Individual comparisons by ranking methods. *Biometrics
       Bulletin* 1, 80-83.
    .. [2] Hollander, M. & Wolfe, D. A. (1973). *Nonparametric Statistical Methods*, ch. 3.
       Wiley.

    Examples
    --------
    >>> from irtrial.analysis import within_arm
    >>> from irtrial.synthetic.datasets import ir_wrap_trial
    >>> res = within_arm(ir_wrap_trial())
    >>> res.table[["arm", "test", "estimate", "ci_lower", "ci_upper"]].round(2)
           arm         test  estimate  ci_lower  ci_upper
    0  Placebo     paired t      -1.5     -2.42     -0.58
    1  Placebo  signed rank      -1.5     -2.50     -0.50
    2       IR     paired t      -4.0     -4.89     -3.11
    3       IR  signed rank      -4.0     -5.00     -3.00
    """
    check_options(variable, conf_level, alternative)
    if variable == C.VALUE:
        raise ModelSpecError(
            "within_arm tests a change against 0: use variable='change' or 'pct_change'"
        )
    prep = prepare(data, visit=visit, variable=variable, roles=roles)
    rows, notes = [], prep.notes()
    attempts = Attempts()
    for vd in prep.visits:
        for arm in vd.arms:
            x = vd.values(arm)
            common = {C.VISIT: vd.visit, C.ARM: arm, "variable": variable, C.N: len(x)}
            label = f"{vd.visit}, {arm}"
            t, why_t = attempts.run(
                vd,
                (arm,),
                f"{label} (paired t)",
                lambda x=x: _one_sample_t(x, conf_level, alternative),
            )
            rows.append({**common, "test": "paired t", **(t or {}), "method": "t", "note": why_t})
            sr, why_sr = attempts.run(
                vd,
                (arm,),
                f"{label} (signed rank)",
                lambda x=x: _signed_rank(x, conf_level, alternative),
            )
            sr = sr or {}
            notes += [f"{label}: {n}" for n in sr.pop("notes", [])]
            rows.append({**common, "test": "signed rank", **sr, "note": why_sr})
    attempts.finish()
    notes += attempts.notes
    table = pd.DataFrame(rows)
    front = [C.VISIT, C.ARM, "test", "variable", *C.ESTIMATE_COLUMNS, C.N, "method", "note"]
    table = table.reindex(columns=list(dict.fromkeys([*table.columns, *front])))
    return ComparisonResult(
        method=f"within-arm change: paired t and Wilcoxon signed rank on {variable}",
        table=table[front],
        n_by_arm=prep.n_by_arm(),
        excluded=prep.excluded(),
        notes=tuple(notes),
        conf_level=conf_level,
    )
