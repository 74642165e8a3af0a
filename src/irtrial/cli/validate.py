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
    FileArg,
    FormatOpt,
    OutcomeOpt,
    ParamOpt,
    RangeOpt,
    SheetOpt,
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
    debug: DebugOpt = False,
) -> None:
    """Check a trial file: arms, visits, numbers, missing values and exclusions.

    Prints a summary when the data can be analysed. Otherwise lists every problem found
    (column, rows, subjects) and exits with code 2.
    """
    from irtrial.report import tables

    with user_errors(debug):
        trial = read_mapped_trial(
            file, subject=subject, arm=arm, visit=visit, outcome=outcome, baseline=baseline,
            control=control, covariates=covariate, visit_num=visit_num, visit_order=visit_order,
            arm_order=arm_order,
            baseline_visit=baseline_visit, baseline_flag=baseline_flag, outcome_range=range_,
            param=param, format=format_, sheet=sheet)
        n_rand, n_an = len(trial.subjects), int(trial.n_by_arm().sum())
        console.print(f"OK: {file}: {n_rand} subjects randomised, {n_an} analysed",
                      style="bold green", markup=False)
        print_frame(tables.study_table(trial), numeric_from=99)
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
