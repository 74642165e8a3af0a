"""A generic, immutable result for the comparisons of :mod:`irtrial.analysis`.

Every comparison returns a :class:`ComparisonResult`: one tidy table of estimates (the shared
columns of :mod:`irtrial.columns`), optional extra tables (LS means, per-arm summaries ...),
how many subjects each arm contributed, who was left out and why, and free-text notes
(method, warnings, assumptions). It holds data only; rendering belongs to ``irtrial.report``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from irtrial.summary import Summary

__all__ = ["ComparisonResult"]


def _frozen_tables(tables: Mapping[str, pd.DataFrame]) -> Mapping[str, pd.DataFrame]:
    return MappingProxyType({k: v.copy() for k, v in tables.items()})


@dataclass(frozen=True)
class ComparisonResult:
    """The result of one analysis.

    Attributes
    ----------
    method : str
        What was computed, e.g. ``"Welch two-sample t-test on change"``.
    table : DataFrame
        The main tidy table: identifying columns (``visit``, ``arm``, ``control``, ``term`` ...)
        followed by ``estimate, std_error, df, statistic, p_value, ci_lower, ci_upper`` where
        they apply (a column that does not apply to the method holds NaN).
    n_by_arm : DataFrame
        ``visit, arm, n_randomised, n_analysed, n_excluded``.
    excluded : DataFrame
        ``visit, subject, arm, reason``: every randomised subject left out, per visit.
    tables : Mapping[str, DataFrame]
        Further tables by name (read-only mapping of copies).
    notes : tuple of str
        Method details and anything the reader must know (ties, approximations, dropped
        subjects).
    conf_level : float
    """

    method: str
    table: pd.DataFrame
    n_by_arm: pd.DataFrame
    excluded: pd.DataFrame
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    conf_level: float = 0.95

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", self.table.copy())
        object.__setattr__(self, "n_by_arm", self.n_by_arm.copy())
        object.__setattr__(self, "excluded", self.excluded.copy())
        object.__setattr__(self, "tables", _frozen_tables(self.tables))
        object.__setattr__(self, "notes", tuple(self.notes))

    def summary(self) -> Summary:
        """A :class:`~irtrial.summary.Summary`: text in a terminal, HTML in Jupyter; its
        tables (``.table``, ``.n_by_arm``, ``.excluded`` when any, then ``tables``) are
        DataFrame attributes."""
        tables = {"table": self.table, "n_by_arm": self.n_by_arm}
        if len(self.excluded):
            tables["excluded"] = self.excluded
        tables.update(self.tables)
        return Summary(
            title=self.method,
            info=(("Confidence level", f"{self.conf_level:g}"),),
            tables=tables,
            notes=self.notes,
            headings={"table": "Results", "n_by_arm": "Subjects by arm",
                      "excluded": "Subjects excluded"},
        )

    def __getitem__(self, name: str) -> Any:
        """``result["lsmeans"]``: one of ``tables``."""
        return self.tables[name]

    def __repr__(self) -> str:
        n = ", ".join(
            f"{r.arm}={r.n_analysed}"
            for r in self.n_by_arm.drop_duplicates("arm", keep="last").itertuples()
        )
        return (
            f"<ComparisonResult {self.method}: {len(self.table)} row(s); n analysed {n}; "
            f"{self.excluded['subject'].nunique() if len(self.excluded) else 0} subject(s) "
            "excluded>"
        )
