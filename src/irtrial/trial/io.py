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

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from irtrial.errors import Problem

__all__ = ["MISSING_MARKERS", "read_table", "to_number", "to_label", "is_missing"]

#: cell values read as missing (compared case-insensitively, after stripping blanks)
MISSING_MARKERS = frozenset({"", "na", ".", "nan", "n/a", "missing", "null", "<na>"})

_CSV_SUFFIXES = {".csv", ".tsv", ".txt", ".dat"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_XPT_SUFFIXES = {".xpt"}
_SAS7BDAT_SUFFIXES = {".sas7bdat"}


class ReadError(Exception):
    """Internal: the file could not be read; carries one :class:`Problem`."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def read_table(source: object, sheet: str | int | None = None) -> tuple[pd.DataFrame, str]:
    """Read ``source`` into a new DataFrame.

    Parameters
    ----------
    source : DataFrame or path-like
        A DataFrame (copied), or a CSV/TSV, Excel, Parquet, SAS XPT or sas7bdat file.
    sheet : str or int, optional
        Excel sheet (default: the first).

    Returns
    -------
    frame : DataFrame
        A copy the caller does not share, with a fresh ``RangeIndex``.
    label : str
        A description of the source for reports (the path, or ``"<DataFrame>"``).

    Raises
    ------
    ReadError
        The file is missing, empty or unreadable (wrapped into a
        :class:`~irtrial.errors.TrialValidationError` by :func:`irtrial.read_trial`).
    """
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True).copy(), "<DataFrame>"
    path = Path(source)  # type: ignore[arg-type]
    label = str(path)
    if not path.is_file():
        raise ReadError(Problem(f"file not found: {label}"))
    if path.stat().st_size == 0:
        raise ReadError(Problem(f"the file is empty: {label}"))
    suffix = path.suffix.lower()
    try:
        if suffix in _EXCEL_SUFFIXES:
            frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet)
        elif suffix in _PARQUET_SUFFIXES:
            frame = pd.read_parquet(path)
        elif suffix in _XPT_SUFFIXES or suffix in _SAS7BDAT_SUFFIXES:
            import pyreadstat

            reader = pyreadstat.read_xport if suffix in _XPT_SUFFIXES else pyreadstat.read_sas7bdat
            frame, _meta = reader(str(path))
        else:
            frame = _read_csv(path)
    except ReadError:
        raise
    except Exception as exc:  # any parser failure is a user-facing "unreadable file"
        kind = suffix.lstrip(".") or "text"
        raise ReadError(
            Problem(f"cannot read {label} as a {kind} file: {type(exc).__name__}: {exc}")
        ) from exc
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ReadError(Problem(f"the file holds no data rows: {label}"))
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.reset_index(drop=True), label


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if not text.strip():
        raise ReadError(Problem(f"the file is empty: {path}"))
    sample = "\n".join(text.splitlines()[:50])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    return pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        dtype=str,
        keep_default_na=False,
        skipinitialspace=True,
    )


def is_missing(series: pd.Series) -> pd.Series:
    """Boolean mask of missing cells: NaN/None or a missing marker such as ``"NA"``."""
    mask = series.isna()
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        text = series.astype(str).str.strip().str.lower()
        mask = mask | text.isin(MISSING_MARKERS)
    return mask.to_numpy(dtype=bool)


def to_number(series: pd.Series) -> pd.Series:
    """Convert to float: missing markers become NaN, ``"6,5"`` becomes 6.5.

    Cells that are neither missing nor a number become NaN too; find them with
    :func:`bad_numbers` (used by validation to report them).
    """
    if pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    if pd.api.types.is_numeric_dtype(series):
        return series.astype(float)
    missing = is_missing(series)
    text = series.astype(str).str.strip()
    # decimal comma: "6,5" -> "6.5" only when there is no dot and one comma
    comma = text.str.fullmatch(r"[-+]?\d*,\d+")
    text = text.where(~comma.fillna(False), text.str.replace(",", ".", regex=False))
    values = pd.to_numeric(text.where(~missing, None), errors="coerce")
    return pd.Series(values.to_numpy(dtype=float), index=series.index, name=series.name)


def bad_numbers(series: pd.Series) -> np.ndarray:
    """Mask of cells that are not missing yet do not parse as numbers."""
    return np.asarray(to_number(series).isna().to_numpy() & ~is_missing(series), dtype=bool)


def to_label(series: pd.Series) -> pd.Series:
    """Convert identifiers/labels to stripped strings; integral floats lose ``.0``.

    Missing cells become ``None``.
    """
    missing = is_missing(series)
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype=float)
        integral = np.isfinite(values) & (np.mod(values, 1) == 0)
        as_int = np.where(integral, values, 0.0).astype("int64").astype(str)
        text = pd.Series(np.where(integral, as_int, series.astype(str)), index=series.index)
    else:
        text = series.astype(str).str.strip()
    out = text.astype(object)
    out[missing] = None
    return out
