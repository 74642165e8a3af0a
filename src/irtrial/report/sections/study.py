"""Section 1: the study summary (data, endpoint, arms, visits, model covariates) and the
estimand table (ICH E9(R1) attributes from the plan)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from irtrial.report.sections import Section, SectionOutput

__all__ = ["SECTION"]

#: the section body (Jinja2), see the contract in :mod:`irtrial.report.sections`
TEMPLATE = "sections/study.j2"


def build(inputs) -> SectionOutput:
    trial, plan = inputs.trial, inputs.plan
    ep = plan.endpoint
    n = trial.n_by_arm()
    randomised = trial.subjects["arm"].astype(str).value_counts()
    types = dict(getattr(trial, "covariate_types", {}) or {})
    model_covs = list(plan.primary.covariates)
    cov_text = ", ".join(f"{c} ({types.get(c, 'numeric')})" for c in model_covs) or "none"
    other = [c for c in trial.covariates if c not in model_covs]
    direction = "lower values are better" if ep.lower_is_better else "higher values are better"
    rng = ep.range or trial.outcome_range
    facts = [
        ("Data", Path(trial.source).name if trial.source else "<DataFrame>"),
        ("Endpoint", f"{inputs.endpoint_label}" + (f" ({ep.units})" if ep.units else "")
         + (f", range {rng[0]:g} to {rng[1]:g}" if rng else "") + f"; {direction}"),
        ("Arms", "; ".join(f"{a}{' (control)' if a == trial.control else ''}: "
                           f"{int(randomised.get(a, 0))} randomised, {int(n[a])} analysed"
                           for a in trial.arms)),
        ("Visits", f"{len(trial.visits)} after baseline: "
                   + ", ".join(inputs.visit(v) for v in trial.visits)
                   + (f" (baseline {inputs.visit(trial.baseline_visit)})"
                      if trial.baseline_visit else "")),
        ("Primary visit", inputs.visit(inputs.primary_visit)),
        ("Covariates in the model", cov_text),
    ]
    if other:
        facts.append(("Other covariates read", ", ".join(
            f"{c} ({types.get(c, 'numeric')})" for c in other) + " (Table 1 only)"))
    facts.append(("Plan", plan.source or "built from command-line options and defaults"))
    est = plan.estimand
    estimand = [("Treatment", est.treatment), ("Population", est.population),
                ("Variable", est.variable), ("Summary measure", est.summary_measure)]
    ice = pd.DataFrame([(e.event, e.strategy) for e in est.intercurrent_events],
                       columns=["Intercurrent event", "Strategy"])
    summary = pd.DataFrame(facts, columns=["Item", "Value"])
    estimand_df = pd.DataFrame(estimand, columns=["Attribute", "Value"])
    context = {"warnings": list(getattr(trial, "warnings", ()) or ()),
               "notes": [*trial.notes, *plan.notes]}
    results = {
        "title": inputs.title, "source": trial.source, "endpoint": inputs.endpoint_label,
        "units": ep.units, "direction": ep.direction,
        "range": list(rng) if rng else None, "arms": list(trial.arms), "control": trial.control,
        "visits": list(trial.visits), "primary_visit": inputs.primary_visit,
        "n_randomised": {a: int(randomised.get(a, 0)) for a in trial.arms},
        "n_analysed": {a: int(n[a]) for a in trial.arms},
        "covariates": {c: types.get(c, "numeric") for c in model_covs},
        "estimand": {"treatment": est.treatment, "population": est.population,
                     "variable": est.variable, "summary_measure": est.summary_measure,
                     "intercurrent_events": [{"event": e.event, "strategy": e.strategy}
                                             for e in est.intercurrent_events]},
        "warnings": context["warnings"],
    }
    tables = {"summary": summary, "estimand": estimand_df, "intercurrent": ice}
    return SectionOutput(context=context, results=results, tables=tables)


SECTION = Section("study", "Study summary and estimand", 10, build, TEMPLATE,
                  new_page=True)
