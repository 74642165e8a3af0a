"""Intercurrent events (ICE): which visits of each subject follow an ICE, and its strategy.

Default (as the rbmi vignettes derive ``data_ice``): a subject whose data stop before the last
visit (monotone dropout) has an ICE at the first visit after the last observed value; a subject
without any post-baseline value has it at the first visit. Missing values before the last
observed visit (intermittent) are missing at random. A user table ``subject, visit[, strategy]``
replaces the default: subjects not in it have no ICE (all their missing values are MAR).

The ICE is coded per subject as ``ice``, the index of the first visit it affects (``v``, the
number of visits, when there is none): visits ``t >= ice`` follow the ICE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.errors import Problem, TrialValidationError

__all__ = ["IceSpec", "default_ice", "ice_from_table"]


@dataclass(frozen=True, eq=False)
class IceSpec:
    """ICE visit index per subject and, optionally, a strategy fixed per subject.

    Attributes
    ----------
    ice : (n,) int array
        Index of the first visit after the ICE; ``v`` when the subject has no ICE.
    strategy : (n,) object array
        A strategy name fixed by the user's ICE table, or None (the analysis's strategy).
    source : str
        ``"default"`` or ``"table"``.
    """

    ice: np.ndarray
    strategy: np.ndarray
    source: str

    def post(self, v: int) -> np.ndarray:
        """(n, v) True at the visits that follow the ICE."""
        return np.arange(v)[None, :] >= self.ice[:, None]


def default_ice(y: np.ndarray) -> IceSpec:
    """ICE at the first visit after the last observed value (none when the last is observed).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([[1.0, 2.0, 3.0], [1.0, np.nan, np.nan], [np.nan, 2.0, np.nan],
    ...               [np.nan, np.nan, np.nan], [np.nan, 1.0, 2.0]])
    >>> default_ice(y).ice.tolist()
    [3, 1, 2, 0, 3]
    """
    y = np.asarray(y, dtype=float)
    n, v = y.shape
    obs = ~np.isnan(y)
    # last observed index + 1 (0 when nothing is observed)
    last = np.where(obs.any(axis=1), v - np.argmax(obs[:, ::-1], axis=1), 0)
    return IceSpec(ice=last.astype(np.int64), strategy=np.full(n, None, dtype=object),
                   source="default")


def ice_from_table(table: pd.DataFrame, subjects: np.ndarray, visits: tuple,
                   known_strategies) -> IceSpec:
    """An :class:`IceSpec` from a user table ``subject, visit[, strategy]``.

    Every problem (missing columns, unknown subjects or visits, a subject twice, an unknown
    strategy) is reported at once as a ``TrialValidationError``.
    """
    if not isinstance(table, pd.DataFrame):
        raise TrialValidationError(
            [Problem("ice must be a DataFrame with columns subject, visit and optionally "
                     f"strategy, not a {type(table).__name__}")]
        )
    missing = [c for c in (C.SUBJECT, C.VISIT) if c not in table.columns]
    if missing:
        raise TrialValidationError(
            [Problem("the ICE table needs the column(s) " + ", ".join(map(repr, missing))
                     + f"; it has {', '.join(map(str, table.columns))}")]
        )
    problems = []
    subj = table[C.SUBJECT].astype(str).to_numpy()
    vis = table[C.VISIT].astype(str).to_numpy()
    pos = {s: i for i, s in enumerate(subjects)}
    vpos = {str(v): i for i, v in enumerate(visits)}
    unknown = sorted({s for s in subj if s not in pos})
    if unknown:
        problems.append(Problem(f"{len(unknown)} subject(s) of the ICE table are not in the "
                                "analysis population", column=C.SUBJECT,
                                subjects=tuple(unknown)))
    bad_v = sorted({v for v in vis if v not in vpos})
    if bad_v:
        problems.append(Problem("unknown ICE visit(s) " + ", ".join(map(repr, bad_v))
                                + f"; post-baseline visits are {', '.join(map(str, visits))}",
                                column=C.VISIT))
    dup = pd.Series(subj)[pd.Series(subj).duplicated()].unique()
    if len(dup):
        problems.append(Problem("subjects with more than one ICE (one per subject is allowed, as "
                                "in rbmi)", column=C.SUBJECT, subjects=tuple(map(str, dup))))
    strat = np.full(len(subjects), None, dtype=object)
    if "strategy" in table.columns:
        given = table["strategy"]
        names = given.dropna().astype(str)
        bad_s = sorted(set(names) - set(known_strategies))
        if bad_s:
            problems.append(Problem("unknown strategy(ies) " + ", ".join(map(repr, bad_s))
                                    + " in the ICE table; known: "
                                    + ", ".join(known_strategies), column="strategy"))
    if problems:
        raise TrialValidationError(problems)
    ice = np.full(len(subjects), len(visits), dtype=np.int64)
    for i, (s, v) in enumerate(zip(subj, vis, strict=True)):
        ice[pos[s]] = vpos[v]
        if "strategy" in table.columns and pd.notna(table["strategy"].iloc[i]):
            strat[pos[s]] = str(table["strategy"].iloc[i])
    return IceSpec(ice=ice, strategy=strat, source="table")
