"""Visit labels that are dates: order them in time, or say why they cannot be visit labels.

Ordering "20/01/2024", "27/01/2024", "03/02/2024" by their first number puts 03/02 first: the
wrong baseline and the wrong primary visit. Date-like labels are therefore recognised:

- ISO dates (``2024-01-20``, Excel date cells) are read as such;
- ``a/b/yyyy`` (also with ``.`` or ``-``, or a two-digit year) is day-first when some ``a``
  exceeds 12, month-first when some ``b`` does, and otherwise *ambiguous*: a problem that asks
  for the order (``visit_order=[...]``) or a visit number column;
- scheduled dates, the same for every subject, are ordered in time (the visit number is the
  day count from the first date) and a note says so;
- dates that differ between subjects (more distinct dates than visits per subject) are
  calendar dates, not visit labels: a problem suggesting a visit column.

Examples
--------
>>> days, how, problem = date_numbers(["20/01/2024", "03/02/2024", "27/01/2024"])
>>> days, how
({'20/01/2024': 0.0, '03/02/2024': 14.0, '27/01/2024': 7.0}, 'dd/mm/yyyy')
>>> date_numbers(["01/02/2024", "02/03/2024"])[2].message[:45]
'visit labels are dates with an ambiguous day/'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from irtrial.errors import Problem
from irtrial.trial.records import summarise

__all__ = ["looks_like_date", "date_numbers", "date_visits"]

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})$")


def looks_like_date(label: str) -> bool:
    """True for ``2024-01-20``, ``20/01/2024``, ``1.2.24`` and the like."""
    text = str(label).strip()
    return bool(_ISO.match(text) or _DMY.match(text))


def date_numbers(labels: Sequence[str]) -> tuple[dict[str, float] | None, str, Problem | None]:
    """Label -> days from the first date, the format read, or a problem (ambiguous/invalid)."""
    labels = list(labels)
    iso = [_ISO.match(v.strip()) for v in labels]
    dmy = [_DMY.match(v.strip()) for v in labels]
    if all(iso):
        parts = [(int(m.group(1)), int(m.group(2)), int(m.group(3))) for m in iso]
        how = "yyyy-mm-dd"
    elif all(m or i for m, i in zip(dmy, iso, strict=True)) and any(dmy):
        if any(iso):
            return None, "", Problem(
                "visit labels mix ISO dates (yyyy-mm-dd) and dd/mm or mm/dd dates; write them "
                "one way, or pass visit_order=[...]")
        a = [int(m.group(1)) for m in dmy]
        b = [int(m.group(3)) for m in dmy]
        years = [int(m.group(4)) + (2000 if len(m.group(4)) == 2 else 0) for m in dmy]
        day_first, month_first = max(a) > 12, max(b) > 12
        sep = dmy[0].group(2)
        if day_first and month_first:
            return None, "", Problem(
                f"visit labels look like dates but are neither dd{sep}mm nor mm{sep}dd "
                f"({summarise(labels)}); pass visit_order=[...]")
        if not (day_first or month_first):
            return None, "", Problem(
                "visit labels are dates with an ambiguous day/month order ("
                f"{summarise(sorted(labels))}): both dd{sep}mm{sep}yyyy and "
                f"mm{sep}dd{sep}yyyy read; pass the visits in order with visit_order=[...] "
                "(or a visit number column with visit_num=...)")
        parts = [(y, m, d) if day_first else (y, d, m)
                 for y, m, d in zip(years, b, a, strict=True)]
        how = f"dd{sep}mm{sep}yyyy" if day_first else f"mm{sep}dd{sep}yyyy"
    else:
        return None, "", None
    try:
        stamps = [pd.Timestamp(year=y, month=m, day=d) for y, m, d in parts]
    except ValueError as exc:
        return None, "", Problem(f"visit labels look like {how} dates but one is not a "
                                 f"valid date ({exc}); pass visit_order=[...]")
    first = min(stamps)
    return ({v: float((t - first).days) for v, t in zip(labels, stamps, strict=True)}, how,
            None)


def date_visits(labels: Sequence[str], visit: pd.Series, subject: pd.Series, column: str
                ) -> tuple[dict[str, float] | None, list[Problem], str | None]:
    """Visit numbers for date labels (scheduled dates), or problems; None when not dates.

    ``visit`` and ``subject`` are the usable rows, to tell scheduled dates (shared) from
    per-subject calendar dates.
    """
    dated = [v for v in labels if looks_like_date(v)]
    if not dated:
        return None, [], None
    if len(dated) < len(labels):
        other = [v for v in labels if v not in set(dated)]
        return None, [Problem(
            f"the visit column {column!r} mixes dates ({summarise(dated)}) with other labels "
            f"({summarise(other)}); use one kind of visit label, or pass visit_order=[...]",
            column=column)], None
    per_subject = visit.groupby(subject.to_numpy(dtype=object)).nunique()
    most = int(per_subject.max()) if len(per_subject) else 0
    if len(labels) > most:
        return None, [Problem(
            f"the visit column {column!r} holds calendar dates that differ between subjects "
            f"({len(labels)} distinct dates, at most {most} per subject; "
            f"{summarise(sorted(labels), 'dates')}), not visit labels; map a column holding "
            "the scheduled visit (e.g. 'Week 1') with visit=..., or a visit number column "
            "with visit_num=...", column=column)], None
    nums, how, problem = date_numbers(labels)
    if problem is not None:
        return None, [Problem(problem.message, column=column)], None
    assert nums is not None
    order = sorted(labels, key=lambda v: nums[v])
    note = (f"visit labels in {column!r} are dates ({how}), the same for every subject: "
            f"visits ordered in time, {order[0]} first (baseline candidate) to {order[-1]}; "
            "visit_num = days from the first date")
    return {v: float(n) for v, n in nums.items()}, [], note
