"""``irtrial power``: n per arm for a target power, analytically and by simulation.

``--design design.toml`` reads a power design (see :mod:`irtrial.power.designs`; ``design =
"ir-wrap"`` names the shipped example); ``--from TRIALFILE`` fits the MMRM to a trial and
takes its means, covariance and observed dropout (``TrialDesign.from_fit``). Prints the
analytic answer (Lu, Luo & Chen 2008, small-sample t version) and the simulated one (a
smoothed power curve with its 95% interval), with a progress bar, and writes
``power.json`` and ``power.html`` (with the power-curve figure) to ``--out``.
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
    FormatOpt,
    OutcomeOpt,
    ParamOpt,
    RangeOpt,
    SheetOpt,
    SubjectOpt,
    VisitNumOpt,
    VisitOpt,
    VisitOrderOpt,
    abort,
    console,
    read_mapped_trial,
    user_errors,
)

__all__ = ["power"]

_RUN = "Simulation"


def power(
    design: Annotated[Path | None, typer.Option(
        "--design", help="Power design file (TOML); design = \"ir-wrap\" names the example.",
        show_default=False)] = None,
    from_: Annotated[Path | None, typer.Option(
        "--from", help="Trial file: fit the MMRM and use its means, covariance and observed "
        "dropout as the design.", show_default=False)] = None,
    target: Annotated[float | None, typer.Option(
        "--target", help="Target power [default: the file's, else 0.9].",
        rich_help_panel=_RUN, show_default=False)] = None,
    n_sim: Annotated[int | None, typer.Option(
        "--n-sim", help="Replicates per sample size [default: the file's, else 1000].",
        rich_help_panel=_RUN, show_default=False)] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Root seed (default: drawn and reported).", rich_help_panel=_RUN,
        show_default=False)] = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", help="joblib worker processes (-1: every core).",
        rich_help_panel=_RUN)] = 1,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Address of an existing Dask scheduler, tcp://host:port.",
        rich_help_panel=_RUN, show_default=False)] = None,
    n_grid: Annotated[list[int] | None, typer.Option(
        "--n", help="Control-arm size to simulate; repeat (default: 8 sizes around the "
        "analytic answer).", rich_help_panel=_RUN, show_default=False)] = None,
    alpha: Annotated[float | None, typer.Option(
        "--alpha", help="Two-sided significance level [default 0.05].", rich_help_panel=_RUN,
        show_default=False)] = None,
    covariance: Annotated[str, typer.Option(
        "--covariance", help="MMRM covariance structure (fit of --from and the simulated "
        "analysis).", rich_help_panel=_RUN)] = "us",
    df: Annotated[str, typer.Option(
        "--df", help="df method of the MMRM contrast.", rich_help_panel=_RUN)] = "satterthwaite",
    analytic_only: Annotated[bool, typer.Option(
        "--analytic-only", help="Only the analytic answer (no simulation).")] = False,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for power.json and "
                                      "power.html.")] = Path("power"),
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
    debug: DebugOpt = False,
) -> None:
    """Subjects per arm for a target power: analytic (Lu, Luo & Chen 2008) and simulated.

    Give --design FILE.toml or --from TRIALFILE (with the usual column mapping). The simulated
    analysis is the MMRM contrast at the last visit (change ~ baseline + arm * visit) unless
    the design file names another ([analysis] type = "ancova" or "responder").
    """
    from irtrial import power as pw
    from irtrial.power.designs import read_design

    with user_errors(debug):
        if (design is None) == (from_ is None):
            abort("give exactly one of --design FILE.toml and --from TRIALFILE")
        context: dict = {}
        if design is not None:
            spec = read_design(design)
            d, kind, options, settings = (spec.design, spec.analysis,
                                          dict(spec.analysis_options), dict(spec.settings))
            context["design"] = str(design)
        else:
            import irtrial
            from irtrial.synthetic import TrialDesign

            trial = read_mapped_trial(
                from_, subject=subject, arm=arm, visit=visit, outcome=outcome,
                baseline=baseline, control=control, visit_num=visit_num,
                visit_order=visit_order, arm_order=arm_order, baseline_visit=baseline_visit,
                baseline_flag=baseline_flag, outcome_range=range_, param=param,
                format=format_, sheet=sheet)
            fit = irtrial.mmrm(trial, covariance=covariance, df=df)
            d = TrialDesign.from_fit(fit, dropout="observed")
            kind, options, settings = "mmrm", {}, {}
            context["trial"] = str(from_)
            context["design from"] = (f"MMRM fit ({fit.formula}, {covariance}, {df}): fitted "
                                      "means, covariance and observed dropout; the outcome is "
                                      "simulated as continuous (no rounding or clipping)")
        if kind == "mmrm":
            options.setdefault("covariance", covariance)
            options.setdefault("df", df)
        tgt = target if target is not None else float(settings.get("target", 0.9))
        nsim = n_sim if n_sim is not None else int(settings.get("n_sim", 1000))
        sd = seed if seed is not None else settings.get("seed")
        a = alpha if alpha is not None else float(settings.get("alpha", 0.05))
        grid = n_grid or settings.get("n_grid")
        context.update({"arms": " vs ".join(reversed(d.arms[:2])), "target power": tgt,
                        "alpha (two-sided)": a})

        analytic = None
        if kind in ("mmrm", "ancova"):
            inp = pw.analytic_inputs(d)
            notes = inp.pop("notes")
            analytic = pw.mmrm(power=tgt, alpha=a, **inp)
            c, act = analytic.n_required
            console.print(f"Analytic (Lu, Luo & Chen 2008, t version): effect "
                          f"{inp['delta']:.4g} at the last visit, n per arm for "
                          f"{tgt:.0%} power = {analytic.n:.2f} -> {c} control, {act} active "
                          f"(total {c + act})", markup=False)
            for n in notes:
                console.print(f"  note: {n}", markup=False)
        sample = None
        if not analytic_only:
            sample = _simulate(pw, d, tgt, kind, options, grid, nsim, sd, jobs, scheduler, a)
            lo, hi = sample.n_ci
            console.print(f"Simulation ({sample.simulation.n_sim} replicates per n, seed "
                          f"{sample.simulation.seed}, {sample.simulation.backend}, "
                          f"{sample.simulation.elapsed:.1f} s): n per arm for {tgt:.0%} power "
                          f"= {sample.n_exact:.2f} (95% CI {lo:.2f} to {hi:.2f}) -> "
                          f"{sample.n} control, {sample.n_active} active (total "
                          f"{sample.n_total})", markup=False)
            if analytic is not None:
                agree = lo <= analytic.n <= hi
                console.print(("Agreement: the analytic n lies inside the simulation's 95% "
                               "interval") if agree else
                              ("Disagreement: the analytic n lies outside the simulation's "
                               "95% interval (small samples, bounded scale or MAR dropout "
                               "make the formula approximate; trust the simulation)"),
                              markup=False)
            from irtrial.cli._common import print_frame

            cols = ["n", "n_active", "power", "mc_se", "ci_lower", "ci_upper",
                    "failure_rate", "bias", "coverage", "analytic_power"]
            print_frame(sample.table[cols + ["smoothed_power"]].round(4),
                        title="Simulated power per control-arm size", numeric_from=0)
        _write(pw, out, sample, analytic, context, tgt, d)


def _simulate(pw, d, tgt, kind, options, grid, nsim, seed, jobs, scheduler, alpha):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("simulating", total=nsim)
        return pw.sample_size(d, tgt, kind, n_grid=grid, n_sim=nsim, seed=seed, n_jobs=jobs,
                              scheduler=scheduler, alpha=alpha,
                              progress=lambda k: bar.advance(task, k), **options)


def _write(pw, out, sample, analytic, context, tgt, d) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from irtrial.power.figure import plot_power_curve
    from irtrial.power.output import result_dict, write_outputs

    fig = None
    if sample is not None or analytic is not None:
        curve = None
        if analytic is not None:
            params = dict(analytic.parameters)

            def curve(n, a=analytic, p=params):
                inp = pw.analytic_inputs(d)
                inp.pop("notes")
                return pw.mmrm(n=n, alpha=a.alpha, **inp).power
        rng = None if sample is not None else (2.0, max(10.0, 2 * analytic.n))
        ax = plot_power_curve(sample, target=tgt, analytic=curve, n_range=rng)
        fig = ax.figure
    data = result_dict(sample=sample, analytic=analytic, context=context)
    jpath, hpath = write_outputs(out, data, fig)
    if fig is not None:
        plt.close(fig)
    console.print(f"wrote {jpath} and {hpath}", markup=False)
