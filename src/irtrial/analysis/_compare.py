"""Shared plumbing of the comparisons: visits x arms loops, and who was left out.

Each public comparison (``welch_test``, ``mann_whitney``, ``ancova`` ...) resolves its input
once with :func:`prepare`, loops over the visits it gets back, and builds its
:class:`~irtrial.analysis.result.ComparisonResult` from the per-visit counts collected here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.analysis._data import (
    EndpointData,
    as_trial,
    count_by_arm,
    endpoint_data,
    resolve_visits,
)
from irtrial.errors import InsufficientDataError, ModelSpecError

__all__ = [
    "VARIABLES",
    "ALTERNATIVES",
    "NOT_COMPUTABLE",
    "Prepared",
    "prepare",
    "check_options",
    "VisitData",
    "Attempts",
]

#: the text shown for a comparison that could not be computed (its statistics are NaN)
NOT_COMPUTABLE = "not computable"

#: outcome variables a comparison may analyse
VARIABLES = (C.CHANGE, C.PCT_CHANGE, C.VALUE)
ALTERNATIVES = ("two-sided", "less", "greater")

_UNDEFINED_REASON = {
    C.PCT_CHANGE: "percent change undefined (baseline 0)",
    C.CHANGE: "change missing",
    C.VALUE: "value missing",
}


def check_options(
    variable: str = C.CHANGE, conf_level: float = 0.95, alternative: str = "two-sided"
) -> None:
    """Raise one :class:`ModelSpecError` listing every invalid option."""
    problems = []
    if variable not in VARIABLES:
        problems.append(f"variable must be one of {list(VARIABLES)}, got {variable!r}")
    if not (isinstance(conf_level, (int, float)) and 0 < conf_level < 1):
        problems.append(f"conf_level must be a number strictly between 0 and 1, got {conf_level!r}")
    if alternative not in ALTERNATIVES:
        problems.append(f"alternative must be one of {list(ALTERNATIVES)}, got {alternative!r}")
    if problems:
        raise ModelSpecError("; ".join(problems))


@dataclass(frozen=True)
class VisitData:
    """One visit's endpoint data for one variable.

    ``frame`` keeps only the subjects whose ``variable`` is defined; ``excluded`` lists every
    randomised subject left out at this visit, with its reason.
    """

    visit: Any
    endpoint: EndpointData
    variable: str
    frame: pd.DataFrame
    excluded: pd.DataFrame

    @property
    def control(self) -> str:
        return self.endpoint.control

    @property
    def arms(self) -> tuple:
        return self.endpoint.arms

    @property
    def active_arms(self) -> tuple:
        return self.endpoint.active_arms

    def values(self, arm: str) -> np.ndarray:
        return self.frame.loc[self.frame[C.ARM] == arm, self.variable].to_numpy(float)

    def n_by_arm(self) -> pd.DataFrame:
        out = count_by_arm(self.frame, self.excluded, self.arms)
        out.insert(0, C.VISIT, self.visit)
        return out

    def shortage(self, arms: Sequence[str], minimum: int = 2) -> list[str]:
        """One reason per arm of ``arms`` with fewer than ``minimum`` values, e.g.
        ``"IR at Week 3: 1 subject with a value; at least 2 needed"``."""
        out = []
        for a in arms:
            n = len(self.values(a))
            if n < minimum:
                out.append(
                    f"{a} at {self.visit}: {n} subject{'' if n == 1 else 's'} with a value; "
                    f"at least {minimum} needed"
                )
        return out

    def insufficient(self, arms: Sequence[str], minimum: int = 2) -> InsufficientDataError | None:
        """:class:`InsufficientDataError` naming every arm of ``arms`` with < ``minimum``
        values (None when there is none)."""
        short = [(a, len(self.values(a))) for a in arms]
        short = [(a, n) for a, n in short if n < minimum]
        if not short:
            return None
        listing = ", ".join(f"arm {a!r} has {n}" for a, n in short)
        return InsufficientDataError(
            f"at visit {self.visit!r} the analysis of {self.variable!r} needs at least "
            f"{minimum} subjects per arm: {listing}"
        )

    def require(self, arms: Sequence[str], minimum: int = 2) -> None:
        """Raise :meth:`insufficient` when it is not None."""
        err = self.insufficient(arms, minimum)
        if err is not None:
            raise err


class Attempts:
    """The BY-group policy shared by every comparison: one comparison (a visit x active arm, or
    a visit x arm for within-arm tests) that cannot be computed does not stop the others.

    :meth:`run` computes one comparison, or -- when an arm it needs has fewer than ``minimum``
    values, or the computation raises :class:`InsufficientDataError` -- records why and returns
    None, so the caller writes a row with NaN statistics and ``note`` = the reason.
    :meth:`finish` raises :class:`InsufficientDataError` only when *nothing* was computed, with
    the message(s) a single failing comparison would have raised.
    """

    def __init__(self) -> None:
        self.computed = 0
        self._errors: list[str] = []
        self._notes: list[str] = []

    def skip(self, label: str, reason: str, error: Exception) -> None:
        """Record a comparison that cannot be computed (``label``: e.g. "Week 3, IR vs Placebo")."""
        self._notes.append(f"{label}: {NOT_COMPUTABLE} ({reason})")
        msg = str(error)
        if msg not in self._errors:
            self._errors.append(msg)

    def run(self, vd: VisitData, needs: Sequence[str], label: str, fn, minimum: int = 2):
        """``fn()``, or None (and the reason recorded) when it cannot be computed.

        Returns ``(result, note)``: ``note`` is None when computed."""
        short = vd.shortage(needs, minimum)
        if short:
            reason = "; ".join(short)
            self.skip(label, reason, vd.insufficient(vd.arms, minimum))
            return None, reason
        try:
            out = fn()
        except InsufficientDataError as exc:
            self.skip(label, str(exc), exc)
            return None, str(exc)
        self.computed += 1
        return out, None

    @property
    def notes(self) -> list[str]:
        return list(self._notes)

    def finish(self) -> None:
        """Raise when no comparison at all could be computed."""
        if self.computed == 0 and self._errors:
            raise InsufficientDataError("; ".join(self._errors))


@dataclass(frozen=True)
class Prepared:
    trial: Any
    visits: tuple[VisitData, ...]

    def n_by_arm(self) -> pd.DataFrame:
        return pd.concat([v.n_by_arm() for v in self.visits], ignore_index=True)

    def excluded(self) -> pd.DataFrame:
        frames = []
        for v in self.visits:
            ex = v.excluded.copy()
            ex.insert(0, C.VISIT, v.visit)
            frames.append(ex)
        out = pd.concat(frames, ignore_index=True)
        out[C.ARM] = out[C.ARM].astype(str)
        return out[[C.VISIT, C.SUBJECT, C.ARM, "reason"]]

    def notes(self) -> list[str]:
        """Notes on subjects whose variable is undefined (e.g. percent change at baseline 0)."""
        out = []
        for v in self.visits:
            undefined = v.excluded.loc[v.excluded["reason"] == _UNDEFINED_REASON[v.variable]]
            if len(undefined):
                subjects = ", ".join(map(str, undefined[C.SUBJECT]))
                out.append(
                    f"{v.visit}: {len(undefined)} subject(s) left out, "
                    f"{_UNDEFINED_REASON[v.variable]}: {subjects}"
                )
        return out


def _is_trial(data: Any) -> bool:
    from irtrial.trial import Trial

    return isinstance(data, Trial)


def prepare(
    data: Any,
    visit: Any = None,
    variable: str = C.CHANGE,
    covariates: Sequence[str] = (),
    roles: dict | None = None,
) -> Prepared:
    """Resolve the input and the visits, and split each visit's subjects into analysed and left
    out (with the reason; a subject whose ``variable`` is undefined, such as a percent change
    from a baseline of 0, is left out and reported, never divided by zero).

    ``roles`` go to :func:`irtrial.read_trial` when ``data`` is not a ``Trial``; because the
    analyses' ``visit=`` chooses the visit to analyse, the visit *column* is given as
    ``visit_column=``. The model ``covariates`` are also read as covariates of the trial.
    """
    roles = dict(roles or {})
    if "visit_column" in roles:
        roles["visit"] = roles.pop("visit_column")
    if covariates and not _is_trial(data):
        given = roles.get("covariates") or ()
        given = [given] if isinstance(given, str) else list(given)
        roles["covariates"] = given + [c for c in covariates if c not in given]
    trial = as_trial(data, **roles)
    out = []
    for v in resolve_visits(trial, visit):
        ed = endpoint_data(trial, v, covariates=tuple(covariates))
        frame = ed.frame
        undefined = frame[variable].isna()
        dropped = frame.loc[undefined, [C.SUBJECT, C.ARM]].assign(
            reason=_UNDEFINED_REASON[variable]
        )
        excluded = pd.concat([ed.excluded, dropped], ignore_index=True)
        excluded[C.ARM] = pd.Categorical(
            excluded[C.ARM].astype(str), categories=list(ed.arms), ordered=True
        )
        out.append(
            VisitData(
                visit=v,
                endpoint=ed,
                variable=variable,
                frame=frame.loc[~undefined].reset_index(drop=True),
                excluded=excluded,
            )
        )
    return Prepared(trial=trial, visits=tuple(out))
