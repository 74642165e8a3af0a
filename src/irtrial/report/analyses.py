"""Run the report's analyses, turning an irtrial error into a message rather than a crash.

The report shows three analysis sections: the MMRM primary analysis, the supportive analyses at
the last visit and the IMMPACT responder analysis. Each analysis is run once here, through
:func:`attempt`, which keeps either the result or the message of the
:class:`~irtrial.errors.IrtrialError` it raised (and any warning it emitted), so one failing
analysis never stops the report. Nothing here formats numbers (that is
:mod:`irtrial.report.tables`) or fits anything by itself (that is :mod:`irtrial.mmrm` and
:mod:`irtrial.analysis`).

Examples
--------
>>> from irtrial.synthetic import ir_wrap_trial
>>> primary = primary_analysis(ir_wrap_trial())
>>> primary.error is None, primary.primary_visit
(True, 'Week 6')
>>> from irtrial.errors import InsufficientDataError
>>> def too_small():
...     raise InsufficientDataError("arm IR has 1 subject")
>>> attempt(too_small).error
'InsufficientDataError: arm IR has 1 subject'
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd

from irtrial import columns as C
from irtrial.errors import IrtrialError

if TYPE_CHECKING:
    from irtrial.trial import Trial

__all__ = [
    "Attempt",
    "PrimaryAnalysis",
    "attempt",
    "primary_analysis",
    "supportive_analyses",
    "responder_analyses",
    "SUPPORTIVE",
]


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
                           warnings=tuple(str(w.message) for w in caught))
    return Attempt(result=result, warnings=tuple(dict.fromkeys(str(w.message) for w in caught)))


@dataclass(frozen=True)
class PrimaryAnalysis:
    """The MMRM primary analysis as the report shows it.

    Attributes
    ----------
    fit : MMRMResult or None
    lsmeans : DataFrame or None
        ``fit.lsmeans("arm", by="visit")``.
    contrasts : DataFrame or None
        ``fit.contrasts("arm", control=trial.control, by="visit")`` with a ``control`` column.
    primary_visit : str
        The last post-baseline visit (the primary time point).
    n_by_arm : DataFrame
        ``arm, n`` subjects contributing at least one change from baseline.
    error : str or None
        Message of the irtrial error raised by the fit or its inference.
    warnings : tuple of str
    """

    fit: Any
    lsmeans: pd.DataFrame | None
    contrasts: pd.DataFrame | None
    primary_visit: str
    n_by_arm: pd.DataFrame
    error: str | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def primary(self) -> pd.DataFrame | None:
        """The contrast rows at the primary visit (one per active arm)."""
        if self.contrasts is None:
            return None
        rows = self.contrasts[self.contrasts[C.VISIT].astype(str) == self.primary_visit]
        return rows.reset_index(drop=True)


def _mmrm_n_by_arm(trial: Trial) -> pd.DataFrame:
    data = trial.data
    used = data[data[C.CHANGE].notna()]
    counts = used.groupby(used[C.ARM].astype(str), sort=False)[C.SUBJECT].nunique()
    return pd.DataFrame({C.ARM: list(trial.arms),
                         C.N: [int(counts.get(a, 0)) for a in trial.arms]})


def primary_analysis(trial: Trial, conf_level: float = 0.95) -> PrimaryAnalysis:
    """Fit ``irtrial.mmrm(trial)`` (change ~ baseline + arm*visit, UN, REML, Kenward-Roger)
    and take its LS means and treatment differences by visit."""
    from irtrial.mmrm import mmrm

    def run():
        fit = mmrm(trial, conf_level=conf_level)
        lsm = fit.lsmeans(C.ARM, by=C.VISIT)
        con = fit.contrasts(C.ARM, control=trial.control, by=C.VISIT)
        return fit, lsm, con

    done = attempt(run)
    fit, lsm, con = done.result if done.ok else (None, None, None)
    return PrimaryAnalysis(fit=fit, lsmeans=lsm, contrasts=con,
                           primary_visit=str(trial.visits[-1]), n_by_arm=_mmrm_n_by_arm(trial),
                           error=done.error, warnings=done.warnings)


#: the supportive analyses at the last visit: key -> (label, function name in irtrial.analysis)
SUPPORTIVE: dict[str, tuple[str, str]] = {
    "ancova": ("ANCOVA, change ~ baseline + arm", "ancova"),
    "welch": ("Welch t-test", "welch_test"),
    "mann_whitney": ("Mann-Whitney U test", "mann_whitney"),
    "hedges_g": ("Standardised effect size", "effect_sizes"),
}


def supportive_analyses(trial: Trial, conf_level: float = 0.95) -> dict[str, Attempt]:
    """Run each analysis of :data:`SUPPORTIVE` on the change from baseline at the last visit.

    An active arm that cannot be compared (e.g. one subject with a value) does not fail the
    analysis: its row has NaN statistics and a ``note``, which
    :func:`irtrial.report.tables.supportive_table` shows as ``"not computable"``; the
    analysis fails (an error message) only when no comparison at all can be computed."""
    from irtrial import analysis

    return {key: attempt(partial(getattr(analysis, name), trial, conf_level=conf_level))
            for key, (_, name) in SUPPORTIVE.items()}


def responder_analyses(trial: Trial, conf_level: float = 0.95) -> tuple[Attempt, Attempt]:
    """IMMPACT responder analysis and the cumulative responder curve at the last visit
    (default definitions; dropouts count as non-responders). A comparison with too few counted
    subjects is a ``"not computable"`` row, as in :func:`supportive_analyses`."""
    from irtrial.analysis import responder_analysis, responder_curve

    return (attempt(lambda: responder_analysis(trial, conf_level=conf_level)),
            attempt(lambda: responder_curve(trial)))
