"""The report's sections: one module each, registered in page order.

Contract (for a new section, e.g. ``report/sections/sensitivity.py`` or ``power.py``)
----------------------------------------------------------------------------------------
A section module defines one module-level ``SECTION = Section(...)``. This package imports
every module listed in :data:`BUILTIN` and, when present, the optional modules of
:data:`OPTIONAL` (``sensitivity``, ``power``), so a new section never edits another file.

``Section(id, title, order, build, template, new_page=False)``

* ``id`` -- anchor of the section in the page, key of its block in ``results.json`` (under
  ``"sections"``) and prefix of its CSV tables (``tables/<id>_<name>.csv``).
* ``title`` -- the heading (numbered by the page).
* ``order`` -- position in the page: 10 study, 20 CONSORT, 30 Table 1, 40 outcome by visit,
  50 figures, 60 primary MMRM, 70 supportive, 80 responders, **90 sensitivity**,
  **95 power**, 100 methods, 110 code, 120 provenance.
* ``build(inputs) -> SectionOutput | None`` -- ``inputs`` is a
  :class:`irtrial.report.analyses.ReportInputs` (``.trial``, ``.plan``, ``.conf_level``,
  ``.fit``, ``.primary``, ``.visit(v)``, ``.plan.seed``...; every analysis cached). Return
  ``None`` when the section has nothing to show (e.g. the plan lists no sensitivity analysis):
  it is then left out of the page, the contents and ``results.json``. Catch irtrial errors with
  :func:`irtrial.report.analyses.attempt` and show their message rather than raising.
* ``template`` -- Jinja2 source of the section body (without its ``<h2>``), or the name of a
  file under ``irtrial/report/templates/`` ending in ``.j2``. It sees ``s`` (the
  ``SectionOutput.context`` mapping), ``tables`` (name -> rows, see below), ``figures`` (name
  -> figure with ``.svg``, ``.caption``, ``.number``), ``fmt`` (:mod:`irtrial.report.format`)
  and the macros of ``_macros.j2`` (``table(t)``, ``kv(t)``, ``figure(f)``; import them with
  ``{% from "_macros.j2" import table, figure %}``). Autoescape is on: text from data or
  plan is escaped; mark only SVG from :mod:`irtrial.report.figures` ``| safe``.

* ``new_page`` -- the section starts a new page in print (PDF). The sections from one such
  section to the next are laid out together, and the PDF lays out each group as soon as it
  is built (:mod:`irtrial.report.pdf`). Built in: study, figures, primary, sensitivity,
  methods.

``SectionOutput(context, results, tables, figures)``

* ``context`` -- anything the template needs (strings already formatted with
  :mod:`irtrial.report.format`; never write a confidence level, df method, structure or
  direction as a literal in a template: take it from the fit or the plan).
* ``results`` -- a JSON-able mapping of every number the section shows, unrounded
  (``float``/``int``/``str``/``None``/lists/dicts; NaN becomes ``null``). Each section's block
  is validated against the package's schema (``irtrial/report/schema.py``), where a section
  without its own entry must be an object.
* ``tables`` -- name -> display DataFrame (text cells). Each is shown via ``tables[name]`` and
  written to ``tables/<id>_<name>.csv`` (cells starting with ``= + - @`` neutralised).
* ``figures`` -- a tuple of :class:`FigureOut` (name, caption, matplotlib figure): written to
  ``figures/<name>.svg`` and ``.png``, inlined in the HTML and PDF as SVG, numbered in page
  order.
* ``files`` -- relative path -> text written verbatim into the output folder (e.g.
  ``code/primary_mmrm.R`` and the ``code/analysis_data.csv`` it reads: not neutralised, so
  the code runs on it as shown).

Examples
--------
>>> [s.id for s in SECTIONS][:3]
['study', 'consort', 'baseline']
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from irtrial.report.analyses import ReportInputs

__all__ = ["BUILTIN", "OPTIONAL", "FigureOut", "SECTIONS", "Section", "SectionOutput",
           "register", "sections"]


@dataclass(frozen=True)
class FigureOut:
    """One figure of a section.

    Attributes
    ----------
    name : str
        File stem (``figures/<name>.svg``, ``.png``) and key in the template's ``figures``.
    caption : str
        Caption text without the "Figure n." prefix.
    figure : matplotlib Figure or None
        Drawn into SVG and PNG by the renderer, then closed. ``svg`` may be given instead.
    svg : str or None
        Inline SVG made without matplotlib (e.g. the CONSORT diagram; no PNG then).
    """

    name: str
    caption: str
    figure: Any = None
    svg: str | None = None


@dataclass(frozen=True)
class SectionOutput:
    """What a section contributes (see the module docstring)."""

    context: Mapping[str, Any] = field(default_factory=dict)
    results: Mapping[str, Any] = field(default_factory=dict)
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    figures: tuple[FigureOut, ...] = ()
    files: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """A registered report section (see the module docstring)."""

    id: str
    title: str
    order: float
    build: Callable[[ReportInputs], SectionOutput | None]
    template: str
    new_page: bool = False


_REGISTRY: dict[str, Section] = {}

#: modules of this package that define the built-in sections
BUILTIN = ("study", "consort", "baseline", "outcome", "figures", "primary", "supportive",
           "responders", "methods", "code", "provenance")
#: modules added by later work; imported when present
OPTIONAL = ("sensitivity", "power")


def register(section: Section) -> Section:
    """Add (or replace, by id) a section; returns it."""
    _REGISTRY[section.id] = section
    return section


def sections() -> tuple[Section, ...]:
    """The registered sections in page order."""
    return tuple(sorted(_REGISTRY.values(), key=lambda s: s.order))


def _load() -> None:
    for name in BUILTIN + OPTIONAL:
        full = f"{__name__}.{name}"
        if name in OPTIONAL and importlib.util.find_spec(full) is None:
            continue
        module = importlib.import_module(full)
        section = getattr(module, "SECTION", None)
        if isinstance(section, Section):
            register(section)


_load()

#: the sections in page order at import time (call :func:`sections` for the live registry)
SECTIONS: tuple[Section, ...] = sections()
