"""Typed exceptions and warnings for irtrial.

Every error a user can trigger is an :class:`IrtrialError`. Errors that find several
problems at once (validation) carry the full list in ``.problems`` so that nothing is
reported one at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Problem",
    "IrtrialError",
    "TrialValidationError",
    "PlanValidationError",
    "ModelSpecError",
    "SingularDesignError",
    "ConvergenceError",
    "InsufficientDataError",
    "IrtrialWarning",
]


@dataclass(frozen=True)
class Problem:
    """One problem found in the input.

    Parameters
    ----------
    message : str
        What is wrong and, where possible, what to do next.
    column : str, optional
        The column the problem concerns.
    rows : tuple of int
        Row numbers (0-based positions in the input table) concerned.
    subjects : tuple of str
        Subject identifiers concerned.
    row_label : str
        What ``rows`` count, as printed: ``"rows"`` (0-based positions), ``"lines"`` (1-based
        lines of a text file, the header being line 1), ``"sheet rows"`` (Excel rows) or
        ``"records"`` (1-based records of an XPT, sas7bdat or Parquet file).
    """

    message: str
    column: str | None = None
    rows: tuple[int, ...] = field(default_factory=tuple)
    subjects: tuple[str, ...] = field(default_factory=tuple)
    row_label: str = "rows"

    def __str__(self) -> str:
        parts = []
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.rows:
            parts.append(f"{self.row_label} " + _abbreviate(self.rows))
        if self.subjects:
            parts.append("subjects " + _abbreviate(self.subjects))
        where = f" [{'; '.join(parts)}]" if parts else ""
        return f"{self.message}{where}"


def _abbreviate(items: Sequence[object], limit: int = 10) -> str:
    shown = ", ".join(str(i) for i in items[:limit])
    if len(items) > limit:
        shown += f", ... ({len(items)} in all)"
    return shown


class IrtrialError(Exception):
    """Base class of every error irtrial raises on purpose."""


class TrialValidationError(IrtrialError, ValueError):
    """The trial data have one or more problems; ``.problems`` lists all of them."""

    def __init__(self, problems: Iterable[Problem | str]):
        self.problems: tuple[Problem, ...] = tuple(
            p if isinstance(p, Problem) else Problem(str(p)) for p in problems
        )
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found in the trial data:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class PlanValidationError(IrtrialError, ValueError):
    """The study plan has one or more problems; ``.problems`` lists all of them, each with its
    key (``primary.covariance[1]: 'TOEPX' is not a covariance structure``)."""

    def __init__(self, problems: Iterable[Problem | str], source: str | None = None):
        self.problems: tuple[Problem, ...] = tuple(
            p if isinstance(p, Problem) else Problem(str(p)) for p in problems
        )
        self.source = source
        n = len(self.problems)
        where = f" {source}" if source else ""
        head = f"{n} problem{'s' if n != 1 else ''} found in the study plan{where}:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class ModelSpecError(IrtrialError, ValueError):
    """The model specification (formula, covariance, options) is invalid."""


class SingularDesignError(IrtrialError, ValueError):
    """The fixed-effects design matrix is rank deficient (e.g. an arm without data at a visit)."""


class InsufficientDataError(IrtrialError, ValueError):
    """Too few subjects or observations for the requested analysis."""


class ConvergenceError(IrtrialError, RuntimeError):
    """The optimiser did not converge after every fallback was tried."""


class IrtrialWarning(UserWarning):
    """Base class of irtrial's warnings."""
