"""Derived quantities: visit order, change and percent change from baseline.

Visit order comes, in this order of precedence, from an order the user gives, from a
numeric visit column (ADaM ``AVISITN``), or from the numbers inside the labels, so that
"Week 2" comes before "Week 10". A label without a number that reads like a baseline
("Baseline", "Screening", "BL") goes first.

Examples
--------
>>> order, nums, problems = order_visits(["Week 10", "Week 2", "Baseline"])
>>> order, [nums[v] for v in order], problems
(['Baseline', 'Week 2', 'Week 10'], [0.0, 2.0, 10.0], [])
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from irtrial.errors import Problem

__all__ = ["order_visits", "looks_like_baseline", "change_from_baseline"]

_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_BASELINE_WORDS = re.compile(
    r"^\s*(baseline|base|bl|screening|scr|pre[- ]?treatment|pre[- ]?dose|randomi[sz]ation)\s*$",
    re.IGNORECASE,
)
# days per unit, to order labels that mix units ("Day 3", "Week 2", "Month 3")
_UNITS = (
    (re.compile(r"\b(d|day|days)\b", re.I), 1.0),
    (re.compile(r"\b(w|wk|wks|week|weeks)\b", re.I), 7.0),
    (re.compile(r"\b(m|mo|month|months)\b", re.I), 30.4375),
    (re.compile(r"\b(y|yr|year|years)\b", re.I), 365.25),
)


def looks_like_baseline(label: str, number: float | None = None) -> bool:
    """True for "Baseline", "Screening", "BL", "Week 0", "Day 0" and the like."""
    if _BASELINE_WORDS.match(label):
        return True
    if number is None:
        number = _label_number(label)
    return number is not None and number == 0


def _label_number(label: str) -> float | None:
    match = _NUMBER.search(label)
    if match is None:
        return None
    return float(match.group().replace(",", "."))


def _label_unit(label: str) -> float | None:
    spaced = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", label)
    for pattern, days in _UNITS:
        if pattern.search(spaced):
            return days
    return None


def order_visits(
    labels: Sequence[str],
    visit_num: Mapping[str, float] | None = None,
    visit_order: Sequence[str] | None = None,
) -> tuple[list[str], dict[str, float], list[Problem]]:
    """Order visit labels.

    Parameters
    ----------
    labels : sequence of str
        The distinct visit labels found in the data.
    visit_num : mapping, optional
        Label -> number from a numeric visit column (e.g. ``AVISITN``).
    visit_order : sequence of str, optional
        The order given by the user; it wins over everything else.

    Returns
    -------
    order : list of str
        Labels in visit order.
    numbers : dict
        Label -> float used as ``visit_num`` (the given number, the number in the label,
        or the position in ``visit_order``).
    problems : list of Problem
        Why the visits could not be ordered (empty when they could).
    """
    labels = sorted(set(labels))
    if visit_order is not None:
        given = [str(v) for v in visit_order]
        unknown = [v for v in labels if v not in given]
        if unknown:
            return labels, {}, [Problem(
                f"visits {unknown} are not in visit_order={given}; list every visit",
                column=None)]
        order = [v for v in given if v in set(labels)]
        return order, {v: float(i) for i, v in enumerate(order)}, []
    if visit_num is not None:
        nums = {v: float(visit_num[v]) for v in labels}
        return _sorted_by(nums, "the visit number column")
    nums_raw = {v: _label_number(v) for v in labels}
    unnumbered = [v for v, n in nums_raw.items() if n is None and not _BASELINE_WORDS.match(v)]
    if unnumbered:
        return labels, {}, [Problem(
            f"cannot order the visits {unnumbered}: their labels hold no number; pass "
            "visit_order=[...] or a numeric visit column with visit_num=")]
    units = {v: _label_unit(v) for v, n in nums_raw.items() if n is not None}
    scale = len({u for u in units.values()}) > 1
    nums: dict[str, float] = {}
    for v, n in nums_raw.items():
        if n is not None:
            nums[v] = n * (units[v] or 1.0) if scale else n
    words = [v for v, n in nums_raw.items() if n is None]
    if len(words) > 1:
        return labels, {}, [Problem(
            f"several baseline-like visits {words}; pass visit_order=[...] or baseline_visit=")]
    if words:
        low = min(nums.values(), default=1.0)
        nums[words[0]] = 0.0 if low > 0 else low - 1.0
    return _sorted_by(nums, "the numbers in the visit labels")


def _sorted_by(nums: dict[str, float], what: str) -> tuple[list[str], dict[str, float], list]:
    order = sorted(nums, key=lambda v: (nums[v], v))
    counts = Counter(nums.values())
    clash = sorted(v for v, n in nums.items() if counts[n] > 1)
    if clash:
        return order, nums, [Problem(
            f"visits {clash} share the same order number by {what}; pass visit_order=[...]")]
    return order, nums, []


def change_from_baseline(value: np.ndarray, baseline: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Change (value - baseline) and percent change (100 * change / baseline).

    Percent change is NaN where the baseline is 0.

    Examples
    --------
    >>> import numpy as np
    >>> change_from_baseline(np.array([3.0, 2.0]), np.array([6.0, 0.0]))
    (array([-3.,  2.]), array([-50.,  nan]))
    """
    value = np.asarray(value, dtype=float)
    baseline = np.asarray(baseline, dtype=float)
    change = value - baseline
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(baseline != 0, 100.0 * change / baseline, np.nan)
    return change, pct
