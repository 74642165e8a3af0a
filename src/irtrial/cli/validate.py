"""``irtrial validate FILE``: check a trial file, then summarise it or list its problems."""

from __future__ import annotations

from typing import TYPE_CHECKING

from irtrial import columns as C
from irtrial.cli._common import (
    ArmOpt,
    ArmOrderOpt,
    BaselineFlagOpt,
    BaselineOpt,
    BaselineVisitOpt,
    ControlOpt,
    CovariateOpt,
    DebugOpt,
    FactorOpt,
    FileArg,
    FormatOpt,
    NumericOpt,
    OutcomeOpt,
    ParamOpt,
    RangeOpt,
    SheetOpt,
    StrictOpt,
    SubjectOpt,
    VisitNumOpt,
    VisitOpt,
    VisitOrderOpt,
    console,
    print_frame,
    read_mapped_trial,
    user_errors,
)

__all__ = ["validate", "study_table", "arms_table", "missingness_table", "exclusions_table"]

if TYPE_CHECKING:
    import pandas as pd


def validate(
    file: FileArg,
    subject: SubjectOpt = None,
    arm: ArmOpt = None,
    visit: VisitOpt = None,
    outcome: OutcomeOpt = None,
    baseline: BaselineOpt = None,
    control: ControlOpt = None,
    covariate: CovariateOpt = None,
    visit_num: VisitNumOpt = None,
    visit_order: VisitOrderOpt = None,
    arm_order: ArmOrderOpt = None,
    baseline_visit: BaselineVisitOpt = None,
    baseline_flag: BaselineFlagOpt = None,
    range_: RangeOpt = None,
    param: ParamOpt = None,
    format_: FormatOpt = "long",
    sheet: SheetOpt = None,
    factor: FactorOpt = None,
    numeric: NumericOpt = None,
    strict: StrictOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Check a trial file: arms, visits, numbers, missing values and exclusions.

    Prints a summary when the data can be analysed, with a prominent WARNING line for a
    plausible but unusual reading (e.g. more than 10% of subjects left out; --strict makes it
    an error). Otherwise lists every problem found (column, file lines, subjects) and exits
    with code 2.
    """
    with user_errors(debug):
        trial = read_mapped_trial(
            file, subject=subject, arm=arm, visit=visit, outcome=outcome, baseline=baseline,
            control=control, covariates=covariate, visit_num=visit_num, visit_order=visit_order,
            arm_order=arm_order,
            baseline_visit=baseline_visit, baseline_flag=baseline_flag, outcome_range=range_,
            param=param, format=format_, sheet=sheet, categorical=factor, numeric=numeric,
            strict=strict)
        n_rand, n_an = len(trial.subjects), int(trial.n_by_arm().sum())
        head = "OK" if not trial.warnings else f"OK with {len(trial.warnings)} WARNING(S)"
        console.print(f"{head}: {file}: {n_rand} subjects randomised, {n_an} analysed",
                      style="bold green" if not trial.warnings else "bold yellow",
                      markup=False)
        for warning in trial.warnings:
            console.print(f"WARNING: {warning}", style="bold red", markup=False)
        print_frame(study_table(trial), numeric_from=99)

        console.print()
        print_frame(arms_table(trial), title="Arms", numeric_from=2)
        console.print()
        print_frame(missingness_table(trial), title="Values by visit (analysed subjects)")
        console.print()
        if len(trial.exclusions):
            print_frame(exclusions_table(trial), title="Exclusions", numeric_from=3)
        else:
            console.print("Exclusions: none")
        for note in trial.notes:
            console.print(f"Note: {note}", markup=False)


# ---- display tables (text cells; counting only, no statistics) ------------------------------
def _visit_label(trial, visit: str) -> str:
    is_base = visit == trial.baseline_visit or (trial.baseline_visit is None
                                                and visit not in trial.visits)
    return f"{visit} (baseline)" if is_base and "baseline" not in visit.lower() else visit


def study_table(trial) -> pd.DataFrame:
    """Source, outcome, arms, visits, covariates with their types, row accounting."""
    import pandas as pd

    rng = trial.outcome_range
    counts = dict(trial.row_counts)
    types = dict(getattr(trial, "covariate_types", {}) or {})
    covs = ", ".join(f"{c} ({types[c]})" if c in types else c for c in trial.covariates)
    rows = [
        ("Source", trial.source),
        ("Outcome", trial.outcome + (f" (range {rng[0]:g} to {rng[1]:g})" if rng else "")),
        ("Arms", ", ".join(trial.arms) + f" (control: {trial.control})"),
        ("Baseline visit", trial.baseline_visit or "none (baseline from a column)"),
        ("Post-baseline visits", f"{len(trial.visits)}: " + ", ".join(trial.visits)),
        ("Covariates", covs or "none"),
        ("Subjects randomised", str(len(trial.subjects))),
        ("Subjects analysed", str(int(trial.n_by_arm().sum()))),
    ]
    if counts:
        parts = [f"{counts.get(k, 0)} {k}" for k in ("analysed", "baseline", "excluded")
                 if k in counts]
        rows.append(("Input rows", f"{counts.get('input', '?')} = " + " + ".join(parts)))
        if counts.get("not_data"):
            rows.append(("Not data (left out)", f"{counts['not_data']} line(s): see the notes"))
        if counts.get("added_missing"):
            rows.append(("Missing visits added", f"{counts['added_missing']} (value missing)"))
    return pd.DataFrame(rows, columns=["Item", "Value"])


def arms_table(trial) -> pd.DataFrame:
    """Arms with their numbers randomised, excluded and analysed (control first)."""
    import pandas as pd

    arm = trial.subjects[C.ARM].astype(str)
    excluded = trial.subjects["excluded"].notna()
    return pd.DataFrame([{
        "Arm": a, "Role": "control" if a == trial.control else "active",
        "Randomised": int((arm == a).sum()), "Excluded": int(((arm == a) & excluded).sum()),
        "Analysed": int(((arm == a) & ~excluded).sum())} for a in trial.arms])


def missingness_table(trial) -> pd.DataFrame:
    """Observed and missing values per visit and arm among analysed subjects."""
    import pandas as pd

    s = trial.summary()
    visits = list(dict.fromkeys(s[C.VISIT].astype(str)))
    table = pd.DataFrame({"Visit": [_visit_label(trial, v) for v in visits]})
    for a in trial.arms:
        mine = s[s[C.ARM].astype(str) == a]
        mine = mine.set_index(mine[C.VISIT].astype(str).to_numpy()).reindex(visits)
        table[f"{a} observed"] = mine[C.N].fillna(0).astype(int).to_numpy()
        table[f"{a} missing"] = mine["n_missing"].fillna(0).astype(int).to_numpy()
    return table


def exclusions_table(trial) -> pd.DataFrame:
    """The exclusions log: who or which rows were left out, and why."""
    import pandas as pd

    ex = trial.exclusions
    return pd.DataFrame({
        "Subject": ["(rows)" if pd.isna(v) else str(v) for v in ex[C.SUBJECT]],
        "Arm": ["" if pd.isna(a) else str(a) for a in ex[C.ARM]],
        "Reason": ex["reason"].astype(str).to_numpy(),
        "Rows": ex["n_rows"].astype(int).to_numpy(),
    })
