"""Fill the Jinja2 templates and write a self-contained HTML report and its ``results.json``.

The report is one HTML file with its CSS inline and its figures as inline SVG, so it can be
mailed, archived or printed without its folder. The page is assembled from *sections*
(``templates/sections/*.j2``); each is one entry of :data:`SECTIONS`, so a later analysis adds one
template and one line. :func:`build_context` runs the analyses once
(:mod:`irtrial.report.analyses`) and gathers every table and figure; the templates only lay them
out. An analysis that raises an irtrial error shows its message in its section.

``results.json`` (:data:`RESULTS_FILE`, written next to the HTML by :func:`write_report`) holds
the numbers the report shows, unrounded, as a dict (``context["results"]``). Floats are JSON
numbers; NaN and infinities become ``null``. Keys:

``schema``
    ``"irtrial.report.results/1"``.
``irtrial_version``, ``generated`` (UTC, ISO 8601), ``source``, ``input_sha256``, ``conf_level``
    Provenance.
``primary``
    The MMRM: ``model`` (formula), ``covariance`` (``"us"``), ``method`` (``"reml"``),
    ``df_method`` (``"kenward-roger"``), ``primary_visit``, ``error`` (message or ``null``),
    ``n_subjects``, ``n_obs``, ``contrasts`` (rows ``arm, visit, control, estimate, std_error,
    df, statistic, p_value, ci_lower, ci_upper``: active - control per visit), ``estimate`` (the
    contrast rows at the primary visit), ``lsmeans`` (rows ``arm, visit, estimate, std_error,
    df, statistic, p_value, ci_lower, ci_upper``), ``covariance_matrix`` (``{"visits": [...],
    "matrix": [[...]]}``); the result keys are ``[]`` / ``null`` when the fit failed.
``supportive``
    ``rows``: ``key`` (``mmrm, ancova, welch, mann_whitney, hedges_g``), ``analysis, measure,
    visit, arm, control, estimate, ci_lower, ci_upper, p_value, n_active, n_control`` (see
    :func:`irtrial.report.tables.supportive_summary`); ``errors``: key -> message of each failed
    analysis.
``responders``
    ``rows`` (see :func:`irtrial.report.tables.responder_summary`: ``visit, definition, arm,
    control, responders_active, n_active, percent_active, responders_control, n_control,
    percent_control, risk_difference, ci_lower, ci_upper, nnt, nnt_kind, nnt_label, p_value``;
    risk difference as a proportion, Newcombe CI, Fisher p), ``missing`` (the dropout rule),
    ``curve`` (rows ``visit, arm, threshold, n_responders, n, percent``), ``error`` and
    ``curve_error`` (message or ``null``).

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
import json
import math
import platform
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from irtrial import columns as C
from irtrial.mmrm import TRIAL_FORMULA
from irtrial.report import analyses, figures, tables

if TYPE_CHECKING:
    from irtrial.trial import Trial

__all__ = ["Section", "SECTIONS", "REPORT_FILE", "RESULTS_FILE", "RESULTS_SCHEMA",
           "build_context", "render_html", "write_report"]

#: name of the HTML file written into the output folder
REPORT_FILE = "report.html"
#: name of the machine-readable results written next to it
RESULTS_FILE = "results.json"
#: identifier of the ``results.json`` layout documented above
RESULTS_SCHEMA = "irtrial.report.results/1"


@dataclass(frozen=True)
class Section:
    """One section of the report: anchor id, heading and template path."""

    id: str
    title: str
    template: str


#: the sections of the report, in order
SECTIONS: tuple[Section, ...] = (
    Section("study", "Study and data", "sections/study.j2"),
    Section("arms", "Arms and numbers analysed", "sections/arms.j2"),
    Section("consort", "Participant flow (CONSORT)", "sections/consort.j2"),
    Section("exclusions", "Exclusions log", "sections/exclusions.j2"),
    Section("outcome", "Outcome by visit", "sections/outcome.j2"),
    Section("primary", "Primary analysis: MMRM", "sections/primary.j2"),
    Section("supportive", "Supportive analyses at the last visit", "sections/supportive.j2"),
    Section("responders", "Responders (IMMPACT)", "sections/responders.j2"),
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


#: numbers, intervals ("-1.2 to 3.4"), p-values ("<0.001"), counts ("3/19 (15.8%)")
_NUMBER_LIKE = re.compile(r"^(?:[\s\d.,()%+\-<>/\u2013\u2212]|to)*$")


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


def _json_value(v: Any) -> Any:
    """A JSON-safe scalar: numpy numbers to Python, NaN/inf to None, other objects to str."""
    if v is None or isinstance(v, bool | str):
        return v
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return float(v) if math.isfinite(v) else None
    return str(v)


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None:
        return []
    return [{str(k): _json_value(v) for k, v in row.items()}
            for row in frame.to_dict("records")]


_SAS_CODE = """PROC MIXED DATA=trial METHOD=REML;
  CLASS subject arm visit;
  MODEL change = baseline arm visit arm*visit / DDFM=KR SOLUTION CL;
  REPEATED visit / SUBJECT=subject TYPE=UN R RCORR;
  LSMEANS arm*visit / DIFF CL;
RUN;"""

_R_CODE = """fit <- mmrm::mmrm(change ~ baseline + arm * visit + us(visit | subject),
                  data = trial, reml = TRUE, method = "Kenward-Roger")
emmeans::emmeans(fit, trt.vs.ctrl ~ arm | visit)"""


def _primary_context(trial: Trial, primary: analyses.PrimaryAnalysis,
                     conf_level: float) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """(template context, results.json entry, LS-means figure SVG or None)."""
    fit = primary.fit
    ctx: dict[str, Any] = {
        "error": primary.error, "warnings": list(primary.warnings),
        "primary_visit": primary.primary_visit, "sas": _SAS_CODE, "r": _R_CODE,
        "estimand": _as_rows(tables.estimand_table(trial)),
        # covariates read with the data but in no model of the report: say so
        "unadjusted_covariates": [str(c) for c in trial.covariates],
    }
    result: dict[str, Any] = {
        "model": TRIAL_FORMULA, "covariance": "us", "method": "reml",
        "df_method": "kenward-roger", "primary_visit": primary.primary_visit,
        "error": primary.error, "n_subjects": None, "n_obs": None, "contrasts": [],
        "estimate": [], "lsmeans": [], "covariance_matrix": None,
    }
    if fit is None:
        return ctx, result, None
    cov = fit.covariance
    result.update({
        "model": fit.formula, "covariance": fit.covariance_type, "method": fit.method,
        "df_method": fit.df, "n_subjects": int(fit.n_subjects), "n_obs": int(fit.n_obs),
        "contrasts": _records(primary.contrasts), "estimate": _records(primary.primary),
        "lsmeans": _records(primary.lsmeans),
        "covariance_matrix": {"visits": [str(v) for v in cov.index],
                              "matrix": [[_json_value(x) for x in row]
                                         for row in cov.to_numpy(dtype=float)]},
    })
    con = primary.contrasts
    is_primary = (con[C.VISIT].astype(str) == primary.primary_visit).tolist()
    level = f"{conf_level:.0%}"
    headline = [
        {"comparison": f"{r.arm} \u2212 {r.control}",
         "estimate": tables.format_number(r.estimate),
         "ci": tables.format_ci(r.ci_lower, r.ci_upper),
         "p": tables.format_p(r.p_value), "df": tables.format_number(r.df, 1)}
        for r in primary.primary.itertuples(index=False)]
    n_by_arm = ", ".join(f"{a} {n}" for a, n in
                         zip(primary.n_by_arm[C.ARM], primary.n_by_arm[C.N], strict=True))
    ctx.update({
        "formula": fit.formula, "n_subjects": fit.n_subjects, "n_obs": fit.n_obs,
        "n_by_arm": n_by_arm, "converged": fit.converged, "level": level,
        "headline": headline,
        "lsmeans": _as_rows(tables.lsmeans_table(primary.lsmeans, trial.arms, conf_level)),
        "contrasts": _as_rows(tables.contrast_table(con, conf_level)),
        "contrast_row_classes": ["primary" if x else "" for x in is_primary],
        "covariance": _as_rows(tables.covariance_table(cov)),
        "correlation": _as_rows(tables.correlation_table(cov)),
    })
    ax = figures.plot_lsmeans(primary.lsmeans, arms=trial.arms,
                              ylabel=f"LS mean change in {trial.outcome} ({level} CI)")
    return ctx, result, figures.to_svg(ax.figure)


def _supportive_context(trial: Trial, primary: analyses.PrimaryAnalysis,
                        runs: dict[str, analyses.Attempt],
                        conf_level: float) -> tuple[dict[str, Any], dict[str, Any]]:
    labels = {k: label for k, (label, _) in analyses.SUPPORTIVE.items()}
    summary = tables.supportive_summary({k: a.result for k, a in runs.items()}, labels,
                                        primary=primary.primary, primary_n=primary.n_by_arm)
    errors = {k: a.error for k, a in runs.items() if not a.ok}
    notes = [f"{labels[k]}: {n}" for k, a in runs.items() if a.ok for n in a.result.notes]
    notes += [f"{labels[k]}: {w}" for k, a in runs.items() for w in a.warnings]
    ctx = {
        "visit": str(trial.visits[-1]),
        "has_primary": primary.contrasts is not None,
        "table": _as_rows(tables.supportive_table(summary, conf_level)) if len(summary) else None,
        "row_classes": ["primary" if k == "mmrm" else "" for k in summary["key"]],
        "errors": [f"{labels[k]}: {msg}" for k, msg in errors.items()],
        "notes": notes,
    }
    return ctx, {"rows": _records(summary), "errors": errors}


def _responders_context(trial: Trial, runs: tuple[analyses.Attempt, analyses.Attempt],
                        conf_level: float) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    res, curve = runs
    visit = str(trial.visits[-1])
    ctx: dict[str, Any] = {"visit": visit, "error": res.error, "curve_error": curve.error,
                           "table": None, "notes": [], "rule": None}
    result: dict[str, Any] = {"rows": [], "missing": None, "curve": [], "error": res.error,
                              "curve_error": curve.error}
    if res.ok:
        r = res.result
        summary = tables.responder_summary(r)
        rule = ("Subjects without a value at the visit (dropouts) count as non-responders; the "
                "denominator is every randomised subject with a baseline."
                if r.missing == "non-responder" else
                "Subjects without a value at the visit (dropouts) are left out of the "
                "denominator.")
        ctx.update({"table": _as_rows(tables.responder_table(summary, conf_level)),
                    "rule": rule,
                    "notes": [n.replace(" (see responses.status)", "") for n in r.notes
                              if not n.startswith("missing =")]
                    + list(res.warnings)})
        result.update({"rows": _records(summary), "missing": r.missing})
    svg = None
    if curve.ok:
        data = curve.result.curve
        data = data[data[C.VISIT].astype(str) == visit]
        result["curve"] = _records(data)
        ax = figures.plot_responder_curve(data, arms=trial.arms, kind=curve.result.kind)
        svg = figures.to_svg(ax.figure)
    return ctx, result, svg


def build_context(trial: Trial, *, title: str | None = None, command: str | None = None,
                  conf_level: float = 0.95, now: datetime | None = None) -> dict[str, Any]:
    """Everything the templates show: tables (as rows of text), figures (SVG), metadata, and
    ``results`` (the ``results.json`` dict documented in this module).

    Parameters
    ----------
    trial : Trial
    title : str, optional
        Page title; default ``"<outcome>: trial report"``.
    command : str, optional
        The command line that produced the report (shown under Provenance).
    conf_level : float
        Confidence level of every interval.
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

    primary = analyses.primary_analysis(trial, conf_level)
    primary_ctx, primary_json, lsmeans_svg = _primary_context(trial, primary, conf_level)
    supportive_ctx, supportive_json = _supportive_context(
        trial, primary, analyses.supportive_analyses(trial, conf_level), conf_level)
    responders_ctx, responders_json, curve_svg = _responders_context(
        trial, analyses.responder_analyses(trial, conf_level), conf_level)

    figs = {"mean_ci": figures.to_svg(ax.figure), "lsmeans": lsmeans_svg,
            "responder_curve": curve_svg}
    numbers = {k: i + 1 for i, k in enumerate(k for k, v in figs.items() if v is not None)}
    results = {
        "schema": RESULTS_SCHEMA,
        "irtrial_version": prov["version"],
        "generated": now.isoformat(timespec="seconds"),
        "source": trial.source,
        "input_sha256": prov["sha256"],
        "conf_level": float(conf_level),
        "primary": primary_json,
        "supportive": supportive_json,
        "responders": responders_json,
    }
    return {
        "title": title or f"{trial.outcome}: trial report",
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
        "primary": primary_ctx,
        "supportive": supportive_ctx,
        "responders": responders_ctx,
        "figures": figs,
        "figure_numbers": numbers,
        "provenance": {k: v for k, v in prov.items() if k != "table"},
        "results": results,
    }


def _render(context: dict[str, Any]) -> str:
    return _environment().get_template("report.html.j2").render(**context)


def render_html(trial: Trial, **kwargs: Any) -> str:
    """The report as an HTML string (see :func:`build_context` for the options)."""
    return _render(build_context(trial, **kwargs))


def write_report(trial: Trial, out_dir: str | Path, **kwargs: Any) -> Path:
    """Write ``report.html`` and ``results.json`` into ``out_dir`` (created if needed) and
    return the path of the HTML file."""
    context = build_context(trial, **kwargs)
    html = _render(context)
    text = json.dumps(context["results"], indent=2, allow_nan=False, ensure_ascii=False)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / REPORT_FILE
    path.write_text(html, encoding="utf-8")
    (out / RESULTS_FILE).write_text(text + "\n", encoding="utf-8")
    return path
