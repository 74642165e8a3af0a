"""The CONSORT flow diagram, drawn as SVG boxes and arrows (no plotting library).

One column per arm under a "Randomised" box: allocated, excluded from the analysis (with the
reasons), discontinued by visit (last value at that visit), and analysed (with the number who
have a value at the last visit). The counts come from :class:`~irtrial.trial.Trial`
(``subjects``, ``exclusions``) and :func:`irtrial.analysis.descriptives.dropout_table`; text is
XML-escaped, so an arm called ``<script>`` is drawn as those characters.

Examples
--------
>>> import irtrial
>>> svg = consort_svg(irtrial.ir_wrap_trial())
>>> svg.startswith("<svg") and "Randomised (n = 40)" in svg
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from irtrial import columns as C
from irtrial.analysis.descriptives import dropout_table

if TYPE_CHECKING:
    from irtrial.trial import Trial

__all__ = ["consort_counts", "consort_svg"]

_W, _GAP, _LINE, _PAD, _VGAP, _FONT = 230, 24, 15, 7, 22, 11.5


def consort_counts(trial: Trial, label: Callable[[str], str] = str) -> dict:
    """The numbers of the diagram: ``randomised`` and, per arm, ``allocated``, ``excluded``
    (reason -> n), ``discontinued`` (visit label -> n), ``analysed``, ``completed`` (with a
    value at the last visit)."""
    subj = trial.subjects
    arm = subj[C.ARM].astype(str)
    flow = dropout_table(trial)
    last = trial.visits[-1]
    arms = {}
    for a in trial.arms:
        mine = subj[arm == a]
        reasons = mine["excluded"].dropna().value_counts()
        f = flow[flow[C.ARM] == a]
        arms[a] = {
            "allocated": int(len(mine)),
            "excluded": {str(r): int(n) for r, n in reasons.items()},
            "discontinued": {label(str(v)): int(n) for v, n in
                             zip(f[C.VISIT], f["n_discontinued"], strict=True) if n},
            "analysed": int(mine["excluded"].isna().sum()),
            "completed": int(f.loc[f[C.VISIT] == last, "n_observed"].sum()),
        }
    return {"randomised": int(len(subj)), "last_visit": label(str(last)), "arms": arms}


def _wrap(text: str, width: int = 34) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return [*lines, cur] if cur else lines or [""]


def _box(x: float, y: float, w: float, lines: Sequence[tuple[str, bool]],
         fill: str) -> tuple[str, float]:
    h = 2 * _PAD + _LINE * len(lines)
    parts = [f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="4" '
             f'fill="{fill}" stroke="#5f6368" stroke-width="1"/>']
    for i, (text, bold) in enumerate(lines):
        weight = ' font-weight="600"' if bold else ""
        parts.append(f'<text x="{x + w / 2:.1f}" y="{y + _PAD + _LINE * (i + 0.78):.1f}" '
                     f'text-anchor="middle"{weight}>{escape(text)}</text>')
    return "".join(parts), h


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (f'<path d="M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}" stroke="#5f6368" '
            f'stroke-width="1.2" fill="none" marker-end="url(#consort-arrow)"/>')


def consort_svg(trial: Trial, label: Callable[[str], str] = str,
                counts: dict | None = None) -> str:
    """The flow diagram as an ``<svg>`` element sized to its content (scales to the page)."""
    c = consort_counts(trial, label) if counts is None else counts
    arms = list(c["arms"])
    width = len(arms) * _W + (len(arms) - 1) * _GAP + 2
    body: list[str] = []
    top_w = min(width - 2, 2 * _W)
    top_x = (width - top_w) / 2
    svg, h = _box(top_x, 1, top_w, [(f"Randomised (n = {c['randomised']})", True)], "#eef3f8")
    body.append(svg)
    y0 = 1 + h + _VGAP
    bottoms = []
    for k, a in enumerate(arms):
        d = c["arms"][a]
        x = 1 + k * (_W + _GAP)
        cx = x + _W / 2
        body.append(_arrow(width / 2, 1 + h, cx, y0 - 2))
        blocks = [[(line, i == 0) for i, line in enumerate(
            _wrap(f"Allocated to {a}") + [f"(n = {d['allocated']})"])]]
        n_ex = sum(d["excluded"].values())
        ex = [(f"Excluded from analysis (n = {n_ex})", True)]
        ex += [(line, False) for r, n in d["excluded"].items() for line in _wrap(f"{r}: {n}")]
        blocks.append(ex)
        n_dc = sum(d["discontinued"].values())
        dc = [(f"Discontinued (n = {n_dc})", True)]
        dc += [(f"last value at {v}: {n}", False) for v, n in d["discontinued"].items()]
        blocks.append(dc)
        blocks.append([(f"Analysed (n = {d['analysed']})", True),
                       (f"with a value at {c['last_visit']}: {d['completed']}", False)])
        y = y0
        for i, lines in enumerate(blocks):
            fill = "#eef3f8" if i in (0, len(blocks) - 1) else "#ffffff"
            svg, bh = _box(x, y, _W, lines, fill)
            body.append(svg)
            if i < len(blocks) - 1:
                body.append(_arrow(cx, y + bh, cx, y + bh + _VGAP - 2))
            y += bh + _VGAP
        bottoms.append(y - _VGAP)
    height = max(bottoms) + 2
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="consort" role="img" '
            f'aria-label="CONSORT flow diagram" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif" '
            f'font-size="{_FONT}" fill="#1d1d1f">'
            '<defs><marker id="consort-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            '<path d="M0,0 L10,5 L0,10 z" fill="#5f6368"/></marker></defs>'
            + "".join(body) + "</svg>")


def consort_frame(counts: dict) -> pd.DataFrame:
    """The diagram's numbers as a table (for ``tables/consort.csv``): stage, then one column
    per arm."""
    arms = list(counts["arms"])
    stages: dict[str, dict[str, int]] = {"Allocated": {}, "Excluded from analysis": {},
                                         "Discontinued": {}, "Analysed": {},
                                         f"With a value at {counts['last_visit']}": {}}
    for a in arms:
        d = counts["arms"][a]
        stages["Allocated"][a] = d["allocated"]
        stages["Excluded from analysis"][a] = sum(d["excluded"].values())
        stages["Discontinued"][a] = sum(d["discontinued"].values())
        stages["Analysed"][a] = d["analysed"]
        stages[f"With a value at {counts['last_visit']}"][a] = d["completed"]
    return pd.DataFrame([{"Stage": s, **v} for s, v in stages.items()])
