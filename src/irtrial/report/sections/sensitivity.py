"""Section: missing-data sensitivity analyses of the plan's ``[[sensitivity]]`` tables.

Each table is run by :func:`irtrial.sensitivity.plan.run_plan_analysis` (reference-based
imputation, or a tipping point when it lists ``deltas``). The section shows the treatment effect
at the primary visit under each strategy side by side with the primary MMRM, the tipping-point
table and figure, and the methods text with the notes of each run. Left out when the plan has no
sensitivity table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.report.analyses import attempt
from irtrial.report.format import ci_label, fmt, fmt_p
from irtrial.report.sections import FigureOut, Section, SectionOutput
from irtrial.report.tables import estimate_cells
from irtrial.sensitivity.plan import describe, run_plan_analysis
from irtrial.sensitivity.progress import progress_bar
from irtrial.sensitivity.result import TippingPointResult
from irtrial.sensitivity.tipping_point import arms_text

__all__ = ["SECTION", "build"]

STRATEGY_TEXT = {"MAR": "missing at random (MAR)", "JR": "jump to reference (JR)",
                 "CR": "copy reference (CR)", "CIR": "copy increments from reference (CIR)",
                 "LMCF": "last mean carried forward (LMCF)"}

ANALYSIS_TEXT = {"ancova": "ANCOVA", "mmrm": "MMRM"}

TEMPLATE = """{% from "_macros.j2" import table, figure %}
<p class="lead">Treatment effect at {{ s.visit }} when the missing values after an
intercurrent event (by default: after the last observed visit) are imputed under other
assumptions than the primary MMRM's missing at random.{% if s.model_text %} {{ s.model_text }}{%
endif %}</p>
{% if tables.effects.rows %}{{ table(tables.effects, cls="nowrap") }}{% endif %}
{% for n in s.same %}<p class="note">{{ n }}</p>{% endfor %}
{% for e in s.errors %}<div class="error" role="alert">{{ e }}</div>{% endfor %}
{% if tables.tipping.rows %}<h3>Tipping point</h3>
<p>{{ s.tipping_text }}</p>{{ table(tables.tipping, cls="nowrap") }}{% endif %}
{% for f in s.figure_names %}{{ figure(figures[f]) }}{% endfor %}
<h3>Methods</h3>
{% for m in s.methods %}<p>{{ m }}</p>{% endfor %}
{% if s.notes %}<ul class="notes">{% for n in s.notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
"""


def _row(label, r, level, control):
    est, ci = estimate_cells(r[C.ESTIMATE], r[C.STD_ERROR], r[C.CI_LOWER], r[C.CI_UPPER])
    return {"Analysis": label, "Comparison": f"{r[C.ARM]} \u2212 {control}", "Estimate": est,
            ci_label(level): ci, "p": fmt_p(r[C.P_VALUE])}


def _same_estimates(tab: pd.DataFrame, res) -> str:
    """Why every strategy of one analysis gives the same effect, when it does (from the ICE
    table and the references), else ''."""
    strategies = tab["strategy"].astype(str).unique()
    if len(strategies) < 2:
        return ""
    for _, part in tab.groupby(C.ARM, observed=True):
        if not np.allclose(part[C.ESTIMATE], part[C.ESTIMATE].iloc[0], rtol=1e-10, atol=1e-12):
            return ""
    ice = res.ice
    if not len(ice):
        return ("Every strategy gives the same effect here: no subject has values imputed after "
                "an intercurrent event.")
    own = {str(a) for a, r in res.reference.items() if str(a) == str(r)}
    arms = list(dict.fromkeys(ice["arm"].astype(str)))
    applied = set(ice["strategy"].astype(str))
    if not set(arms) <= own or not applied <= {"MAR", "JR", "CR", "CIR"}:
        return ""
    subjects = list(dict.fromkeys(ice["subject"].astype(str)))
    shown = ", ".join(subjects[:10]) + (f" and {len(subjects) - 10} more"
                                        if len(subjects) > 10 else "")
    fallback = ""
    if "LMCF" in strategies and "LMCF" not in applied and "analysis" in ice:
        used = ", ".join(dict.fromkeys(ice.loc[ice["analysis"].astype(str) == "LMCF",
                                               "strategy"].astype(str)))
        fallback = f"; LMCF fell back to {used} for them (no earlier mean to carry forward)"
    return (f"Every strategy gives the same effect here: the subjects with values imputed after "
            f"an intercurrent event ({shown}) are all in {', '.join(arms)}, the reference arm, "
            "where jump to reference, copy reference and copy increments from reference impute "
            f"as missing at random does{fallback}.")


def build(inputs) -> SectionOutput | None:
    from irtrial.report.render import records

    plan = inputs.plan
    if not plan.sensitivity:
        return None
    trial = inputs.trial
    visit = inputs.primary_visit
    level = inputs.conf_level
    control = trial.control
    rows, tidy, errors, notes, methods, figures = [], [], [], [], [], []
    tipping_rows, tipping_tidy = [], []
    shifted: list[str] = []
    models: set[str] = set()
    same: list[str] = []
    results: dict = {"visit": visit, "analyses": []}
    if inputs.primary.ok:
        for _, r in inputs.primary.result.primary.iterrows():
            rows.append(_row("Primary MMRM (MAR)", r, level, control))
            tidy.append({"analysis": "primary MMRM", "strategy": "MAR", C.ARM: str(r[C.ARM]),
                         **{k: float(r[k]) for k in (C.ESTIMATE, C.STD_ERROR, C.CI_LOWER,
                                                     C.CI_UPPER, C.P_VALUE)}})
    for i, analysis in enumerate(plan.sensitivity):
        with progress_bar(f"sensitivity analysis {i + 1}: {analysis.method}") as progress:
            run = attempt(lambda a=analysis, p=progress: run_plan_analysis(trial, a, plan.seed,
                                                                          level, progress=p))
        methods.append(f"Sensitivity analysis {i + 1}: {describe(analysis)}.")
        if not run.ok:
            errors.append(f"Sensitivity analysis {i + 1} ({describe(analysis)}): {run.error}")
            results["analyses"].append({"method": analysis.method, "error": run.error})
            continue
        res = run.result
        if isinstance(res, TippingPointResult):
            tip = res.tipping[res.tipping[C.VISIT].astype(str) == str(visit)]
            for _, t in tip.iterrows():
                tipping_rows.append({
                    "Strategy": t["strategy"], "Comparison": f"{t[C.ARM]} \u2212 {control}",
                    "Tipping delta": fmt(t["delta"], 3) if np.isfinite(t["delta"]) else "none",
                    "p at that delta": fmt_p(t[C.P_VALUE]) if np.isfinite(t[C.P_VALUE])
                    else "\u2014",
                    "Note": t["note"] or ("confirmed" if t["confirmed"] else "")})
            tipping_tidy += records(tip)
            ax = res.plot(visit=visit)
            name = f"sensitivity_tipping_{i + 1}"
            figures.append(FigureOut(name, f"Tipping point at {inputs.visit(visit)}: "
                                     "treatment effect (CI band, solid) and p-value (dashed) "
                                     "against the delta added to the imputed values after the "
                                     f"ICE in {arms_text(res.arms)}.", figure=ax.figure))
            shifted.append(res.arms)
            notes += [n for n in res.notes if n not in notes]
            results["analyses"].append({"method": analysis.method, "tipping": records(tip),
                                        "grid": records(res.table)})
            continue
        tab = res.table[res.table[C.VISIT].astype(str) == str(visit)]
        method_label = {"approximate-bayes": "approx. Bayes MI",
                        "bayes": "Bayes MI (data augmentation)"}.get(
            res.method, f"conditional mean, {res.resampling}")
        method_label += f"; {ANALYSIS_TEXT.get(res.analysis, res.analysis)}"
        models.add(res.analysis)
        same += [n for n in [_same_estimates(tab, res)] if n]
        for _, r in tab.iterrows():
            rows.append(_row(f"{STRATEGY_TEXT.get(r['strategy'], r['strategy'])}; "
                             f"{method_label}", r, level, control))
        tidy += records(tab.assign(analysis=method_label))
        notes += [n for n in res.notes if n not in notes]
        results["analyses"].append({"method": analysis.method, "rows": records(res.table)})
    results["effects"] = tidy
    results["tipping"] = tipping_tidy
    results["errors"] = errors
    alphas = sorted({float(dict(a.options).get("alpha", 0.05)) for a in plan.sensitivity})
    tipping_text = ("The tipping delta is the shift added to every imputed value after the "
                    f"ICE in {arms_text(', '.join(dict.fromkeys(shifted)) or 'active')} at "
                    "which the p-value of the comparison first "
                    f"reaches {' / '.join(fmt(a, 2) for a in alphas)} (linear interpolation on "
                    "the grid, then a run at that delta).")
    model_text = ""
    if models - {"mmrm"}:
        names = " and ".join(ANALYSIS_TEXT.get(m, m) for m in sorted(models - {"mmrm"}))
        model_text = (f"These analyses estimate the effect with {names} at each visit on the "
                      "completed data, so their MAR rows differ from the primary MMRM by the "
                      "analysis model, not by the assumption about the missing values.")
    return SectionOutput(
        context={"visit": inputs.visit(visit), "errors": errors, "notes": notes,
                 "model_text": model_text, "same": same,
                 "methods": methods, "tipping_text": tipping_text,
                 "figure_names": [f.name for f in figures]},
        results=results,
        tables={"effects": pd.DataFrame(rows), "tipping": pd.DataFrame(tipping_rows)},
        figures=tuple(figures),
    )


SECTION = Section(id="sensitivity", title="Sensitivity analyses for missing data", order=90,
                  build=build, template=TEMPLATE, new_page=True)

