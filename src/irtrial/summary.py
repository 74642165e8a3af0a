"""``Summary``: what ``result.summary()`` returns, text in a terminal and HTML in Jupyter.

A :class:`Summary` holds a title, a few "label: value" lines (SAS's "Model Information"),
named tables (DataFrames, reachable as attributes: ``s.coefficients``) and notes. ``str(s)``
and ``repr(s)`` give fixed-width text laid out like a SAS listing, so that the REPL prints it
readably; ``s._repr_html_()`` gives an HTML fragment that Jupyter renders. This is the idea of
statsmodels' ``Summary`` (``as_text``, ``as_html``), with tidy DataFrames as the tables.

Number formatting (display only; the tables keep full precision): p-values as SAS prints
them (``<.0001`` below 1e-4, else 4 decimals), df with 2 decimals, everything else with 4
significant decimals.

Examples
--------
>>> import pandas as pd
>>> s = Summary("Example", info=(("Method", "Welch t"),),
...             tables={"results": pd.DataFrame({"estimate": [1.23456], "p_value": [3e-6]})})
>>> print(s)
Example
<BLANKLINE>
  Method  Welch t
<BLANKLINE>
Results
estimate p_value
  1.2346  <.0001
>>> s.results.estimate.tolist()
[1.23456]
>>> "<table" in s._repr_html_()
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

__all__ = ["Summary", "format_table"]

_P_COLUMNS = ("p_value", "p_adjusted")
_DF_COLUMNS = ("df", "den_df")
_INT_COLUMNS = ("num_df", "n", "n_randomised", "n_analysed", "n_excluded", "n_rows",
                "n_subjects")


def _fmt_p(x) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "."
    return "<.0001" if x < 1e-4 else f"{x:.4f}"


def _fmt_num(x, decimals: int = 4) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "."
    return f"{x:.{decimals}f}"


def format_table(table: pd.DataFrame) -> pd.DataFrame:
    """A display copy of ``table``: numbers as strings, SAS style (``.`` for missing)."""
    out = table.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == bool or not pd.api.types.is_numeric_dtype(s):
            out[col] = s.map(lambda v: "." if v is None or (isinstance(v, float) and np.isnan(v))
                             else str(v))
        elif col in _P_COLUMNS:
            out[col] = s.map(_fmt_p)
        elif col in _DF_COLUMNS:
            out[col] = s.map(lambda v: _fmt_num(v, 2))
        elif col in _INT_COLUMNS or pd.api.types.is_integer_dtype(s):
            out[col] = s.map(lambda v: "." if pd.isna(v) else str(int(v)))
        else:
            out[col] = s.map(_fmt_num)
    return out


def _heading(name: str) -> str:
    return name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Summary:
    """A printable, HTML-renderable summary of a result.

    Attributes
    ----------
    title : str
    info : tuple of (label, value)
        Header lines (model, data, options).
    tables : Mapping[str, DataFrame]
        Named tables in display order; each also reachable as ``summary.<name>``.
    notes : tuple of str
    """

    title: str
    info: tuple[tuple[str, str], ...] = ()
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    headings: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "info", tuple((str(k), str(v)) for k, v in self.info))
        object.__setattr__(self, "tables", MappingProxyType(dict(self.tables)))
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "headings", MappingProxyType(dict(self.headings)))

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"Summary has no table {name!r}; tables: {list(tables)}")

    def __dir__(self):
        return [*super().__dir__(), *self.tables]

    def _heading(self, name: str) -> str:
        return self.headings.get(name, _heading(name))

    def as_text(self) -> str:
        """Fixed-width text, SAS listing style."""
        lines = [self.title]
        if self.info:
            width = max(len(k) for k, _ in self.info)
            lines += [""] + [f"  {k:<{width}}  {v}" for k, v in self.info]
        for name, table in self.tables.items():
            lines += ["", self._heading(name)]
            if len(table) == 0:
                lines.append("  (none)")
            else:
                lines.append(format_table(table).to_string(index=False))
        if self.notes:
            lines += ["", "Notes"] + [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def as_html(self) -> str:
        """An HTML fragment (headings, a definition table, one table per DataFrame)."""
        esc = html.escape
        parts = [f"<div class='irtrial-summary'><h3>{esc(self.title)}</h3>"]
        if self.info:
            rows = "".join(f"<tr><th style='text-align:left'>{esc(k)}</th><td>{esc(v)}</td></tr>"
                           for k, v in self.info)
            parts.append(f"<table>{rows}</table>")
        for name, table in self.tables.items():
            parts.append(f"<h4>{esc(self._heading(name))}</h4>")
            parts.append("<p>(none)</p>" if len(table) == 0
                         else format_table(table).to_html(index=False, escape=True))
        if self.notes:
            parts.append("<h4>Notes</h4><ul>" + "".join(f"<li>{esc(n)}</li>" for n in self.notes)
                         + "</ul>")
        parts.append("</div>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.as_html()

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()
