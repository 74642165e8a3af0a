"""The trial report: ``irtrial.report(trial, plan, out=DIR)`` writes the pre-specified analysis
as HTML, PDF, ``results.json``, CSV tables and figures.

The package is callable (like :mod:`irtrial.mmrm`): ``irtrial.report(...)`` is
:func:`report`. Layers: :mod:`~irtrial.report.analyses` runs the analyses once
(:class:`ReportInputs`), each module of :mod:`irtrial.report.sections` makes one section
(context, results block, tables, figures), :mod:`~irtrial.report.render` assembles and writes;
:mod:`~irtrial.report.format` fixes how numbers read; :mod:`~irtrial.report.figures`,
:mod:`~irtrial.report.consort` and :mod:`~irtrial.report.tables` draw and lay out.
"""

from __future__ import annotations

import sys
import types
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

#: public name -> module (imported on first use, so that ``irtrial.report.pdf`` can start the
#: PDF process before the analyses and matplotlib are imported)
_LAZY = {
    "ReportInputs": "analyses",
    **dict.fromkeys(("PDF_FILE", "REPORT_FILE", "RESULTS_FILE", "SCHEMA_FILE", "ReportFiles",
                     "build_report", "render_html", "write_report"), "render"),
    "RESULTS_SCHEMA": "schema", "SCHEMA_ID": "schema",
    **dict.fromkeys(("SECTIONS", "FigureOut", "Section", "SectionOutput"), "sections"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'irtrial.report' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from irtrial.plan import StudyPlan
    from irtrial.report.analyses import ReportInputs
    from irtrial.report.pdf import PdfJob
    from irtrial.report.render import ReportFiles
    from irtrial.report.schema import RESULTS_SCHEMA, SCHEMA_ID
    from irtrial.report.sections import SECTIONS, FigureOut, Section, SectionOutput
    from irtrial.trial import Trial

__all__ = [
    "PDF_FILE",
    "REPORT_FILE",
    "RESULTS_FILE",
    "RESULTS_SCHEMA",
    "SCHEMA_FILE",
    "SCHEMA_ID",
    "SECTIONS",
    "FigureOut",
    "ReportFiles",
    "ReportInputs",
    "Section",
    "SectionOutput",
    "build_report",
    "render_html",
    "report",
    "write_report",
]


def report(trial: Trial | str | Path, plan: StudyPlan | str | Path | None = None,
           out: str | Path = "reports", *, pdf: bool | PdfJob = True,
           command: str | None = None,
           now: datetime | None = None, title: str | None = None) -> ReportFiles:
    """Run the pre-specified analysis and write the full report into ``out``.

    Parameters
    ----------
    trial : Trial or path
        A :class:`irtrial.Trial`; a path is read with the plan's mapping
        (``irtrial.read_trial(path, **plan.read_kwargs())``).
    plan : StudyPlan or path, optional
        The study plan (:func:`irtrial.plan.read_plan` for a path). Default: the defaults of
        :meth:`irtrial.plan.StudyPlan.from_options` for the trial (UN then TOEPH, ARH(1), CS;
        Kenward-Roger; 95%; lower is better), each default stated in the report.
    out : path
        Output folder (created): ``report.html``, ``report.pdf``, ``results.json``,
        ``results.schema.json``, ``tables/*.csv``, ``figures/*.svg`` and ``*.png``.
    pdf : bool or PdfJob
        Write ``report.pdf`` too (WeasyPrint, in a child process fed part by part:
        :mod:`irtrial.report.pdf`). A :class:`~irtrial.report.pdf.PdfJob` already started on
        ``out/report.pdf`` is used as is (the CLI starts it before importing the analyses).
    command : str, optional
        The command line, shown under Provenance.
    now : datetime, optional
        Time stamp (default now, UTC).
    title : str, optional
        Overrides the plan's title.

    Returns
    -------
    ReportFiles
        The paths written (``.html``, ``.pdf``, ``.results``, ``.tables``, ``.figures``).

    Examples
    --------
    >>> import irtrial, tempfile
    >>> files = irtrial.report(irtrial.ir_wrap_trial(), out=tempfile.mkdtemp(), pdf=False)
    >>> files.html.name, files.results.name
    ('report.html', 'results.json')
    """
    from irtrial.report.analyses import ReportInputs
    from irtrial.report.render import _write

    if plan is not None and not hasattr(plan, "primary"):
        from irtrial.plan import read_plan

        plan = read_plan(plan)
    if not hasattr(trial, "data"):
        from irtrial import read_trial

        kwargs = plan.read_kwargs() if plan is not None else {}
        trial = read_trial(trial, **kwargs)
    inputs = ReportInputs(trial, plan, command=command, now=now, title=title)
    return _write(inputs, Path(out), pdf=pdf)


class _CallableModule(types.ModuleType):
    """``irtrial.report(...)`` calls :func:`report`; attributes are the package's."""

    def __call__(self, *args: Any, **kwargs: Any) -> ReportFiles:
        return report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
