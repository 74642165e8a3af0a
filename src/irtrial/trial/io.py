"""Read a trial table from a file or a DataFrame, and coerce messy cells.

Readers return a *fresh* DataFrame (never the caller's object). CSV files are read as text
so that subject identifiers keep their leading zeros; numbers are parsed later, column by
column, by :func:`to_number`, which accepts decimal commas and the common missing markers.

Examples
--------
>>> import pandas as pd
>>> to_number(pd.Series(["6,5", "NA", "7", "."])).tolist()
[6.5, nan, 7.0, nan]
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from irtrial.errors import Problem
from irtrial.trial.records import Records, decode, duplicate_names, parse_grid, parse_text

__all__ = ["MISSING_MARKERS", "read_table", "read_source", "parse_numbers", "to_number",
           "bad_numbers", "to_label", "is_missing"]

#: cell values read as missing (compared case-insensitively, after stripping blanks)
MISSING_MARKERS = frozenset({"", "na", ".", "nan", "n/a", "missing", "null", "<na>"})

_CSV_SUFFIXES = {".csv", ".tsv", ".txt", ".dat"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_XPT_SUFFIXES = {".xpt"}
_SAS7BDAT_SUFFIXES = {".sas7bdat"}


class ReadError(Exception):
    """Internal: the file could not be read; carries the :class:`Problem` (s)."""

    def __init__(self, problem: Problem, *more: Problem):
        super().__init__(problem.message)
        self.problem = problem
        self.problems = (problem, *more)


def read_table(source: object, sheet: str | int | None = None) -> tuple[pd.DataFrame, str]:
    """Read ``source`` into a new DataFrame (see :func:`read_source` for what is left out).

    Parameters
    ----------
    source : DataFrame or path-like
        A DataFrame (copied), or a CSV/TSV, Excel, Parquet, SAS XPT or sas7bdat file.
    sheet : str or int, optional
        Excel sheet (default: the first).

    Returns
    -------
    frame : DataFrame
        A copy the caller does not share; its index holds the row numbers the user sees
        (file lines of a text file, sheet rows of Excel, 1-based record numbers of XPT,
        sas7bdat and Parquet files = SAS observation numbers, 0-based positions for a
        DataFrame).
    label : str
        A description of the source for reports (the path, or ``"<DataFrame>"``).

    Raises
    ------
    ReadError
        The file is missing, empty or unreadable (wrapped into a
        :class:`~irtrial.errors.TrialValidationError` by :func:`irtrial.read_trial`).
    """
    rec, label = read_source(source, sheet)
    if rec.problems:
        raise ReadError(*rec.problems)
    return rec.frame, label


def read_source(source: object, sheet: str | int | None = None) -> tuple[Records, str]:
    """Read ``source`` into :class:`~irtrial.trial.records.Records`: the frame (index = the
    row numbers the user sees), the rows left out with their numbers, problems and notes.

    Raises
    ------
    ReadError
        The file is missing, empty or cannot be read at all.
    """
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True).copy()
        names = [str(c).strip() for c in frame.columns]
        rec = Records(frame, "rows", problems=duplicate_names(names))
        frame.columns = names
        return rec, "<DataFrame>"
    path = Path(source)  # type: ignore[arg-type]
    label = str(path)
    if not path.is_file():
        raise ReadError(Problem(f"file not found: {label}"))
    if path.stat().st_size == 0:
        raise ReadError(Problem(f"the file is empty: {label}"))
    suffix = path.suffix.lower()
    try:
        if suffix in _EXCEL_SUFFIXES:
            # no header: title rows, blank rows and duplicate names are found as in text;
            # dtype=object keeps each cell as stored (a text id "001" stays "001")
            grid = pd.read_excel(path, sheet_name=0 if sheet is None else sheet,
                                 header=None, dtype=object)
            rec = parse_grid(grid)
        elif suffix in _PARQUET_SUFFIXES:
            frame = pd.read_parquet(path)
            frame.index = pd.RangeIndex(1, len(frame) + 1)  # 1-based record numbers
            rec = Records(frame, "records", problems=duplicate_names(frame.columns))
        elif suffix in _XPT_SUFFIXES or suffix in _SAS7BDAT_SUFFIXES:
            import pyreadstat

            reader = pyreadstat.read_xport if suffix in _XPT_SUFFIXES else pyreadstat.read_sas7bdat
            frame, _meta = reader(str(path))
            frame.index = pd.RangeIndex(1, len(frame) + 1)  # SAS observation numbers
            rec = Records(frame, "records")
        else:
            rec = _read_text(path)
    except ReadError:
        raise
    except Exception as exc:  # any parser failure is a user-facing "unreadable file"
        kind = suffix.lstrip(".") or "text"
        raise ReadError(
            Problem(f"cannot read {label} as a {kind} file: {type(exc).__name__}: {exc}")
        ) from exc
    if not rec.problems and (rec.frame.shape[0] == 0 or rec.frame.shape[1] == 0):
        raise ReadError(Problem(f"the file holds no data rows: {label}"))
    rec.frame.columns = [str(c).strip() for c in rec.frame.columns]
    return rec, label


def _read_text(path: Path) -> Records:
    text, encoding, problem = decode(path.read_bytes(), str(path))
    if problem is not None:
        raise ReadError(problem)
    if not text.strip():
        raise ReadError(Problem(f"the file is empty: {path}"))
    rec = parse_text(text)
    if encoding not in ("utf-8", "utf-8-sig"):
        how = "byte order mark" if encoding in ("utf-16", "utf-32") else (
            "no byte order mark" if encoding.startswith("utf-16") else "not valid UTF-8")
        rec.notes.append(f"the file was decoded as {encoding} ({how})")
    return rec


def _per_unique(series: pd.Series, fn, fill: object, dtype) -> np.ndarray:
    """Apply ``fn`` to each distinct non-missing value and broadcast back (fast on codes)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.array([fn(u) for u in uniques], dtype=dtype)
    out = np.full(len(series), fill, dtype=dtype)
    present = codes >= 0
    if len(mapped):
        out[present] = mapped[codes[present]]
    return out


def _is_marker(u: object) -> bool:
    if isinstance(u, str):
        return u.strip().lower() in MISSING_MARKERS
    return isinstance(u, float) and not np.isfinite(u) and np.isnan(u)


def is_missing(series: pd.Series) -> np.ndarray:
    """Boolean mask of missing cells: NaN/None or a missing marker such as ``"NA"``."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series.isna().to_numpy(dtype=bool)
    return _per_unique(series, _is_marker, True, bool)


_COMMA_DECIMAL = re.compile(r"[-+]?\d*,\d+")


def _parse_number(u: object) -> float:
    """A float, NaN for a missing marker, or None for a cell that is not a number."""
    if isinstance(u, bool | np.bool_):
        return float(u)
    if isinstance(u, int | float | np.number):
        return float(u)
    text = str(u).strip()
    if text.lower() in MISSING_MARKERS:
        return np.nan
    if _COMMA_DECIMAL.fullmatch(text):
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None  # type: ignore[return-value]


def parse_numbers(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Convert to float and flag the cells that are neither numbers nor missing markers.

    Returns
    -------
    values : Series of float
        Missing markers and bad cells are NaN; ``"6,5"`` is 6.5.
    bad : ndarray of bool
        Cells that are not missing yet do not parse (to report them, never drop silently).
    """
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        values = series.astype(float)
        return pd.Series(values.to_numpy(dtype=float), index=series.index,
                         name=series.name), np.zeros(len(series), dtype=bool)
    parsed = _per_unique(series, _parse_number, np.nan, object)
    bad = np.array([p is None for p in parsed], dtype=bool) if len(parsed) else \
        np.zeros(0, dtype=bool)
    parsed[bad] = np.nan
    return pd.Series(parsed.astype(float), index=series.index, name=series.name), bad


def to_number(series: pd.Series) -> pd.Series:
    """Convert to float: missing markers become NaN, ``"6,5"`` becomes 6.5.

    Cells that are neither missing nor a number become NaN too; find them with
    :func:`bad_numbers` (validation reports them).
    """
    return parse_numbers(series)[0]


def bad_numbers(series: pd.Series) -> np.ndarray:
    """Mask of cells that are not missing yet do not parse as numbers."""
    return parse_numbers(series)[1]


def _label(u: object) -> str | None:
    if isinstance(u, float | np.floating):
        if not np.isfinite(u):
            return None
        return str(int(u)) if float(u).is_integer() else str(float(u))
    text = str(u).strip()
    return None if text.lower() in MISSING_MARKERS else text


def to_label(series: pd.Series) -> pd.Series:
    """Convert identifiers/labels to stripped strings; integral floats lose ``.0``.

    Missing cells (NaN, None, missing markers) become ``None``.
    """
    return pd.Series(_per_unique(series, _label, None, object), index=series.index,
                     dtype=object)
