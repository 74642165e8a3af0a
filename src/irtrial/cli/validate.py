"""``irtrial validate FILE``: check a trial file, then summarise it or list its problems."""

from __future__ import annotations

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

__all__ = ["validate"]


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
    from irtrial.report import tables

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
        print_frame(tables.study_table(trial), numeric_from=99)
        if trial.covariate_types:
            console.print("Covariate types: " + ", ".join(
                f"{c} ({t})" for c, t in trial.covariate_types.items()), markup=False)
        console.print()
        print_frame(tables.arms_table(trial), title="Arms", numeric_from=2)
        console.print()
        print_frame(tables.missingness_table(trial), title="Values by visit (analysed subjects)")
        console.print()
        if len(trial.exclusions):
            print_frame(tables.exclusions_table(trial), title="Exclusions", numeric_from=3)
        else:
            console.print("Exclusions: none")
        for note in trial.notes:
            console.print(f"Note: {note}", markup=False)
