"""Shared plumbing of the analytic calculations: argument checks and the root finder."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import brentq

from irtrial.errors import ModelSpecError

__all__ = ["check_common", "sides", "solve_n"]


def sides(alternative: str) -> int:
    """1 or 2 from ``"one-sided"`` / ``"two-sided"`` (R's ``one.sided`` spelling accepted)."""
    a = str(alternative).lower().replace(".", "-").replace("_", "-")
    if a in ("two-sided", "two"):
        return 2
    if a in ("one-sided", "one", "greater", "less"):
        return 1
    raise ModelSpecError(f"alternative={alternative!r} is not 'two-sided' or 'one-sided'")


def check_common(n, power, alpha, ratio, problems: list[str]) -> None:
    """Problems shared by every analytic function (exactly one of n, power missing ...)."""
    if (n is None) == (power is None):
        problems.append("give exactly one of n and power (the other is solved for)")
    if n is not None and not (np.isfinite(n) and n > 1):
        problems.append(f"n={n!r} must be a number > 1 (subjects per arm)")
    if power is not None and not 0 < power < 1:
        problems.append(f"power={power!r} must lie in (0, 1)")
    if not 0 < alpha < 1:
        problems.append(f"alpha={alpha!r} must lie in (0, 1)")
    if not (np.isfinite(ratio) and ratio > 0):
        problems.append(f"ratio={ratio!r} must be > 0 (active : control allocation)")


def raise_problems(what: str, problems: list[str]) -> None:
    if problems:
        raise ModelSpecError(f"{what}:\n" + "\n".join(f"  - {p}" for p in problems))


def solve_n(power_at: Callable[[float], float], target: float, lower: float) -> float:
    """The n (control arm) at which ``power_at(n) == target``, as R's ``uniroot`` with a tiny
    tolerance (power increases with n). ``lower`` is the smallest admissible n."""
    f = lambda n: power_at(n) - target  # noqa: E731
    if f(lower) >= 0:
        return float(lower)
    hi = max(2.0 * lower, 10.0)
    while f(hi) < 0:
        hi *= 2.0
        if hi > 1e9:
            raise ModelSpecError(f"power {target} is not reached with up to 1e9 subjects per arm")
    return float(brentq(f, lower, hi, xtol=1e-12, rtol=4 * np.finfo(float).eps, maxiter=500))
