"""Brent's root finder with the stopping rule of R's ``uniroot``.

R's ``wilcox.test`` finds the Hodges-Lehmann estimate and the bounds of its confidence interval
under the normal approximation as roots of a *step* function, with ``uniroot(tol = 1e-4)``.
The root returned depends on the path of the iteration, not only on the function, so
reproducing R's numbers needs the same algorithm: Brent (1973), chapter 4 -- bisection,
secant and inverse quadratic interpolation, with the tolerance ``2 * eps * |b| + tol / 2`` --
as documented for ``uniroot`` (R Core Team, ``?uniroot``).

References
----------
.. [1] Brent, R. P. (1973). *Algorithms for Minimization without Derivatives*, ch. 4.
   Prentice-Hall.
.. [2] Forsythe, G. E., Malcolm, M. A. & Moler, C. B. (1977). *Computer Methods for
   Mathematical Computations*, procedure ZEROIN. Prentice-Hall.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from irtrial.errors import ConvergenceError

__all__ = ["zeroin"]

_EPS = float(np.finfo(float).eps)


def zeroin(
    f: Callable[[float], float],
    lower: float,
    upper: float,
    f_lower: float | None = None,
    f_upper: float | None = None,
    tol: float = _EPS**0.25,
    maxiter: int = 1000,
) -> float:
    """A root of ``f`` in ``[lower, upper]`` (``f(lower)`` and ``f(upper)`` of opposite signs)."""
    a, b = float(lower), float(upper)
    fa = f(a) if f_lower is None else float(f_lower)
    fb = f(b) if f_upper is None else float(f_upper)
    if not lower < upper:
        raise ValueError("zeroin needs lower < upper")
    if fa * fb > 0:
        raise ValueError("f() values at the end points are not of opposite sign")
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    c, fc = a, fa
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            # keep b the best approximation
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2.0 * _EPS * abs(b) + tol / 2.0
        new_step = (c - b) / 2.0
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:  # two distinct points: secant
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:  # inverse quadratic interpolation
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2.0) and p < abs(prev_step * q / 2.0):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    raise ConvergenceError(f"root finding did not converge in {maxiter} iterations")
