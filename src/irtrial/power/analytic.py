r"""Analytic power and sample size of a two-arm comparison of means: t test and ANCOVA.

Each function solves for whichever of ``n`` (subjects in the control arm) and ``power`` is
missing, as R's ``power.t.test``. The active arm has ``ratio * n`` subjects.

Two-sample t test (Student, equal variances) with :math:`n_0 = n`, :math:`n_1 = r n`:

.. math::
    \nu = n_0 + n_1 - 2,\quad
    \lambda = \frac{|\delta|}{\sigma\sqrt{1/n_0 + 1/n_1}},\quad
    \text{power} = P(T_{\nu,\lambda} > t_{1-\alpha/s,\nu})
    \;[+\;P(T_{\nu,\lambda} < -t_{1-\alpha/2,\nu})\text{ if strict}],

with :math:`T_{\nu,\lambda}` noncentral t and :math:`s` the number of sides. With ``ratio=1``
this is R's ``power.t.test(type = "two.sample")`` exactly (``strict=False`` by default, as R).

ANCOVA on the baseline (Borm, Fransen & Lemmens 2007): adjusting for a baseline that
correlates :math:`\rho` with the outcome shrinks the residual variance to
:math:`\sigma^2(1 - \rho^2)` and costs one degree of freedom, :math:`\nu = n_0 + n_1 - 3`.

SAS: ``PROC POWER; TWOSAMPLEMEANS TEST=DIFF MEANDIFF= STDDEV= GROUPWEIGHTS=(1 r) NPERGROUP=.
POWER=0.9;``. R: ``power.t.test``; for ANCOVA ``power.t.test(sd = sd * sqrt(1 - rho^2))``
approximates it with one more degree of freedom.

References
----------
.. [1] Borm GF, Fransen J, Lemmens WAJG (2007). A simple sample size formula for analysis of
   covariance in randomized clinical trials. J Clin Epidemiol 60:1234-1238.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from irtrial.power._solve import check_common, raise_problems, sides, solve_n
from irtrial.power.result import PowerResult

__all__ = ["ancova", "ttest"]


def _t_power(n0, delta, sd, alpha, ratio, n_side, strict, lost_df):
    n1 = ratio * n0
    nu = max(1e-7, n0 + n1 - 2 - lost_df)
    ncp = abs(delta) / (sd * np.sqrt(1.0 / n0 + 1.0 / n1))
    q = stats.t.isf(alpha / n_side, nu)
    p = stats.nct.sf(q, nu, ncp)
    if strict and n_side == 2:
        p += stats.nct.cdf(-q, nu, ncp)
    return float(p)


def _means_power(kind, delta, sd, n, power, alpha, ratio, alternative, strict, rho=None):
    problems: list[str] = []
    check_common(n, power, alpha, ratio, problems)
    if not (np.isfinite(delta) and delta != 0):
        problems.append(f"delta={delta!r} must be a non-zero number (the difference in means)")
    if not (np.isfinite(sd) and sd > 0):
        problems.append(f"sd={sd!r} must be > 0")
    if rho is not None and not -1 < rho < 1:
        problems.append(f"rho={rho!r} must lie in (-1, 1)")
    raise_problems(f"invalid {kind} power calculation", problems)
    n_side = sides(alternative)
    sd_eff = sd if rho is None else sd * np.sqrt(1.0 - rho**2)
    lost = 0 if rho is None else 1  # the baseline slope costs one df

    def at(n0: float) -> float:
        return _t_power(n0, delta, sd_eff, alpha, ratio, n_side, strict, lost)

    # at least one df (scipy's noncentral t is unreliable below that) and one subject per arm
    smallest = max((3.0 + lost) / (1.0 + ratio), 1.0, 1.0 / ratio)
    if n is None:
        n = solve_n(at, power, smallest)
        solved = "n"
    else:
        power = at(float(n))
        solved = "power"
    params = {"delta": float(delta), "sd": float(sd), "alternative":
              "two-sided" if n_side == 2 else "one-sided", "strict": bool(strict)}
    notes = ["power of the one tail in the direction of delta (R's strict = FALSE)"] \
        if n_side == 2 and not strict else []
    if rho is None:
        method = "Two-sample t test power calculation"
    else:
        params["rho"] = float(rho)
        method = "ANCOVA (baseline-adjusted t test) power calculation"
        notes.append(f"residual SD sd * sqrt(1 - rho^2) = {sd_eff:.6g}; df = n0 + n1 - 3")
    return PowerResult(method=method, n=float(n), n_active=float(ratio * n),
                       power=float(power), alpha=float(alpha), ratio=float(ratio),
                       solved_for=solved, parameters=params, notes=tuple(notes))


def ttest(delta: float, sd: float, n: float | None = None, power: float | None = None,
          alpha: float = 0.05, ratio: float = 1.0, alternative: str = "two-sided",
          strict: bool = False) -> PowerResult:
    """Power or sample size of the two-sample t test (R ``power.t.test``).

    Parameters
    ----------
    delta : float
        Difference in means (active - control) to detect.
    sd : float
        Common within-arm standard deviation.
    n : float, optional
        Subjects in the control arm (per arm when ``ratio=1``). Give ``n`` or ``power``.
    power : float, optional
        Target power; ``n`` is solved for.
    alpha : float
        Significance level.
    ratio : float
        Allocation ratio active : control (``n_active = ratio * n``).
    alternative : {"two-sided", "one-sided"}
    strict : bool
        Two-sided: add the probability of rejecting in the wrong direction (R ``strict``).

    Returns
    -------
    PowerResult

    Examples
    --------
    >>> r = ttest(delta=1, sd=1, power=0.9)
    >>> round(r.n, 4), r.n_required
    (22.0211, (23, 23))
    >>> round(ttest(delta=1, sd=1, n=20).power, 4)
    0.869
    """
    return _means_power("t test", delta, sd, n, power, alpha, ratio, alternative, strict)


def ancova(delta: float, sd: float, rho: float, n: float | None = None,
           power: float | None = None, alpha: float = 0.05, ratio: float = 1.0,
           alternative: str = "two-sided", strict: bool = False) -> PowerResult:
    """Power or sample size of an ANCOVA adjusting for a baseline correlated ``rho``.

    The outcome (or change) SD ``sd`` is reduced to ``sd * sqrt(1 - rho**2)``; the t test has
    ``n0 + n1 - 3`` degrees of freedom (Borm et al. 2007). Other parameters as :func:`ttest`.

    Returns
    -------
    PowerResult

    Examples
    --------
    >>> r = ancova(delta=1, sd=2, rho=0.6, power=0.9)
    >>> r.n_required
    (55, 55)
    """
    return _means_power("ANCOVA", delta, sd, n, power, alpha, ratio, alternative, strict,
                        rho=rho)
