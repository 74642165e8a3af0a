r"""Descriptive statistics of a trial: Table 1 of baseline characteristics, and the outcome and
its change from baseline by visit and arm.

For a continuous variable in a group of :math:`n` non-missing values :math:`y_1..y_n`:

.. math::

    \bar y = \frac1n\sum y_j, \qquad s = \sqrt{\frac{1}{n-1}\sum (y_j-\bar y)^2}, \qquad
    \bar y \pm t_{n-1,(1+c)/2}\, s/\sqrt n

(the t-based interval of SAS ``PROC MEANS CLM`` and R ``t.test(y)$conf.int``). The median and
quartiles are R's default ``quantile(type = 7)`` (linear interpolation between order
statistics; SAS ``PROC UNIVARIATE PCTLDEF=5`` can differ slightly for small groups). A
categorical variable gives ``n`` and the percent of the group's non-missing values per level.
No p-values: CONSORT 2010 item 15 discourages testing baseline differences in a randomised
trial.

SAS: ``PROC MEANS DATA=adsl N MEAN STD MEDIAN Q1 Q3 CLM; CLASS trt01p; VAR age;`` and
``PROC FREQ; TABLES trt01p*sex;``. R: ``aggregate(age ~ arm, adsl, summary)``, ``table(arm, sex)``.

References
----------
Moher D et al. (2010). CONSORT 2010 explanation and elaboration. BMJ 340:c869 (item 15).
Hyndman RJ, Fan Y (1996). Sample quantiles in statistical packages. Am Stat 50:361-365.

Examples
--------
>>> import irtrial
>>> t1 = baseline_table(irtrial.ir_wrap_trial())
>>> t1.query("variable == 'baseline' and arm == 'IR'")[["n", "mean", "median"]].round(2)
    n  mean  median
1  21   7.0     7.0
>>> vs = visit_summary(irtrial.ir_wrap_trial())
>>> vs.query("variable == 'change' and visit == 'Week 6' and arm == 'IR'")["mean"].round(3).item()
-4.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from irtrial import columns as C
from irtrial.errors import ModelSpecError

if TYPE_CHECKING:
    from irtrial.trial import Trial

__all__ = ["TOTAL", "baseline_table", "continuous_summary", "dropout_table", "visit_summary"]

#: label of the all-arms column of Table 1
TOTAL = "Total"

_STAT_COLUMNS = [C.N, "n_missing", "mean", "sd", "median", "q1", "q3", "min", "max",
                 C.STD_ERROR, C.CI_LOWER, C.CI_UPPER]


def continuous_summary(values: Sequence[float] | np.ndarray, conf_level: float = 0.95) -> dict:
    """n, missing, mean, SD, median, quartiles (R type 7), range, SE and t-based CI of one group.

    A group with one value has NaN SD and CI; an empty group has n = 0 and NaN elsewhere.

    Examples
    --------
    >>> s = continuous_summary([1.0, 2.0, 4.0, np.nan])
    >>> s["n"], s["n_missing"], s["median"], round(s["sd"], 4)
    (3, 1, 2.0, 1.5275)
    """
    y = np.asarray(values, dtype=float)
    ok = y[np.isfinite(y)]
    n = int(ok.size)
    out = dict.fromkeys(_STAT_COLUMNS, np.nan)
    out[C.N], out["n_missing"] = n, int(y.size - n)
    if n == 0:
        return out
    q1, med, q3 = np.quantile(ok, [0.25, 0.5, 0.75])
    out.update(mean=float(ok.mean()), median=float(med), q1=float(q1), q3=float(q3),
               min=float(ok.min()), max=float(ok.max()))
    if n > 1:
        sd = float(ok.std(ddof=1))
        se = sd / np.sqrt(n)
        q = float(stats.t.ppf(0.5 + conf_level / 2, n - 1))
        out.update(sd=sd, **{C.STD_ERROR: se, C.CI_LOWER: out["mean"] - q * se,
                             C.CI_UPPER: out["mean"] + q * se})
    return out


def _check_level(conf_level: float) -> None:
    if not (isinstance(conf_level, int | float) and 0 < conf_level < 1):
        raise ModelSpecError(f"conf_level must lie strictly between 0 and 1, got {conf_level!r}")


def _is_categorical(series: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def baseline_table(trial: Trial, variables: Sequence[str] | None = None, *,
                   categorical: Sequence[str] = (), population: str = "randomised",
                   conf_level: float = 0.95) -> pd.DataFrame:
    """Table 1: baseline characteristics per arm and overall (tidy, unformatted).

    Parameters
    ----------
    trial : Trial
    variables : sequence of str, optional
        Columns of ``trial.subjects``; default the baseline outcome (``"baseline"``) and the
        covariates in order.
    categorical : sequence of str
        Variables to summarise as categories even when numeric (e.g. a site number); the
        trial's declared factors (``trial.schema.categorical``) and non-numeric columns are
        categorical anyway.
    population : {"randomised", "analysed"}
        Every randomised subject (CONSORT's Table 1), or only the analysed ones.
    conf_level : float
        Level of the mean's CI (kept for the results file; Table 1 shows no CI).

    Returns
    -------
    DataFrame
        One row per variable x (level) x arm, arms in trial order then :data:`TOTAL`:
        ``variable, type ("continuous"/"categorical"), level (None for continuous), arm``, the
        columns of :func:`continuous_summary` for a continuous variable, and for a level
        ``n`` (subjects at the level), ``n_total`` (non-missing in the arm), ``percent``.
    """
    _check_level(conf_level)
    if population not in ("randomised", "analysed"):
        raise ModelSpecError(f"population must be 'randomised' or 'analysed', got {population!r}")
    subj = trial.subjects
    if population == "analysed":
        subj = subj[subj["excluded"].isna()]
    variables = [C.BASELINE, *trial.covariates] if variables is None else list(variables)
    unknown = [v for v in variables if v not in subj.columns]
    if unknown:
        raise ModelSpecError(f"Table 1 variables not in the trial's subjects: {unknown}; "
                             f"available: {[c for c in subj.columns if c != 'excluded']}")
    factors = set(categorical) | set(getattr(trial.schema, "categorical", ()) or ())
    arm = subj[C.ARM].astype(str).to_numpy()
    groups = [(a, arm == a) for a in trial.arms] + [(TOTAL, np.ones(len(subj), dtype=bool))]
    rows: list[dict] = []
    for var in variables:
        col = subj[var]
        if var in factors or _is_categorical(col):
            levels = (list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype)
                      else sorted(col.dropna().unique(), key=str))
            for a, mask in groups:
                values = col[mask]
                n_total = int(values.notna().sum())
                for lv in levels:
                    k = int((values == lv).sum())
                    rows.append({"variable": var, "type": "categorical", "level": str(lv),
                                 C.ARM: a, C.N: k, "n_total": n_total,
                                 "n_missing": int(values.isna().sum()),
                                 "percent": 100.0 * k / n_total if n_total else np.nan})
        else:
            for a, mask in groups:
                rows.append({"variable": var, "type": "continuous", "level": None, C.ARM: a,
                             **continuous_summary(col[mask].to_numpy(dtype=float), conf_level)})
    cols = ["variable", "type", "level", C.ARM, *_STAT_COLUMNS, "n_total", "percent"]
    return pd.DataFrame(rows, columns=cols)


def visit_summary(trial: Trial, conf_level: float = 0.95) -> pd.DataFrame:
    """The observed outcome and its change from baseline per visit and arm (tidy).

    The baseline visit (labelled ``trial.baseline_visit`` or ``"Baseline"``) has a ``value``
    row only. Analysed subjects only; a missing value is counted in ``n_missing``.

    Returns
    -------
    DataFrame
        ``variable ("value"/"change"), visit, visit_num, arm``, then the columns of
        :func:`continuous_summary`. Visits in order (baseline first), arms in trial order.
    """
    _check_level(conf_level)
    subj = trial.subjects[trial.subjects["excluded"].isna()]
    base_label = trial.baseline_visit or "Baseline"
    base_num = float(trial.visit_numbers.get(base_label, np.nan)) if trial.visit_numbers \
        else np.nan
    data = trial.data
    arm = data[C.ARM].astype(str).to_numpy()
    visit = data[C.VISIT].astype(str).to_numpy()
    nums = data.groupby(data[C.VISIT].astype(str), sort=False)[C.VISIT_NUM].first()
    # group positions once (no per-cell boolean scans over the long table)
    codes = pd.MultiIndex.from_arrays([visit, arm]).to_frame(index=False)
    positions = codes.groupby([0, 1], sort=False).indices
    rows: list[dict] = []
    sarm = subj[C.ARM].astype(str).to_numpy()
    for a in trial.arms:
        rows.append({"variable": C.VALUE, C.VISIT: base_label, C.VISIT_NUM: base_num, C.ARM: a,
                     **continuous_summary(subj.loc[sarm == a, C.BASELINE].to_numpy(dtype=float),
                                          conf_level)})
    value = data[C.VALUE].to_numpy(dtype=float)
    change = data[C.CHANGE].to_numpy(dtype=float)
    for var, y in ((C.VALUE, value), (C.CHANGE, change)):
        for v in trial.visits:
            for a in trial.arms:
                idx = positions.get((v, a), np.empty(0, dtype=int))
                rows.append({"variable": var, C.VISIT: v, C.VISIT_NUM: float(nums.get(v, np.nan)),
                             C.ARM: a, **continuous_summary(y[idx], conf_level)})
    out = pd.DataFrame(rows, columns=["variable", C.VISIT, C.VISIT_NUM, C.ARM, *_STAT_COLUMNS])
    out[C.N] = out[C.N].astype(int)
    out["n_missing"] = out["n_missing"].astype(int)
    return out


def dropout_table(trial: Trial) -> pd.DataFrame:
    """Participant flow by visit and arm among analysed subjects (CONSORT "discontinued").

    A subject *discontinues after* visit j when j is their last visit with a value and a later
    visit exists; a missed visit followed by a value is intermittent, not a discontinuation.

    Returns
    -------
    DataFrame
        ``arm, visit, n_observed`` (subjects with a value at the visit), ``n_missing``
        (analysed subjects without one), ``n_discontinued`` (whose last value is at this visit,
        before the last visit; 0 at the last visit), ``n_ongoing`` (with a value at this or a
        later visit).

    Examples
    --------
    >>> import irtrial
    >>> d = dropout_table(irtrial.ir_wrap_trial())
    >>> int(d["n_discontinued"].sum()), int(d.query("visit == 'Week 6'")["n_ongoing"].sum())
    (0, 39)
    """
    data = trial.data
    visits = list(trial.visits)
    arms = list(trial.arms)
    pos = pd.Categorical(data[C.VISIT].astype(str), categories=visits).codes.astype(np.int64)
    arm = pd.Categorical(data[C.ARM].astype(str), categories=arms).codes.astype(np.int64)
    has = data[C.VALUE].notna().to_numpy()
    subj, uniq = pd.factorize(data[C.SUBJECT])
    last = np.full(len(uniq), -1, dtype=np.int64)  # index of each subject's last value
    np.maximum.at(last, subj[has], pos[has])
    arm_of = np.empty(len(uniq), dtype=np.int64)
    arm_of[subj] = arm
    nv = len(visits)
    observed = np.bincount(arm[has] * nv + pos[has], minlength=len(arms) * nv)
    n_total = np.bincount(arm_of, minlength=len(arms))
    rows = []
    for a_i, a in enumerate(arms):
        mine = last[arm_of == a_i]
        ends = np.bincount(mine[mine >= 0], minlength=nv)
        ongoing = np.cumsum(ends[::-1])[::-1]
        for k, v in enumerate(visits):
            n_obs = int(observed[a_i * nv + k])
            rows.append({C.ARM: a, C.VISIT: v, "n_observed": n_obs,
                         "n_missing": int(n_total[a_i]) - n_obs,
                         "n_discontinued": int(ends[k]) if k < nv - 1 else 0,
                         "n_ongoing": int(ongoing[k])})
    return pd.DataFrame(rows, columns=[C.ARM, C.VISIT, "n_observed", "n_missing",
                                       "n_discontinued", "n_ongoing"])
