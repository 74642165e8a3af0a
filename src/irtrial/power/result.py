"""Frozen results of the analytic power and sample-size calculations.

Every analytic function of :mod:`irtrial.power` returns a :class:`PowerResult`: the solved
quantity (``n`` or ``power``) together with everything that was given, and a one-row tidy
``.table`` holding the same numbers (for reports and JSON).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

__all__ = ["PowerResult"]


@dataclass(frozen=True)
class PowerResult:
    """Power or sample size of one design, as R's ``power.htest`` objects.

    Attributes
    ----------
    method : str
        What was computed, e.g. ``"Two-sample t test power calculation"``.
    n : float
        Subjects per arm; the control arm's when the allocation is unequal. When ``n`` was
        solved for it is the exact (fractional) solution, as in R; ``n_required`` rounds it up.
    n_active : float
        Subjects in the active arm, ``ratio * n``.
    n_total : float
        ``n + n_active``.
    power : float
        Power at ``n`` (the target when ``n`` was solved for).
    alpha : float
        Significance level (of the one- or two-sided test).
    ratio : float
        Allocation ratio, active : control.
    solved_for : {"n", "power"}
    parameters : Mapping[str, Any]
        The other inputs (effect size, SD, correlations, retention ...).
    notes : tuple of str
        Approximations and conventions used.
    """

    method: str
    n: float
    n_active: float
    power: float
    alpha: float
    ratio: float
    solved_for: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))

    @property
    def n_total(self) -> float:
        """Total number of subjects, both arms."""
        return self.n + self.n_active

    @property
    def n_required(self) -> tuple[int, int]:
        """Whole subjects per arm (control, active): the solved sizes rounded up."""
        eps = 1e-9  # a solution a hair above an integer is that integer
        return math.ceil(self.n - eps), math.ceil(self.n_active - eps)

    @property
    def table(self) -> pd.DataFrame:
        """One-row tidy table: method, n, n_active, n_total, power, alpha, ratio, inputs."""
        row = {"method": self.method, "solved_for": self.solved_for, "n": self.n,
               "n_active": self.n_active, "n_total": self.n_total,
               "n_required_control": self.n_required[0],
               "n_required_active": self.n_required[1], "power": self.power,
               "alpha": self.alpha, "ratio": self.ratio}
        for k, v in self.parameters.items():
            if isinstance(v, int | float | str | bool) or v is None:
                row[k] = v
            else:
                row[k] = str(v)
        return pd.DataFrame([row])

    def __str__(self) -> str:
        c, a = self.n_required
        lines = [self.method,
                 f"  n per arm (control, active) = {self.n:.4g}, {self.n_active:.4g} "
                 f"-> {c}, {a} subjects (total {c + a})",
                 f"  power = {self.power:.4f}, alpha = {self.alpha:g}, ratio = {self.ratio:g}"]
        lines += [f"  {k} = {v}" for k, v in self.parameters.items()]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)
