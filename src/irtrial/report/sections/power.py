"""Section: power and sample size for a confirmatory trial, when the plan has a ``[power]``
table.

The design is the primary MMRM fit's (``TrialDesign.from_fit``: fitted means, covariance and
observed dropout). The section shows the number of subjects per arm for the target power by
the Lu, Luo & Chen (2008) formula (small-sample t version) and by simulating the MMRM
contrast at the last visit (smoothed power curve with its 95% interval), the simulated grid
and the power-curve figure. ``[power]`` keys: ``target`` (0.9), ``n_sim`` (500), ``seed``
(the plan's), ``alpha`` (0.05), ``n_grid``, ``jobs`` (1), ``scheduler``, ``simulate`` (true).
"""

from __future__ import annotations

import pandas as pd

from irtrial.errors import ModelSpecError
from irtrial.report.analyses import attempt
from irtrial.report.format import fmt
from irtrial.report.sections import FigureOut, Section, SectionOutput

__all__ = ["SECTION", "build"]

_KEYS = {"target", "n_sim", "seed", "alpha", "n_grid", "jobs", "scheduler", "simulate"}

TEMPLATE = """{% from "_macros.j2" import table, figure %}
<p class="lead">Subjects per arm a confirmatory trial needs for {{ s.target }} power to show
the treatment effect seen here ({{ s.effect }} at {{ s.visit }}), two-sided alpha
{{ s.alpha }}: <strong>{{ s.answer }}</strong></p>
{% for e in s.errors %}<div class="error" role="alert">{{ e }}</div>{% endfor %}
{% if tables.grid.rows %}{{ table(tables.grid, cls="nowrap") }}{% endif %}
{% for f in s.figure_names %}{{ figure(figures[f]) }}{% endfor %}
<h3>Methods</h3><p>{{ s.methods }}</p>
{% if s.notes %}<ul class="notes">{% for n in s.notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
"""


def _settings(raw) -> dict:
    bad = set(raw) - _KEYS
    if bad:
        raise ModelSpecError(f"[power]: unknown keys {sorted(bad)} (allowed: {sorted(_KEYS)})")
    return dict(raw)


def _run(inputs, cfg):
    from irtrial import power as pw
    from irtrial.synthetic import TrialDesign

    fit = inputs.fit
    design = TrialDesign.from_fit(fit, dropout="observed", arm="arm")
    target, alpha = float(cfg.get("target", 0.9)), float(cfg.get("alpha", 0.05))
    inp = pw.analytic_inputs(design)
    notes = inp.pop("notes")
    analytic = pw.mmrm(power=target, alpha=alpha, **inp)
    sample = None
    if cfg.get("simulate", True):
        sample = pw.sample_size(design, target, "mmrm", n_grid=cfg.get("n_grid"),
                                n_sim=int(cfg.get("n_sim", 500)),
                                seed=cfg.get("seed", inputs.plan.seed),
                                n_jobs=int(cfg.get("jobs", 1)),
                                scheduler=cfg.get("scheduler"), alpha=alpha,
                                covariance=fit.covariance_type, df=fit.df)
    return design, inp, notes, analytic, sample


def build(inputs) -> SectionOutput | None:
    from irtrial.power.figure import plot_power_curve
    from irtrial.power.output import result_dict

    plan = inputs.plan
    if plan is None or plan.power is None:
        return None
    errors: list[str] = []
    ctx = {"target": "", "effect": "", "visit": inputs.primary_visit, "alpha": "",
           "answer": "not computed", "errors": errors, "notes": [], "methods": "",
           "figure_names": []}
    cfg = attempt(lambda: _settings(plan.power))
    if cfg.ok and inputs.fit is None:
        errors.append(f"No primary MMRM fit: {inputs.primary.error}")
        return SectionOutput(context=ctx, results={"error": errors[0]})
    run = attempt(lambda: _run(inputs, cfg.result)) if cfg.ok else cfg
    if not run.ok:
        errors.append(run.error)
        return SectionOutput(context=ctx, results={"error": run.error})
    design, inp, notes, analytic, sample = run.result
    covs = [v for v in inputs.fit.design.numerics if v != "baseline"] + [
        f for f in inputs.fit.design.factors if f not in ("arm", inputs.fit.design.subject,
                                                           inputs.fit.design.visit)]
    if covs:
        notes = [f"the covariates of the primary model ({', '.join(covs)}) are not simulated: "
                 "their effect stays in the residual variance of the simulated trials, which "
                 "the simulated MMRM (change ~ baseline + arm * visit) does not adjust for"] + notes
    target = analytic.power
    ca, aa = analytic.n_required
    answer = (f"{ca} ({design.arms[0]}) and {aa} ({design.arms[1]}) by the formula "
              f"(n = {fmt(analytic.n, 2)})")
    rows, figures = [], []
    if sample is not None:
        lo, hi = sample.n_ci
        answer += (f"; {sample.n} and {sample.n_active} by simulation (n = "
                   f"{fmt(sample.n_exact, 2)}, 95% CI {fmt(lo, 2)} to {fmt(hi, 2)})")
        for r in sample.table.to_dict("records"):
            rows.append({"n (control)": str(r["n"]), "n (active)": str(r["n_active"]),
                         "Simulated power": fmt(r["power"], 3),
                         "95% MC interval": f"{fmt(r['ci_lower'], 3)} to "
                                            f"{fmt(r['ci_upper'], 3)}",
                         "Smoothed": fmt(r["smoothed_power"], 3),
                         "Formula": fmt(r["analytic_power"], 3),
                         "Failed fits": fmt(r["failure_rate"], 3)})
        notes += [n for n in sample.notes if n not in notes]

        def curve(n):
            from irtrial import power as pw

            return pw.mmrm(n=n, alpha=analytic.alpha, **inp).power

        ax = plot_power_curve(sample, analytic=curve)
        figures.append(FigureOut("power_curve", "Power against the control-arm size: "
                                 "simulated (points, 95% Monte Carlo intervals), smoothed "
                                 "(solid) and by the formula (dashed).", figure=ax.figure))
    sim = sample.simulation if sample is not None else None
    methods = ("The design is the primary MMRM's: its least-squares means by arm and visit, "
               "covariance matrix and the observed retention per arm and visit (as dropout "
               "hazards), the outcome simulated as continuous. The formula is Lu, Luo & Chen "
               "(2008) for the last-visit contrast with dropout, with a noncentral t on the "
               "expected completers.")
    if sim is not None:
        methods += (f" The simulation refits the MMRM ({sim.analysis}) to {sim.n_sim} trials "
                    f"per sample size (seed {sim.seed}); the sample sizes share their subjects "
                    "and a probit curve in the square root of n is solved for the target.")
    ctx.update({"target": f"{target:.0%}", "effect": fmt(inp["delta"], 3),
                "alpha": fmt(analytic.alpha, 3), "answer": answer, "notes": notes,
                "methods": methods, "figure_names": [f.name for f in figures]})
    return SectionOutput(context=ctx,
                         results=result_dict(sample=sample, analytic=analytic),
                         tables={"grid": pd.DataFrame(rows)}, figures=tuple(figures))


SECTION = Section(id="power", title="Power and sample size", order=95, build=build,
                  template=TEMPLATE)
