"""Section 7: supportive analyses at the supportive visit (the primary MMRM repeated for
comparison) and multiplicity-adjusted p-values of the primary comparisons.

Multiplicity follows the plan (``[multiplicity]``: method over a family): the family
``"arms"`` is every active arm against the control at the primary visit, ``"visits"`` every
visit of each arm, ``"arms x visits"`` both. Holm, Hochberg, Bonferroni and fixed sequence use
:func:`irtrial.adjust_p_values` on the MMRM p-values; Dunnett uses the MMRM's own adjusted
contrasts when the fit offers them. The table appears when the family has more than one
comparison.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.report.analyses import SUPPORTIVE_LABELS, Attempt, attempt
from irtrial.report.format import ci_label, fmt, fmt_p
from irtrial.report.sections import Section, SectionOutput
from irtrial.report.tables import estimate_cells

__all__ = ["SECTION", "supportive_rows", "multiplicity"]

#: the section body (Jinja2), see the contract in :mod:`irtrial.report.sections`
TEMPLATE = "sections/supportive.j2"

_METHOD = {"holm": "holm", "hochberg": "hochberg", "bonferroni": "bonferroni",
           "fixed-sequence": "fixed_sequence", "fixed_sequence": "fixed_sequence"}
_METHOD_TEXT = {"holm": "Holm", "hochberg": "Hochberg", "bonferroni": "Bonferroni",
                "fixed-sequence": "fixed-sequence", "fixed_sequence": "fixed-sequence",
                "dunnett": "Dunnett"}


def supportive_rows(inputs) -> pd.DataFrame:
    """Tidy rows: ``key, analysis, measure, visit, arm, control, estimate, std_error, ci_lower,
    ci_upper, p_value, n_active, n_control, note`` (the MMRM at the primary visit first)."""
    rows = []
    n_by = inputs.n_by_arm()
    if inputs.primary.ok:
        pf = inputs.primary.result
        con = pf.contrasts
        at = con[con[C.VISIT].astype(str) == inputs.supportive_visit]
        for _, r in at.iterrows():
            rows.append({"key": "mmrm", "analysis": "MMRM (primary model)",
                         "measure": "difference in LS means", C.VISIT: str(r[C.VISIT]),
                         C.ARM: str(r[C.ARM]), "control": pf.control,
                         C.ESTIMATE: r[C.ESTIMATE], C.STD_ERROR: r[C.STD_ERROR],
                         C.CI_LOWER: r[C.CI_LOWER], C.CI_UPPER: r[C.CI_UPPER],
                         C.P_VALUE: r[C.P_VALUE], "n_active": n_by.get(str(r[C.ARM])),
                         "n_control": n_by.get(pf.control), "note": None})
    measure = {"ancova": "difference in LS means", "welch": "difference in means",
               "mann_whitney": "Hodges-Lehmann shift", "effect_sizes": "Hedges' g"}
    for key, run in inputs.supportive.items():
        if key not in measure or not run.ok:
            continue
        t = run.result.table
        if key == "effect_sizes":
            t = t[t["measure"] == "hedges_g"]
        for _, r in t.iterrows():
            note = r.get("note")
            rows.append({"key": key, "analysis": SUPPORTIVE_LABELS[key],
                         "measure": measure[key], C.VISIT: str(r[C.VISIT]),
                         C.ARM: str(r[C.ARM]), "control": str(r["control"]),
                         C.ESTIMATE: r[C.ESTIMATE], C.STD_ERROR: r.get(C.STD_ERROR, np.nan),
                         C.CI_LOWER: r[C.CI_LOWER], C.CI_UPPER: r[C.CI_UPPER],
                         C.P_VALUE: r[C.P_VALUE], "n_active": int(r["n_active"]),
                         "n_control": int(r["n_control"]),
                         "note": note if isinstance(note, str) and note else None})
    cols = ["key", "analysis", "measure", C.VISIT, C.ARM, "control", C.ESTIMATE, C.STD_ERROR,
            C.CI_LOWER, C.CI_UPPER, C.P_VALUE, "n_active", "n_control", "note"]
    return pd.DataFrame(rows, columns=cols)


def _display(rows: pd.DataFrame, level: float, multi_arm: bool) -> pd.DataFrame:
    out = []
    for _, r in rows.iterrows():
        est, ci = estimate_cells(r[C.ESTIMATE], r[C.STD_ERROR], r[C.CI_LOWER], r[C.CI_UPPER])
        if not np.isfinite(r[C.ESTIMATE]):
            est, ci = "not computable", ""
        row = {"Analysis": r["analysis"], "Measure": r["measure"]}
        if multi_arm:
            row["Comparison"] = f"{r[C.ARM]} \u2212 {r['control']}"
        row.update({"Estimate": est, ci_label(level): ci, "p": fmt_p(r[C.P_VALUE]),
                    "n": f"{r['n_active']}, {r['n_control']}"})
        out.append(row)
    return pd.DataFrame(out)


def multiplicity(inputs) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """(sentence, tidy table, display table) of the plan's multiplicity adjustment."""
    m = inputs.plan.multiplicity
    method = m.method
    empty = pd.DataFrame()
    if not inputs.primary.ok:
        return "No adjustment: the primary MMRM could not be fitted.", empty, empty
    pf = inputs.primary.result
    con = pf.contrasts.copy()
    con[C.VISIT] = con[C.VISIT].astype(str)
    con[C.ARM] = con[C.ARM].astype(str)
    if m.family == "arms":
        fam = con[con["primary"]]
        by = None
        family_text = "the active arms against the control at the primary visit"
    elif m.family == "visits":
        fam = con
        by = C.ARM
        family_text = "the visits of each active arm"
    else:
        fam = con
        by = None
        family_text = "every active arm at every visit"
    n_family = len(fam) if by is None else int(fam.groupby(by).size().max())
    if method == "none":
        text = (f"No multiplicity adjustment was pre-specified; {len(pf.primary)} primary "
                f"comparison{'s' if len(pf.primary) != 1 else ''}.")
        return text, empty, empty
    name = _METHOD_TEXT.get(method, method)
    if n_family <= 1:
        return (f"{name} adjustment pre-specified over {family_text}: a single comparison, so "
                "no adjustment is needed."), empty, empty
    if m.order and method in ("fixed-sequence", "fixed_sequence"):
        key = C.ARM if m.family == "arms" else C.VISIT
        rank = {v: k for k, v in enumerate(m.order)}
        fam = fam.assign(_o=fam[key].map(rank)).sort_values(["_o"], kind="stable").drop(
            columns="_o")
    if method == "dunnett":
        run: Attempt = attempt(lambda: pf.result.contrasts(C.ARM, control=pf.control,
                                                           by=C.VISIT, adjust="dunnett"))
        if not run.ok or run.result is None:
            return (f"Dunnett adjustment pre-specified over {family_text}, but the fit could "
                    f"not provide it: {run.error}"), empty, empty
        adj = run.result.assign(**{C.VISIT: lambda d: d[C.VISIT].astype(str),
                                   C.ARM: lambda d: d[C.ARM].astype(str)})
        fam = fam.merge(adj[[C.ARM, C.VISIT, C.P_VALUE]].rename(
            columns={C.P_VALUE: "p_adjusted"}), on=[C.ARM, C.VISIT], how="left")
        fam["reject"] = fam["p_adjusted"] <= m.alpha
        fam["method"] = "dunnett"
        tidy = fam
    else:
        from irtrial import adjust_p_values

        run = attempt(lambda: adjust_p_values(fam[[C.ARM, C.VISIT, C.ESTIMATE, C.P_VALUE]],
                                              method=_METHOD[method], alpha=m.alpha, by=by))
        if not run.ok:
            return f"The {name} adjustment failed: {run.error}", empty, empty
        tidy = run.result
    text = (f"{name} adjustment over {family_text} ({n_family} comparisons"
            f"{' per arm' if by else ''}), family-wise error rate {fmt(m.alpha, 2)}"
            + (f"; testing order {', '.join(m.order)}" if m.order else "") + ".")
    display = pd.DataFrame({
        "Comparison": [f"{a} \u2212 {pf.control}" for a in tidy[C.ARM]],
        "Visit": [inputs.visit(v) for v in tidy[C.VISIT]],
        "p (unadjusted)": [fmt_p(p) for p in tidy[C.P_VALUE]],
        "p (adjusted)": [fmt_p(p) for p in tidy["p_adjusted"]],
        f"Rejected at {fmt(m.alpha, 2)}": ["yes" if r else "no" for r in tidy["reject"]],
    })
    return text, tidy, display


def build(inputs) -> SectionOutput | None:
    from irtrial.report.render import records

    level = inputs.conf_level
    rows = inputs.supportive_rows
    multi = len(inputs.trial.active_arms) > 1
    comparisons = _display(rows, level, multi)
    if len(comparisons):
        comparisons.attrs["classes"] = ["primary" if k == "mmrm" else "" for k in rows["key"]]
    within = pd.DataFrame()
    anova = pd.DataFrame()
    results: dict = {"visit": inputs.supportive_visit, "rows": records(rows)}
    run = inputs.supportive.get("within_arm")
    if run is not None and run.ok:
        t = run.result.table
        within = pd.DataFrame([{
            "Arm": str(r[C.ARM]), "Test": str(r["test"]),
            "Estimate": estimate_cells(r[C.ESTIMATE], r[C.STD_ERROR], r[C.CI_LOWER],
                                       r[C.CI_UPPER])[0],
            ci_label(level): estimate_cells(r[C.ESTIMATE], r[C.STD_ERROR], r[C.CI_LOWER],
                                            r[C.CI_UPPER])[1],
            "p": fmt_p(r[C.P_VALUE]), "n": str(int(r["n"]))} for _, r in t.iterrows()])
        results["within_arm"] = records(t)
    run = inputs.supportive.get("mixed_anova")
    if run is not None and run.ok:
        t = run.result.table
        anova = pd.DataFrame({"Effect": t[C.TERM].astype(str),
                              "df": [f"{fmt(a, 0)}, {fmt(b, 0)}" for a, b in
                                     zip(t[C.NUM_DF], t[C.DEN_DF], strict=True)],
                              "F": [fmt(v, 2) for v in t[C.F_VALUE]],
                              "p": [fmt_p(v) for v in t[C.P_VALUE]]})
        results["mixed_anova"] = records(t)
    text, tidy, display = multiplicity(inputs)
    results["multiplicity"] = {"method": inputs.plan.multiplicity.method,
                               "family": inputs.plan.multiplicity.family,
                               "alpha": float(inputs.plan.multiplicity.alpha), "text": text,
                               "rows": records(tidy) if len(tidy) else []}
    errors = [f"{SUPPORTIVE_LABELS.get(k, k)}: {a.error}" for k, a in inputs.supportive.items()
              if not a.ok]
    results["errors"] = {k: a.error for k, a in inputs.supportive.items() if not a.ok}
    notes = [f"{r['analysis']} ({r[C.ARM]}): {r['note']}" for _, r in rows.iterrows()
             if r["note"]]
    notes += [f"{SUPPORTIVE_LABELS.get(k, k)}: {w}" for k, a in inputs.supportive.items()
              for w in a.warnings]
    covs = tuple(inputs.plan.primary.covariates)
    if "ancova" in inputs.supportive and covs:
        notes.insert(0, "The ANCOVA adjusts for baseline and the model's covariates: "
                        + ", ".join(covs) + ".")
    ctx = {"visit": inputs.visit(inputs.supportive_visit), "has_primary": inputs.primary.ok,
           "errors": errors, "notes": notes, "multiplicity_text": text}
    return SectionOutput(context=ctx, results=results,
                         tables={"comparisons": comparisons, "within": within, "anova": anova,
                                 "multiplicity": display})


SECTION = Section("supportive", "Supportive analyses and multiplicity", 70, build, TEMPLATE)
