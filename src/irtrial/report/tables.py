"""Trial and results -> display tables for the report.

Each ``*_table`` function takes a :class:`~irtrial.trial.Trial` (later: analysis results) and
returns a :class:`pandas.DataFrame` ready to show: human column headers, numbers formatted as
strings, one row per line of the printed table. The numbers come from the trial or result
objects; nothing here fits a model. :func:`outcome_summary` is the one tidy (unformatted) table,
shared by the outcome table and the mean +/- CI figure so that both show the same numbers.

Examples
--------
>>> from irtrial.synthetic import ir_wrap_trial
>>> arms_table(ir_wrap_trial())
       Arm     Role  Randomised  Excluded  Analysed
0  Placebo  control          19         1        18
1       IR   active          21         0        21
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from irtrial import columns as C

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
    "format_number",
]


def format_number(x: float, decimals: int = 2) -> str:
    """Format a number for display; NaN and None become an en dash."""
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "\u2013"
    return f"{x:.{decimals}f}"


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
