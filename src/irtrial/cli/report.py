"""``irtrial report FILE --out DIR``: render the HTML report and results.json of a trial file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    command_line,
    console,
    read_mapped_trial,
    user_errors,
)

__all__ = ["report"]


def report(
    ctx: typer.Context,
    file: FileArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("reports"),
    title: Annotated[str | None, typer.Option("--title", help="Title of the report.")] = None,
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
    """Render the trial report (self-contained HTML) and results.json into the --out folder.

    The page holds the data summary (study and file, arms and numbers analysed, CONSORT-style
    flow, exclusions log, outcome by visit), the MMRM primary analysis (estimand, LS means,
    treatment difference by visit, covariance), the supportive analyses at the last visit
    (ANCOVA, Welch, Mann-Whitney / Hodges-Lehmann, Hedges' g), the IMMPACT responder analysis
    with the cumulative responder curve, and provenance. An analysis that cannot be run shows
    its error message in its section.
    """
    from irtrial.report import write_report

    with user_errors(debug):
        trial = read_mapped_trial(
            file, subject=subject, arm=arm, visit=visit, outcome=outcome, baseline=baseline,
            control=control, covariates=covariate, visit_num=visit_num, visit_order=visit_order,
            arm_order=arm_order,
            baseline_visit=baseline_visit, baseline_flag=baseline_flag, outcome_range=range_,
            param=param, format=format_, sheet=sheet)
        path = write_report(trial, out, title=title, command=command_line(ctx))
        console.print(f"wrote {path}", markup=False)
