"""Tidy results -> display tables (text cells) for the report, and their CSV export.

Each ``*_table`` function takes a tidy frame (from :mod:`irtrial.analysis`,
:mod:`irtrial.mmrm` or :mod:`irtrial.analysis.descriptives`) and returns a DataFrame of strings
with human headers, formatted by :mod:`irtrial.report.format` (decimals by scale, ``[lo, hi]``
intervals, ``< 0.001``). Nothing here fits a model. :func:`as_rows` is what the templates
receive; :func:`safe_csv` writes a display table with formula-injection protection.

Examples
--------
>>> from irtrial.synthetic import ir_wrap_trial
>>> from irtrial.analysis.descriptives import baseline_table
>>> t = table1(baseline_table(ir_wrap_trial()), ("Placebo", "IR"))
>>> list(t.columns)
['Characteristic', 'Placebo (N = 19)', 'IR (N = 21)', 'Total (N = 40)']
>>> t.iloc[2].tolist()
['Mean (SD)', '7.47 (1.71)', '7.00 (1.70)', '7.22 (1.70)']
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.analysis.descriptives import TOTAL
from irtrial.report.format import (
    DASH,
    decimals_for,
    fmt,
    fmt_ci,
    fmt_p,
)

__all__ = ["as_rows", "contrast_table", "estimate_cells", "lsmeans_table", "matrix_table",
           "safe_cell", "safe_csv", "table1", "type3_table", "visit_table"]

#: numbers, intervals, p-values, counts: right-aligned
_NUMBER_LIKE = re.compile(r"^[\s\d.,()\[\]%+\-<>/\u2013\u2212]*$")


def as_rows(frame: pd.DataFrame, row_classes: Sequence[str] | None = None,
            indent: Sequence[bool] | None = None) -> dict[str, Any]:
    """A display frame as ``{"columns", "numeric", "rows", "classes"}`` for the templates; a
    column is right-aligned when every non-empty cell looks like a number."""
    text = frame.astype(object).where(frame.notna(), "").astype(str)
    numeric = [bool(len(text)) and bool(text[c].map(lambda v: bool(_NUMBER_LIKE.match(v))).all())
               and bool(text[c].str.strip().ne("").any()) for c in text.columns]
    classes = list(row_classes) if row_classes is not None else [""] * len(text)
    if indent is not None:
        classes = [f"{c} sub".strip() if i else c for c, i in zip(classes, indent, strict=True)]
    return {"columns": [str(c) for c in frame.columns], "numeric": numeric,
            "rows": text.to_numpy().tolist(), "classes": classes}


def safe_cell(value: Any) -> Any:
    """A cell that a spreadsheet would read as a formula (starting with ``= + - @``, or a
    tab / carriage return) gets a leading apostrophe (OWASP CSV injection). Plain negative
    numbers are left alone: ``-1.5`` is a number, not a formula."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "=+-@\t\r":
        if value[0] in "+-" and re.fullmatch(r"[+-]\d+(\.\d+)?([eE][+-]?\d+)?", value):
            return value
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a display table as UTF-8 CSV with every cell passed through :func:`safe_cell`."""
    path = Path(path)
    out = frame.copy()
    out.columns = [safe_cell(str(c)) for c in out.columns]
    out = out.astype(object).map(safe_cell)
    out.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL, encoding="utf-8")
    return path


# ---- Table 1 -------------------------------------------------------------------------------
def table1(tidy: pd.DataFrame, arms: Sequence[str], labels: Mapping[str, str] | None = None,
           ) -> pd.DataFrame:
    """Table 1 from :func:`irtrial.analysis.descriptives.baseline_table`: one column per arm
    and Total (headed ``arm (N = n)``); a continuous variable reads ``n``, ``Mean (SD)``,
    ``Median [Q1, Q3]``, ``Min, max`` (and ``Missing`` when any); a categorical one
    ``level: n (%)``. Decimals follow the variable's SD. ``attrs["heading"]`` flags the
    variable rows (the statistics under them are indented in the page)."""
    labels = labels or {}
    groups = [*arms, TOTAL]
    n_col: dict[str, int] = {}
    for g in groups:
        rows = tidy[(tidy[C.ARM] == g)]
        first = rows.iloc[0] if len(rows) else None
        if first is None:
            n_col[g] = 0
        elif first["type"] == "continuous":
            n_col[g] = int(first[C.N] + first["n_missing"])
        else:
            n_col[g] = int(first["n_total"] + first["n_missing"])
    header = {g: f"{g} (N = {n_col[g]})" for g in groups}
    out: list[dict[str, str]] = []
    for var in dict.fromkeys(tidy["variable"]):
        rows = tidy[tidy["variable"] == var]
        kind = rows["type"].iloc[0]
        name = labels.get(var, var)
        if kind == "continuous":
            by = {g: rows[rows[C.ARM] == g].iloc[0] for g in groups}
            d = decimals_for(by[TOTAL]["sd"]) if np.isfinite(by[TOTAL]["sd"]) else 1
            out.append({"Characteristic": name, **{header[g]: "" for g in groups}, "_h": 1})
            out.append({"Characteristic": "n", "_h": 0, **{
                header[g]: str(int(r[C.N])) for g, r in by.items()}})
            out.append({"Characteristic": "Mean (SD)", "_h": 0, **{
                header[g]: f"{fmt(r['mean'], d)} ({fmt(r['sd'], d)})" for g, r in by.items()}})
            out.append({"Characteristic": "Median [Q1, Q3]", "_h": 0, **{
                header[g]: f"{fmt(r['median'], d)} [{fmt(r['q1'], d)}, {fmt(r['q3'], d)}]"
                for g, r in by.items()}})
            whole = all(float(r[k]).is_integer() for r in by.values() for k in ("min", "max")
                        if np.isfinite(r[k]))
            dm = 0 if whole else d  # integer data: the range reads "4, 10", not "4.00, 10.00"
            out.append({"Characteristic": "Min, max", "_h": 0, **{
                header[g]: f"{fmt(r['min'], dm)}, {fmt(r['max'], dm)}" for g, r in by.items()}})
            if any(r["n_missing"] for r in by.values()):
                out.append({"Characteristic": "Missing", "_h": 0, **{
                    header[g]: str(int(r["n_missing"])) for g, r in by.items()}})
        else:
            out.append({"Characteristic": f"{name}, n (%)", **{header[g]: "" for g in groups},
                        "_h": 1})
            for lv in dict.fromkeys(rows["level"]):
                cells = {}
                for g in groups:
                    r = rows[(rows[C.ARM] == g) & (rows["level"] == lv)].iloc[0]
                    cells[header[g]] = (f"{int(r[C.N])} ({r['percent']:.1f}%)"
                                        if r["n_total"] else "0")
                out.append({"Characteristic": str(lv), "_h": 0, **cells})
            miss = rows.drop_duplicates(C.ARM).set_index(C.ARM)["n_missing"]
            if miss.any():
                out.append({"Characteristic": "Missing", "_h": 0,
                            **{header[g]: str(int(miss.get(g, 0))) for g in groups}})
    frame = pd.DataFrame(out, columns=["Characteristic", *header.values(), "_h"])
    frame.attrs["heading"] = frame.pop("_h").astype(bool).tolist()
    return frame


# ---- descriptive statistics by visit ---------------------------------------------------------
def visit_table(tidy: pd.DataFrame, arms: Sequence[str], visit: Callable[[str], str],
                conf_level: float) -> pd.DataFrame:
    """One row per visit x arm: n, mean, SD, median, [Q1, Q3], CI of the mean; decimals from
    the SD of each row's variable over all visits (one precision per table)."""
    from irtrial.report.format import ci_label

    sd = tidy["sd"].to_numpy(dtype=float)
    d = decimals_for(np.nanmedian(sd)) if np.isfinite(sd).any() else 2
    order = {a: k for k, a in enumerate(arms)}
    t = tidy.assign(_a=tidy[C.ARM].map(order))
    rows = []
    for v in dict.fromkeys(t[C.VISIT]):
        for _, r in t[t[C.VISIT] == v].sort_values("_a").iterrows():
            rows.append({"Visit": visit(str(v)), "Arm": str(r[C.ARM]), "n": str(int(r[C.N])),
                         "Mean": fmt(r["mean"], d), "SD": fmt(r["sd"], d),
                         "Median": fmt(r["median"], d),
                         "[Q1, Q3]": fmt_ci(r["q1"], r["q3"], d),
                         ci_label(conf_level): fmt_ci(r[C.CI_LOWER], r[C.CI_UPPER], d)})
    return pd.DataFrame(rows)


# ---- MMRM --------------------------------------------------------------------------------------
def contrast_table(contrasts: pd.DataFrame, visit: Callable[[str], str], conf_level: float,
                   df_label: str = "df") -> pd.DataFrame:
    """Differences (active - control) per visit: estimate and CI with the decimals of the SE."""
    from irtrial.report.format import ci_label

    rows = []
    for _, r in contrasts.iterrows():
        d = decimals_for(r[C.STD_ERROR])
        rows.append({"Visit": visit(str(r[C.VISIT])) + (" (primary)" if r.get("primary") else ""),
                     "Comparison": f"{r[C.ARM]} \u2212 {r['control']}",
                     "Difference": fmt(r[C.ESTIMATE], d), "SE": fmt(r[C.STD_ERROR]),
                     df_label: fmt(r[C.DF], 1),
                     ci_label(conf_level): fmt_ci(r[C.CI_LOWER], r[C.CI_UPPER], d),
                     "p": fmt_p(r[C.P_VALUE])})
    return pd.DataFrame(rows)


def lsmeans_table(lsmeans: pd.DataFrame, arms: Sequence[str], visit: Callable[[str], str],
                  conf_level: float) -> pd.DataFrame:
    """LS means by visit and arm: estimate (SE) and CI."""
    from irtrial.report.format import ci_label

    order = {a: k for k, a in enumerate(arms)}
    t = lsmeans.assign(_a=lsmeans[C.ARM].astype(str).map(order))
    rows = []
    for v in dict.fromkeys(t[C.VISIT].astype(str)):
        for _, r in t[t[C.VISIT].astype(str) == v].sort_values("_a").iterrows():
            d = decimals_for(r[C.STD_ERROR])
            rows.append({"Visit": visit(v), "Arm": str(r[C.ARM]),
                         "LS mean": fmt(r[C.ESTIMATE], d), "SE": fmt(r[C.STD_ERROR]),
                         "df": fmt(r[C.DF], 1),
                         ci_label(conf_level): fmt_ci(r[C.CI_LOWER], r[C.CI_UPPER], d)})
    return pd.DataFrame(rows)


def type3_table(type3: pd.DataFrame) -> pd.DataFrame:
    """Type 3 tests of fixed effects: term, num df, den df, F, p."""
    return pd.DataFrame({
        "Effect": type3[C.TERM].astype(str).to_numpy(),
        "Num df": [fmt(v, 0) for v in type3[C.NUM_DF]],
        "Den df": [fmt(v, 1) for v in type3[C.DEN_DF]],
        "F": [fmt(v, 2 if abs(v) < 100 else 1) for v in type3[C.F_VALUE]],
        "p": [fmt_p(p) for p in type3[C.P_VALUE]],
    })


def matrix_table(matrix: pd.DataFrame, visit: Callable[[str], str],
                 decimals: int | None = None) -> pd.DataFrame:
    """A visits x visits matrix with visit labels; decimals from the smallest diagonal entry
    (3 significant digits) unless given."""
    m = matrix.to_numpy(dtype=float)
    if decimals is None:
        diag = np.abs(np.diag(m))
        decimals = decimals_for(diag[diag > 0].min()) if (diag > 0).any() else 2
    labels = [visit(str(v)) for v in matrix.index]
    table = pd.DataFrame([[fmt(x, decimals) for x in row] for row in m], columns=labels)
    table.insert(0, "", labels)
    return table


def estimate_cells(est: Any, se: Any, lo: Any, hi: Any) -> tuple[str, str]:
    """(estimate, CI) strings with the decimals of the SE, or of the CI width without one."""
    if se is not None and np.isfinite(se):
        d = decimals_for(se)
    elif lo is not None and hi is not None and np.isfinite(lo) and np.isfinite(hi):
        d = decimals_for(max((hi - lo) / 4, 1e-12))
    else:
        return (fmt(est), DASH)
    return fmt(est, d), fmt_ci(lo, hi, d)
