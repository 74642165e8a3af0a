"""Trial and results -> display tables for the report.

Each ``*_table`` function takes a :class:`~irtrial.trial.Trial` or analysis results and
returns a :class:`pandas.DataFrame` ready to show: human column headers, numbers formatted as
strings, one row per line of the printed table. The numbers come from the trial or result
objects; nothing here fits a model. The ``*_summary`` functions return *tidy* (unformatted)
tables, shared by a display table, a figure and ``results.json`` so that all show the same
numbers: :func:`outcome_summary`, :func:`supportive_summary`, :func:`responder_summary`.

Display conventions: estimates with 2 decimals, p-values with 3 (``<0.001`` below that),
confidence intervals as ``lower to upper`` (no comma next to a minus sign).

Examples
--------
>>> from irtrial.synthetic import ir_wrap_trial
>>> arms_table(ir_wrap_trial())
       Arm     Role  Randomised  Excluded  Analysed
0  Placebo  control          19         1        18
1       IR   active          21         0        21
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from irtrial import columns as C
from irtrial.analysis import NOT_COMPUTABLE

if TYPE_CHECKING:
    from irtrial.trial import Trial

__all__ = [
    "study_table",
    "arms_table",
    "consort_table",
    "exclusions_table",
    "outcome_summary",
    "outcome_table",
    "missingness_table",
    "lsmeans_table",
    "contrast_table",
    "covariance_table",
    "correlation_table",
    "estimand_table",
    "supportive_summary",
    "supportive_table",
    "responder_summary",
    "responder_table",
    "format_number",
    "format_p",
    "format_ci",
]


def format_number(x: float, decimals: int = 2) -> str:
    """Format a number for display; NaN and None become an en dash."""
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "\u2013"
    return f"{x:.{decimals}f}"


def _estimate_or_not_computable(x: float | None, decimals: int = 2) -> str:
    """An estimate for display; a missing one (the comparison could not be computed) reads
    ``"not computable"`` rather than a dash or ``nan``."""
    if x is None or not np.isfinite(x):
        return NOT_COMPUTABLE
    return format_number(x, decimals)


def format_p(p: float | None) -> str:
    """A p-value for display: 3 decimals, ``<0.001`` below 0.001; NaN becomes an en dash."""
    if p is None or not np.isfinite(p):
        return "\u2013"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def format_ci(lower: float | None, upper: float | None, decimals: int = 2) -> str:
    """A confidence interval as ``"lower to upper"``; an en dash when either end is missing."""
    if any(v is None or not np.isfinite(v) for v in (lower, upper)):
        return "\u2013"
    return f"{format_number(lower, decimals)} to {format_number(upper, decimals)}"


def _visit_label(trial: Trial, visit: str) -> str:
    """``"Week 0 (baseline)"`` for the baseline visit, the label otherwise."""
    is_base = visit == trial.baseline_visit or (trial.baseline_visit is None and
                                                visit not in trial.visits)
    return f"{visit} (baseline)" if is_base and "baseline" not in visit.lower() else visit


def study_table(trial: Trial) -> pd.DataFrame:
    """Key facts about the data: source, outcome, arms, visits, row accounting.

    Returns
    -------
    DataFrame
        Columns ``Item`` and ``Value`` (both text).
    """
    rng = trial.outcome_range
    counts = dict(trial.row_counts)
    rows = [
        ("Source", trial.source),
        ("Outcome", trial.outcome + (f" (range {rng[0]:g} to {rng[1]:g})" if rng else "")),
        ("Arms", ", ".join(trial.arms) + f" (control: {trial.control})"),
        ("Baseline visit", trial.baseline_visit or "none (baseline from a column)"),
        ("Post-baseline visits", f"{len(trial.visits)}: " + ", ".join(trial.visits)),
        ("Covariates", ", ".join(trial.covariates) or "none"),
        ("Subjects randomised", str(len(trial.subjects))),
        ("Subjects analysed", str(int(trial.n_by_arm().sum()))),
    ]
    if counts:
        parts = [f"{counts.get(k, 0)} {k.replace('_', ' ')}" for k in
                 ("analysed", "baseline", "excluded") if k in counts]
        rows.append(("Input rows", f"{counts.get('input', '?')} = " + " + ".join(parts)))
        if counts.get("added_missing"):
            rows.append(("Missing visits added", f"{counts['added_missing']} (value missing)"))
    return pd.DataFrame(rows, columns=["Item", "Value"])


def arms_table(trial: Trial) -> pd.DataFrame:
    """Arms with their numbers randomised, excluded and analysed (control first)."""
    subj = trial.subjects
    arm = subj[C.ARM].astype(str)
    excluded = subj["excluded"].notna()
    rows = []
    for a in trial.arms:
        mine = arm == a
        rows.append({
            "Arm": a,
            "Role": "control" if a == trial.control else "active",
            "Randomised": int(mine.sum()),
            "Excluded": int((mine & excluded).sum()),
            "Analysed": int((mine & ~excluded).sum()),
        })
    return pd.DataFrame(rows)


def consort_table(trial: Trial) -> pd.DataFrame:
    """CONSORT-style flow counts per arm (``Trial.consort`` with display headers)."""
    table = trial.consort().rename(columns={"stage": "Stage", "total": "Total"})
    table["Stage"] = [s[:1].upper() + s[1:] for s in table["Stage"]]
    return table


def exclusions_table(trial: Trial) -> pd.DataFrame:
    """The exclusions log: who or which rows were left out, and why."""
    ex = trial.exclusions
    return pd.DataFrame({
        "Subject": [("(rows)" if s is None or s != s else str(s)) for s in ex[C.SUBJECT]],
        "Arm": ["" if a is None or a != a else str(a) for a in ex[C.ARM]],
        "Reason": ex["reason"].astype(str).to_numpy(),
        "Rows": ex["n_rows"].astype(int).to_numpy(),
    })


def outcome_summary(trial: Trial, conf_level: float = 0.95) -> pd.DataFrame:
    """Tidy mean, SD, n and t-based confidence interval of the outcome per arm and visit.

    The interval is :math:`\\bar y \\pm t_{n-1, (1+c)/2}\\, s / \\sqrt{n}` (SAS
    ``PROC MEANS CLM``; R ``t.test(y)$conf.int``). Baseline comes first.

    Returns
    -------
    DataFrame
        ``arm, visit, visit_num, n, n_missing, mean, sd, std_error, ci_lower, ci_upper``.
    """
    out = trial.summary().copy()
    n = out[C.N].to_numpy(dtype=float)
    se = out["sd"].to_numpy(dtype=float) / np.sqrt(np.where(n > 0, n, np.nan))
    with np.errstate(invalid="ignore"):
        q = stats.t.ppf(0.5 + conf_level / 2, np.where(n > 1, n - 1, np.nan))
    out[C.STD_ERROR] = se
    out[C.CI_LOWER] = out["mean"] - q * se
    out[C.CI_UPPER] = out["mean"] + q * se
    return out


def outcome_table(trial: Trial, summary: pd.DataFrame | None = None,
                  decimals: int = 2) -> pd.DataFrame:
    """Outcome by visit: one row per visit, and per arm ``n``, ``mean (SD)`` and change.

    Parameters
    ----------
    trial : Trial
    summary : DataFrame, optional
        Output of :func:`outcome_summary` (computed when not given).
    decimals : int
        Decimals of means and SDs.

    Returns
    -------
    DataFrame
        ``Visit``, then for each arm ``<arm> n`` and ``<arm> mean (SD)``.
    """
    s = outcome_summary(trial) if summary is None else summary
    visits = list(dict.fromkeys(s[C.VISIT].astype(str)))
    table = pd.DataFrame({"Visit": [_visit_label(trial, v) for v in visits]})
    for a in trial.arms:
        mine = s[s[C.ARM].astype(str) == a]
        mine = mine.set_index(mine[C.VISIT].astype(str).to_numpy()).reindex(visits)
        table[f"{a} n"] = [str(int(v)) if v == v else "0" for v in mine[C.N]]
        table[f"{a} mean (SD)"] = [
            f"{format_number(m, decimals)} ({format_number(sd, decimals)})"
            for m, sd in zip(mine["mean"], mine["sd"], strict=True)]
    return table


def missingness_table(trial: Trial, summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Observed and missing values per visit and arm among analysed subjects.

    Returns
    -------
    DataFrame
        ``Visit``, then for each arm ``<arm> observed`` and ``<arm> missing`` (counts), baseline
        first.
    """
    s = trial.summary() if summary is None else summary
    visits = list(dict.fromkeys(s[C.VISIT].astype(str)))
    table = pd.DataFrame({"Visit": [_visit_label(trial, v) for v in visits]})
    for a in trial.arms:
        mine = s[s[C.ARM].astype(str) == a]
        mine = mine.set_index(mine[C.VISIT].astype(str).to_numpy()).reindex(visits)
        table[f"{a} observed"] = mine[C.N].fillna(0).astype(int).to_numpy()
        table[f"{a} missing"] = mine["n_missing"].fillna(0).astype(int).to_numpy()
    return table


# ---- MMRM primary analysis ------------------------------------------------------------------
def lsmeans_table(lsmeans: pd.DataFrame, arms: Sequence[str], conf_level: float = 0.95,
                  decimals: int = 2) -> pd.DataFrame:
    """LS means of change by visit: one row per visit, per arm ``LS mean (SE)`` and the CI.

    Parameters
    ----------
    lsmeans : DataFrame
        ``arm, visit, estimate, std_error, ..., ci_lower, ci_upper`` (``MMRMResult.lsmeans``).
    arms : sequence of str
        Arms in column order (control first).
    """
    visits = list(dict.fromkeys(lsmeans[C.VISIT].astype(str)))
    table = pd.DataFrame({"Visit": visits})
    level = f"{conf_level:.0%} CI"
    for a in arms:
        mine = lsmeans[lsmeans[C.ARM].astype(str) == a]
        mine = mine.set_index(mine[C.VISIT].astype(str).to_numpy()).reindex(visits)
        table[f"{a} LS mean (SE)"] = [
            f"{format_number(e, decimals)} ({format_number(se, decimals)})"
            for e, se in zip(mine[C.ESTIMATE], mine[C.STD_ERROR], strict=True)]
        table[f"{a} {level}"] = [format_ci(lo, hi, decimals) for lo, hi in
                                 zip(mine[C.CI_LOWER], mine[C.CI_UPPER], strict=True)]
    return table


def contrast_table(contrasts: pd.DataFrame, conf_level: float = 0.95,
                   decimals: int = 2) -> pd.DataFrame:
    """Treatment differences (active - control) per visit: estimate, SE, df, CI and p.

    Parameters
    ----------
    contrasts : DataFrame
        ``arm, visit, control, estimate, std_error, df, statistic, p_value, ci_lower,
        ci_upper`` (``MMRMResult.contrasts`` with the control added).
    """
    return pd.DataFrame({
        "Visit": contrasts[C.VISIT].astype(str).to_numpy(),
        "Comparison": [f"{a} \u2212 {c}" for a, c in
                       zip(contrasts[C.ARM].astype(str), contrasts["control"], strict=True)],
        "Difference": [format_number(v, decimals) for v in contrasts[C.ESTIMATE]],
        "SE": [format_number(v, decimals) for v in contrasts[C.STD_ERROR]],
        "df": [format_number(v, 1) for v in contrasts[C.DF]],
        f"{conf_level:.0%} CI": [format_ci(lo, hi, decimals) for lo, hi in
                                 zip(contrasts[C.CI_LOWER], contrasts[C.CI_UPPER], strict=True)],
        "p": [format_p(p) for p in contrasts[C.P_VALUE]],
    })


def covariance_table(covariance: pd.DataFrame, decimals: int = 2) -> pd.DataFrame:
    """The estimated visits x visits covariance matrix, with a ``Visit`` column first."""
    table = covariance.map(lambda v: format_number(float(v), decimals))
    table.insert(0, "Visit", [str(v) for v in covariance.index])
    return table.reset_index(drop=True)


def correlation_table(covariance: pd.DataFrame, decimals: int = 2) -> pd.DataFrame:
    """The correlation matrix implied by a covariance matrix (1 on the diagonal)."""
    s = covariance.to_numpy(dtype=float)
    d = np.sqrt(np.diag(s))
    corr = pd.DataFrame(s / np.outer(d, d), index=covariance.index, columns=covariance.columns)
    return covariance_table(corr, decimals)


def estimand_table(trial: Trial) -> pd.DataFrame:
    """The estimand of the primary analysis (ICH E9(R1) attributes), as ``Attribute, Value``."""
    last = trial.visits[-1]
    actives = ", ".join(trial.active_arms)
    rows = [
        ("Population", "Randomised subjects with a baseline and at least one post-baseline "
                       "value (the analysed subjects)"),
        ("Treatment", f"{actives} versus {trial.control}"),
        ("Variable", f"Change from baseline in {trial.outcome} at {last} (the last visit)"),
        ("Intercurrent events", "Dropout and missing visits: hypothetical strategy (as if "
                                "subjects had stayed on their arm), handled under missing at "
                                "random by the MMRM likelihood; no imputation"),
        ("Summary measure", f"Difference in LS means ({actives} \u2212 {trial.control}) at "
                            f"{last}, with 95% CI"),
    ]
    return pd.DataFrame(rows, columns=["Attribute", "Value"])


# ---- supportive analyses --------------------------------------------------------------------
_SUPPORTIVE_MEASURES = {
    "mmrm": "Difference in LS means",
    "ancova": "Difference in LS means",
    "welch": "Difference in means",
    "mann_whitney": "Hodges-Lehmann shift",
    "hedges_g": "Hedges' g",
}


def supportive_summary(results: Mapping[str, object], labels: Mapping[str, str],
                       primary: pd.DataFrame | None = None,
                       primary_n: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy rows of the supportive analyses: one per analysis x active arm at its visit.

    Parameters
    ----------
    results : mapping key -> ComparisonResult or None
        Keys of :data:`irtrial.report.analyses.SUPPORTIVE`; None (a failed analysis) is
        skipped. ``hedges_g`` keeps the ``measure == "hedges_g"`` row of ``effect_sizes``.
    labels : mapping key -> str
        Display name of each analysis.
    primary, primary_n : DataFrame, optional
        The MMRM contrast rows at the primary visit and ``arm, n``, shown first for reference.

    Returns
    -------
    DataFrame
        ``key, analysis, measure, visit, arm, control, estimate, ci_lower, ci_upper, p_value,
        n_active, n_control, note``; ``note`` says why a comparison could not be computed
        (its statistics are then NaN), None otherwise.
    """
    cols = ["key", "analysis", "measure", C.VISIT, C.ARM, "control", C.ESTIMATE, C.CI_LOWER,
            C.CI_UPPER, C.P_VALUE, "n_active", "n_control", "note"]
    rows = []
    if primary is not None:
        n = dict(zip(primary_n[C.ARM], primary_n[C.N], strict=True)) if primary_n is not None \
            else {}
        for r in primary.itertuples(index=False):
            rows.append(["mmrm", "MMRM (primary analysis)", _SUPPORTIVE_MEASURES["mmrm"],
                         str(r.visit), str(r.arm), str(r.control), r.estimate, r.ci_lower,
                         r.ci_upper, r.p_value, n.get(str(r.arm)), n.get(str(r.control)),
                         None])
    for key, res in results.items():
        if res is None:
            continue
        table = res.table
        if "measure" in table:
            table = table[table["measure"] == key]
        for r in table.itertuples(index=False):
            rows.append([key, labels[key], _SUPPORTIVE_MEASURES[key], str(r.visit), str(r.arm),
                         str(r.control), r.estimate, r.ci_lower, r.ci_upper, r.p_value,
                         int(r.n_active), int(r.n_control), getattr(r, "note", None)])
    return pd.DataFrame(rows, columns=cols)


def supportive_table(summary: pd.DataFrame, conf_level: float = 0.95,
                     decimals: int = 2) -> pd.DataFrame:
    """Display of :func:`supportive_summary`: analysis, estimate, CI, p and n per arm. A
    comparison that could not be computed shows ``"not computable"`` as its estimate (the
    reason is in the analysis notes)."""
    many = summary[C.ARM].nunique() > 1
    table = pd.DataFrame({"Analysis": summary["analysis"].to_numpy()})
    if many:
        table["Comparison"] = [f"{a} \u2212 {c}" for a, c in
                               zip(summary[C.ARM], summary["control"], strict=True)]
    table["Measure"] = summary["measure"].to_numpy()
    table["Estimate"] = [_estimate_or_not_computable(v, decimals) for v in summary[C.ESTIMATE]]
    table[f"{conf_level:.0%} CI"] = [format_ci(lo, hi, decimals) for lo, hi in
                                     zip(summary[C.CI_LOWER], summary[C.CI_UPPER], strict=True)]
    table["p"] = [format_p(p) for p in summary[C.P_VALUE]]
    table["n (active / control)"] = [
        "\u2013" if a is None or c is None or a != a or c != c else f"{int(a)} / {int(c)}"
        for a, c in zip(summary["n_active"], summary["n_control"], strict=True)]
    return table


# ---- responders -----------------------------------------------------------------------------
def responder_summary(result) -> pd.DataFrame:
    """Tidy responder comparison: one row per visit x definition x active arm.

    Parameters
    ----------
    result : ResponderResult
        From :func:`irtrial.responder_analysis`.

    Returns
    -------
    DataFrame
        ``visit, definition, arm, control, responders_active, n_active, percent_active,
        responders_control, n_control, percent_control, risk_difference, ci_lower, ci_upper``
        (Newcombe hybrid score interval, proportions), ``nnt, nnt_kind, nnt_label,
        p_value`` (Fisher's exact, two-sided), ``note`` (why a comparison could not be
        computed; its statistics are then NaN and ``nnt_label`` is ``"not computable"``).
    """
    rates = result.rates.assign(**{C.ARM: result.rates[C.ARM].astype(str),
                                   C.VISIT: result.rates[C.VISIT].astype(str)})
    rate = rates.set_index([C.VISIT, "definition", C.ARM])
    t = result.table.assign(**{C.VISIT: result.table[C.VISIT].astype(str),
                               C.ARM: result.table[C.ARM].astype(str)})
    rd = t[(t["measure"] == "risk_difference") & (t["method"] == "newcombe")]
    fisher = t[t["measure"] == "fisher_exact"].set_index([C.VISIT, "definition", C.ARM])
    nnt = result.nnt.assign(**{C.VISIT: result.nnt[C.VISIT].astype(str),
                               C.ARM: result.nnt[C.ARM].astype(str)})
    nnt = nnt.set_index([C.VISIT, "definition", C.ARM])
    rows = []
    for r in rd.itertuples(index=False):
        key, ckey = (r.visit, r.definition, r.arm), (r.visit, r.definition, str(r.control))
        a, c = rate.loc[key], rate.loc[ckey]
        rows.append({
            C.VISIT: r.visit, "definition": r.definition, C.ARM: r.arm,
            "control": str(r.control),
            "responders_active": int(a["n_responders"]), "n_active": int(a["n"]),
            "percent_active": float(a["percent"]),
            "responders_control": int(c["n_responders"]), "n_control": int(c["n"]),
            "percent_control": float(c["percent"]),
            "risk_difference": r.estimate, C.CI_LOWER: r.ci_lower, C.CI_UPPER: r.ci_upper,
            "nnt": float(nnt.loc[key, "nnt"]), "nnt_kind": str(nnt.loc[key, "nnt_kind"]),
            "nnt_label": str(nnt.loc[key, "label"]),
            C.P_VALUE: float(fisher.loc[key, C.P_VALUE]),
            "note": r.note if isinstance(r.note, str) and not np.isfinite(r.estimate) else None,
        })
    return pd.DataFrame(rows)


def _short_definition(name: str) -> str:
    """``"reduction >= 30%"`` -> ``"Reduction \u2265 30%"`` for display."""
    name = str(name).replace(">=", "\u2265").replace("<=", "\u2264")
    return name[:1].upper() + name[1:]


def responder_table(summary: pd.DataFrame, conf_level: float = 0.95) -> pd.DataFrame:
    """Display of :func:`responder_summary`: n/N (%) per arm, risk difference in percentage
    points with its CI, NNT and Fisher's p. Arm names head the columns when there is one
    active arm; otherwise a ``Comparison`` column is added."""
    one = summary[C.ARM].nunique() <= 1
    act = summary[C.ARM].iloc[0] if one and len(summary) else "Active"
    ctl = summary["control"].iloc[0] if len(summary) else "Control"
    table = pd.DataFrame({"Definition": [_short_definition(d) for d in summary["definition"]]})
    if not one:
        table["Comparison"] = [f"{a} vs {c}" for a, c in
                               zip(summary[C.ARM], summary["control"], strict=True)]

    def npct(k, n, pct):
        return [f"{int(a)}/{int(b)} ({p:.1f}%)" for a, b, p in zip(k, n, pct, strict=True)]

    table[f"{act} n/N (%)"] = npct(summary["responders_active"], summary["n_active"],
                                   summary["percent_active"])
    table[f"{ctl} n/N (%)"] = npct(summary["responders_control"], summary["n_control"],
                                   summary["percent_control"])
    table["Difference (% points)"] = [_estimate_or_not_computable(100 * v, 1)
                                     for v in summary["risk_difference"]]
    table[f"{conf_level:.0%} CI (Newcombe)"] = [
        format_ci(100 * lo, 100 * hi, 1)
        for lo, hi in zip(summary[C.CI_LOWER], summary[C.CI_UPPER], strict=True)]
    table["NNT"] = summary["nnt_label"].to_numpy()
    table["Fisher p"] = [format_p(p) for p in summary[C.P_VALUE]]
    return table
