"""``irtrial report FILE [--plan study.toml] --out DIR``: the pre-specified analysis, reported.

The study plan (``--plan``, see ``irtrial plan init``) says what to run; without one, the
options build it. Options given on the command line override the plan. The report itself is
:func:`irtrial.report` (HTML, PDF, results.json, tables, figures); this command only turns the
options into a :class:`~irtrial.plan.StudyPlan`, reads the data with the plan's mapping and
calls it.
"""

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
    DebugOpt,
    FileArg,
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
    command_line,
    console,
    user_errors,
)
from irtrial.cli.plan import (
    ConfLevelOpt,
    CovarianceOpt,
    DfOpt,
    DirectionOpt,
    ModelCovariateOpt,
    ModelFactorOpt,
    PrimaryVisitOpt,
    SeedOpt,
    TitleOpt,
)

__all__ = ["report", "plan_from_cli"]

PlanOpt = Annotated[Path | None, typer.Option(
    "--plan", help="Study plan (TOML; `irtrial plan init FILE` writes one). Options given "
    "here override it.", show_default=False)]
FormatOpt = Annotated[str | None, typer.Option(
    "--format", help="'long' (one row per subject x visit, the default) or 'wide'.",
    rich_help_panel="Column mapping")]


def plan_from_cli(plan_path: Path | None, **options: object):
    """The plan file with the options applied, or a plan from the options alone."""
    from irtrial.plan import StudyPlan, read_plan

    if plan_path is None:
        return StudyPlan.from_options(**options)
    return read_plan(plan_path).with_overrides(**options)


def report(
    ctx: typer.Context,
    file: FileArg,
    plan: PlanOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("reports"),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Write report.pdf too.")] = True,
    title: TitleOpt = None,
    covariate: ModelCovariateOpt = None,
    factor: ModelFactorOpt = None,
    numeric: NumericOpt = None,
    primary_visit: PrimaryVisitOpt = None,
    covariance: CovarianceOpt = None,
    df: DfOpt = None,
    conf_level: ConfLevelOpt = None,
    higher_is_better: DirectionOpt = None,
    seed: SeedOpt = None,
    subject: SubjectOpt = None,
    arm: ArmOpt = None,
    visit: VisitOpt = None,
    outcome: OutcomeOpt = None,
    baseline: BaselineOpt = None,
    control: ControlOpt = None,
    visit_num: VisitNumOpt = None,
    visit_order: VisitOrderOpt = None,
    arm_order: ArmOrderOpt = None,
    baseline_visit: BaselineVisitOpt = None,
    baseline_flag: BaselineFlagOpt = None,
    range_: RangeOpt = None,
    param: ParamOpt = None,
    format_: FormatOpt = None,
    sheet: SheetOpt = None,
    strict: StrictOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Run the pre-specified analysis of FILE and write the report into the --out folder.

    The primary MMRM (the plan's formula with its covariates, the first covariance structure of
    the fallback order that converges, the plan's df method and confidence level), the
    supportive, responder and sensitivity analyses of the plan, Table 1, the CONSORT diagram,
    figures, a methods paragraph, and SAS and R code that reproduce the primary analysis:
    report.html, report.pdf, results.json, tables/*.csv, figures/*. A bad plan or data file is
    one message and exit code 2.
    """
    job = None
    if pdf:  # WeasyPrint starts in its own process now, while the analyses are imported and run
        from irtrial.report.pdf import PDF_FILE, PdfJob

        job = PdfJob(Path(out) / PDF_FILE)
    from irtrial.plan import check_against_trial
    from irtrial.report import report as write_report
    from irtrial.trial import read_trial

    try:
        with user_errors(debug):
            study = plan_from_cli(
                plan, subject=subject, arm=arm, visit=visit, outcome=outcome,
                baseline=baseline, control=control, visit_num=visit_num, visit_order=visit_order,
                arm_order=arm_order, baseline_visit=baseline_visit,
                baseline_flag=baseline_flag,
                param=param, format=format_,
                sheet=int(sheet) if sheet is not None and sheet.isdigit() else sheet,
                strict=strict or None, outcome_range=range_, covariates=covariate,
                factors=factor, numerics=numeric, primary_visit=primary_visit,
                covariance=covariance, df=df, conf_level=conf_level,
                higher_is_better=higher_is_better, seed=seed, title=title)
            trial = read_trial(file, **study.read_kwargs())
            check_against_trial(study, trial)  # a plan naming unknown visits/columns: exit 2
            files = write_report(trial, study, out, pdf=job if job is not None else False,
                                 command=command_line(ctx))
            for path in (files.html, getattr(files, "pdf", None), files.results):
                if path is not None:
                    console.print(f"wrote {path}", markup=False)
    finally:
        if job is not None:
            job.cancel()  # only if the report failed before the PDF was written
