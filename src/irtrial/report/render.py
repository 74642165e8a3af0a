"""Fill the Jinja2 templates and write a self-contained HTML report.

The report is one HTML file with its CSS inline and its figures as inline SVG, so it can be
mailed, archived or printed without its folder. The page is assembled from *sections*
(``templates/sections/*.j2``); each is one entry of :data:`SECTIONS`, so a later analysis adds one
template and one line. :func:`build_context` gathers every table and figure first; the templates
only lay them out (a later ``results.json`` serialises the same context).

Examples
--------
>>> import tempfile
>>> from irtrial.synthetic import ir_wrap_trial
>>> path = write_report(ir_wrap_trial(), tempfile.mkdtemp())
>>> path.name
'report.html'
"""

from __future__ import annotations

import hashlib
import platform
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from irtrial.report import figures, tables

if TYPE_CHECKING:
    from irtrial.trial import Trial

__all__ = ["Section", "SECTIONS", "REPORT_FILE", "build_context", "render_html", "write_report"]

#: name of the HTML file written into the output folder
REPORT_FILE = "report.html"


@dataclass(frozen=True)
class Section:
    """One section of the report: anchor id, heading and template path."""

    id: str
    title: str
    template: str


#: the sections of the data-summary page, in order
SECTIONS: tuple[Section, ...] = (
    Section("study", "Study and data", "sections/study.j2"),
    Section("arms", "Arms and numbers analysed", "sections/arms.j2"),
    Section("consort", "Participant flow (CONSORT)", "sections/consort.j2"),
    Section("exclusions", "Exclusions log", "sections/exclusions.j2"),
    Section("outcome", "Outcome by visit", "sections/outcome.j2"),
    Section("provenance", "Provenance", "sections/provenance.j2"),
)


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("irtrial.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


_NUMBER_LIKE = re.compile(r"^[\s\d.,()%+\-\u2013\u2212]*$")


def _as_rows(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """A display frame as text rows, with a right-align flag per numeric-looking column."""
    text = frame.astype(object).where(frame.notna(), "").astype(str)
    numeric = [bool(len(text)) and bool(text[c].map(lambda v: bool(_NUMBER_LIKE.match(v))).all())
               and bool(text[c].str.strip().ne("").any()) for c in text.columns]
    return {"columns": [str(c) for c in frame.columns], "numeric": numeric,
            "rows": text.values.tolist()}


def _sha256(source: str) -> str | None:
    path = Path(source)
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _provenance(trial: Trial, command: str | None, now: datetime) -> dict[str, Any]:
    import matplotlib
    import numpy
    import scipy

    from irtrial import __version__

    sha = _sha256(trial.source)
    items = [
        ("irtrial", __version__),
        ("Python / numpy / pandas / scipy / matplotlib",
         f"{platform.python_version()} / {numpy.__version__} / {pd.__version__} / "
         f"{scipy.__version__} / {matplotlib.__version__}"),
        ("Input", trial.source),
        ("Input SHA-256", sha or "not a file"),
        ("Command", command or "irtrial.report.write_report(...)"),
        ("Generated (UTC)", now.strftime("%Y-%m-%d %H:%M:%S")),
    ]
    return {"version": __version__, "generated": now.strftime("%Y-%m-%d %H:%M UTC"),
            "sha256": sha, "table": pd.DataFrame(items, columns=["Item", "Value"])}


def build_context(trial: Trial, *, title: str | None = None, command: str | None = None,
                  conf_level: float = 0.95, now: datetime | None = None) -> dict[str, Any]:
    """Everything the templates show: tables (as rows of text), figures (SVG), metadata.

    Parameters
    ----------
    trial : Trial
    title : str, optional
        Page title; default ``"<outcome>: data summary"``.
    command : str, optional
        The command line that produced the report (shown under Provenance).
    conf_level : float
        Confidence level of the intervals in the figure.
    now : datetime, optional
        Time stamp (default: now, UTC).
    """
    now = datetime.now(UTC) if now is None else now
    summary = tables.outcome_summary(trial, conf_level=conf_level)
    consort = tables.consort_table(trial)
    ax = figures.plot_mean_ci(summary, arms=trial.arms, outcome_range=trial.outcome_range,
                              ylabel=f"Mean {trial.outcome} ({conf_level:.0%} CI)")
    prov = _provenance(trial, command, now)
    row_classes = ["sub" if s.startswith(("Excluded: ", "With data at")) else
                   ("total" if s in ("Randomised", "Analysed") else "") for s in consort["Stage"]]
    n_by_arm = trial.n_by_arm()
    return {
        "title": title or f"{trial.outcome}: data summary",
        "sections": SECTIONS,
        "study": {
            "source_name": Path(trial.source).name if trial.source else "<DataFrame>",
            "outcome": trial.outcome,
            "n_randomised": len(trial.subjects),
            "n_analysed": int(n_by_arm.sum()),
        },
        "notes": list(trial.notes),
        "tables": {
            "study": _as_rows(tables.study_table(trial)),
            "arms": _as_rows(tables.arms_table(trial)),
            "consort": _as_rows(consort),
            "exclusions": _as_rows(tables.exclusions_table(trial)),
            "outcome": _as_rows(tables.outcome_table(trial, summary)),
            "provenance": _as_rows(prov["table"]),
        },
        "consort_row_classes": row_classes,
        "figures": {"mean_ci": figures.to_svg(ax.figure)},
        "provenance": {k: v for k, v in prov.items() if k != "table"},
    }


def render_html(trial: Trial, **kwargs: Any) -> str:
    """The report as an HTML string (see :func:`build_context` for the options)."""
    context = build_context(trial, **kwargs)
    return _environment().get_template("report.html.j2").render(**context)


def write_report(trial: Trial, out_dir: str | Path, **kwargs: Any) -> Path:
    """Write ``report.html`` into ``out_dir`` (created if needed) and return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / REPORT_FILE
    path.write_text(render_html(trial, **kwargs), encoding="utf-8")
    return path
