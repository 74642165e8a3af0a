"""The methods section, written from the fit actually used and the plan (never fixed text).

Every fact in the paragraphs comes from a value: the estimand from ``plan.estimand``, the model
terms and covariate types from the :class:`~irtrial.plan.PrimaryFit`, the covariance structure
and why it was used from ``fit.reason``, the estimation, df method and confidence level from the
fitted result's resolved options, the direction of benefit from ``plan.endpoint``, the
multiplicity, supportive, responder and sensitivity analyses from their plan sections, the seed
and the software versions from the running program.

Examples
--------
>>> from irtrial.synthetic import ir_wrap_trial
>>> from irtrial.plan import StudyPlan, fit_primary
>>> trial = ir_wrap_trial()
>>> plan = StudyPlan.from_options(covariance="CS", conf_level=0.9, outcome_range=(0, 10))
>>> paragraphs = methods_paragraphs(fit_primary(trial, plan), plan, trial)
>>> [p.split(":")[0] for p in paragraphs][:3]
['Estimand', 'Primary analysis', 'Multiplicity']
>>> "90% confidence intervals" in paragraphs[1], "compound symmetry" in paragraphs[1]
(True, True)
"""

from __future__ import annotations

import platform
from typing import TYPE_CHECKING

from irtrial.plan._names import DF_SAS

if TYPE_CHECKING:
    from irtrial.plan import PrimaryFit, StudyPlan
    from irtrial.trial import Trial

__all__ = ["methods_paragraphs", "methods_text", "DF_TEXT", "SUPPORTIVE_TEXT"]

#: df method -> how the methods text names it
DF_TEXT = {
    "kenward-roger": "the Kenward-Roger method",
    "kenward-roger-linear": "the Kenward-Roger method with the first-order (linear) "
                            "approximation",
    "satterthwaite": "the Satterthwaite approximation",
    "between-within": "the between-within method",
    "residual": "the residual method (observations minus fixed effects)",
}
_VCOV_TEXT = {
    "kenward-roger": "the Kenward-Roger adjusted covariance of the estimates",
    "kenward-roger-linear": "the Kenward-Roger adjusted covariance of the estimates "
                            "(first-order)",
    "asymptotic": "the model-based covariance of the estimates",
    "empirical": "the empirical (sandwich) covariance of the estimates",
}
#: supportive analysis -> its description (``{covariates}`` filled in)
SUPPORTIVE_TEXT = {
    "ancova": "analysis of covariance (ANCOVA) of the change from baseline with {covariates} "
              "as covariates",
    "welch": "Welch's t-test of the change from baseline",
    "mann_whitney": "the Mann-Whitney test with the Hodges-Lehmann shift and its confidence "
                    "interval",
    "within_arm": "the change from baseline within each arm (paired t-test and signed-rank "
                  "test)",
    "effect_sizes": "standardised effect sizes (Cohen's d and Hedges' g)",
    "mixed_anova": "an arm-by-visit mixed ANOVA on the subjects with complete data",
}
_MULTIPLICITY_TEXT = {
    "bonferroni": "the Bonferroni correction", "holm": "Holm's step-down procedure",
    "hochberg": "Hochberg's step-up procedure",
    "fixed-sequence": "a fixed testing sequence", "dunnett": "Dunnett's procedure",
}
_FAMILY_TEXT = {
    "arms": "the comparisons of each active arm with the control at the primary visit",
    "visits": "the comparisons at each visit",
    "arms x visits": "the comparisons of each active arm with the control at every visit",
}


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _covariate_text(fit: PrimaryFit) -> list[str]:
    out = []
    for name, kind in fit.covariate_types.items():
        if kind == "categorical":
            levels = fit.factor_levels.get(name, ())
            shown = f"; levels {', '.join(levels)}" if levels else ""
            out.append(f"{name} (categorical{shown})")
        else:
            out.append(f"{name} (numeric)")
    return out


def _estimand(plan: StudyPlan) -> str:
    e = plan.estimand
    ices = "; ".join(f"{i.event}: {i.strategy} strategy" for i in e.intercurrent_events)
    return (f"Estimand: (ICH E9(R1) attributes) treatment, {e.treatment}; population, "
            f"{e.population}; "
            f"variable, {e.variable}; intercurrent events, {ices or 'none stated'}; "
            f"population-level summary, {e.summary_measure}.")


def _primary(fit: PrimaryFit, plan: StudyPlan, trial: Trial) -> str:
    res = fit.result
    response = fit.formula.split("~")[0].strip()
    endpoint = plan.endpoint.label or plan.endpoint.name or trial.outcome
    what = f"the change from baseline in {endpoint}" if response == "change" else endpoint
    visits = [str(v) for v in fit.factor_levels.get("visit", trial.visits)]
    span = f"{len(visits)} post-baseline visits ({visits[0]} to {visits[-1]})" if len(
        visits) > 1 else f"one post-baseline visit ({visits[0]})"
    terms = ["the baseline value", *_covariate_text(fit), "treatment arm", "visit",
             "the arm-by-visit interaction",
             *[f"the {t.replace(':', '-by-')} interaction" for t in plan.primary.interactions]]
    method = ("restricted maximum likelihood (REML)" if res.method == "reml"
              else "maximum likelihood (ML)")
    conf = f"{100 * res.conf_level:.10g}%"
    active = _join([str(a) for a in trial.active_arms])
    direction = ("lower values are better, so a negative difference favours the active arm"
                 if plan.endpoint.lower_is_better else
                 "higher values are better, so a positive difference favours the active arm")
    cat = any(k == "categorical" for k in fit.covariate_types.values())
    num = any(k == "numeric" for k in fit.covariate_types.values())
    lsm = "LS means " + _join(
        [("average over the levels of the categorical covariates with equal weights"
          if cat else ""), "take the baseline" + (" and the numeric covariates" if num else "")
         + " at their mean"]) + "."
    return (
        f"Primary analysis: a mixed model for repeated measures (MMRM) of {what} at {span}, "
        f"with fixed effects for {_join(terms)} (SAS MODEL statement: {response} = baseline"
        + "".join(f" {c}" for c in fit.covariate_types) + " arm visit arm*visit). "
        f"The model was fitted by {method} to {res.n_obs} observations of {res.n_subjects} "
        "subjects, using every observed value; missing values are assumed missing at random "
        "(MAR) given the observed data and the model. "
        f"Within-subject covariance: {fit.reason} "
        f"Denominator degrees of freedom used {DF_TEXT[res.df]} (SAS DDFM={DF_SAS[res.df]}), "
        f"with {_VCOV_TEXT[res.vcov]}. "
        f"The treatment effect is the difference in least-squares (LS) mean "
        f"{'change from baseline' if response == 'change' else 'value'} between {active} and "
        f"{trial.control} at {fit.primary_visit}, with {conf} confidence intervals and "
        f"two-sided p-values; {direction}. {lsm}")


def _multiplicity(plan: StudyPlan, trial: Trial) -> str:
    m = plan.multiplicity
    k = len(trial.active_arms)
    if m.method == "none":
        if k == 1:
            return ("Multiplicity: none; one active arm is compared with the control at one "
                    "primary visit.")
        return (f"Multiplicity: no adjustment was pre-specified; the {k} comparisons with the "
                "control are reported unadjusted.")
    order = f" in the order {', '.join(m.order)}" if m.order else ""
    return (f"Multiplicity: {_MULTIPLICITY_TEXT[m.method]}{order} over "
            f"{_FAMILY_TEXT[m.family]}, at a familywise two-sided alpha of {m.alpha:g}.")


def _supportive(plan: StudyPlan, fit: PrimaryFit | None, visit: str) -> str:
    names = plan.supportive.analyses
    if not names:
        return "Supportive analyses: none pre-specified."
    covs = _join(["the baseline value", *(list(fit.covariate_types) if fit else
                                          list(plan.primary.covariates))])
    items = [SUPPORTIVE_TEXT[n].format(covariates=covs) for n in names]
    return f"Supportive analyses at {visit}, each active arm against the control: " \
           f"{'; '.join(items)}."


def _responders(plan: StudyPlan, visit: str) -> str:
    r = plan.responders
    if not r.definitions:
        return ("Responder analysis: none (the plan defines no responders"
                + ("" if plan.endpoint.is_pain_0_10 else
                   "; IMMPACT's definitions apply to 0-10 pain scales only") + ").")
    source = (" (IMMPACT's definitions for a 0-10 pain scale)" if r.source == "immpact"
              else "")
    missing = ("a subject without a value at the visit counts as a non-responder"
               if r.missing == "non-responder" else
               "subjects without a value at the visit are left out")
    return (f"Responder analysis at {visit}: {_join([d.label for d in r.definitions])}"
            f"{source}; {missing}. Responder rates were compared by the risk difference with "
            "Newcombe and Miettinen-Nurminen confidence intervals, the relative risk, the odds "
            "ratio and the number needed to treat.")


def _sensitivity(plan: StudyPlan) -> str:
    if not plan.sensitivity:
        return "Sensitivity analyses: none pre-specified in the plan."
    from irtrial.sensitivity.plan import describe  # the sensitivity module's own wording

    return "Sensitivity analyses: " + "; ".join(describe(s) for s in plan.sensitivity) + "."


def _software(plan: StudyPlan) -> str:
    from irtrial import __version__

    return (f"Software: irtrial {__version__} (Python {platform.python_version()}); every "
            f"random step used the seed {plan.seed}. SAS and R code that reproduce the primary "
            "analysis are given with the report.")


def methods_paragraphs(fit: PrimaryFit | None, plan: StudyPlan, trial: Trial) -> list[str]:
    """The methods section as paragraphs, each starting with its topic (``"Estimand: ..."``).

    ``fit`` None (the primary MMRM could not be fitted) leaves the primary paragraph out.
    """
    visit = str(plan.primary.primary_visit or trial.visits[-1])
    paragraphs = [_estimand(plan)]
    if fit is not None:
        paragraphs.append(_primary(fit, plan, trial))
    paragraphs += [
        _multiplicity(plan, trial),
        _supportive(plan, fit, str(plan.supportive.visit or visit)),
        _responders(plan, str(plan.responders.visit or visit)),
        _sensitivity(plan),
        _software(plan),
    ]
    return paragraphs


def methods_text(fit: PrimaryFit | None, plan: StudyPlan, trial: Trial) -> str:
    """:func:`methods_paragraphs` joined by blank lines (plain text)."""
    return "\n\n".join(methods_paragraphs(fit, plan, trial))
