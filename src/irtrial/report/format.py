"""How numbers, p-values, intervals, visits and confidence levels read in the report.

Rules (shared by every section, the CSV tables and the text):

* **Decimals follow the scale of the number.** :func:`decimals_for` gives the decimals that
  show ``sig`` significant digits of a value; an estimate is printed with the decimals of its
  standard error (:func:`decimals_for` of the SE, 3 significant digits), so an SE of 0.0195
  reads ``0.0195`` and its estimate ``-1.2346``, never ``0.02``.
* p-values: three decimals, ``< 0.001`` below (``"p < 0.001"`` in text), ``> 0.999`` above.
* Intervals in brackets: ``[-3.75, -1.61]``.
* Never ``-0.00``: a number that rounds to zero is printed without its sign.
* Missing numbers are an en dash.
* A numeric visit reads ``"Week 8"`` when the visit column is named ``week`` (``"Visit 3"``
  for a column ``AVISITN``); a labelled visit keeps its label.
* The confidence level is written from the number (``"95% CI"``, ``"90% CI"``,
  ``"97.5% CI"``), never as a literal.

Examples
--------
>>> fmt(0.0195), fmt(-1.23456, decimals_for(0.0195)), fmt(-0.0004, 2)
('0.0195', '-1.2346', '0.00')
>>> fmt_p(0.0004), fmt_p(0.01234), p_text(0.0004), p_text(0.2)
('< 0.001', '0.012', 'p < 0.001', 'p = 0.200')
>>> fmt_ci(-3.746, -1.607, 2), ci_label(0.95), ci_label(0.975)
('[-3.75, -1.61]', '95% CI', '97.5% CI')
>>> visit_label("8", "week"), visit_label("Week 6", "AVISIT")
('Week 8', 'Week 6')
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["DASH", "ci_label", "decimals_for", "fmt", "fmt_ci", "fmt_est", "fmt_n_pct", "fmt_p",
           "level_text", "p_text", "visit_label"]

#: shown for a missing number
DASH = "\u2013"


def _finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def decimals_for(x: float, sig: int = 3, max_decimals: int = 6) -> int:
    """Decimals that show ``sig`` significant digits of ``x`` (0 for large numbers).

    >>> decimals_for(0.0195), decimals_for(0.3326), decimals_for(12.3), decimals_for(1500)
    (4, 3, 1, 0)
    """
    if not _finite(x) or float(x) == 0.0:
        return min(sig - 1, max_decimals)
    return int(min(max(sig - 1 - math.floor(math.log10(abs(float(x)))), 0), max_decimals))


def fmt(x: Any, decimals: int | None = None, sig: int = 3) -> str:
    """A number with ``decimals`` (default: ``sig`` significant digits); no ``-0.00``."""
    if not _finite(x):
        return DASH
    x = float(x)
    d = decimals_for(x, sig) if decimals is None else decimals
    text = f"{x:.{d}f}"
    if re.fullmatch(r"-0(\.0*)?", text):
        text = text[1:]
    return text


def fmt_est(estimate: Any, std_error: Any) -> str:
    """An estimate with the decimals of its standard error (3 significant digits)."""
    return fmt(estimate, decimals_for(std_error) if _finite(std_error) else None)


def fmt_ci(lower: Any, upper: Any, decimals: int | None = None) -> str:
    """``[lower, upper]``; an en dash when either end is missing."""
    if not (_finite(lower) and _finite(upper)):
        return DASH
    if decimals is None:
        decimals = decimals_for(max(abs(float(upper) - float(lower)) / 4, 1e-12))
    return f"[{fmt(lower, decimals)}, {fmt(upper, decimals)}]"


def fmt_p(p: Any) -> str:
    """A p-value for a table: 3 decimals, ``< 0.001``, ``> 0.999``; NaN an en dash."""
    if not _finite(p):
        return DASH
    p = float(p)
    if p < 0.001:
        return "< 0.001"
    if p > 0.999:
        return "> 0.999"
    return f"{p:.3f}"


def p_text(p: Any) -> str:
    """A p-value in a sentence: ``p < 0.001``, ``p = 0.012``."""
    s = fmt_p(p)
    return f"p {s}" if s[0] in "<>" else ("p not available" if s == DASH else f"p = {s}")


def fmt_n_pct(k: Any, n: Any, decimals: int = 1) -> str:
    """``k/n (p%)``, e.g. ``19/21 (90.5%)``; n = 0 gives ``0/0``."""
    if not (_finite(k) and _finite(n)):
        return DASH
    k, n = int(k), int(n)
    return f"{k}/{n} ({100 * k / n:.{decimals}f}%)" if n else f"{k}/{n}"


def level_text(conf_level: float) -> str:
    """``0.95 -> "95%"``, ``0.975 -> "97.5%"``."""
    return f"{100 * float(conf_level):.10g}%"


def ci_label(conf_level: float) -> str:
    """``"95% CI"`` for 0.95, ``"90% CI"`` for 0.9: from the level, never a literal."""
    return f"{level_text(conf_level)} CI"


_NUMERIC = re.compile(r"^[+-]?\d+(\.\d+)?$")


def visit_label(visit: Any, column: str | None = None) -> str:
    """A visit as a reader says it: a bare number gets the visit column's name as a unit
    (``"8"`` with column ``week`` -> ``"Week 8"``); other labels are kept."""
    text = str(visit)
    if not _NUMERIC.match(text):
        return text
    if text.endswith(".0"):
        text = text[:-2]
    name = "" if column is None else str(column)
    if re.fullmatch(r"(?i)a?visitn?", name):
        name = "visit"
    name = re.sub(r"(?i)[_ .]?(num|number)$", "", name)
    name = re.sub(r"[_.]+", " ", name).strip()
    if not name or not name[0].isalpha():
        name = "visit"
    return f"{name[:1].upper()}{name[1:].lower()} {text}"
