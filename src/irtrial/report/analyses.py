"""Run the report's analyses once, as the plan says; an irtrial error becomes a message.

:class:`ReportInputs` is what every report section reads: the trial, the plan (a
:class:`~irtrial.plan.StudyPlan`; without one, a plan from the defaults of
:meth:`StudyPlan.from_options`), and, computed on first use and then shared, the primary MMRM
(:func:`irtrial.plan.fit_primary`, with its covariance fallback order), the supportive
analyses, the responder analysis and curve, the descriptive statistics and the residuals.
Each analysis runs through :func:`attempt`, which keeps either the result or the message of the
:class:`~irtrial.errors.IrtrialError` it raised (and the warnings it emitted), so one failing
analysis never stops the report. Nothing here formats numbers or draws.

Examples
--------
>>> from irtrial.synthetic import ir_wrap_trial
>>> inputs = ReportInputs(ir_wrap_trial())
>>> inputs.primary.ok, inputs.primary_visit, inputs.conf_level
(True, 'Week 6', 0.95)
>>> from irtrial.errors import InsufficientDataError
>>> def too_small():
...     raise InsufficientDataError("arm IR has 1 subject")
>>> attempt(too_small).error
'InsufficientDataError: arm IR has 1 subject'
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from irtrial import columns as C
from irtrial.errors import IrtrialError
from irtrial.report.format import visit_label

if TYPE_CHECKING:
    from irtrial.plan import StudyPlan
    from irtrial.trial import Trial

__all__ = ["Attempt", "ReportInputs", "SUPPORTIVE_LABELS", "attempt"]


@dataclass(frozen=True)
class Attempt:
    """The result of one analysis, or the message of the irtrial error it raised.

    Attributes
    ----------
    result : object or None
        The analysis result (None when it failed).
    error : str or None
        ``"<ErrorType>: <message>"`` when the analysis raised an :class:`IrtrialError`.
    warnings : tuple of str
        Messages of the warnings the analysis emitted.
    """

    result: Any = None
    error: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def attempt(fn: Callable[[], Any]) -> Attempt:
    """Call ``fn()``; keep its result, or the message of an irtrial error, and its warnings.

    Only :class:`~irtrial.errors.IrtrialError` is caught: any other exception is a bug and
    propagates.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fn()
        except IrtrialError as exc:
            return Attempt(error=f"{type(exc).__name__}: {exc}",
                           warnings=tuple(dict.fromkeys(str(w.message) for w in caught)))
    return Attempt(result=result, warnings=tuple(dict.fromkeys(str(w.message) for w in caught)))


#: supportive analyses of the plan -> how the report names them
SUPPORTIVE_LABELS: dict[str, str] = {
    "ancova": "ANCOVA",
    "welch": "Welch t-test",
    "mann_whitney": "Mann-Whitney U / Hodges-Lehmann",
    "effect_sizes": "Standardised effect size (Hedges' g)",
    "within_arm": "Within-arm change (paired t, signed rank)",
    "mixed_anova": "Mixed ANOVA (complete cases)",
}


def _default_plan(trial: Trial) -> StudyPlan:
    from irtrial.plan import StudyPlan

    return StudyPlan.from_options(outcome=trial.outcome, outcome_range=trial.outcome_range)


class ReportInputs:
    """The trial, the plan, and every analysis of the report, each computed once.

    Parameters
    ----------
    trial : Trial
    plan : StudyPlan, optional
        Default: :meth:`StudyPlan.from_options` for the trial's outcome and range (lower is
        better, IMMPACT responders on a 0-10 scale only; the plan's ``notes`` say so).
    command : str, optional
        The command line shown under Provenance.
    now : datetime, optional
        Time stamp (default now, UTC).
    title : str, optional
        Overrides the plan's title.
    """

    def __init__(self, trial: Trial, plan: StudyPlan | None = None, *, command: str | None = None,
                 now: datetime | None = None, title: str | None = None) -> None:
        self.trial = trial
        self.plan = _default_plan(trial) if plan is None else plan
        self.command = command
        self.now = datetime.now(UTC) if now is None else now
        self.title = title or self.plan.title or f"{self.endpoint_label}: trial report"

    # ---- facts from the plan ---------------------------------------------------------------
    @property
    def conf_level(self) -> float:
        return float(self.plan.primary.conf_level)

    @property
    def lower_is_better(self) -> bool:
        return bool(self.plan.endpoint.lower_is_better)

    @property
    def endpoint_label(self) -> str:
        ep = self.plan.endpoint
        return ep.label or (self.trial.outcome if ep.name in (None, "outcome") else ep.name)

    @property
    def units(self) -> str | None:
        return self.plan.endpoint.units

    @property
    def arms(self) -> tuple[str, ...]:
        return tuple(self.trial.arms)

    @cached_property
    def primary_visit(self) -> str:
        if self.primary.ok:
            return str(self.primary.result.primary_visit)
        return str(self.plan.primary.primary_visit or self.trial.last_visit)

    @cached_property
    def visit_column(self) -> str | None:
        return getattr(self.trial.schema, "visit", None)

    def visit(self, v: Any) -> str:
        """How a visit reads (``"Week 8"`` for visit 8 of a ``week`` column)."""
        return visit_label(v, self.visit_column)

    @cached_property
    def visit_labels(self) -> dict[str, str]:
        base = [self.trial.baseline_visit] if self.trial.baseline_visit else []
        return {str(v): self.visit(v) for v in [*base, *self.trial.visits]}

    # ---- analyses ----------------------------------------------------------------------------
    @cached_property
    def primary(self) -> Attempt:
        """:func:`irtrial.plan.fit_primary` (a :class:`~irtrial.plan.primary.PrimaryFit`)."""
        from irtrial.plan import fit_primary

        return attempt(lambda: fit_primary(self.trial, self.plan))

    @property
    def fit(self):
        """The primary MMRMResult, or None."""
        return self.primary.result.result if self.primary.ok else None

    @cached_property
    def type3(self) -> Attempt:
        return attempt(lambda: self.fit.type3()) if self.fit is not None else Attempt(
            error=self.primary.error)

    @cached_property
    def residuals(self) -> Attempt:
        from irtrial.report.residuals import scaled_residuals

        return attempt(lambda: scaled_residuals(self.fit)) if self.fit is not None else Attempt(
            error=self.primary.error)

    @cached_property
    def visit_summary(self) -> pd.DataFrame:
        from irtrial.analysis.descriptives import visit_summary

        return visit_summary(self.trial, conf_level=self.conf_level)

    @cached_property
    def baseline_table(self) -> pd.DataFrame:
        from irtrial.analysis.descriptives import baseline_table

        return baseline_table(self.trial, categorical=tuple(self.plan.data.categorical),
                              conf_level=self.conf_level)

    @property
    def supportive_visit(self) -> str:
        return str(self.plan.supportive.visit or self.primary_visit)

    @cached_property
    def supportive(self) -> dict[str, Attempt]:
        """Each analysis the plan lists, at the supportive visit, adjusted for the model's
        covariates where the analysis takes covariates (ANCOVA)."""
        from irtrial import analysis

        visit = self.supportive_visit
        level = self.conf_level
        covs = tuple(self.plan.primary.covariates)
        runs: dict[str, Callable[[], Any]] = {
            "ancova": lambda: analysis.ancova(self.trial, visit=visit, covariates=covs,
                                              conf_level=level),
            "welch": lambda: analysis.welch_test(self.trial, visit=visit, conf_level=level),
            "mann_whitney": lambda: analysis.mann_whitney(self.trial, visit=visit,
                                                          conf_level=level),
            "effect_sizes": lambda: analysis.effect_sizes(self.trial, visit=visit,
                                                          conf_level=level),
            "within_arm": lambda: analysis.within_arm(self.trial, visit=visit,
                                                      conf_level=level),
            "mixed_anova": lambda: analysis.mixed_anova(self.trial),
        }
        return {key: attempt(runs[key]) for key in self.plan.supportive.analyses if key in runs}

    @cached_property
    def supportive_rows(self) -> pd.DataFrame:
        """The comparisons of :attr:`supportive` as tidy rows, the MMRM first (shared by the
        supportive section and the forest plot)."""
        from irtrial.report.sections.supportive import supportive_rows

        return supportive_rows(self)

    @property
    def responder_visit(self) -> str:
        return str(self.plan.responders.visit or self.primary_visit)

    @cached_property
    def responder_definitions(self) -> list:
        return list(self.plan.responders.to_definitions())

    @cached_property
    def responders(self) -> Attempt | None:
        """The responder analysis of the plan's definitions (None when the plan has none)."""
        if not self.responder_definitions:
            return None
        from irtrial.analysis import responder_analysis

        return attempt(lambda: responder_analysis(
            self.trial, self.responder_definitions, visit=self.responder_visit,
            missing=self.plan.responders.missing, lower_is_better=self.lower_is_better,
            conf_level=self.conf_level))

    @cached_property
    def curve_kind(self) -> str:
        kinds = {d.kind for d in self.plan.responders.definitions}
        return "absolute" if kinds == {"absolute"} else "percent"

    @cached_property
    def responder_curve(self) -> Attempt | None:
        if not self.responder_definitions:
            return None
        from irtrial.analysis import responder_curve

        return attempt(lambda: responder_curve(
            self.trial, visit=self.responder_visit, kind=self.curve_kind,
            missing=self.plan.responders.missing, lower_is_better=self.lower_is_better))

    def n_by_arm(self) -> dict[str, int]:
        """Subjects contributing at least one change from baseline, per arm."""
        data = self.trial.data
        used = data[data[C.CHANGE].notna()]
        counts = used.groupby(used[C.ARM].astype(str), sort=False)[C.SUBJECT].nunique()
        return {a: int(counts.get(a, 0)) for a in self.arms}
