"""The trial report: display tables, figures and the HTML page.

Dependencies point one way: ``tables`` and ``figures`` read trials and results; ``render``
fills the templates with them. Nothing in the analyses imports this package.
"""

from __future__ import annotations

from irtrial.report.figures import plot_mean_ci, to_svg
from irtrial.report.render import REPORT_FILE, SECTIONS, build_context, render_html, write_report
from irtrial.report.tables import (
    arms_table,
    consort_table,
    exclusions_table,
    outcome_summary,
    outcome_table,
    study_table,
)

__all__ = [
    "REPORT_FILE",
    "SECTIONS",
    "arms_table",
    "build_context",
    "consort_table",
    "exclusions_table",
    "outcome_summary",
    "outcome_table",
    "plot_mean_ci",
    "render_html",
    "study_table",
    "to_svg",
    "write_report",
]
