"""Section 6: the primary MMRM: the headline contrast, the covariance structure used and why,
df method and convergence, contrasts at every visit (primary visit marked), LS means, type 3
tests, and the estimated covariance and correlation matrices."""

from __future__ import annotations

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.report.format import ci_label, decimals_for, fmt, fmt_ci, p_text
from irtrial.report.sections import Section, SectionOutput
from irtrial.report.tables import contrast_table, lsmeans_table, matrix_table, type3_table

__all__ = ["SECTION", "DF_LABELS"]

#: how the df methods read in the text
DF_LABELS = {
    "kenward-roger": "Kenward-Roger",
    "kenward-roger-linear": "Kenward-Roger (first-order, SAS DDFM=KR(FIRSTORDER))",
    "satterthwaite": "Satterthwaite", "between-within": "between-within",
    "residual": "residual",
}

#: the section body (Jinja2), see the contract in :mod:`irtrial.report.sections`
TEMPLATE = "sections/primary.j2"


def favour_text(inputs) -> str:
    """Which sign of a difference favours the active arm, from the plan's direction."""
    if inputs.lower_is_better:
        return "negative differences favour the active arm (lower values are better)."
    return "positive differences favour the active arm (higher values are better)."


def _matrix(frame: pd.DataFrame) -> dict:
    return {"visits": [str(v) for v in frame.index],
            "matrix": [[float(x) for x in row] for row in frame.to_numpy(dtype=float)]}


def build(inputs) -> SectionOutput:
    from irtrial.report.render import records

    level = inputs.conf_level
    ctx: dict = {"error": inputs.primary.error, "warnings": list(inputs.primary.warnings),
                 "ci": ci_label(level), "favour": favour_text(inputs)}
    if not inputs.primary.ok:
        return SectionOutput(context=ctx, results={"error": inputs.primary.error})
    pf = inputs.primary.result
    fit = pf.result
    df_method = fit.df
    vcov = fit.vcov or (df_method if df_method.startswith("kenward") else "asymptotic")
    con = pf.contrasts.copy()
    con["control"] = pf.control
    headline = []
    for _, r in pf.primary.iterrows():
        dec = decimals_for(r[C.STD_ERROR])
        headline.append({"visit": inputs.visit(str(r[C.VISIT])),
                         "comparison": f"{r[C.ARM]} \u2212 {pf.control}",
                         "estimate": fmt(r[C.ESTIMATE], dec),
                         "ci": fmt_ci(r[C.CI_LOWER], r[C.CI_UPPER], dec),
                         "p": p_text(r[C.P_VALUE]), "df": fmt(r[C.DF], 1)})
    n_by = inputs.n_by_arm()
    from irtrial.plan.primary import COVARIANCE_LABELS

    structure = f"{pf.covariance_sas} ({COVARIANCE_LABELS.get(pf.covariance, pf.covariance)})"
    model = [
        ("Model", pf.formula),
        ("Covariance", pf.reason),
        ("Estimation", f"{fit.method.upper()}"),
        ("Degrees of freedom", DF_LABELS.get(df_method, df_method)
         + (f"; standard errors {vcov}" if vcov != df_method else "")),
        ("Confidence level", f"{100 * level:.10g}%"),
        ("Subjects and observations", f"{fit.n_subjects} subjects ("
         + ", ".join(f"{a} {n}" for a, n in n_by.items()) + f"), {fit.n_obs} observations"),
        ("Convergence", (f"converged ({fit.optimizer}, {fit.n_iterations} iterations)"
                         if fit.converged else "the optimiser did not report convergence")
         + f"; \u22122 log L {fmt(-2 * fit.loglik, 2)}, AIC {fmt(fit.aic, 2)}, "
           f"BIC {fmt(fit.bic, 2)}"),
    ]
    attempts = pd.DataFrame([(a.sas, "converged" if a.converged else a.outcome,
                              "" if a.converged else a.reason) for a in pf.attempts],
                            columns=["Structure", "Result", "Reason"])
    ctab = contrast_table(con, inputs.visit, level)
    ctab.attrs["classes"] = ["primary" if p else "" for p in con["primary"]]
    lsm = lsmeans_table(pf.lsmeans, inputs.arms, inputs.visit, level)
    first = lsm["Visit"].ne(lsm["Visit"].shift()).tolist()
    lsm.attrs["classes"] = ["first" if f else "" for f in first]
    lsm.loc[[not f for f in first], "Visit"] = ""
    t3 = inputs.type3
    cov = fit.covariance
    sd = np.sqrt(np.diag(cov.to_numpy(dtype=float)))
    corr = pd.DataFrame(cov.to_numpy(dtype=float) / np.outer(sd, sd), index=cov.index,
                        columns=cov.columns)
    tables = {"model": pd.DataFrame(model, columns=["Item", "Value"]),
              "attempts": attempts, "contrasts": ctab, "lsmeans": lsm,
              "type3": type3_table(t3.result) if t3.ok else pd.DataFrame(),
              "covariance": matrix_table(cov, inputs.visit),
              "correlation": matrix_table(corr, inputs.visit, decimals=3)}
    ctx.update({"headline": headline, "structure": structure,
                "df_short": DF_LABELS.get(df_method, df_method).split(" (")[0],
                "comparison": (f"{inputs.trial.active_arms[0]} \u2212 {pf.control}"
                               if len(inputs.trial.active_arms) == 1
                               else f"each active arm \u2212 {pf.control}"),
                "warnings": [*ctx["warnings"], *([t3.error] if not t3.ok else [])]})
    results = {
        "error": None, "formula": pf.formula, "covariance": pf.covariance,
        "covariance_sas": pf.covariance_sas, "covariance_reason": pf.reason,
        "covariance_order": list(pf.order),
        "attempts": [{"structure": a.sas, "converged": bool(a.converged), "outcome": a.outcome,
                      "reason": a.reason} for a in pf.attempts],
        "method": fit.method, "df_method": df_method, "vcov": vcov, "conf_level": level,
        "converged": bool(fit.converged), "n_subjects": int(fit.n_subjects),
        "n_obs": int(fit.n_obs), "loglik": float(fit.loglik), "aic": float(fit.aic),
        "bic": float(fit.bic), "primary_visit": str(pf.primary_visit), "control": pf.control,
        "contrasts": records(con), "lsmeans": records(pf.lsmeans),
        "type3": records(t3.result) if t3.ok else [],
        "covariance_matrix": _matrix(cov), "correlation_matrix": _matrix(corr),
    }
    return SectionOutput(context=ctx, results=results, tables=tables)


SECTION = Section("primary", "Primary analysis: MMRM", 60, build, TEMPLATE, new_page=True)
