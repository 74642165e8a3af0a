"""Section 5: the figures: individual trajectories, mean +- CI by visit, LS-mean change, the
forest plot of treatment differences by visit and by analysis, the cumulative responder curve
and the residual diagnostics (Cholesky-scaled residuals against fitted values; normal QQ)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.report import figures as F
from irtrial.report.format import ci_label
from irtrial.report.sections import FigureOut, Section, SectionOutput

__all__ = ["SECTION"]

#: the section body (Jinja2), see the contract in :mod:`irtrial.report.sections`
TEMPLATE = "sections/figures.j2"

#: subjects drawn per arm in the trajectories
MAX_TRAJECTORIES = 60


def _long_values(inputs) -> pd.DataFrame:
    trial = inputs.trial
    subj = trial.subjects[trial.subjects["excluded"].isna()]
    base = pd.DataFrame({C.SUBJECT: subj[C.SUBJECT].to_numpy(),
                         C.ARM: subj[C.ARM].astype(str).to_numpy(),
                         C.VISIT: trial.baseline_visit or "Baseline",
                         C.VALUE: subj[C.BASELINE].to_numpy(dtype=float)})
    post = pd.DataFrame({C.SUBJECT: trial.data[C.SUBJECT].to_numpy(),
                         C.ARM: trial.data[C.ARM].astype(str).to_numpy(),
                         C.VISIT: trial.data[C.VISIT].astype(str).to_numpy(),
                         C.VALUE: trial.data[C.VALUE].to_numpy(dtype=float)})
    out = pd.concat([base, post], ignore_index=True)
    order = [trial.baseline_visit or "Baseline", *trial.visits]
    out[C.VISIT] = pd.Categorical(out[C.VISIT], categories=order, ordered=True)
    return out


def forest_rows(inputs, supportive: pd.DataFrame) -> pd.DataFrame:
    """Rows of the forest plot: MMRM differences at every visit, then each supportive analysis
    on the outcome's scale (Hedges' g, in SD units, is left out) at the supportive visit."""
    rows = []
    if inputs.primary.ok:
        pf = inputs.primary.result
        multi = len(inputs.trial.active_arms) > 1
        for _, r in pf.contrasts.iterrows():
            rows.append({"group": "MMRM by visit",
                         "label": inputs.visit(str(r[C.VISIT]))
                         + (f" ({r[C.ARM]})" if multi else "")
                         + (" \u2013 primary" if r["primary"] else ""),
                         C.ESTIMATE: r[C.ESTIMATE], C.CI_LOWER: r[C.CI_LOWER],
                         C.CI_UPPER: r[C.CI_UPPER], "primary": bool(r["primary"])})
    sup = supportive[supportive["key"] != "effect_sizes"]
    multi = sup[C.ARM].nunique() > 1
    for _, r in sup.iterrows():
        rows.append({"group": f"By analysis at {inputs.visit(inputs.supportive_visit)}",
                     "label": r["analysis"] + (f" ({r[C.ARM]})" if multi else ""),
                     C.ESTIMATE: r[C.ESTIMATE], C.CI_LOWER: r[C.CI_LOWER],
                     C.CI_UPPER: r[C.CI_UPPER], "primary": False})
    return pd.DataFrame(rows, columns=["group", "label", C.ESTIMATE, C.CI_LOWER, C.CI_UPPER,
                                       "primary"])


def axis_label(prefix: str, inputs, limit: int = 34) -> str:
    """``prefix`` + the endpoint, short enough for an axis (units only when it is too long)."""
    full = f"{prefix} {inputs.endpoint_label}".strip() + (
        f" ({inputs.units})" if inputs.units else "")
    if len(full) <= limit:
        return full
    plain = f"{prefix} {inputs.endpoint_label}".strip()
    if len(plain) <= limit:
        return plain
    return f"{prefix} ({inputs.units})" if inputs.units else prefix


def build(inputs) -> SectionOutput:
    from irtrial.report.render import records

    trial = inputs.trial
    level = ci_label(inputs.conf_level)
    label = inputs.endpoint_label + (f" ({inputs.units})" if inputs.units else "")
    arms = list(inputs.arms)
    out: list[FigureOut] = []
    errors: list[str] = []
    results: dict = {}
    rng = inputs.plan.endpoint.range or trial.outcome_range

    values = _long_values(inputs)
    ax, shown = F.plot_trajectories(values, arms, ylabel=axis_label("", inputs),
                                    visit_labels=inputs.visit_labels,
                                    max_subjects=MAX_TRAJECTORIES, seed=inputs.plan.seed,
                                    outcome_range=rng)
    n_by = trial.n_by_arm()
    sampled = any(int(n_by[a]) > MAX_TRAJECTORIES for a in arms)
    out.append(FigureOut("trajectories", (
        f"Individual trajectories of {label} by arm (observed values; bold: arm mean)"
        + (f"; a random sample of {MAX_TRAJECTORIES} subjects per arm is drawn "
           f"(seed {inputs.plan.seed}), the mean uses every subject." if sampled else ".")),
        ax.figure))

    vs = inputs.visit_summary
    ax = F.plot_mean_ci(vs[vs["variable"] == C.VALUE], arms=arms,
                        ylabel=axis_label("Mean", inputs),
                        visit_labels=inputs.visit_labels, outcome_range=rng)
    out.append(FigureOut("mean_ci", f"Mean {label} by visit and arm with the t-based {level} "
                                    "(observed values; arms shifted slightly apart).",
                         ax.figure))
    if inputs.primary.ok:
        pf = inputs.primary.result
        ax = F.plot_lsmeans(pf.lsmeans, arms=arms, ylabel=axis_label("LS mean change", inputs),
                            visit_labels=inputs.visit_labels)
        out.append(FigureOut("lsmeans", f"MMRM LS mean change from baseline in {label} by "
                                        f"visit and arm "
                                        f"with {level}s ({pf.covariance_sas} covariance).",
                             ax.figure))
    sup = inputs.supportive_rows
    forest = forest_rows(inputs, sup)
    if len(forest):
        active = trial.active_arms[0] if len(trial.active_arms) == 1 else "active"
        left, right = (active, trial.control) if inputs.lower_is_better else (
            trial.control, active)
        ax = F.plot_forest(forest, xlabel=axis_label("Difference in change,", inputs, 60),
                           favours=(left, right))
        out.append(FigureOut("forest", f"Treatment differences ({active} \u2212 "
                                       f"{trial.control}) with {level}s: the MMRM at every "
                                       "visit (diamond: primary visit) and each supportive "
                                       "analysis on the outcome's scale.", ax.figure))
    if inputs.responder_curve is not None:
        rc = inputs.responder_curve
        if rc.ok:
            curve = rc.result.curve
            curve = curve[curve[C.VISIT].astype(str) == inputs.responder_visit]
            results["responder_curve"] = {"kind": inputs.curve_kind, "rows": records(curve)}
            marks = [d.threshold for d in inputs.plan.responders.definitions
                     if (d.kind == "relative") == (inputs.curve_kind == "percent")]
            unit = "%" if inputs.curve_kind == "percent" else (f" {inputs.units}"
                                                               if inputs.units else " points")
            word = "Decrease" if inputs.lower_is_better else "Increase"
            ax = F.plot_responder_curve(curve, arms=arms, marks=marks,
                                        xlabel=f"{word} from baseline at least ({unit.strip()})")
            out.append(FigureOut("responder_curve", (
                f"Cumulative responder curve at {inputs.visit(inputs.responder_visit)}: "
                f"percentage of subjects per arm whose {word.lower()} from baseline reaches "
                "each threshold"
                + (" (missing values count as non-responders)"
                   if inputs.plan.responders.missing == "non-responder" else "")
                + "; dotted lines: the pre-specified thresholds."), ax.figure))
        else:
            errors.append(f"Responder curve: {rc.error}")
    res = inputs.residuals
    if res.ok:
        r = res.result
        a1, a2 = F.new_axes((F.FIGSIZE[0], 3.2), ncols=2, left=0.7, wspace=0.8)
        F.plot_residuals(r["fitted"].to_numpy(), r["scaled"].to_numpy(), ax=a1)
        F.plot_qq(r["scaled"].to_numpy(), ax=a2)
        big = len(r) > F.MAX_POINTS
        z = r["scaled"].to_numpy(dtype=float)
        # the points themselves are not repeated in results.json (200,000 on a large trial)
        results["residuals"] = {"n": int(len(z)), "mean": float(np.mean(z)),
                                "sd": float(np.std(z, ddof=1)) if len(z) > 1 else None,
                                "min": float(np.min(z)), "max": float(np.max(z)),
                                "n_beyond_2": int(np.sum(np.abs(z) > 2))}
        out.append(FigureOut("residuals", (
            "Residual diagnostics of the primary MMRM: Cholesky-scaled residuals "
            "(uncorrelated with unit variance when the model holds) against fitted values "
            "(left; dotted lines at \u00b12) and their normal QQ plot (right)"
            + (f"; {len(r):,} residuals are shown as a density (left) and 1,000 quantiles "
               "(right)." if big else ".")), a1.figure))
    elif inputs.primary.ok:
        errors.append(f"Residuals: {res.error}")
    results.update({"figures": [f.name for f in out], "forest": records(forest),
                    "trajectories_per_arm": int(shown)})
    return SectionOutput(context={"order": [f.name for f in out], "errors": errors},
                         results=results, figures=tuple(out))


SECTION = Section("figures", "Figures", 50, build, TEMPLATE, new_page=True)
