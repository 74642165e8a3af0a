r"""Power and sample size of an MMRM with dropout: Lu, Luo & Chen (2008).

The primary analysis is the treatment difference at the last of :math:`J` post-baseline
visits in an MMRM with unstructured means per arm and visit. With monotone dropout a
fraction :math:`r_j` of an arm is still observed at visit :math:`j` (:math:`r_1 \ge \dots
\ge r_J`, the *retention*). A subject who leaves after visit :math:`j` contributes the
information :math:`\Sigma_{[1:j]}^{-1}` of its first :math:`j` visits, so the information per
subject of the arm's visit means is

.. math::
    I = \sum_{j=1}^{J} (r_j - r_{j+1}) \begin{pmatrix} \Sigma_{[1:j]}^{-1} & 0 \\ 0 & 0
    \end{pmatrix},\qquad r_{J+1} = 0,

and the variance of the arm's last-visit mean is :math:`\phi\,\sigma_J^2 / n` with the
*variance inflation factor* :math:`\phi = [I^{-1}]_{JJ} / \sigma_J^2` (:math:`\phi = 1`
without dropout). With :math:`n_1 = \lambda n_0` (``ratio``) and the normal approximation,

.. math::
    n_1 = (\phi_1 + \lambda \phi_0)\,\frac{(z_{1-\alpha/s} + z_{1-\beta})^2\sigma_J^2}
    {\delta^2},\qquad
    \text{power} = \Phi\!\left(\frac{|\delta|}{\sigma_J\sqrt{\phi_1/n_1 + \phi_0/n_0}}
    - z_{1-\alpha/s}\right).

With AR(1) correlation :math:`\rho^{|t_j - t_k|}` the factor has the closed form (Lu et al.,
eq. 4) :math:`\phi = 1/r_J - \sum_{j<J}\rho^{2(t_J - t_j)}(1/r_{j+1} - 1/r_j)`.

SAS: no built-in procedure (``PROC POWER`` has no dropout pattern). R:
``longpower::power.mmrm(N, Ra, ra, sigmaa, rb = , lambda, delta, power)`` and
``longpower::power.mmrm.ar1`` (group *a* = our active arm, *b* = control, ``N`` = total).

References
----------
.. [1] Lu K, Luo X, Chen P-Y (2008). Sample size estimation for repeated measures analysis in
   randomized clinical trials with missing data. Int J Biostat 4(1), article 9.
   doi:10.2202/1557-4679.1098
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from irtrial.power._solve import check_common, raise_problems, sides, solve_n
from irtrial.power.result import PowerResult

__all__ = ["inflation_factor", "mmrm"]


def inflation_factor(correlation: np.ndarray, retention: np.ndarray) -> float:
    """Lu-Luo-Chen variance inflation factor :math:`\\phi` of the last-visit mean.

    Parameters
    ----------
    correlation : (J, J) array
        Correlation (or covariance, then the result is in units of the last variance) of
        the post-baseline visits.
    retention : (J,) array
        Fraction still observed at each visit, non-increasing.

    Examples
    --------
    >>> import numpy as np
    >>> round(inflation_factor(np.eye(3), np.array([1.0, 0.9, 0.8])), 6)  # = 1 / r_J
    1.25
    """
    c = np.asarray(correlation, dtype=float)
    r = np.append(np.asarray(retention, dtype=float), 0.0)
    j_max = c.shape[0]
    info = np.zeros_like(c)
    for j in range(1, j_max + 1):
        w = r[j - 1] - r[j]
        if w:
            info[:j, :j] += w * np.linalg.inv(c[:j, :j])
    cov = np.linalg.inv(info)
    return float(cov[-1, -1] / c[-1, -1])


def _correlation(sigma, sd, correlation, rho_ar1, times, n_vis, problems):
    """(correlation matrix, sd of the last visit) from whichever was given."""
    given = [x is not None for x in (sigma, correlation, rho_ar1)]
    if sum(given) != 1:
        problems.append("give exactly one of sigma (covariance matrix), correlation (with sd) "
                        "and rho_ar1 (with sd)")
        return None, None
    if sigma is not None:
        s = np.asarray(sigma, dtype=float)
        if s.ndim != 2 or s.shape[0] != s.shape[1] or not np.allclose(s, s.T):
            problems.append("sigma must be a symmetric square matrix (visits x visits)")
            return None, None
        if np.linalg.eigvalsh(s).min() <= 0:
            problems.append("sigma must be positive definite")
            return None, None
        if sd is not None:
            problems.append("sd is taken from sigma (its last diagonal element); do not give both")
        d = np.sqrt(np.diag(s))
        return s / np.outer(d, d), float(d[-1])
    if sd is None or not (np.isfinite(sd) and sd > 0):
        problems.append(f"sd={sd!r} must be > 0 (the SD at the last visit)")
    if correlation is not None:
        c = np.asarray(correlation, dtype=float)
        if c.ndim != 2 or c.shape[0] != c.shape[1] or not np.allclose(c, c.T) \
                or not np.allclose(np.diag(c), 1):
            problems.append("correlation must be a symmetric matrix with ones on the diagonal")
            return None, sd
        if np.linalg.eigvalsh(c).min() <= 0:
            problems.append("correlation must be positive definite")
        return c, sd
    if not -1 < rho_ar1 < 1:
        problems.append(f"rho_ar1={rho_ar1!r} must lie in (-1, 1)")
        return None, sd
    if n_vis is None:
        problems.append("with rho_ar1 give retention or times (they fix the number of visits)")
        return None, sd
    t = np.arange(1.0, n_vis + 1) if times is None else np.asarray(times, dtype=float)
    if t.size != n_vis:
        problems.append(f"times has {t.size} values for {n_vis} visits")
        return None, sd
    return float(rho_ar1) ** np.abs(np.subtract.outer(t, t)), sd


def _check_retention(r, name, n_vis, problems):
    if r is None:
        return np.ones(n_vis)
    r = np.asarray(r, dtype=float)
    if r.shape != (n_vis,):
        problems.append(f"{name} needs one value per post-baseline visit ({n_vis})")
    elif np.any(r <= 0) or np.any(r > 1) or np.any(np.diff(r) > 0):
        problems.append(f"{name} must be fractions in (0, 1], non-increasing over visits")
    return r


def mmrm(delta: float, sigma=None, sd: float | None = None, correlation=None,
         rho_ar1: float | None = None, retention=None, retention_control=None,
         n: float | None = None, power: float | None = None, alpha: float = 0.05,
         ratio: float = 1.0, times=None, alternative: str = "two-sided", test: str = "z",
         df_lost: int = 2) -> PowerResult:
    """Power or sample size of the last-visit MMRM contrast with dropout (Lu, Luo & Chen 2008).

    Parameters
    ----------
    delta : float
        Difference between the arms at the last visit (active - control).
    sigma : (J, J) array, optional
        Covariance matrix of the post-baseline visits (e.g. ``TrialDesign.from_fit``).
    sd : float, optional
        SD at the last visit, with ``correlation`` (a J x J matrix) or ``rho_ar1``.
    correlation : (J, J) array, optional
    rho_ar1 : float, optional
        AR(1) correlation per unit of ``times`` (default times 1, ..., J).
    retention : sequence of float, optional
        Fraction of the active arm (and of the control arm unless ``retention_control`` is
        given) observed at each post-baseline visit; default 1 (no dropout).
    retention_control : sequence of float, optional
    n, power, alpha, ratio, alternative
        As :func:`irtrial.power.ttest`: ``n`` is the control arm's size, ``ratio`` =
        active : control.
    times : sequence of float, optional
        Visit times for ``rho_ar1``.
    test : {"z", "t"}
        ``"z"``: the normal approximation of Lu et al. and longpower. ``"t"``: a small-sample
        version, power :math:`P(T_{\\nu,\\lambda} > t_{1-\\alpha/s,\\nu})` with the same
        noncentrality :math:`\\lambda = |\\delta| / SE` and :math:`\\nu = n_0 r_{0J} + n_1 r_{1J}
        - ` ``df_lost`` (expected completers minus the mean parameters of the last visit: 2,
        or 3 with a baseline covariate).
    df_lost : int

    Returns
    -------
    PowerResult
        ``parameters`` holds the inflation factors ``phi_active`` and ``phi_control``.

    Examples
    --------
    >>> import numpy as np
    >>> corr = np.full((4, 4), 0.25) + 0.75 * np.eye(4)
    >>> r = mmrm(0.5, sd=1, correlation=corr, retention=[1, 0.9, 0.8, 0.7], power=0.8)
    >>> round(r.n_total, 2)
    173.98
    """
    problems: list[str] = []
    check_common(n, power, alpha, ratio, problems)
    if not (np.isfinite(delta) and delta != 0):
        problems.append(f"delta={delta!r} must be a non-zero number")
    n_vis = None
    for v in (retention, retention_control, times):
        if v is not None:
            n_vis = len(v)
            break
    corr, sd_last = _correlation(sigma, sd, correlation, rho_ar1, times, n_vis, problems)
    if corr is not None:
        ra = _check_retention(retention, "retention", corr.shape[0], problems)
        rb = _check_retention(retention_control if retention_control is not None
                              else retention, "retention_control", corr.shape[0], problems)
    raise_problems("invalid MMRM (Lu-Luo-Chen) power calculation", problems)
    phi_a = inflation_factor(corr, ra)
    phi_b = inflation_factor(corr, rb)
    n_side = sides(alternative)
    if test not in ("z", "t"):
        raise_problems("invalid MMRM (Lu-Luo-Chen) power calculation",
                       [f"test={test!r} must be 'z' or 't'"])
    z_a = stats.norm.isf(alpha / n_side)

    def power_t(n0: float) -> float:
        n1 = ratio * n0
        nu = max(1e-7, n0 * rb[-1] + n1 * ra[-1] - df_lost)
        lam = abs(delta) / (sd_last * np.sqrt(phi_a / n1 + phi_b / n0))
        return float(stats.nct.sf(stats.t.isf(alpha / n_side, nu), nu, lam))

    if n is None and test == "z":
        z = z_a + stats.norm.isf(1 - power)  # z_{1-alpha/s} + z_{power}
        n_active = (phi_a + ratio * phi_b) * z**2 * sd_last**2 / delta**2
        n = n_active / ratio
        solved = "n"
    elif n is None:
        lower = (df_lost + 1.0) / (rb[-1] + ratio * ra[-1])  # at least one df
        n = solve_n(power_t, power, max(lower, 1.0 + 1e-9))
        n_active, solved = ratio * n, "n"
    else:
        n_active = ratio * n
        se = sd_last * np.sqrt(phi_a / n_active + phi_b / n)
        power = stats.norm.cdf(abs(delta) / se - z_a) if test == "z" else power_t(n)
        solved = "power"
    params = {"delta": float(delta), "sd_last_visit": sd_last, "visits": corr.shape[0],
              "phi_active": phi_a, "phi_control": phi_b,
              "retention": tuple(float(x) for x in ra),
              "retention_control": tuple(float(x) for x in rb),
              "alternative": "two-sided" if n_side == 2 else "one-sided"}
    if rho_ar1 is not None:
        params["rho_ar1"] = float(rho_ar1)
    params["test"] = test
    first = ("normal approximation (z test), as longpower::power.mmrm; one tail" if test == "z"
             else f"noncentral t with df = expected completers - {df_lost}; one tail")
    notes = (first, "phi = variance inflation of the last-visit mean from dropout (1 = none)")
    return PowerResult(method="MMRM last-visit contrast with dropout (Lu, Luo & Chen 2008)",
                       n=float(n), n_active=float(n_active), power=float(power),
                       alpha=float(alpha), ratio=float(ratio), solved_for=solved,
                       parameters=params, notes=notes)
