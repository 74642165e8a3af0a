"""``irtrial plan init FILE > study.toml``: an annotated study plan for a data file.

The plan's mapping and column types are what ``read_trial`` found in the file (CDISC ADaM or
common names), written out for the user to confirm; ``--covariate`` puts a covariate into the
primary model, ``--factor`` declares it categorical.
"""

from __future__ import annotations

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
    FormatOpt,
    OutcomeOpt,
    ParamOpt,
    RangeOpt,
    SheetOpt,
    SubjectOpt,
    VisitNumOpt,
    VisitOpt,
    VisitOrderOpt,
    user_errors,
)

__all__ = ["plan_app", "init", "ModelCovariateOpt", "ModelFactorOpt", "PrimaryVisitOpt",
           "CovarianceOpt", "DfOpt", "ConfLevelOpt", "DirectionOpt", "SeedOpt", "TitleOpt"]

_MODEL = "Pre-specified analysis"

ModelCovariateOpt = Annotated[list[str] | None, typer.Option(
    "--covariate", help="Covariate in the primary model and the ANCOVA (as in a SAS MODEL "
    "statement); repeat for several.", rich_help_panel=_MODEL, show_default=False)]
ModelFactorOpt = Annotated[list[str] | None, typer.Option(
    "--factor", help="Covariate read as categorical (SAS CLASS, R factor()); it enters the "
    "model with --covariate. Repeat for several.", rich_help_panel=_MODEL, show_default=False)]
PrimaryVisitOpt = Annotated[str | None, typer.Option(
    "--primary-visit", help="The primary time point (default: the last visit).",
    rich_help_panel=_MODEL)]
CovarianceOpt = Annotated[list[str] | None, typer.Option(
    "--covariance", help="Covariance structure (UN, CS, CSH, AR(1), ARH(1), TOEP, TOEPH, "
    "ANTE(1)); repeat for a fallback order (default UN, TOEPH, ARH(1), CS).",
    rich_help_panel=_MODEL, show_default=False)]
DfOpt = Annotated[str | None, typer.Option(
    "--df", help="Denominator df: KR (default), KR(FIRSTORDER), SATTERTHWAITE, BW, RESIDUAL.",
    rich_help_panel=_MODEL)]
ConfLevelOpt = Annotated[float | None, typer.Option(
    "--conf-level", help="Confidence level of every interval (default 0.95).",
    rich_help_panel=_MODEL)]
DirectionOpt = Annotated[bool | None, typer.Option(
    "--higher-is-better/--lower-is-better", help="Which values of the endpoint are better "
    "(default: lower, as for pain).", rich_help_panel=_MODEL, show_default=False)]
SeedOpt = Annotated[int | None, typer.Option(
    "--seed", help="Seed of every random step.", rich_help_panel=_MODEL)]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Title of the report.",
                                              rich_help_panel=_MODEL)]

plan_app = typer.Typer(name="plan", help="Study plans (the pre-specified analysis).",
                       no_args_is_help=True)


@plan_app.command("init")
def init(
    file: FileArg,
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
    format_: FormatOpt = "long",
    sheet: SheetOpt = None,
    covariate: ModelCovariateOpt = None,
    factor: ModelFactorOpt = None,
    primary_visit: PrimaryVisitOpt = None,
    covariance: CovarianceOpt = None,
    df: DfOpt = None,
    conf_level: ConfLevelOpt = None,
    higher_is_better: DirectionOpt = None,
    seed: SeedOpt = None,
    title: TitleOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Write an annotated study plan (TOML) for FILE to standard output.

    The column mapping, arms, visits, subject-level covariates and their types found in the
    file are written out explicitly: confirm each line, then run
    ``irtrial report FILE --plan study.toml --out DIR``.
    """
    from irtrial.plan import StudyPlan
    from irtrial.plan.template import candidate_covariates, plan_template
    from irtrial.trial import read_trial
    from irtrial.trial.io import read_table

    with user_errors(debug):
        options = dict(
            subject=subject, arm=arm, visit=visit, outcome=outcome, baseline=baseline,
            control=control, visit_num=visit_num, visit_order=visit_order,
            arm_order=arm_order, baseline_visit=baseline_visit, baseline_flag=baseline_flag,
            param=param, format=format_, sheet=int(sheet) if sheet and sheet.isdigit()
            else sheet, outcome_range=range_, covariates=covariate, factors=factor,
            primary_visit=primary_visit, covariance=covariance, df=df,
            conf_level=conf_level, higher_is_better=higher_is_better, seed=seed, title=title)
        plan = StudyPlan.from_options(**options)
        trial = read_trial(file, **plan.read_kwargs())
        candidates: list[str] = []
        if format_ == "long":
            frame, _ = read_table(file, plan.data.sheet)
            candidates = candidate_covariates(frame, trial)
            extra = [c for c in candidates if c not in trial.covariates]
            if extra:  # read every subject-level column, to write its type out
                trial = read_trial(file, **{**plan.read_kwargs(), "covariates": (
                    *trial.covariates, *extra)})
        types = dict(trial.covariate_types)
        s = trial.schema
        found = {role: getattr(s, role) for role in ("subject", "arm", "visit", "visit_num",
                                                     "outcome", "baseline", "baseline_flag")
                 if getattr(s, role) is not None and options.get(role) is None
                 and not (format_ == "wide" and role in ("visit", "visit_num", "outcome"))}
        plan = plan.with_overrides(
            **found, control=trial.control, arm_order=list(trial.arms),
            baseline_visit=trial.baseline_visit,
            primary_visit=primary_visit or str(trial.visits[-1]))
        mapping = plan.to_dict()
        read = list(dict.fromkeys([*mapping["data"].get("covariates", []), *types]))
        mapping["data"]["covariates"] = read
        mapping["data"]["categorical"] = [c for c in types if types[c] == "categorical"]
        mapping["data"]["numeric"] = [c for c in types if types[c] == "numeric"]
        if trial.outcome_range is not None:
            mapping["endpoint"]["range"] = list(trial.outcome_range)
        if "label" not in mapping["endpoint"] and trial.outcome != s.outcome:
            mapping["endpoint"]["label"] = str(trial.outcome)  # ADaM PARAM
        del mapping["estimand"]  # the default wording, now with the endpoint and the visit
        plan = StudyPlan.from_mapping(mapping, defaults=True)
        typer.echo(plan_template(plan, trial, candidates), nl=False)
