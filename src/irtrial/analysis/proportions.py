r"""Two independent proportions: risk difference, risk ratio, odds ratio, tests and NNT.

The numeric core of the responder analysis (:mod:`irtrial.analysis.responders`). Everything
works on counts: ``x1`` events out of ``n1`` in the active arm and ``x0`` out of ``n0`` in the
control arm. The active arm is always first, so a positive risk difference means more events
(responders) on the active arm.

Methods
-------
Wilson score interval (Wilson 1927) for one proportion :math:`\hat p = x/n`, with
:math:`z = \Phi^{-1}(1 - \alpha/2)`:

.. math::
    \frac{\hat p + z^2/(2n) \pm z\sqrt{\hat p(1-\hat p)/n + z^2/(4n^2)}}{1 + z^2/n}

Newcombe hybrid score interval (Newcombe 1998, method 10) for :math:`d = \hat p_1 - \hat p_0`
from the Wilson limits :math:`(l_i, u_i)`:

.. math::
    L = d - \sqrt{(\hat p_1 - l_1)^2 + (u_0 - \hat p_0)^2},\quad
    U = d + \sqrt{(u_1 - \hat p_1)^2 + (\hat p_0 - l_0)^2}

Miettinen-Nurminen score interval (Miettinen & Nurminen 1985): the set of :math:`\delta` not
rejected by the score test of :math:`H_0: p_1 - p_0 = \delta`,

.. math::
    z(\delta) = \frac{\hat p_1 - \hat p_0 - \delta}
    {\sqrt{\left(\frac{\tilde p_1(1-\tilde p_1)}{n_1} + \frac{\tilde p_0(1-\tilde p_0)}{n_0}
    \right)\frac{N}{N-1}}},\qquad N = n_1 + n_0,

where :math:`(\tilde p_1, \tilde p_0 = \tilde p_1 - \delta)` is the maximum-likelihood estimate
under :math:`H_0` (the closed-form root of a cubic, Farrington & Manning 1990, eq. 4 / MN 1985
appendix). The limits solve :math:`z(\delta) = \pm z_{1-\alpha/2}` (Brent's method, to 1e-12).
The same statistic tests a non-zero null (non-inferiority margin) correctly, unlike
``statsmodels`` 0.14 (issue #10269), which irtrial does not call.

Risk ratio: Katz et al. (1978) log interval,
:math:`\log RR \pm z\sqrt{1/a - 1/n_1 + 1/c - 1/n_0}`. Odds ratio: Woolf (1955) logit interval,
:math:`\log OR \pm z\sqrt{1/a + 1/b + 1/c + 1/d}`. **Zero cells**: when any of the four cells
is 0, 0.5 is added to every cell (Haldane 1956 / Anscombe 1956) for the estimate and the
interval of both RR and OR, and the row's ``note`` says so. The exact conditional odds ratio
(conditional MLE with its exact interval, R ``fisher.test``), which needs no correction, is
reported as well.

Tests: Fisher's exact test, two-sided, summing the tables no more probable than the observed
one (relative tolerance 1e-7, as R ``fisher.test``); Pearson's chi-square without continuity
correction (R ``chisq.test(correct = FALSE)``, ``prop.test(correct = FALSE)``) and with Yates'
correction (R's default for 2x2 tables, the correction capped at :math:`|O - E|`).

NNT (Altman 1998): :math:`1/d`, NNTB when :math:`d > 0` (benefit: more responders on the active
arm), NNTH when :math:`d < 0`; its limits are the reciprocals of the limits of :math:`d`. When
the interval of :math:`d` contains 0, the interval of the NNT is reported as
"NNTB :math:`1/U` to :math:`\infty` to NNTH :math:`1/|L|`".

SAS: ``PROC FREQ; TABLES arm*resp / RISKDIFF(CL=(NEWCOMBE MN)) RELRISK OR CHISQ FISHER;``
(``OR`` gives Woolf's interval; ``EXACT OR`` the exact conditional one). R:
``prop.test(x, n, correct = FALSE)$conf.int`` (Wilson), ``fisher.test``, ``chisq.test``; the
MN interval in R needs an add-on package (e.g. ``ratesci::scoreci(contrast = "RD", skew =
FALSE)``) or the few lines in ``tests/reference/r/proportions.R``.

References
----------
.. [1] Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
   JASA 22:209-212.
.. [2] Newcombe RG (1998). Interval estimation for the difference between independent
   proportions: comparison of eleven methods. Stat Med 17:873-890.
.. [3] Miettinen O, Nurminen M (1985). Comparative analysis of two rates. Stat Med 4:213-226.
.. [4] Farrington CP, Manning G (1990). Test statistics and sample size formulae for
   comparative binomial trials with null hypothesis of non-zero risk difference or non-unity
   relative risk. Stat Med 9:1447-1454.
.. [5] Altman DG (1998). Confidence intervals for the number needed to treat. BMJ
   317:1309-1312.
.. [6] Katz D, Baptista J, Azen SP, Pike MC (1978). Obtaining confidence intervals for the risk
   ratio in cohort studies. Biometrics 34:469-474. Woolf B (1955). On estimating the relation
   between blood group and disease. Ann Hum Genet 19:251-253.
.. [7] Fagerland MW, Lydersen S, Laake P (2017). Statistical Analysis of Contingency Tables.
   CRC Press, chapter 4 (worked examples used in the tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from irtrial import columns as C
from irtrial.errors import InsufficientDataError, ModelSpecError

__all__ = [
    "NNT",
    "compare_proportions",
    "exact_conditional_odds_ratio",
    "miettinen_nurminen_ci",
    "miettinen_nurminen_test",
    "newcombe_ci",
    "number_needed_to_treat",
    "wilson_ci",
]

HALDANE_NOTE = "zero cell: 0.5 added to every cell (Haldane-Anscombe)"


def _check_counts(x: int, n: int, label: str, problems: list[str]) -> None:
    if n != int(n) or x != int(x):
        problems.append(f"{label}: counts must be whole numbers, got x={x}, n={n}")
    elif n < 1:
        problems.append(f"{label}: needs at least one subject, got n={n}")
    elif not 0 <= x <= n:
        problems.append(f"{label}: x={x} must lie between 0 and n={n}")


def _check_conf(conf_level: float) -> float:
    if not (isinstance(conf_level, (int, float)) and 0 < conf_level < 1):
        raise ModelSpecError(f"conf_level must lie strictly between 0 and 1, got {conf_level!r}")
    return float(stats.norm.ppf(1 - (1 - conf_level) / 2))


def _validate(x1: int, n1: int, x0: int, n0: int) -> None:
    problems: list[str] = []
    _check_counts(x1, n1, "active arm", problems)
    _check_counts(x0, n0, "control arm", problems)
    if problems:
        raise InsufficientDataError("; ".join(problems))


def wilson_ci(x: int, n: int, conf_level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``x / n`` (R ``prop.test(x, n, correct = FALSE)$conf.int``).

    Examples
    --------
    >>> lo, hi = wilson_ci(7, 34)
    >>> round(lo, 4), round(hi, 4)
    (0.1035, 0.368)
    """
    problems: list[str] = []
    _check_counts(x, n, "proportion", problems)
    if problems:
        raise InsufficientDataError("; ".join(problems))
    z = _check_conf(conf_level)
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # exact end points at x = 0 / x = n (avoid 1e-17 rounding)
    lo = 0.0 if x == 0 else max(0.0, centre - half)
    hi = 1.0 if x == n else min(1.0, centre + half)
    return lo, hi


def newcombe_ci(
    x1: int, n1: int, x0: int, n0: int, conf_level: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval (method 10) for ``x1/n1 - x0/n0``.

    Examples
    --------
    >>> [round(v, 4) for v in newcombe_ci(7, 34, 1, 34)]  # Fagerland et al. 2017, ch. 4
    [0.0189, 0.3404]
    """
    _validate(x1, n1, x0, n0)
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = wilson_ci(x1, n1, conf_level)
    l0, u0 = wilson_ci(x0, n0, conf_level)
    d = p1 - p0
    lower = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    upper = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return max(-1.0, lower), min(1.0, upper)


def _restricted_mle(x1: int, n1: int, x0: int, n0: int, delta: float) -> tuple[float, float]:
    """MLE of (p1, p0) under p1 - p0 = delta (Farrington & Manning 1990, closed form)."""
    p1, p0 = x1 / n1, x0 / n0
    if delta == 0:
        pooled = (x1 + x0) / (n1 + n0)
        return pooled, pooled
    theta = n0 / n1
    a = 1 + theta
    b = -(1 + theta + p1 + theta * p0 + delta * (theta + 2))
    c = delta * delta + delta * (2 * p1 + theta + 1) + p1 + theta * p0
    d = -p1 * delta * (1 + delta)
    v = b**3 / (27 * a**3) - b * c / (6 * a * a) + d / (2 * a)
    u2 = b * b / (9 * a * a) - c / (3 * a)
    u = math.copysign(math.sqrt(max(u2, 0.0)), v)
    if u == 0:
        t1 = -b / (3 * a)
    else:
        w = (math.pi + math.acos(max(-1.0, min(1.0, v / u**3)))) / 3
        t1 = 2 * u * math.cos(w) - b / (3 * a)
    t1 = min(1.0, max(0.0, t1))
    t0 = min(1.0, max(0.0, t1 - delta))
    return t1, t0


def _mn_z(x1: int, n1: int, x0: int, n0: int, delta: float) -> float:
    num = x1 / n1 - x0 / n0 - delta
    if num == 0:
        return 0.0
    t1, t0 = _restricted_mle(x1, n1, x0, n0, delta)
    n = n1 + n0
    var = (t1 * (1 - t1) / n1 + t0 * (1 - t0) / n0) * n / (n - 1)
    if var <= 0:
        return math.copysign(math.inf, num)
    return num / math.sqrt(var)


def miettinen_nurminen_test(
    x1: int, n1: int, x0: int, n0: int, null: float = 0.0, alternative: str = "two-sided"
) -> tuple[float, float]:
    """Miettinen-Nurminen score test of ``H0: p1 - p0 = null``; returns ``(z, p_value)``.

    ``alternative="greater"`` tests ``p1 - p0 > null`` (superiority by a margin, or
    non-inferiority with a negative ``null``). At ``null=0`` :math:`z^2` is Pearson's
    chi-square times :math:`(N-1)/N`.

    Examples
    --------
    >>> z, p = miettinen_nurminen_test(7, 34, 1, 34, null=-0.1, alternative="greater")
    >>> round(z, 3), round(p, 4)
    (3.158, 0.0008)
    """
    _validate(x1, n1, x0, n0)
    if not -1 < null < 1:
        raise ModelSpecError(f"null must lie strictly between -1 and 1, got {null!r}")
    z = _mn_z(x1, n1, x0, n0, null)
    if alternative == "two-sided":
        p = 2 * stats.norm.sf(abs(z))
    elif alternative == "greater":
        p = stats.norm.sf(z)
    elif alternative == "less":
        p = stats.norm.cdf(z)
    else:
        raise ModelSpecError(
            f"alternative must be 'two-sided', 'greater' or 'less', got {alternative!r}"
        )
    return float(z), float(min(1.0, p))


def miettinen_nurminen_ci(
    x1: int, n1: int, x0: int, n0: int, conf_level: float = 0.95
) -> tuple[float, float]:
    """Miettinen-Nurminen score interval for ``x1/n1 - x0/n0`` (with the N/(N-1) factor).

    Examples
    --------
    >>> [round(v, 4) for v in miettinen_nurminen_ci(0, 16, 15, 72)]  # Fagerland et al. 2017
    [-0.3164, -0.0056]
    """
    _validate(x1, n1, x0, n0)
    zc = _check_conf(conf_level)
    d = x1 / n1 - x0 / n0
    edge = 1 - 1e-12

    def g(delta: float) -> float:
        return _mn_z(x1, n1, x0, n0, delta)

    lower = -1.0
    if d > -1 and g(-edge) > zc:
        lower = optimize.brentq(lambda t: g(t) - zc, -edge, d, xtol=1e-13, rtol=1e-13)
    upper = 1.0
    if d < 1 and g(edge) < -zc:
        upper = optimize.brentq(lambda t: g(t) + zc, d, edge, xtol=1e-13, rtol=1e-13)
    return float(lower), float(upper)


def exact_conditional_odds_ratio(
    x1: int, n1: int, x0: int, n0: int, conf_level: float = 0.95
) -> tuple[float, float, float]:
    """Conditional MLE of the odds ratio and its exact interval (R ``fisher.test``).

    Conditions on the margins: the number of events on the active arm follows Fisher's
    noncentral hypergeometric distribution with odds ratio :math:`\\psi`. The estimate solves
    :math:`E_\\psi[X] = x_1`; the limits solve :math:`P_\\psi(X \\ge x_1) = \\alpha/2` and
    :math:`P_\\psi(X \\le x_1) = \\alpha/2`. The estimate is 0 or infinity, and one limit too,
    at the edge of the support. Returns ``(estimate, lower, upper)``.
    """
    _validate(x1, n1, x0, n0)
    alpha = 1 - conf_level
    _check_conf(conf_level)
    m = x1 + x0  # events in all
    lo_x, hi_x = max(0, m - n0), min(n1, m)
    support = np.arange(lo_x, hi_x + 1)
    logdc = stats.hypergeom.logpmf(support, n1 + n0, n1, m)

    def dist(log_psi: float) -> np.ndarray:
        w = logdc + support * log_psi
        w = np.exp(w - w.max())
        return w / w.sum()

    def root(fun) -> float:
        return float(optimize.brentq(fun, -50.0, 50.0, xtol=1e-12))

    if lo_x == hi_x:
        return math.nan, 0.0, math.inf
    if x1 == lo_x:
        est = 0.0
    elif x1 == hi_x:
        est = math.inf
    else:
        est = math.exp(root(lambda t: float(dist(t) @ support) - x1))
    lower = (
        0.0
        if x1 == lo_x
        else math.exp(root(lambda t: float(dist(t)[support >= x1].sum()) - alpha / 2))
    )
    upper = (
        math.inf
        if x1 == hi_x
        else math.exp(root(lambda t: float(dist(t)[support <= x1].sum()) - alpha / 2))
    )
    return est, lower, upper


def _pearson(x1: int, n1: int, x0: int, n0: int) -> tuple[float, float, float, float]:
    """Pearson chi-square (df 1) without and with Yates' correction: (X2, p, X2_yates, p)."""
    obs = np.array([[x1, n1 - x1], [x0, n0 - x0]], dtype=float)
    exp = obs.sum(axis=1, keepdims=True) * obs.sum(axis=0, keepdims=True) / obs.sum()
    if (exp == 0).any():
        return math.nan, math.nan, math.nan, math.nan
    dev = np.abs(obs - exp)
    x2 = float((dev**2 / exp).sum())
    yates = np.minimum(0.5, dev)
    x2y = float(((dev - yates) ** 2 / exp).sum())
    return x2, float(stats.chi2.sf(x2, 1)), x2y, float(stats.chi2.sf(x2y, 1))


def _fisher_p(x1: int, n1: int, x0: int, n0: int) -> float:
    m = x1 + x0
    lo_x, hi_x = max(0, m - n0), min(n1, m)
    if lo_x == hi_x:  # the margins fix the table: p = 1 exactly
        return 1.0
    # scipy's two-sided p is R's fisher.test: the tables no more likely than the observed
    # one (relative tolerance 1e-7), summed from both tails by bisection -- not the
    # hypergeometric pmf over the whole support, which costs ~0.5 s at n = 20,000
    p = stats.fisher_exact([[x1, n1 - x1], [x0, n0 - x0]], alternative="two-sided").pvalue
    return float(min(1.0, p))


def _ratio_cells(x1: int, n1: int, x0: int, n0: int) -> tuple[float, float, float, float, str]:
    a, b, c, d = float(x1), float(n1 - x1), float(x0), float(n0 - x0)
    if min(a, b, c, d) == 0:
        return a + 0.5, b + 0.5, c + 0.5, d + 0.5, HALDANE_NOTE
    return a, b, c, d, ""


@dataclass(frozen=True)
class NNT:
    """Number needed to treat (Altman 1998) from a risk difference and its interval.

    Attributes
    ----------
    estimate : float
        :math:`1/|d|` (infinity when :math:`d = 0`).
    kind : str
        ``"NNTB"`` (benefit, :math:`d > 0`), ``"NNTH"`` (harm, :math:`d < 0`) or ``""``.
    ci_lower, ci_upper : float
        The limits on the NNT scale, as numbers: for an interval of :math:`d` that excludes 0,
        the two reciprocals in increasing order (same ``kind``); when it contains 0,
        ``ci_lower`` is the NNTB limit ``1/U`` and ``ci_upper`` the NNTH limit ``1/|L|``
        and ``crosses_zero`` is True (the interval passes through infinity).
    crosses_zero : bool
    label : str
        E.g. ``"NNTB 2.8 (95% CI NNTB 1.7 to 7.5)"`` or
        ``"NNTB 8.3 (95% CI NNTB 3.1 to infinity to NNTH 19.5)"``.
    """

    estimate: float
    kind: str
    ci_lower: float
    ci_upper: float
    crosses_zero: bool
    label: str


def _recip(v: float) -> float:
    return math.inf if v == 0 else 1.0 / abs(v)


def number_needed_to_treat(
    difference: float, lower: float, upper: float, conf_level: float = 0.95
) -> NNT:
    """Altman's NNT with its interval from a risk difference ``difference`` in
    ``[lower, upper]`` (positive = benefit of the active arm).

    Examples
    --------
    >>> number_needed_to_treat(0.12, -0.05, 0.32).label
    'NNTB 8.3 (95% CI NNTB 3.1 to infinity to NNTH 20.0)'
    """
    if not lower <= difference <= upper:
        raise ModelSpecError(
            f"the difference {difference} must lie within its interval [{lower}, {upper}]"
        )
    pct = f"{100 * conf_level:g}%"
    kind = "NNTB" if difference > 0 else "NNTH" if difference < 0 else ""
    est = _recip(difference)

    def fmt(v: float) -> str:
        return "infinity" if math.isinf(v) else f"{v:.1f}"

    head = f"{kind} {fmt(est)}".strip() if kind else "infinity (no difference)"
    if lower > 0 or upper < 0:
        a, b = sorted((_recip(lower), _recip(upper)))
        return NNT(est, kind, a, b, False, f"{head} ({pct} CI {kind} {fmt(a)} to {fmt(b)})")
    nntb, nnth = _recip(upper), _recip(lower)
    if upper == 0 and lower == 0:
        text = "infinity"
    elif upper == 0:
        text = f"infinity to NNTH {fmt(nnth)}"
    elif lower == 0:
        text = f"NNTB {fmt(nntb)} to infinity"
    else:
        text = f"NNTB {fmt(nntb)} to infinity to NNTH {fmt(nnth)}"
    return NNT(est, kind, nntb, nnth, True, f"{head} ({pct} CI {text})")


def compare_proportions(
    x1: int, n1: int, x0: int, n0: int, conf_level: float = 0.95
) -> pd.DataFrame:
    """Every comparison of ``x1/n1`` (active) with ``x0/n0`` (control), one row per measure.

    Parameters
    ----------
    x1, n1 : int
        Events (responders) and subjects on the active arm.
    x0, n0 : int
        The same on the control arm.
    conf_level : float

    Returns
    -------
    DataFrame
        Columns ``measure, method, estimate, std_error, df, statistic, p_value, ci_lower,
        ci_upper, note``. Rows:

        - ``risk_difference / newcombe``: :math:`\\hat p_1 - \\hat p_0`, Newcombe's hybrid
          score interval (no test);
        - ``risk_difference / miettinen_nurminen``: the MN interval, and the MN score test of
          :math:`d = 0` (``statistic`` = z);
        - ``risk_ratio / katz_log``: RR, ``std_error`` of log RR, Wald z and p of log RR;
        - ``odds_ratio / woolf_logit``: OR, ``std_error`` of log OR, Wald z and p;
        - ``odds_ratio / conditional_exact``: conditional MLE, exact interval, Fisher's p;
        - ``fisher_exact / two_sided``: p only;
        - ``chi_square / pearson`` and ``chi_square / yates``: statistic, ``df`` = 1, p.

        Columns that do not apply to a row hold NaN (a test has no ``estimate``, an interval
        no ``statistic``); a NaN where a value applies always comes with a ``note`` saying
        why (e.g. no events in either arm makes the chi-square undefined).

    Examples
    --------
    >>> t = compare_proportions(7, 34, 1, 34)
    >>> t.set_index(["measure", "method"]).loc[("risk_ratio", "katz_log"),
    ...     ["estimate", "ci_lower", "ci_upper"]].round(4).tolist()
    [7.0, 0.9096, 53.8695]
    """
    _validate(x1, n1, x0, n0)
    z = _check_conf(conf_level)
    p1, p0 = x1 / n1, x0 / n0
    rows = []

    def add(
        measure,
        method,
        estimate,
        se=math.nan,
        stat=math.nan,
        p=math.nan,
        lo=math.nan,
        hi=math.nan,
        df=math.nan,
        note="",
    ):
        rows.append(
            {
                "measure": measure,
                "method": method,
                C.ESTIMATE: estimate,
                C.STD_ERROR: se,
                C.DF: df,
                C.STATISTIC: stat,
                C.P_VALUE: p,
                C.CI_LOWER: lo,
                C.CI_UPPER: hi,
                "note": note,
            }
        )

    d = p1 - p0
    lo, hi = newcombe_ci(x1, n1, x0, n0, conf_level)
    add("risk_difference", "newcombe", d, lo=lo, hi=hi)
    lo, hi = miettinen_nurminen_ci(x1, n1, x0, n0, conf_level)
    zmn, pmn = miettinen_nurminen_test(x1, n1, x0, n0)
    note = ""
    if x1 + x0 in (0, n1 + n0):
        zmn, pmn = math.nan, math.nan
        note = "no events or no non-events in either arm: score test undefined"
    add("risk_difference", "miettinen_nurminen", d, stat=zmn, p=pmn, lo=lo, hi=hi, note=note)

    a, b, c, dd, note = _ratio_cells(x1, n1, x0, n0)
    log_rr = math.log((a / (a + b)) / (c / (c + dd)))
    se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + dd))
    zr, pr = (log_rr / se, 2 * stats.norm.sf(abs(log_rr / se))) if se > 0 else (math.nan,) * 2
    rr_note = note if se > 0 else (note + "; " if note else "") + "zero variance: no test"
    add(
        "risk_ratio",
        "katz_log",
        math.exp(log_rr),
        se=se,
        stat=zr,
        p=pr,
        lo=math.exp(log_rr - z * se),
        hi=math.exp(log_rr + z * se),
        note=rr_note,
    )
    log_or = math.log(a * dd / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / dd)
    add(
        "odds_ratio",
        "woolf_logit",
        math.exp(log_or),
        se=se,
        stat=log_or / se,
        p=2 * stats.norm.sf(abs(log_or / se)),
        lo=math.exp(log_or - z * se),
        hi=math.exp(log_or + z * se),
        note=note,
    )

    fisher = _fisher_p(x1, n1, x0, n0)
    est, lo, hi = exact_conditional_odds_ratio(x1, n1, x0, n0, conf_level)
    add(
        "odds_ratio",
        "conditional_exact",
        est,
        p=fisher,
        lo=lo,
        hi=hi,
        note="" if not math.isnan(est) else "no events or no non-events: odds ratio undefined",
    )
    add("fisher_exact", "two_sided", math.nan, p=fisher)
    x2, px2, x2y, px2y = _pearson(x1, n1, x0, n0)
    note = "" if not math.isnan(x2) else "no events or no non-events: chi-square undefined"
    add("chi_square", "pearson", math.nan, stat=x2, p=px2, df=1.0, note=note)
    add("chi_square", "yates", math.nan, stat=x2y, p=px2y, df=1.0, note=note)
    return pd.DataFrame(rows)
