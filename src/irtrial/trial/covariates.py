"""Subject-level covariates: their type (categorical or numeric) and their per-subject value.

A covariate's type decides how it enters a model: a *categorical* covariate is a factor (one
parameter per level but one, SAS ``CLASS``, R ``factor``), a *numeric* one a single slope.
Reading a site code such as ``"701"`` as a number would silently fit one slope over site
numbers, so the type is decided by these rules, in order:

1. declared by the user: ``read_trial(categorical=[...], numeric=[...])`` (CLI ``--factor``);
2. a pandas Categorical, boolean or character column (SAS/XPT ``$`` variables, text cells in
   Excel or a DataFrame) is categorical, even when its values look like numbers;
3. a numeric column is numeric;
4. in a text file (CSV/TSV), where every cell is text, a column whose cells all parse as
   numbers is numeric; when it holds at most ten distinct integers a *warning* says so and
   how to declare it (``strict=True`` makes it an error).

The chosen type of every covariate is in ``Trial.covariate_types`` and in the summary.

Examples
--------
>>> import pandas as pd
>>> covariate_type(pd.Series(["701", "710", "900"]), None, from_text=False)
'categorical'
>>> covariate_type(pd.Series([52.0, 61.0]), None, from_text=False)
'numeric'
>>> covariate_type(pd.Series(["52", "61"]), None, from_text=True)
'numeric'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from irtrial.errors import Problem
from irtrial.trial.io import parse_numbers, to_label

__all__ = ["CATEGORICAL", "NUMERIC", "covariate_type", "CovariateColumn", "parse_covariates",
           "per_subject", "natural_levels", "declared_types"]

CATEGORICAL = "categorical"
NUMERIC = "numeric"


def declared_types(categorical: Sequence[str], numeric: Sequence[str]
                   ) -> tuple[dict[str, str], list[Problem]]:
    """Name -> declared type; a name declared both ways is a problem."""
    out: dict[str, str] = {}
    both = sorted(set(categorical) & set(numeric))
    for name in categorical:
        out[name] = CATEGORICAL
    for name in numeric:
        out[name] = NUMERIC
    problems = []
    if both:
        problems.append(Problem(
            f"covariate(s) {both} are declared both categorical and numeric; declare each "
            "once (categorical=[...] / --factor, or numeric=[...])"))
    return out, problems


def _is_text_cell(u: object) -> bool:
    return isinstance(u, str)


def covariate_type(series: pd.Series, declared: str | None, from_text: bool) -> str:
    """The type a covariate column is read as (rules in the module docstring)."""
    if declared is not None:
        return declared
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype):
        return CATEGORICAL
    if pd.api.types.is_numeric_dtype(dtype):
        return NUMERIC
    numbers, bad = parse_numbers(series)
    if bad.any():
        return CATEGORICAL
    if from_text:
        return NUMERIC
    # an object column from a DataFrame, Excel or XPT: text cells are character data
    values = series.dropna().to_numpy(dtype=object)
    texts = [u for u in pd.unique(values) if _is_text_cell(u) and u.strip() != ""]
    return CATEGORICAL if texts else NUMERIC


def natural_levels(labels: Sequence[str]) -> list[str]:
    """Levels in numeric order when all are numbers ("2" < "10"), else in text order."""
    labels = list(dict.fromkeys(str(v) for v in labels))
    nums = pd.to_numeric(pd.Series(labels, dtype=object), errors="coerce").to_numpy(dtype=float)
    if len(labels) and not np.isnan(nums).any():
        return [labels[i] for i in np.lexsort((np.array(labels, dtype=object), nums))]
    return sorted(labels)


class CovariateColumn:
    """One covariate, coerced: ``values`` (float, or str/None labels), type and levels."""

    __slots__ = ("name", "kind", "values", "levels")

    def __init__(self, name: str, kind: str, values: np.ndarray, levels: list[str] | None):
        self.name, self.kind, self.values, self.levels = name, kind, values, levels


def parse_covariates(frame: pd.DataFrame, names: Sequence[str], declared: Mapping[str, str],
                     from_text: bool, subjects: pd.Series, warnings: list[str]
                     ) -> tuple[list[CovariateColumn], list[Problem]]:
    """Type and coerce each covariate column; problems for declared-numeric text cells.

    An undeclared column of a text file holding at most ten distinct whole numbers (a site
    or region code?) is read as numeric with a *warning* (``Trial.warnings``; an error with
    ``strict=True``), since a code used as one slope changes every estimate.
    """
    from irtrial.trial.validate import check_bad_numbers

    out, problems = [], []
    for name in names:
        if name not in frame.columns:
            continue
        raw = frame[name]
        kind = covariate_type(raw, declared.get(name), from_text)
        if kind == NUMERIC:
            number, bad = parse_numbers(raw)
            if bad.any():
                problems += [_with_hint(p) for p in check_bad_numbers(
                    raw, bad, name, "numeric covariate", subjects)]
                continue
            values = number.to_numpy(dtype=float)
            if name not in declared and from_text and not isinstance(
                    raw.dtype, pd.CategoricalDtype):
                distinct = pd.unique(values[~np.isnan(values)])
                if 1 < len(distinct) <= 10 and np.all(np.mod(distinct, 1) == 0):
                    warnings.append(
                        f"covariate {name!r} holds only {len(distinct)} distinct whole numbers "
                        "and is used as numeric (one slope); if they are codes (site, region) "
                        f"declare it categorical (categorical=[{name!r}] / --factor {name}), "
                        f"else numeric (numeric=[{name!r}] / --numeric {name})")
            out.append(CovariateColumn(name, NUMERIC, values, None))
        else:
            labels = to_label(raw)
            if isinstance(raw.dtype, pd.CategoricalDtype):
                cats = to_label(pd.Series(raw.cat.categories.to_numpy(dtype=object),
                                          dtype=object)).dropna()
                present = set(labels.dropna())
                levels = [c for c in dict.fromkeys(cats) if c in present]
            else:
                levels = natural_levels(pd.unique(labels.dropna()))
            out.append(CovariateColumn(name, CATEGORICAL, labels.to_numpy(dtype=object), levels))
    return out, problems


def _with_hint(p: Problem) -> Problem:
    import dataclasses

    return dataclasses.replace(p, message=p.message.replace(
        "use numbers, or a missing marker (NA, ., empty)",
        "it was declared numeric: fix the cells or declare it categorical"))


def _spread(codes: np.ndarray, mask: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """True for codes whose ``values`` (numeric) take more than one value under ``mask``."""
    lo = np.full(n, np.inf)
    hi = np.full(n, -np.inf)
    np.minimum.at(lo, codes[mask], values[mask])
    np.maximum.at(hi, codes[mask], values[mask])
    return hi > lo


def per_subject(columns: Sequence[CovariateColumn], scode: np.ndarray, pos: np.ndarray,
                ns: int, analysed: np.ndarray, notes: list[str]) -> dict[str, object]:
    """Each subject's first non-missing value in visit order (float array or Categorical)."""
    out: dict[str, object] = {}
    by_visit = np.argsort(np.where(np.isnan(pos), np.inf, pos), kind="stable")
    for cov in columns:
        numeric = cov.kind == NUMERIC
        values = cov.values
        present = (scode >= 0) & ~pd.isna(values)
        rows = by_visit[present[by_visit]]
        col = np.full(ns, np.nan if numeric else None, dtype=float if numeric else object)
        if len(rows):
            u, first = np.unique(scode[rows], return_index=True)
            col[u] = values[rows[first]]
        vcode = values if numeric else pd.factorize(values)[0].astype(float)
        if _spread(scode, present, vcode.astype(float), ns).any():
            notes.append(f"covariate {cov.name!r} varies within subject; its first value in "
                         "visit order is used")
        n_missing = int(pd.isna(col[analysed]).sum())
        if n_missing:
            notes.append(f"covariate {cov.name!r} is missing for {n_missing} analysed "
                         "subject(s)")
        out[cov.name] = col if numeric else pd.Categorical(col, categories=cov.levels)
    return out
