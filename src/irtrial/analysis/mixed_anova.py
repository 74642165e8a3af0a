"""The classical arm x visit mixed (split-plot) ANOVA that older trial reports give, through
pingouin, on complete cases only -- with the subjects it drops counted and named.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.analysis._data import as_trial, resolve_visits
from irtrial.analysis.result import ComparisonResult
from irtrial.errors import InsufficientDataError, IrtrialWarning, ModelSpecError

__all__ = ["mixed_anova"]


def _long_table(trial, visits: list, variable: str, include_baseline: bool) -> pd.DataFrame:
    """``subject, arm, visit, y`` for the chosen visits (baseline first when included)."""
    data = trial.data
    rows = data.loc[data[C.VISIT].isin(visits), [C.SUBJECT, C.ARM, C.VISIT, variable]]
    rows = rows.rename(columns={variable: "y"}).assign(
        **{C.VISIT: lambda d: d[C.VISIT].astype(str)}
    )
    order = [str(v) for v in visits]
    if include_baseline:
        label = str(trial.baseline_visit or "Baseline")
        subjects = trial.subjects.loc[trial.subjects["excluded"].isna()]
        base = pd.DataFrame(
            {
                C.SUBJECT: subjects[C.SUBJECT].to_numpy(),
                C.ARM: subjects[C.ARM].astype(str).to_numpy(),
                C.VISIT: label,
                "y": subjects[C.BASELINE].to_numpy(float),
            }
        )
        rows = pd.concat([base, rows.assign(**{C.ARM: rows[C.ARM].astype(str)})])
        order = [label, *order]
    rows[C.ARM] = rows[C.ARM].astype(str)
    arm_of = rows.drop_duplicates(C.SUBJECT).set_index(C.SUBJECT)[C.ARM]
    # one row per subject x visit, a missing visit explicit as NaN
    wide = rows.pivot(index=C.SUBJECT, columns=C.VISIT, values="y").reindex(columns=order)
    long = wide.stack(future_stack=True).rename("y").reset_index()
    long.insert(1, C.ARM, long[C.SUBJECT].map(arm_of))
    long[C.VISIT] = pd.Categorical(long[C.VISIT], categories=order, ordered=True)
    return long


def _check_error_variation(complete: pd.DataFrame) -> None:
    """Raise when an error stratum has no variation: its F tests would divide by zero
    (pingouin then returns F of order 1e16, even negative, and p-values of 1e-154)."""
    y = complete["y"].to_numpy(dtype=float)
    subj_mean = complete.groupby(C.SUBJECT, observed=True)["y"].transform("mean").to_numpy()
    arm_mean = complete.groupby(C.ARM, observed=True)["y"].transform("mean").to_numpy()
    cell_mean = complete.groupby([C.ARM, C.VISIT], observed=True)["y"].transform(
        "mean").to_numpy()
    scale = max(float(np.sum((y - y.mean()) ** 2)), float(np.max(np.abs(y), initial=0.0)) ** 2)
    tol = 1e-20 * max(scale, 1.0)
    between = float(np.sum((subj_mean - arm_mean) ** 2))  # subjects within arms
    within = float(np.sum((y - subj_mean - cell_mean + arm_mean) ** 2))  # visit x subject
    empty = [name for name, ss in (("between-subject", between), ("within-subject", within))
             if ss <= tol]
    if empty:
        raise InsufficientDataError(
            "the mixed ANOVA: the " + " and ".join(empty) + " error term(s) have no "
            "variation (every subject follows its arm's mean exactly), so the F tests are "
            "undefined"
        )


def mixed_anova(
    data: Any,
    *,
    visit: Any = "all",
    variable: str = C.VALUE,
    include_baseline: bool | None = None,
    **roles: Any,
) -> ComparisonResult:
    r"""Arm x visit mixed ANOVA (between: arm; within: visit) on complete cases.

    .. math::
        y_{ijk} = \mu + \alpha_i + \pi_{j(i)} + \tau_k + (\alpha\tau)_{ik} + \varepsilon_{ijk}

    for subject :math:`j` nested in arm :math:`i` at visit :math:`k`, with random subject
    effects :math:`\pi_{j(i)}`. The arm effect is tested against the subjects-within-arms
    mean square, visit and arm x visit against the residual mean square (sphericity
    assumed; pingouin also gives the Greenhouse-Geisser corrected p-value of the visit
    effect).

    The design needs every subject at every visit, so subjects with any missing visit are
    dropped (listwise deletion) -- explicitly here, and listed in ``excluded``. Under
    dropout this is biased unless data are missing completely at random: an
    :class:`~irtrial.errors.IrtrialWarning` says so whenever a randomised subject is left
    out, and the MMRM (``irtrial.mmrm``) is the valid analysis. The mixed ANOVA is offered
    because older trial reports (such as Gale 2006) give it.

    Parameters
    ----------
    data : Trial, DataFrame or path
        A :class:`irtrial.Trial`, or a long table read with ``read_trial(data, **roles)``
        (the visit column as ``visit_column=``).
    visit : "all" or list of labels
        Post-baseline visits to include (all by default).
    variable : {"value", "change", "pct_change"}
        The outcome; the raw value (default) as the older reports use.
    include_baseline : bool, optional
        Include the baseline visit as a level of ``visit``; default: yes for ``value``,
        no for change (which is 0 at baseline).

    Returns
    -------
    ComparisonResult
        ``table``: ``term`` (``arm``, ``visit``, ``arm:visit``), ``ss, num_df, den_df, ms,
        f_value, p_value`` (sphericity assumed), ``p_value_gg, epsilon_gg`` (visit only),
        ``partial_eta_sq``. ``tables["cell_means"]``: ``arm, visit, n, mean, sd``.

    Raises
    ------
    InsufficientDataError
        After listwise deletion an arm has fewer than 2 subjects.

    Notes
    -----
    SAS: ``PROC GLM; CLASS arm; MODEL y1-y7 = arm; REPEATED visit 7;``.
    R: ``aov(y ~ arm * visit + Error(subject / visit), data = complete_cases)``;
    pingouin: ``pg.mixed_anova(dv, within, subject, between)``.

    References
    ----------
    .. [1] Winer, B. J., Brown, D. R. & Michels, K. M. (1991). *Statistical Principles in
       Experimental Design*, 3rd ed., ch. 7. McGraw-Hill.
    .. [2] Mallinckrodt, C. H. et al. (2008). Recommendations for the primary analysis of
       continuous endpoints in longitudinal clinical trials. *Drug Inf. J.* 42, 303-319.
    .. [3] Vallat, R. (2018). Pingouin: statistics in Python. *JOSS* 3(31), 1026.

    Examples
    --------
    >>> import warnings
    >>> from irtrial.analysis import mixed_anova
    >>> from irtrial.synthetic.datasets import ir_wrap_trial
    >>> with warnings.catch_warnings(record=True):  # the MMRM warning: one placebo dropout
    ...     res = mixed_anova(ir_wrap_trial())
    >>> res.table[["term", "num_df", "den_df", "f_value"]].round(2)
            term  num_df  den_df  f_value
    0        arm     1.0    37.0    25.57
    1      visit     6.0   222.0    37.45
    2  arm:visit     6.0   222.0     7.73
    >>> res.excluded
      subject      arm                  reason
    0  IRW-14  Placebo  no post-baseline value
    """
    if variable not in (C.VALUE, C.CHANGE, C.PCT_CHANGE):
        raise ModelSpecError(f"variable must be value, change or pct_change, got {variable!r}")
    roles = dict(roles)
    if "visit_column" in roles:
        roles["visit"] = roles.pop("visit_column")
    trial = as_trial(data, **roles)
    visits = resolve_visits(trial, visit)
    if include_baseline is None:
        include_baseline = variable == C.VALUE
    long = _long_table(trial, visits, variable, include_baseline)

    incomplete = long.loc[long["y"].isna()].groupby(C.SUBJECT, observed=True)[C.VISIT]
    reasons = {s: "missing at " + ", ".join(map(str, v)) for s, v in incomplete}
    if variable == C.PCT_CHANGE:
        zero = trial.subjects.loc[trial.subjects[C.BASELINE] == 0, C.SUBJECT]
        reasons.update({s: "percent change undefined (baseline 0)" for s in zero if s in reasons})
    subjects = trial.subjects
    excluded = [
        {C.SUBJECT: s, C.ARM: str(a), "reason": str(r)}
        for s, a, r in subjects.loc[
            subjects["excluded"].notna(), [C.SUBJECT, C.ARM, "excluded"]
        ].itertuples(index=False)
    ]
    arm_of = long.drop_duplicates(C.SUBJECT).set_index(C.SUBJECT)[C.ARM]
    excluded += [
        {C.SUBJECT: s, C.ARM: arm_of[s], "reason": f"listwise deletion: {r}"}
        for s, r in reasons.items()
    ]
    excluded = pd.DataFrame(excluded, columns=[C.SUBJECT, C.ARM, "reason"])
    complete = long.loc[~long[C.SUBJECT].isin(reasons)].copy()

    arms = list(trial.arms)
    n_analysed = complete.drop_duplicates(C.SUBJECT).groupby(C.ARM).size()
    n_excl = excluded.groupby(C.ARM).size()
    n_by_arm = pd.DataFrame(
        {
            C.ARM: arms,
            "n_analysed": [int(n_analysed.get(a, 0)) for a in arms],
            "n_excluded": [int(n_excl.get(a, 0)) for a in arms],
        }
    )
    n_by_arm.insert(1, "n_randomised", n_by_arm["n_analysed"] + n_by_arm["n_excluded"])
    short = n_by_arm.loc[n_by_arm["n_analysed"] < 2]
    if len(short):
        listing = ", ".join(
            f"arm {a!r} has {n}" for a, n in zip(short[C.ARM], short["n_analysed"], strict=True)
        )
        raise InsufficientDataError(
            f"the mixed ANOVA needs at least 2 complete subjects per arm: {listing}"
        )

    notes = [
        "complete cases only (listwise deletion); sphericity-assumed F tests; "
        "Greenhouse-Geisser p-value for the visit effect"
    ]
    if len(excluded):
        msg = (
            f"mixed ANOVA left out {len(excluded)} randomised subject(s) "
            f"({', '.join(map(str, excluded[C.SUBJECT]))}); listwise deletion is biased "
            "unless data are missing completely at random -- the MMRM is the valid analysis "
            "under dropout"
        )
        warnings.warn(msg, IrtrialWarning, stacklevel=2)
        notes.append(msg)

    complete[C.VISIT] = complete[C.VISIT].astype(str)
    _check_error_variation(complete)
    import pingouin as pg  # imported here: it costs ~0.5 s at `import irtrial`

    aov = pg.mixed_anova(
        data=complete, dv="y", within=C.VISIT, subject=C.SUBJECT, between=C.ARM, correction=True
    )
    table = pd.DataFrame(
        {
            C.TERM: aov["Source"].replace({"Interaction": f"{C.ARM}:{C.VISIT}"}),
            "ss": aov["SS"],
            C.NUM_DF: aov["DF1"].astype(float),
            C.DEN_DF: aov["DF2"].astype(float),
            "ms": aov["MS"],
            C.F_VALUE: aov["F"],
            C.P_VALUE: aov["p-unc"],
            "p_value_gg": aov.get("p-GG-corr", pd.Series(float("nan"), index=aov.index)),
            "epsilon_gg": aov.get("eps", pd.Series(float("nan"), index=aov.index)),
            "partial_eta_sq": aov["np2"],
        }
    )
    order = long[C.VISIT].cat.categories
    cells = complete.assign(
        **{
            C.ARM: pd.Categorical(complete[C.ARM], categories=arms, ordered=True),
            C.VISIT: pd.Categorical(complete[C.VISIT], categories=order, ordered=True),
        }
    )
    cells = (
        cells.groupby([C.ARM, C.VISIT], observed=True)["y"]
        .agg(n="size", mean="mean", sd="std")
        .reset_index()
    )
    return ComparisonResult(
        method=f"mixed ANOVA of {variable}: arm (between) x visit (within), complete cases",
        table=table,
        n_by_arm=n_by_arm,
        excluded=excluded,
        tables={"cell_means": cells},
        notes=tuple(notes),
    )
