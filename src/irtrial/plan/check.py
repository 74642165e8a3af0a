"""Check a plan against the trial it analyses: visits, arms and covariates it names must exist.

A plan is validated on its own when it is read (:mod:`irtrial.plan.read`); what depends on the
data (a primary visit "Week 8" in a trial that ends at week 6, a covariate that was not read, a
fixed-sequence order naming an unknown arm) is checked here, every problem at once, with the
plan's keys.

Examples
--------
>>> from irtrial.synthetic import ir_wrap_trial
>>> from irtrial.plan import StudyPlan
>>> from irtrial.errors import PlanValidationError
>>> plan = StudyPlan.from_options(primary_visit="Week 8", covariates=["WEIGHT"])
>>> try:
...     check_against_trial(plan, ir_wrap_trial())
... except PlanValidationError as err:
...     for p in err.problems:
...         print(p.message[:72])
primary.primary_visit: 'Week 8' is not a post-baseline visit of the tria
primary.covariates: 'WEIGHT' is not a covariate of the trial (read: AGE,
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from irtrial.errors import PlanValidationError

if TYPE_CHECKING:
    from irtrial.plan.model import StudyPlan
    from irtrial.trial import Trial

__all__ = ["check_against_trial", "resolve_visit"]


def resolve_visit(label: str | None, trial: Trial) -> str:
    """The visit label (the last post-baseline visit when None)."""
    return str(trial.visits[-1]) if label is None else str(label)


def check_against_trial(plan: StudyPlan, trial: Trial) -> None:
    """Raise :class:`~irtrial.errors.PlanValidationError` listing every mismatch."""
    problems: list[str] = []
    visits = [str(v) for v in trial.visits]
    arms = [str(a) for a in trial.arms]
    shown = ", ".join(visits)
    for key, value in (("primary.primary_visit", plan.primary.primary_visit),
                       ("supportive.visit", plan.supportive.visit),
                       ("responders.visit", plan.responders.visit)):
        if value is not None and str(value) not in visits:
            problems.append(f"{key}: {value!r} is not a post-baseline visit of the trial "
                            f"({shown})")
    read = tuple(trial.covariates)
    for name in plan.primary.covariates:
        if name not in read or name not in trial.data.columns:
            problems.append(f"primary.covariates: {name!r} is not a covariate of the trial "
                            f"(read: {', '.join(read) or 'none'}); read it with "
                            "data.covariates")
    m = plan.multiplicity
    if m.method == "fixed-sequence":
        labels = arms if m.family == "arms" else visits
        what = "an active arm" if m.family == "arms" else "a post-baseline visit"
        for i, label in enumerate(m.order):
            if label not in labels or (m.family == "arms" and label == str(trial.control)):
                problems.append(f"multiplicity.order[{i}]: {label!r} is not {what} of the trial")
    if problems:
        raise PlanValidationError(problems, source=plan.source)
