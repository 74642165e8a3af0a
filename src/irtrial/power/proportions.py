r"""Power and sample size for two proportions (responder endpoints).

``p1`` is the control arm's responder probability (``n`` subjects), ``p2`` the active arm's
(``ratio * n`` subjects). Two families of methods:

**Normal approximation** (``method="pooled"``, the default), as R's ``power.prop.test`` for
the pooled z test (chi-square without continuity correction), generalised to unequal
allocation as ``Hmisc::bpower``:

.. math::
    \text{power} = \Phi\!\left(\frac{|p_2 - p_1| - z_{1-\alpha/s}\sqrt{\bar p(1-\bar p)
    (1/n_0 + 1/n_1)}}{\sqrt{p_1(1-p_1)/n_0 + p_2(1-p_2)/n_1}}\right)
    \;[+\text{ the other tail if strict}],\qquad \bar p = \frac{n_0 p_1 + n_1 p_2}{n_0 + n_1}.

**Exact power of the interval used in the analysis** (``method="newcombe"`` or ``"mn"``): the
probability that the Newcombe hybrid score interval, or the Miettinen-Nurminen score interval
(equivalently its score test of :math:`p_2 - p_1 = 0`), of the risk difference excludes 0,
summed over every possible outcome :math:`(x_0, x_1)` of the two binomial arms:

.. math::
    \text{power} = \sum_{x_0=0}^{n_0}\sum_{x_1=0}^{n_1} b(x_0; n_0, p_1)\, b(x_1; n_1, p_2)\,
    \mathbb 1\{\text{interval}(x_1, n_1, x_0, n_0) \not\ni 0\}.

Exact power saw-tooths in :math:`n`; the sample size reported is the smallest :math:`n` whose
power reaches the target (stated in the notes). One-sided: the interval at level
:math:`1 - 2\alpha` excludes 0 on the side of the assumed effect.

SAS: ``PROC POWER; TWOSAMPLEFREQ TEST=PCHI`` (pooled); exact power of the interval:
``TEST=FM`` approximates the MN score test. R: ``power.prop.test``, ``Hmisc::bpower``.

References
----------
.. [1] Fleiss JL, Levin B, Paik MC (2003). Statistical Methods for Rates and Proportions,
   3rd ed., ch. 4.
.. [2] Newcombe RG (1998). Stat Med 17:873-890. Miettinen O, Nurminen M (1985). Stat Med
   4:213-226. Farrington CP, Manning G (1990). Stat Med 9:1447-1454.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from irtrial.power._solve import check_common, raise_problems, sides, solve_n
from irtrial.power.result import PowerResult

__all__ = ["exact_rejection", "proportions"]

_METHODS = ("pooled", "newcombe", "mn")


def _wilson(x: np.ndarray, n: int, z: float) -> tuple[np.ndarray, np.ndarray]:
    p = x / n
    centre = p + z * z / (2 * n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    den = 1 + z * z / n
    return (centre - half) / den, (centre + half) / den


def exact_rejection(n0: int, n1: int, z: float, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Which outcomes reject :math:`p_2 = p_1`: boolean ``(n0+1) x (n1+1)`` arrays for an
    effect > 0 (lower limit > 0) and < 0 (upper limit < 0), rows ``x0``, columns ``x1``.

    ``z`` is the interval's normal quantile. Vectorised over every outcome.
    """
    x0 = np.arange(n0 + 1.0)[:, None]
    x1 = np.arange(n1 + 1.0)[None, :]
    p0, p1 = x0 / n0, x1 / n1
    d = p1 - p0
    if method == "newcombe":
        l0, u0 = _wilson(x0, n0, z)
        l1, u1 = _wilson(x1, n1, z)
        lower = d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
        upper = d + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
        return lower > 0, upper < 0
    # Miettinen-Nurminen score statistic at delta = 0: the restricted MLE is the pooled p
    big_n = n0 + n1
    pbar = (x0 + x1) / big_n
    var = pbar * (1 - pbar) * (1 / n0 + 1 / n1) * big_n / (big_n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        zstat = np.where(var > 0, d / np.sqrt(np.where(var > 0, var, 1.0)), 0.0)
    return zstat > z, zstat < -z


def _exact_power(n0: int, n1: int, p1: float, p2: float, alpha: float, n_side: int,
                 method: str) -> float:
    z = stats.norm.isf(alpha / n_side)
    up, down = exact_rejection(n0, n1, z, method)
    w = np.outer(stats.binom.pmf(np.arange(n0 + 1), n0, p1),
                 stats.binom.pmf(np.arange(n1 + 1), n1, p2))
    if n_side == 2:
        return float(w[up | down].sum())
    return float(w[up if p2 >= p1 else down].sum())


def _pooled_power(n0, p1, p2, alpha, ratio, n_side, strict):
    n1 = ratio * n0
    q = stats.norm.isf(alpha / n_side)
    pm = (n0 * p1 + n1 * p2) / (n0 + n1)
    ds = q * math.sqrt((1 / n0 + 1 / n1) * pm * (1 - pm))
    sd = math.sqrt(p1 * (1 - p1) / n0 + p2 * (1 - p2) / n1)
    ex = abs(p1 - p2)
    p = stats.norm.cdf((ex - ds) / sd)
    if strict and n_side == 2:
        p += stats.norm.cdf((-ds - ex) / sd)
    return float(p)


def proportions(p1: float, p2: float, n: float | None = None, power: float | None = None,
                alpha: float = 0.05, ratio: float = 1.0, method: str = "pooled",
                alternative: str = "two-sided", strict: bool = False) -> PowerResult:
    """Power or sample size comparing two proportions (responder rates).

    Parameters
    ----------
    p1, p2 : float
        Responder probability in the control arm and in the active arm.
    n : float, optional
        Subjects in the control arm; give ``n`` or ``power``. Exact methods need whole
        numbers (``n`` and ``ratio * n`` are rounded to the nearest integer).
    power : float, optional
        Target power; ``n`` is solved for.
    alpha, ratio, alternative, strict
        As :func:`irtrial.power.ttest` (``strict`` only for ``method="pooled"``).
    method : {"pooled", "newcombe", "mn"}
        ``"pooled"``: normal approximation of the pooled z test (R ``power.prop.test``).
        ``"newcombe"`` / ``"mn"``: exact power of the Newcombe or Miettinen-Nurminen
        risk-difference interval excluding 0 (the analysis of
        :func:`irtrial.compare_proportions`).

    Returns
    -------
    PowerResult

    Examples
    --------
    >>> round(proportions(0.3, 0.5, power=0.9).n, 3)
    123.999
    >>> r = proportions(0.3, 0.5, power=0.8, method="newcombe")
    >>> r.n_required
    (94, 94)
    """
    problems: list[str] = []
    check_common(n, power, alpha, ratio, problems)
    for name, p in (("p1", p1), ("p2", p2)):
        if not 0 < p < 1:
            problems.append(f"{name}={p!r} must lie in (0, 1)")
    if p1 == p2:
        problems.append("p1 and p2 are equal: there is no effect to detect")
    if method not in _METHODS:
        problems.append(f"method={method!r} is not one of {', '.join(map(repr, _METHODS))}")
    raise_problems("invalid proportions power calculation", problems)
    n_side = sides(alternative)
    params = {"p1": float(p1), "p2": float(p2), "method": method,
              "alternative": "two-sided" if n_side == 2 else "one-sided"}
    notes: list[str] = []
    if method == "pooled":
        params["strict"] = bool(strict)
        at = lambda n0: _pooled_power(n0, p1, p2, alpha, ratio, n_side, strict)  # noqa: E731
        if n is None:
            n = solve_n(at, power, 1.0 + 1e-9)
            solved = "n"
        else:
            power, solved = at(float(n)), "power"
        title = "Two-sample comparison of proportions power calculation (pooled z test)"
        return PowerResult(method=title, n=float(n), n_active=float(ratio * n),
                           power=float(power), alpha=float(alpha), ratio=float(ratio),
                           solved_for=solved, parameters=params, notes=tuple(notes))

    def exact_at(n0: int) -> float:
        return _exact_power(n0, max(1, round(ratio * n0)), p1, p2, alpha, n_side, method)

    label = {"newcombe": "Newcombe hybrid score", "mn": "Miettinen-Nurminen score"}[method]
    if n is None:
        approx = proportions(p1, p2, power=power, alpha=alpha, ratio=ratio,
                             alternative=alternative).n
        n0 = max(2, math.floor(0.8 * approx))
        while exact_at(n0) >= power and n0 > 2:  # start below the answer
            n0 = max(2, n0 // 2)
        while exact_at(n0) < power:
            n0 += 1
            if n0 > 100_000:
                raise_problems("invalid proportions power calculation",
                               ["power not reached with 100000 subjects per arm"])
        n, target, power, solved = n0, power, exact_at(n0), "n"
        notes.append(f"smallest n with exact power >= {target:g} (exact power is not "
                     "monotone in n)")
    else:
        n = round(n)
        power, solved = exact_at(n), "power"
    notes.append(f"exact power: P({label} interval for p2 - p1 excludes 0), summed over all "
                 "binomial outcomes")
    return PowerResult(method=f"Exact power of the {label} risk-difference interval",
                       n=float(n), n_active=float(max(1, round(ratio * n))),
                       power=float(power), alpha=float(alpha), ratio=float(ratio),
                       solved_for=solved, parameters=params, notes=tuple(notes))
