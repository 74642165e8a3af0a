"""Assemble the report from its sections and write every output.

:func:`build_report` runs each registered section (:mod:`irtrial.report.sections`) on one
:class:`~irtrial.report.analyses.ReportInputs`, draws its figures as inline SVG, renders its
template and gathers ``results.json``. :func:`write_report` writes, into one folder:

``report.html``
    Self-contained: CSS inline, figures as inline SVG, no script, nothing fetched.
``report.pdf``
    WeasyPrint from the same HTML (A4, page numbers, vector figures, no table row split).
``results.json``
    Every number of the report, unrounded (NaN as ``null``); the layout is the JSON Schema
    of :mod:`irtrial.report.schema`, also written as ``results.schema.json``.
``tables/<section>_<name>.csv``
    Each display table, with cells starting ``= + - @`` neutralised.
``figures/<name>.svg`` and ``.png``
    Each figure.

Examples
--------
>>> import tempfile
>>> from irtrial.synthetic import ir_wrap_trial
>>> path = write_report(ir_wrap_trial(), tempfile.mkdtemp(), pdf=False)
>>> path.name
'report.html'
"""

from __future__ import annotations

import dataclasses
import json
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from irtrial.errors import IrtrialWarning
from irtrial.report import format as fmt_module
from irtrial.report.analyses import ReportInputs
from irtrial.report.pdf import PDF_FILE, PdfJob
from irtrial.report.schema import RESULTS_SCHEMA, SCHEMA_ID
from irtrial.report.sections import FigureOut, Section, SectionOutput, sections
from irtrial.report.tables import as_rows, safe_csv

if TYPE_CHECKING:
    from irtrial.plan import StudyPlan
    from irtrial.trial import Trial

__all__ = ["REPORT_FILE", "PDF_FILE", "RESULTS_FILE", "SCHEMA_FILE", "BuiltReport",
           "ReportFiles", "build_report", "records", "render_html", "write_report"]

REPORT_FILE = "report.html"
RESULTS_FILE = "results.json"
SCHEMA_FILE = "results.schema.json"


def json_value(v: Any) -> Any:
    """A JSON-safe value: numpy scalars to Python, NaN/inf to None, other objects to str."""
    if v is None or isinstance(v, bool | str):
        return v
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [json_value(x) for x in v]
    if v is pd.NA or v is pd.NaT:
        return None
    return str(v)


def records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """A tidy frame as a list of JSON-safe row dicts (categoricals as their labels)."""
    if frame is None or not len(frame):
        return []
    cols = [str(c) for c in frame.columns]
    out = []
    for row in frame.itertuples(index=False, name=None):
        out.append({c: json_value(v) for c, v in zip(cols, row, strict=True)})
    return out


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("irtrial.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["fmt"] = fmt_module
    return env


@dataclass(frozen=True)
class RenderedFigure:
    name: str
    caption: str
    number: int
    svg: str
    figure: Any = None


@dataclass(frozen=True)
class RenderedSection:
    section: Section
    output: SectionOutput
    html: str
    number: int


@dataclass(frozen=True)
class BuiltReport:
    """The report in memory: the page, ``results.json`` and what goes into the folder."""

    html: str
    results: dict
    sections: tuple[RenderedSection, ...]
    figures: tuple[RenderedFigure, ...]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    #: the PDF's first part: title and contents, as a whole HTML document
    cover: str = ""


@dataclass(frozen=True)
class ReportFiles:
    """Paths written by :func:`irtrial.report.report`."""

    out: Path
    html: Path
    pdf: Path | None
    results: Path
    schema: Path
    tables: tuple[Path, ...]
    figures: tuple[Path, ...]
    files: tuple[Path, ...] = ()

    def __fspath__(self) -> str:  # so a ReportFiles can be opened like the HTML path
        return str(self.html)


def _figure(f: FigureOut, number: int) -> RenderedFigure:
    from irtrial.report.figures import to_svg

    svg = f.svg if f.svg is not None else to_svg(f.figure)
    return RenderedFigure(f.name, f.caption, number, svg, f.figure)


def build_report(inputs: ReportInputs, keep_figures: bool = False,
                 on_part: Callable[[str], None] | None = None) -> BuiltReport:
    """Run every section on ``inputs`` and render the page (nothing written).

    The matplotlib figures are closed once drawn as SVG, unless ``keep_figures`` (the caller
    then writes their PNG and closes them). ``on_part`` receives each part of the PDF as soon
    as its sections are built: a whole HTML document per run of sections starting with one
    that starts a new page (:attr:`Section.new_page`); the footer ends the last one."""
    env = _environment()
    page = env.get_template("_page.j2").module
    from irtrial import __version__

    generated = inputs.now.strftime("%Y-%m-%d %H:%M UTC")
    done: list[RenderedSection] = []
    figures: list[RenderedFigure] = []
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    blocks: dict[str, Any] = {}
    pending: list[str] = []
    registered = sections()
    for i, section in enumerate(registered):
        output = section.build(inputs)
        if output is not None:
            rendered = _render_section(env, section, output, len(done) + 1, figures,
                                       keep_figures)
            for name, t in output.tables.items():
                if len(t.columns):
                    tables[f"{section.id}_{name}"] = t
            files.update(output.files)
            done.append(rendered)
            blocks[section.id] = json_value(dict(output.results))
            pending.append(page.section(rendered))
        last = i + 1 == len(registered)
        if on_part is not None and pending and (last or registered[i + 1].new_page):
            if last:
                pending.append(page.footer(__version__, generated))
            on_part(page.part(inputs.title, "\n".join(pending)))
            pending = []
    results = {"schema": SCHEMA_ID, "irtrial_version": __version__,
               "generated": inputs.now.isoformat(timespec="seconds"),
               "title": inputs.title, "conf_level": inputs.conf_level,
               "sections": blocks}
    subtitle = _subtitle(inputs)
    html = env.get_template("report.html.j2").render(
        title=inputs.title, sections=done, version=__version__, generated=generated,
        subtitle=subtitle)
    cover = page.part(inputs.title, page.cover(inputs.title, subtitle, done))
    return BuiltReport(html, results, tuple(done), tuple(figures), tables, files, cover)


def _render_section(env: Environment, section: Section, output: SectionOutput, number: int,
                    figures: list[RenderedFigure], keep_figures: bool) -> RenderedSection:
    """Draw the section's figures as SVG (numbered after ``figures``, appended to it) and
    render its template."""
    figs = {}
    for f in output.figures:
        rf = _figure(f, len(figures) + 1)
        if not keep_figures and f.figure is not None:
            import matplotlib.pyplot as plt

            plt.close(f.figure)
            rf = dataclasses.replace(rf, figure=None)
        figures.append(rf)
        figs[f.name] = rf
    rows = {name: as_rows(t, row_classes=t.attrs.get("classes"))
            for name, t in output.tables.items()}
    template = (env.get_template(section.template) if section.template.endswith(".j2")
                else env.from_string(section.template))
    html = template.render(s=output.context, tables=rows, figures=figs)
    return RenderedSection(section, output, html, number)


def _subtitle(inputs: ReportInputs) -> str:
    trial = inputs.trial
    n = trial.n_by_arm()
    name = Path(trial.source).name if trial.source else "<DataFrame>"
    return (f"{name} \u00b7 {inputs.endpoint_label} \u00b7 {len(trial.subjects)} randomised, "
            f"{int(n.sum())} analysed \u00b7 "
            + ("plan " + Path(inputs.plan.source).name if inputs.plan.source
               else "plan from defaults"))


def render_html(trial: Trial, plan: StudyPlan | None = None, **kwargs: Any) -> str:
    """The report page as an HTML string (``kwargs``: ``command``, ``now``, ``title``)."""
    return build_report(ReportInputs(trial, plan, **kwargs)).html


def write_report(trial: Trial, out_dir: str | Path, plan: StudyPlan | None = None, *,
                 pdf: bool = True, command: str | None = None, now: datetime | None = None,
                 title: str | None = None) -> Path:
    """Write every output into ``out_dir`` (created if needed); return the HTML path.

    See :func:`irtrial.report.report` for the files written.
    """
    return _write(ReportInputs(trial, plan, command=command, now=now, title=title),
                  Path(out_dir), pdf=pdf).html


def _write(inputs: ReportInputs, out: Path, pdf: bool | PdfJob = True) -> ReportFiles:
    from irtrial.report.figures import to_png

    out.mkdir(parents=True, exist_ok=True)
    job = pdf if isinstance(pdf, PdfJob) else PdfJob(out / PDF_FILE) if pdf else None
    try:
        built = build_report(inputs, keep_figures=True,
                             on_part=job.part if job is not None else None)
    except BaseException:
        if job is not None:
            job.cancel()
        raise
    if job is not None:
        job.end(built.cover)
    (out / "tables").mkdir(exist_ok=True)
    (out / "figures").mkdir(exist_ok=True)
    html_path = out / REPORT_FILE
    html_path.write_text(built.html, encoding="utf-8")
    text = json.dumps(built.results, indent=1, allow_nan=False, ensure_ascii=False)
    (out / RESULTS_FILE).write_text(text + "\n", encoding="utf-8")
    schema_path = out / SCHEMA_FILE
    schema_path.write_text(json.dumps(RESULTS_SCHEMA, indent=1) + "\n", encoding="utf-8")
    table_paths = tuple(safe_csv(t, out / "tables" / f"{name}.csv")
                        for name, t in built.tables.items())
    fig_paths: list[Path] = []
    for f in built.figures:
        svg_path = out / "figures" / f"{f.name}.svg"
        svg_path.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + f.svg,
                            encoding="utf-8")
        fig_paths.append(svg_path)
        if f.figure is not None:
            png = out / "figures" / f"{f.name}.png"
            to_png(f.figure, png)
            fig_paths.append(png)
    file_paths = []
    for rel, text in built.files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        file_paths.append(path)
    pdf_path = None
    if job is not None:
        pdf_path = job.result()
        for note in job.notes:
            warnings.warn(f"the PDF was laid out as one document ({note})", IrtrialWarning,
                          stacklevel=3)
    return ReportFiles(out, html_path, pdf_path, out / RESULTS_FILE, schema_path, table_paths,
                       tuple(fig_paths), tuple(file_paths))
