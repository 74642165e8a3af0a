"""Input layer of the sensitivity analyses: a Trial -> one row per subject, one column per visit.

The population is every randomised subject with a baseline and an arm, as in R rbmi: subjects
without any post-baseline value (which ``read_trial`` leaves out of ``trial.data``) are taken
back from ``trial.subjects``, imputed and analysed, and a note says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.errors import InsufficientDataError, ModelSpecError, Problem, TrialValidationError

__all__ = ["SensitivityData", "as_trial", "build_data"]

#: reason ``read_trial`` gives to subjects it leaves out for lack of post-baseline values
NO_POST_BASELINE = "no post-baseline value"


@dataclass(frozen=True, eq=False)
class SensitivityData:
    """The analysis population on a subject x visit grid.

    Attributes
    ----------
    subjects : (n,) object array
    arm : (n,) int array
        Arm code, 0 = control, in ``arms`` order.
    arms, visits : tuple of str
    baseline : (n,) float array
    y : (n, v) float array
        The outcome (``outcome``), NaN where missing.
    covariates : DataFrame
        One row per subject, the covariate columns (empty frame without covariates).
    outcome : str
    notes : tuple of str
    """

    subjects: np.ndarray
    arm: np.ndarray
    arms: tuple[str, ...]
    visits: tuple[str, ...]
    baseline: np.ndarray
    y: np.ndarray
    covariates: pd.DataFrame
    outcome: str
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return len(self.subjects)

    @property
    def control(self) -> str:
        return self.arms[0]

    def long_frame(self, y: np.ndarray | None = None, index: np.ndarray | None = None,
                   arm: np.ndarray | None = None) -> pd.DataFrame:
        """Subjects ``index`` (default all, repeats allowed) x visits as a long frame.

        ``arm`` replaces the subjects' arm codes (e.g. by the reference arm).
        """
        index = np.arange(self.n) if index is None else np.asarray(index)
        y = self.y[index] if y is None else y
        v = len(self.visits)
        codes = self.arm[index] if arm is None else np.asarray(arm)
        frame = pd.DataFrame(
            {
                C.SUBJECT: np.repeat(self.subjects[index], v),
                C.VISIT: pd.Categorical(np.tile(self.visits, len(index)), categories=self.visits),
                C.ARM: pd.Categorical.from_codes(np.repeat(codes, v), categories=self.arms),
                C.BASELINE: np.repeat(self.baseline[index], v),
                self.outcome: np.asarray(y, dtype=float).reshape(-1),
            }
        )
        for name in self.covariates.columns:
            col = self.covariates[name].to_numpy()[index]
            frame[name] = np.repeat(col, v)
            if isinstance(self.covariates[name].dtype, pd.CategoricalDtype):
                frame[name] = pd.Categorical(
                    frame[name], categories=self.covariates[name].cat.categories
                )
        return frame


def as_trial(data, **roles):
    """A Trial from a Trial, a path or a DataFrame (with ``read_trial``'s role arguments)."""
    if hasattr(data, "subjects") and hasattr(data, "arms") and hasattr(data, "data"):
        if roles:
            raise ModelSpecError(
                "role arguments (" + ", ".join(sorted(roles)) + ") apply to a file or "
                "DataFrame, not to a Trial that is already read"
            )
        return data
    from irtrial.trial import read_trial

    return read_trial(data, **roles)


def build_data(trial, outcome: str = C.CHANGE) -> SensitivityData:
    """The population of a Trial on a subject x visit grid (see the module docstring)."""
    if outcome not in (C.CHANGE, C.VALUE):
        raise ModelSpecError(f"response must be 'change' or 'value', not {outcome!r}")
    visits = tuple(str(v) for v in trial.visits)
    arms = tuple(str(a) for a in trial.arms)
    subj = trial.subjects
    excluded = subj["excluded"]
    back = subj[excluded.astype(object).eq(NO_POST_BASELINE) & subj[C.BASELINE].notna()]
    analysed = subj[excluded.isna()]
    pop = pd.concat([analysed, back], ignore_index=True)
    pop = pop.sort_values(C.SUBJECT, kind="stable").reset_index(drop=True)
    covs = list(trial.covariates)
    problems = []
    for name in covs:
        bad = pop[C.SUBJECT][pop[name].isna()]
        if len(bad):
            problems.append(
                Problem(
                    f"covariate {name!r} is missing for {len(bad)} subject(s); the imputation "
                    "model needs every covariate of every subject (drop the covariate or fill it)",
                    column=name,
                    subjects=tuple(str(s) for s in bad),
                )
            )
    if problems:
        raise TrialValidationError(problems)
    subjects = pop[C.SUBJECT].astype(str).to_numpy(dtype=object)
    arm_codes = pd.Categorical(pop[C.ARM].astype(str), categories=arms).codes.astype(np.int64)
    d = trial.data
    wide = d.pivot_table(index=C.SUBJECT, columns=C.VISIT, values=outcome, aggfunc="first",
                         observed=False, dropna=False)
    wide.index = wide.index.astype(str)
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reindex(index=subjects, columns=list(visits))
    y = wide.to_numpy(dtype=float)
    baseline = pop[C.BASELINE].to_numpy(dtype=float)
    notes = []
    if len(back):
        notes.append(
            f"{len(back)} randomised subject(s) with a baseline but no post-baseline value "
            "(left out of the primary MMRM) are in the sensitivity population, as in rbmi: "
            "all their visits are imputed (" + ", ".join(back[C.SUBJECT].astype(str)) + ")"
        )
    counts = np.bincount(arm_codes, minlength=len(arms))
    if (counts < 2).any():
        raise InsufficientDataError(
            "every arm needs at least 2 subjects for the sensitivity analyses; "
            + ", ".join(f"{a}: {c}" for a, c in zip(arms, counts, strict=True))
        )
    cov_frame = pop[covs].reset_index(drop=True) if covs else pd.DataFrame(index=range(len(pop)))
    return SensitivityData(
        subjects=subjects,
        arm=arm_codes,
        arms=arms,
        visits=visits,
        baseline=baseline,
        y=y,
        covariates=cov_frame,
        outcome=outcome,
        notes=tuple(notes),
    )
