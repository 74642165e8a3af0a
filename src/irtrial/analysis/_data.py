"""Turn an analysis's input (a ``Trial`` or a long DataFrame with role arguments) into the
per-subject table of one visit, and account for every randomised subject left out.

Every comparison in :mod:`irtrial.analysis` goes through :func:`endpoint_data`, so that the
way a subject is included or excluded is decided in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from irtrial import columns as C
from irtrial.errors import InsufficientDataError, ModelSpecError

__all__ = ["EndpointData", "as_trial", "count_by_arm", "endpoint_data", "resolve_visits"]


def as_trial(data: Any, **roles: Any):
    """Return ``data`` as a :class:`irtrial.Trial`.

    A ``Trial`` is returned unchanged (``roles`` must then be empty); a DataFrame or a path is
    read with :func:`irtrial.read_trial` and the role arguments (``subject=``, ``arm=``,
    ``visit=``, ``outcome=``, ``baseline=``, ``control=``, ``covariates=`` ...), so validation
    and exclusions work the same way for every input.
    """
    from irtrial.trial import Trial, read_trial

    if isinstance(data, Trial):
        given = {k: v for k, v in roles.items() if v is not None}
        if given:
            raise ModelSpecError(
                "role arguments (" + ", ".join(sorted(given)) + ") apply to a DataFrame or a "
                "file; a Trial already knows its roles"
            )
        return data
    return read_trial(data, **{k: v for k, v in roles.items() if v is not None})


def resolve_visits(trial, visit: Any) -> list:
    """The visits to analyse: ``None`` -> the last visit; ``"all"`` -> every post-baseline visit;
    a label or a list of labels otherwise (each checked against the trial's visits)."""
    visits = list(trial.visits)
    if visit is None:
        return [visits[-1]]
    if isinstance(visit, str) and visit == "all":
        return visits
    wanted = list(visit) if isinstance(visit, (list, tuple)) else [visit]
    unknown = [v for v in wanted if v not in visits]
    if unknown:
        raise ModelSpecError(
            f"unknown visit(s) {unknown}; the trial's post-baseline visits are {visits}"
        )
    return wanted


@dataclass(frozen=True)
class EndpointData:
    """One row per analysed subject at one visit, and who was left out.

    Attributes
    ----------
    frame : DataFrame
        ``subject, arm, baseline, value, change, pct_change`` and the covariates, only subjects
        with a value at ``visit``. ``arm`` is an ordered Categorical, control first.
    visit : label
    control : str
    arms : tuple of str
        Control first.
    excluded : DataFrame
        ``subject, arm, reason``: every randomised subject not in ``frame``.
    """

    frame: pd.DataFrame
    visit: Any
    control: str
    arms: tuple
    excluded: pd.DataFrame

    @property
    def active_arms(self) -> tuple:
        return tuple(a for a in self.arms if a != self.control)

    def n_by_arm(self) -> pd.DataFrame:
        """``arm, n_randomised, n_analysed, n_excluded`` per arm."""
        return count_by_arm(self.frame, self.excluded, self.arms)

    def values(self, arm: str, variable: str = C.CHANGE) -> pd.Series:
        """The non-missing ``variable`` of one arm (``value``, ``change`` or ``pct_change``)."""
        s = self.frame.loc[self.frame[C.ARM] == arm, variable]
        return s.dropna()

    def require(self, variable: str = C.CHANGE, minimum: int = 2) -> None:
        """Raise :class:`InsufficientDataError` listing every arm with fewer than ``minimum``
        non-missing values of ``variable``."""
        short = [(a, len(self.values(a, variable))) for a in self.arms]
        short = [(a, n) for a, n in short if n < minimum]
        if short:
            listing = ", ".join(f"{a!r} has {n}" for a, n in short)
            raise InsufficientDataError(
                f"at visit {self.visit!r} the analysis of {variable!r} needs at least {minimum} "
                f"subjects per arm: {listing}"
            )


def count_by_arm(frame: pd.DataFrame, excluded: pd.DataFrame, arms) -> pd.DataFrame:
    """``arm, n_randomised, n_analysed, n_excluded``: rows of ``frame`` (analysed) and of
    ``excluded`` per arm, in the order of ``arms``."""
    analysed = frame.groupby(C.ARM, observed=False).size()
    n_excluded = excluded.groupby(C.ARM, observed=False).size()
    out = pd.DataFrame({"n_analysed": analysed, "n_excluded": n_excluded}).reindex(
        list(arms), fill_value=0
    )
    out = out.fillna(0).astype(int)
    out.insert(0, "n_randomised", out["n_analysed"] + out["n_excluded"])
    return out.rename_axis(C.ARM).reset_index()


def endpoint_data(trial, visit: Any, covariates: Sequence[str] = ()) -> EndpointData:
    """Per-subject table of ``trial`` at one ``visit`` (a label of ``trial.visits``).

    A randomised subject is excluded, with its reason, when the trial excluded it (e.g. no
    baseline), or when its value at ``visit`` is missing ("no value at <visit>").
    """
    data = trial.data
    at = data.loc[data[C.VISIT] == visit]
    cols = [C.SUBJECT, C.ARM, C.BASELINE, C.VALUE, C.CHANGE, C.PCT_CHANGE, *covariates]
    missing_cov = [c for c in covariates if c not in data.columns]
    if missing_cov:
        raise ModelSpecError(
            f"covariate(s) {missing_cov} not in the trial; its covariates are "
            f"{list(trial.covariates)}"
        )
    at = at[cols]
    has_value = at[C.VALUE].notna()
    if covariates:
        has_value &= at[list(covariates)].notna().all(axis=1)
    frame = at.loc[has_value].reset_index(drop=True)

    subjects = trial.subjects
    trial_excluded = subjects.loc[subjects["excluded"].notna(), [C.SUBJECT, C.ARM, "excluded"]]
    trial_excluded = trial_excluded.rename(columns={"excluded": "reason"})
    analysed_subjects = set(data[C.SUBJECT].unique())
    no_value = subjects.loc[
        subjects[C.SUBJECT].isin(analysed_subjects) & ~subjects[C.SUBJECT].isin(frame[C.SUBJECT]),
        [C.SUBJECT, C.ARM],
    ].assign(reason=f"no value at {visit}" + (" or a missing covariate" if covariates else ""))
    excluded = pd.concat([trial_excluded, no_value], ignore_index=True)
    arms = tuple(trial.arms)
    frame[C.ARM] = pd.Categorical(frame[C.ARM].astype(str), categories=list(arms), ordered=True)
    excluded[C.ARM] = pd.Categorical(
        excluded[C.ARM].astype(str), categories=list(arms), ordered=True
    )
    return EndpointData(
        frame=frame, visit=visit, control=trial.control, arms=arms, excluded=excluded
    )
