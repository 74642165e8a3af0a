"""The trial report: display tables, figures and the HTML page.

Dependencies point one way: ``analyses`` runs the library's analyses (an irtrial error becomes a
message); ``tables`` and ``figures`` read trials and results; ``render`` fills the templates
with them and writes ``results.json``. Nothing in the analyses imports this package.
"""

from __future__ import annotations

from irtrial.report.figures import plot_lsmeans, plot_mean_ci, plot_responder_curve, to_svg
from irtrial.report.render import (
    REPORT_FILE,
    RESULTS_FILE,
    RESULTS_SCHEMA,
    SECTIONS,
    build_context,
    render_html,
    write_report,
)
from irtrial.report.tables import (
    arms_table,
    consort_table,
    contrast_table,
    exclusions_table,
    lsmeans_table,
    outcome_summary,
    outcome_table,
    responder_summary,
    responder_table,
    study_table,
    supportive_summary,
    supportive_table,
)

__all__ = [
    "REPORT_FILE",
    "RESULTS_FILE",
    "RESULTS_SCHEMA",
    "SECTIONS",
    "arms_table",
    "build_context",
    "consort_table",
    "contrast_table",
    "exclusions_table",
    "lsmeans_table",
    "outcome_summary",
    "outcome_table",
    "plot_lsmeans",
    "plot_mean_ci",
    "plot_responder_curve",
    "render_html",
    "responder_summary",
    "responder_table",
    "study_table",
    "supportive_summary",
    "supportive_table",
    "to_svg",
    "write_report",
]
