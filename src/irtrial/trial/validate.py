"""Collect-all validation checks for a trial table.

Each check returns a list of :class:`~irtrial.errors.Problem` (empty when all is well)
instead of raising, so :func:`irtrial.read_trial` can raise one
:class:`~irtrial.errors.TrialValidationError` listing every problem, each with its column,
rows (the frame's index: file lines or sheet rows when read from a file) and subjects.

Examples
--------
>>> import pandas as pd
>>> [p.message for p in check_columns(pd.DataFrame(columns=["USUBJID", "AVAL"]),
...                                   {"subject": "USUBJD"})]
["column 'USUBJD' (subject) not found; did you mean 'USUBJID'?"]
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from irtrial.errors import Problem
from irtrial.trial.records import summarise

__all__ = [
    "check_columns",
    "suggest",
    "rows_problem",
    "check_duplicates",
    "check_two_arms",
    "check_range",
    "check_case_variants",
    "check_bad_numbers",
]


def suggest(name: str, candidates: Sequence[str]) -> str:
    """A "did you mean" suffix for ``name`` among ``candidates`` ("" when none is close)."""
    candidates = [str(c) for c in candidates]
    lower = {c.lower(): c for c in candidates}
    if name.lower() in lower:
        return f"; did you mean {lower[name.lower()]!r}?"
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
    if not close:
        close = [lower[c] for c in difflib.get_close_matches(name.lower(), list(lower), n=3,
                                                              cutoff=0.6)]
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


def check_columns(frame: pd.DataFrame,
                  roles: Mapping[str, str | None] | Iterable[tuple[str, str | None]]
                  ) -> list[Problem]:
    """One problem per role whose column is absent, with a difflib suggestion."""
    columns = list(frame.columns)
    pairs = roles.items() if isinstance(roles, Mapping) else roles
    problems = []
    for role, name in pairs:
        if name is not None and name not in frame.columns:
            hint = suggest(name, columns) or f"; columns are {columns}"
            problems.append(Problem(f"column {name!r} ({role}) not found{hint}", column=name))
    return problems


def rows_problem(message: str, column: str | None, mask: np.ndarray,
                 subjects: pd.Series) -> Problem:
    """A problem naming the rows where ``mask`` is true and their (distinct) subjects.

    Rows are the index labels of ``subjects``: file lines or sheet rows for a file, 0-based
    positions for a DataFrame (``read_trial`` sets ``Problem.row_label`` accordingly).
    """
    mask = np.asarray(mask, dtype=bool)
    rows = tuple(int(i) for i in pd.unique(subjects.index[mask]))
    picked = subjects[mask].dropna().astype(str)
    return Problem(message, column=column, rows=rows, subjects=tuple(pd.unique(picked)))


def check_bad_numbers(raw: pd.Series, bad: np.ndarray, column: str, role: str,
                      subjects: pd.Series) -> list[Problem]:
    """Problem for cells of a numeric role that are neither a number nor a missing marker."""
    if not bad.any():
        return []
    values = pd.unique(raw.to_numpy()[bad].astype(str))
    shown = summarise([repr(str(v)) for v in values], "distinct values")
    return [rows_problem(
        f"{role} column {column!r} holds {int(bad.sum())} non-numeric value(s): {shown}; "
        "use numbers, or a missing marker (NA, ., empty)", column, bad, subjects)]


def check_duplicates(subjects: pd.Series, visits: pd.Series, column: str) -> list[Problem]:
    """Problem for subjects with more than one row at the same visit."""
    scode = pd.factorize(subjects.to_numpy(dtype=object))[0].astype(np.int64)
    vcode = pd.factorize(visits.to_numpy(dtype=object))[0].astype(np.int64)
    valid = (scode >= 0) & (vcode >= 0)
    key = np.where(valid, scode * (int(vcode.max(initial=0)) + 1) + vcode, -1)
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    dup = valid & (counts[inverse] > 1)
    if not dup.any():
        return []
    n_pairs = len(np.unique(key[dup]))
    return [rows_problem(
        f"{n_pairs} subject x visit pair(s) appear more than once; keep one record per "
        "subject and visit", column, dup, subjects)]


def check_baseline_flags(subjects: pd.Series, flagged: np.ndarray,
                         column: str | None) -> list[Problem]:
    """Problem for subjects with more than one record flagged as baseline (ADaM ``ABLFL``).

    Only one record can be the baseline; otherwise the others (often post-baseline visits)
    would silently lose their values.
    """
    flagged = np.asarray(flagged, dtype=bool)
    if column is None or flagged.sum() < 2:
        return []
    scode = pd.factorize(subjects.to_numpy(dtype=object))[0].astype(np.int64)
    mine = flagged & (scode >= 0)
    counts = np.bincount(scode[mine], minlength=int(scode.max(initial=-1)) + 1)
    several = mine & (counts[np.where(scode >= 0, scode, 0)] > 1)
    if not several.any():
        return []
    n = len(np.unique(scode[several]))
    return [rows_problem(
        f"{n} subject(s) have more than one record flagged as baseline in {column!r}; "
        "flag exactly one baseline record per subject", column, several, subjects)]


def check_two_arms(subjects: pd.Series, arms: pd.Series, column: str) -> list[Problem]:
    """Problem for subjects recorded under more than one arm."""
    scode, sids = pd.factorize(subjects.to_numpy(dtype=object))
    acode, labels = pd.factorize(arms.to_numpy(dtype=object))
    valid = (scode >= 0) & (acode >= 0)
    lo = np.full(len(sids), np.iinfo(np.int64).max)
    hi = np.full(len(sids), -1)
    np.minimum.at(lo, scode[valid], acode[valid])
    np.maximum.at(hi, scode[valid], acode[valid])
    two = np.flatnonzero((hi >= 0) & (hi != lo))
    if len(two) == 0:
        return []
    mask = valid & np.isin(scode, two)
    detail = "; ".join(
        f"{sids[i]}: {sorted(set(labels[acode[mask & (scode == i)]]))}" for i in two[:5])
    return [rows_problem(
        f"{len(two)} subject(s) are recorded under more than one arm ({detail})",
        column, mask, subjects)]


def check_range_bounds(bounds: object) -> list[Problem]:
    """Problem for an ``outcome_range`` that is not two numbers ``low <= high``."""
    if bounds is None:
        return []
    items = tuple(bounds) if np.iterable(bounds) and not isinstance(bounds, str) else ()
    if len(items) != 2 or not all(isinstance(b, int | float | np.number)
                                  and not isinstance(b, bool | np.bool_) for b in items):
        return [Problem(f"outcome_range must be two numbers (low, high), got {bounds!r}")]
    lo, hi = float(items[0]), float(items[1])
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi:
        return [Problem(f"outcome_range ({lo:g}, {hi:g}) is not a range: give (low, high) "
                        "with low <= high, e.g. (0, 10)")]
    return []


def check_range(values: pd.Series, bounds: tuple[float, float], column: str, role: str,
                subjects: pd.Series) -> list[Problem]:
    """Problem for values outside the inclusive range ``bounds``."""
    lo, hi = bounds
    v = values.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        out = (v < lo) | (v > hi)
    if not out.any():
        return []
    shown = summarise([f"{x:g}" for x in pd.unique(v[out])], "distinct values")
    return [rows_problem(
        f"{int(out.sum())} {role} value(s) outside the declared range [{lo:g}, {hi:g}]: "
        f"{shown}", column, out, subjects)]


def check_case_variants(labels: pd.Series, column: str | None, role: str) -> list[Problem]:
    """Problem for labels that differ only in case or inner spaces ("Placebo" / "placebo")."""
    distinct = pd.unique(labels.dropna())
    if len(distinct) < 2:
        return []
    keys = pd.Series([" ".join(str(v).lower().split()) for v in distinct], index=distinct)
    clash = keys[keys.duplicated(keep=False)]
    if clash.empty:
        return []
    groups = clash.groupby(clash).groups
    detail = "; ".join(" / ".join(repr(v) for v in sorted(g)) for g in groups.values())
    mask = labels.isin(list(clash.index)).to_numpy()
    return [Problem(f"{role} labels differ only in case or spacing ({detail}); unify them",
                    column=column, rows=tuple(int(i) for i in pd.unique(labels.index[mask])))]
