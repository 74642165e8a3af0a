"""Two-sample comparisons of each active arm with the control: Welch's t-test and the
Mann-Whitney (Wilcoxon rank-sum) test with the Hodges-Lehmann shift and its confidence interval.

Both reproduce R: ``t.test(x, y, var.equal = FALSE)`` and ``wilcox.test(x, y, conf.int = TRUE)``
(R 4.2), where ``x`` is the active arm and ``y`` the control, so a negative estimate means the
active arm changed less (for pain: improved more) than the control.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from irtrial import columns as C
from irtrial.analysis._compare import Attempts, check_options, prepare
from irtrial.analysis._zeroin import zeroin
from irtrial.analysis.result import ComparisonResult
from irtrial.errors import InsufficientDataError, IrtrialWarning

__all__ = ["welch_test", "mann_whitney"]

_EPS = float(np.finfo(float).eps)


# ----------------------------------------------------------------------------- Welch


def _welch(x: np.ndarray, y: np.ndarray, conf_level: float = 0.95, alternative="two-sided"):
    """Welch two-sample t-test of ``mean(x) - mean(y)`` (as R ``t.test(var.equal=FALSE)``)."""
    nx, ny = len(x), len(y)
    if nx < 2 or ny < 2:
        raise InsufficientDataError("Welch's t-test needs at least 2 values per group")
    vx, vy = np.var(x, ddof=1) / nx, np.var(y, ddof=1) / ny
    se = math.sqrt(vx + vy)
    if se == 0:
        raise InsufficientDataError(
            "Welch's t-test: the data are constant in both groups (zero standard error)"
        )
    df = (vx + vy) ** 2 / (vx**2 / (nx - 1) + vy**2 / (ny - 1))
    est = float(np.mean(x) - np.mean(y))
    t = est / se
    p, lo, hi = _t_inference(est, se, df, t, conf_level, alternative)
    return {
        C.ESTIMATE: est,
        C.STD_ERROR: se,
        C.DF: df,
        C.STATISTIC: t,
        C.P_VALUE: p,
        C.CI_LOWER: lo,
        C.CI_UPPER: hi,
        "mean_active": float(np.mean(x)),
        "mean_control": float(np.mean(y)),
    }


def _t_inference(est, se, df, t, conf_level, alternative):
    """p-value and confidence interval of a t statistic, as R's ``t.test``."""
    if alternative == "less":
        return stats.t.cdf(t, df), -math.inf, est + stats.t.ppf(conf_level, df) * se
    if alternative == "greater":
        return stats.t.sf(t, df), est - stats.t.ppf(conf_level, df) * se, math.inf
    q = stats.t.ppf(1 - (1 - conf_level) / 2, df)
    return 2 * stats.t.sf(abs(t), df), est - q * se, est + q * se


# ------------------------------------------------------- exact rank-sum distribution


@lru_cache(maxsize=64)
def _rank_sum_counts(m: int, n: int) -> np.ndarray:
    """Number of arrangements giving each value ``u = 0 .. m*n`` of the Mann-Whitney
    statistic (R's ``cwilcox``): subsets of size ``m`` of the ranks ``1..m+n`` by rank sum."""
    top = sum(range(n + 1, m + n + 1))
    dp = np.zeros((m + 1, top + 1))
    dp[0, 0] = 1.0
    for i in range(1, m + n + 1):
        dp[1:, i:] += dp[:-1, : top + 1 - i].copy()
    base = m * (m + 1) // 2
    return dp[m, base : base + m * n + 1].copy()


def _pwilcox(q: float, m: int, n: int, lower_tail: bool = True) -> float:
    counts = _rank_sum_counts(m, n)
    total = counts.sum()
    q = math.floor(q + 1e-7)
    k = min(max(q + 1, 0), len(counts))
    tail = counts[:k] if lower_tail else counts[k:]
    return float(min(tail.sum() / total, 1.0))


def _qwilcox(p: float, m: int, n: int) -> int:
    """Smallest ``q`` with ``P(U <= q) >= p`` (R's ``qwilcox``, with its 10 eps fuzz)."""
    return _quantile(_rank_sum_counts(m, n), p)


def _quantile(counts: np.ndarray, p: float) -> int:
    total = counts.sum()
    cum = 0.0
    if p <= 0.5:
        target = p - 10 * _EPS
        for q, c in enumerate(counts):
            cum += c / total
            if cum >= target:
                return q
    target = 1 - p + 10 * _EPS
    for q, c in enumerate(counts):
        cum += c / total
        if cum > target:
            return len(counts) - 1 - q
    return len(counts) - 1


# -------------------------------------------------------------------- Mann-Whitney


def _tie_term(ranks: np.ndarray) -> float:
    _, t = np.unique(ranks, return_counts=True)
    return float(np.sum(t.astype(float) ** 3 - t))


def _mann_whitney(
    x: np.ndarray,
    y: np.ndarray,
    conf_level: float = 0.95,
    alternative: str = "two-sided",
    exact: bool | None = None,
    correct: bool = True,
    tol_root: float = 1e-4,
) -> dict:
    """Wilcoxon rank-sum test of ``x`` against ``y`` with the Hodges-Lehmann shift and its
    confidence interval, step for step as R ``wilcox.test(x, y, conf.int=TRUE)``."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    nx, ny = len(x), len(y)
    if nx < 1 or ny < 1:
        raise InsufficientDataError("the Mann-Whitney test needs at least 1 value per group")
    if x.min() == x.max() and y.min() == y.max() and x[0] != y[0]:
        # every pairwise difference is the same: R's uniroot for the Hodges-Lehmann shift
        # fails on the empty interval [mumin, mumax] too (all values equal: "tied" below)
        raise InsufficientDataError(
            "the Mann-Whitney test: the data are constant in both groups (the Hodges-Lehmann "
            "shift and its confidence interval cannot be computed)"
        )
    r = stats.rankdata(np.concatenate([x, y]))
    w = float(r[:nx].sum() - nx * (nx + 1) / 2)
    if exact is None:
        exact = nx < 50 and ny < 50
    ties = len(np.unique(r)) != len(r)
    notes = []
    alpha = 1 - conf_level
    if exact and not ties:
        method = "exact"
        if alternative == "two-sided":
            if w > nx * ny / 2:
                p = _pwilcox(w - 1, nx, ny, lower_tail=False)
            else:
                p = _pwilcox(w, nx, ny)
            p = min(2 * p, 1.0)
        elif alternative == "greater":
            p = _pwilcox(w - 1, nx, ny, lower_tail=False)
        else:
            p = _pwilcox(w, nx, ny)
        diffs = np.sort(np.subtract.outer(x, y).ravel())
        q_alpha = alpha / 2 if alternative == "two-sided" else alpha
        qu = _qwilcox(q_alpha, nx, ny)
        if qu == 0:
            qu = 1
        ql = nx * ny - qu
        achieved = _pwilcox(qu - 1, nx, ny) * (2 if alternative == "two-sided" else 1)
        lo = diffs[qu - 1] if alternative != "less" else -math.inf
        hi = diffs[ql] if alternative != "greater" else math.inf
        if achieved - alpha > alpha / 2:
            notes.append(f"requested confidence level not achievable; achieved {1 - achieved:.4g}")
        estimate = float(np.median(diffs))
        z = math.nan
    else:
        method = "normal approximation" + (" with continuity correction" if correct else "")
        sigma = math.sqrt(
            (nx * ny / 12) * ((nx + ny + 1) - _tie_term(r) / ((nx + ny) * (nx + ny - 1)))
        )
        if sigma == 0:
            raise InsufficientDataError(
                "the Mann-Whitney test: every value is tied (the same in both arms)"
            )
        z0 = w - nx * ny / 2
        corr = _correction(z0, alternative) if correct else 0.0
        z = (z0 - corr) / sigma
        p = _normal_p_value(z, alternative)

        def w_of(d: float, correct_: bool) -> float:
            dr = stats.rankdata(np.concatenate([x - d, y]))
            dz = dr[:nx].sum() - nx * (nx + 1) / 2 - nx * ny / 2
            c = _correction(dz, alternative) if correct_ else 0.0
            s = math.sqrt(
                (nx * ny / 12) * ((nx + ny + 1) - _tie_term(dr) / ((nx + ny) * (nx + ny - 1)))
            )
            return (dz - c) / s if s > 0 else math.copysign(math.inf, dz - c)

        mumin, mumax = float(x.min() - y.max()), float(x.max() - y.min())
        w_min, w_max = w_of(mumin, correct), w_of(mumax, correct)

        def root(zq: float) -> float:
            if w_min - zq <= 0:
                return mumin
            if w_max - zq >= 0:
                return mumax
            return zeroin(
                lambda d: w_of(d, correct) - zq, mumin, mumax, w_min - zq, w_max - zq, tol_root
            )

        if alternative == "two-sided":
            lo = root(stats.norm.isf(alpha / 2))
            hi = root(stats.norm.ppf(alpha / 2))
        elif alternative == "greater":
            lo, hi = root(stats.norm.isf(alpha)), math.inf
        else:
            lo, hi = -math.inf, root(stats.norm.ppf(alpha))
        estimate = zeroin(lambda d: w_of(d, False), mumin, mumax, tol=tol_root)
        if ties:
            notes.append("ties present: normal approximation with tie correction used")
    return {
        C.ESTIMATE: estimate,
        C.STATISTIC: w,
        C.P_VALUE: float(p),
        C.CI_LOWER: float(lo),
        C.CI_UPPER: float(hi),
        "z": z,
        "method": method,
        "notes": notes,
    }


def _correction(z: float, alternative: str) -> float:
    """R's continuity correction of a rank statistic centred at ``z`` (shared with ``within``)."""
    if alternative == "two-sided":
        return float(np.sign(z)) * 0.5
    return 0.5 if alternative == "greater" else -0.5


def _normal_p_value(z: float, alternative: str) -> float:
    """p-value of a standard normal statistic ``z`` (shared with ``within``)."""
    if alternative == "less":
        return float(stats.norm.cdf(z))
    if alternative == "greater":
        return float(stats.norm.sf(z))
    return float(2 * min(stats.norm.cdf(z), stats.norm.sf(z)))


# -------------------------------------------------------------------- public API


def _two_sample(kind, data, visit, variable, conf_level, alternative, roles, core, minimum):
    check_options(variable, conf_level, alternative)
    prep = prepare(data, visit=visit, variable=variable, roles=roles)
    rows, notes = [], prep.notes()
    attempts = Attempts()
    for vd in prep.visits:
        y = vd.values(vd.control)
        for arm in vd.active_arms:
            x = vd.values(arm)
            label = f"{vd.visit}, {arm} vs {vd.control}"
            res, why = attempts.run(
                vd, (arm, vd.control), label, lambda x=x, y=y: core(x, y), minimum
            )
            res = res if res is not None else {}
            for note in res.pop("notes", []):
                notes.append(f"{label}: {note}")
            rows.append(
                {
                    C.VISIT: vd.visit,
                    C.ARM: arm,
                    "control": vd.control,
                    "variable": variable,
                    "n_active": len(x),
                    "n_control": len(y),
                    **res,
                    "note": why,
                }
            )
    attempts.finish()
    notes += attempts.notes
    table = pd.DataFrame(rows)
    for col in C.ESTIMATE_COLUMNS:
        if col not in table:
            table[col] = np.nan
    front = [C.VISIT, C.ARM, "control", "variable", *C.ESTIMATE_COLUMNS, "n_active", "n_control"]
    rest = [c for c in table.columns if c not in front and c != "note"]
    table = table[front + rest + ["note"]]
    return ComparisonResult(
        method=f"{kind} on {variable}",
        table=table,
        n_by_arm=prep.n_by_arm(),
        excluded=prep.excluded(),
        notes=tuple(notes),
        conf_level=conf_level,
    )


def welch_test(
    data: Any,
    *,
    visit: Any = None,
    variable: str = C.CHANGE,
    conf_level: float = 0.95,
    alternative: str = "two-sided",
    **roles: Any,
) -> ComparisonResult:
    r"""Welch's two-sample t-test of each active arm against the control.

    For active arm :math:`A` and control :math:`P` with means :math:`\bar x_A, \bar x_P`,
    variances :math:`s_A^2, s_P^2` and sizes :math:`n_A, n_P`:

    .. math::
        \hat\Delta = \bar x_A - \bar x_P, \quad
        SE = \sqrt{s_A^2/n_A + s_P^2/n_P}, \quad t = \hat\Delta / SE, \quad
        \nu = \frac{SE^4}{(s_A^2/n_A)^2/(n_A-1) + (s_P^2/n_P)^2/(n_P-1)}

    with the Welch-Satterthwaite df :math:`\nu` and the CI :math:`\hat\Delta \pm t_{\nu,
    1-\alpha/2} SE`.

    Parameters
    ----------
    data : Trial, DataFrame or path
        A :class:`irtrial.Trial`, or a long table read with ``read_trial(data, **roles)``.
    visit : label, list, "all" or None
        The visit(s) to analyse; the last post-baseline visit by default.
    variable : {"change", "pct_change", "value"}
        Change from baseline (default), percent change, or the raw value.
    conf_level : float
        Confidence level of the interval (0.95).
    alternative : {"two-sided", "less", "greater"}
        Alternative hypothesis about active minus control.
    **roles
        Column roles for a DataFrame or file, passed to :func:`irtrial.read_trial`
        (``subject=``, ``arm=``, ``outcome=``, ``control=`` ...). The visit *column* is
        ``visit_column=``, since ``visit=`` picks the visit to analyse.

    Returns
    -------
    ComparisonResult
        ``table`` has one row per visit x active arm: ``visit, arm, control, variable,
        estimate`` (difference in means, active - control), ``std_error, df`` (Welch),
        ``statistic`` (t), ``p_value, ci_lower, ci_upper, n_active, n_control,
        mean_active, mean_control, note`` (why a row could not be computed; None when
        computed).

    Raises
    ------
    InsufficientDataError
        No comparison at all can be computed. A visit x active arm where that arm or the
        control has fewer than 2 analysable subjects (or the test cannot be computed, e.g.
        constant data) is otherwise a row with NaN statistics and ``note`` giving the reason,
        also listed in ``notes``; the others are computed as usual (SAS BY-group style).

    Notes
    -----
    SAS: ``PROC TTEST; CLASS arm; VAR chg;`` (the *Satterthwaite* row).
    R: ``t.test(chg[arm == "IR"], chg[arm == "Placebo"], var.equal = FALSE)``.
    Subjects without a value at the visit (and, for percent change, with a baseline of 0) are
    left out and listed in ``excluded``.

    References
    ----------
    .. [1] Welch, B. L. (1947). The generalization of "Student's" problem when several
       different population variances are involved. *Biometrika* 34, 28-35.

    Examples
    --------
    >>> from irtrial.analysis import welch_test
    >>> from irtrial.synthetic.datasets import ir_wrap_trial
    >>> res = welch_test(ir_wrap_trial())
    >>> res.table[["arm", "estimate", "ci_lower", "ci_upper"]].round(2)
      arm  estimate  ci_lower  ci_upper
    0  IR      -2.5     -3.74     -1.26
    >>> res.n_by_arm
        visit      arm  n_randomised  n_analysed  n_excluded
    0  Week 6  Placebo            19          18           1
    1  Week 6       IR            21          21           0
    """
    return _two_sample(
        "Welch two-sample t-test",
        data,
        visit,
        variable,
        conf_level,
        alternative,
        roles,
        lambda x, y: _welch(x, y, conf_level, alternative),
        minimum=2,
    )


def mann_whitney(
    data: Any,
    *,
    visit: Any = None,
    variable: str = C.CHANGE,
    conf_level: float = 0.95,
    alternative: str = "two-sided",
    exact: bool | None = None,
    correct: bool = True,
    **roles: Any,
) -> ComparisonResult:
    r"""Mann-Whitney U (Wilcoxon rank-sum) test of each active arm against the control, with
    the Hodges-Lehmann shift and its confidence interval.

    With :math:`x` the active arm (:math:`n_x`) and :math:`y` the control (:math:`n_y`),
    :math:`W = \sum_{i} R(x_i) - n_x(n_x+1)/2` (ranks in the pooled sample) is the number of
    pairs with :math:`x_i > y_j`. The Hodges-Lehmann shift is the median of the
    :math:`n_x n_y` differences :math:`x_i - y_j`.

    * **Exact** (both arms < 50 subjects and no ties, or ``exact=True`` without ties): the
      p-value from the permutation distribution of :math:`W`; the CI is
      :math:`[D_{(k)}, D_{(n_x n_y + 1 - k)}]` of the ordered differences with :math:`k` the
      :math:`\alpha/2` quantile of :math:`W` (Bauer 1972).
    * **Normal approximation** otherwise: :math:`z = (W - n_x n_y/2 - c)/\sigma` with the tie
      correction in :math:`\sigma` and the continuity correction :math:`c = \pm 1/2`; the CI
      bounds are the shifts :math:`d` where the corrected statistic of :math:`x - d` vs
      :math:`y` crosses :math:`\pm z_{1-\alpha/2}`, and the estimate is where the
      uncorrected statistic crosses 0, both found with Brent's root finder at tolerance
      ``1e-4`` exactly as R does -- so estimate and bounds agree with R's to that tolerance,
      and the estimate may differ slightly from the median of the differences.

    Parameters
    ----------
    data, visit, variable, conf_level, alternative, **roles
        As :func:`welch_test`.
    exact : bool or None
        Force or forbid the exact method; ``None`` follows R's rule (``n < 50`` in both arms).
        With ties the normal approximation is used regardless, and a note (and an
        :class:`IrtrialWarning` when ``exact=True`` was asked for) says so.
    correct : bool
        Continuity correction of the normal approximation (R's default ``TRUE``).

    Returns
    -------
    ComparisonResult
        ``table``: ``visit, arm, control, variable, estimate`` (Hodges-Lehmann shift, active -
        control), ``std_error`` and ``df`` (NaN), ``statistic`` (W), ``p_value, ci_lower,
        ci_upper, n_active, n_control, z`` (NaN when exact), ``method``.

    Notes
    -----
    SAS: ``PROC NPAR1WAY WILCOXON HL; CLASS arm; VAR chg; EXACT WILCOXON HL;``.
    R: ``wilcox.test(chg_active, chg_control, conf.int = TRUE)``.
    Python's SciPy and pingouin give the test but not the Hodges-Lehmann confidence interval.

    References
    ----------
    .. [1] Hodges, J. L. & Lehmann, E. L. (1963). Estimates of location based on rank tests.
       *Ann. Math. Statist.* 34, 598-611.
    .. [2] Bauer, D. F. (1972). Constructing confidence sets using rank statistics.
       *JASA* 67, 687-690.
    .. [3] Hollander, M. & Wolfe, D. A. (1973). *Nonparametric Statistical Methods*. Wiley.

    Examples
    --------
    >>> from irtrial.analysis import mann_whitney
    >>> from irtrial.synthetic.datasets import ir_wrap_trial
    >>> res = mann_whitney(ir_wrap_trial())
    >>> res.table[["arm", "estimate", "ci_lower", "ci_upper", "p_value"]].round(3)
      arm  estimate  ci_lower  ci_upper  p_value
    0  IR      -3.0      -4.0      -2.0      0.0
    """

    def core(x, y):
        res = _mann_whitney(x, y, conf_level, alternative, exact=exact, correct=correct)
        if exact and res["method"] != "exact":
            warnings.warn(
                "cannot compute the exact Mann-Whitney test with ties; "
                "the normal approximation was used",
                IrtrialWarning,
                stacklevel=4,
            )
        return res

    return _two_sample(
        "Mann-Whitney U test with Hodges-Lehmann shift",
        data,
        visit,
        variable,
        conf_level,
        alternative,
        roles,
        core,
        minimum=2,
    )
