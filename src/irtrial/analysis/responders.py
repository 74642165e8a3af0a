r"""Responder analysis (IMMPACT): who improved enough, per arm, and how the arms compare.

A subject is a *responder* at a visit when its improvement from baseline reaches a threshold.
For a lower-is-better score (pain NRS, the default) the improvement is the reduction
:math:`r = b - y` (baseline :math:`b`, value :math:`y`); for a higher-is-better score it is
:math:`y - b`. A *percent* definition uses :math:`100\,r / b`, an *absolute* one uses
:math:`r` in the units of the scale. The IMMPACT defaults (Dworkin et al. 2008; Farrar et al.
2001) are a reduction of at least 30% (moderately important), at least 50% (substantial) and
at least 2 NRS points. A subject exactly on the threshold is a responder; a tolerance of
:math:`10^{-9}` absorbs floating point (7 -> 4.9 is a 30% reduction although
``100 * 2.1 / 7`` is 29.999999999999996).

Who counts where
----------------
The denominator depends on ``missing``:

- ``"non-responder"`` (default; IMMPACT, and "treatment failure" imputation): every
  randomised subject with an arm and a baseline value. A subject without a value at the visit
  (dropout, missed visit, or no post-baseline value at all, which the trial itself excludes)
  counts as a non-responder and is listed in ``responses`` with ``status="missing:
  non-responder"``.
- ``"exclude"`` (completers at that visit): the subjects with a value at the visit; the others
  are listed in ``excluded`` with the reason.

Either way, randomised subjects without an arm or a baseline (excluded by the trial) are in
``excluded`` with the trial's reason. A subject with a **baseline of 0** has no percent
change: under a percent definition it is a non-responder (``baseline_zero="non-responder"``,
the default: a score that starts at 0 cannot improve by any percentage) or is excluded from that
definition (``baseline_zero="exclude"``); either way it is listed (``status="baseline 0:
non-responder"``, or in ``excluded``) and a note counts it. Nothing is ever divided by zero.

Comparisons (each active arm vs the control, see :mod:`irtrial.analysis.proportions`): the
risk difference with Newcombe's hybrid score and Miettinen-Nurminen intervals, RR (Katz log),
OR (Woolf logit; and the exact conditional OR), Fisher's exact and Pearson's chi-square tests
(with and without Yates' correction), and Altman's NNT from the Newcombe interval.

SAS::

    data resp; set adeff; resp = (base - aval) / base >= 0.30; run;
    proc freq data=resp; by avisit; tables trt01p*resp /
        riskdiff(cl=(newcombe mn)) relrisk chisq fisher; run;

R: ``prop.test(c(x1, x0), c(n1, n0), correct = FALSE)``, ``fisher.test``, ``chisq.test``
(see ``tests/reference/r/responders.R``).

References
----------
.. [1] Dworkin RH, Turk DC, Wyrwich KW, et al. (2008). Interpreting the clinical importance of
   treatment outcomes in chronic pain clinical trials: IMMPACT recommendations. J Pain 9:105-121.
.. [2] Farrar JT, Young JP, LaMoreaux L, Werth JL, Poole RM (2001). Clinical importance of
   changes in chronic pain intensity measured on an 11-point numerical pain rating scale.
   Pain 94:149-158.
.. [3] Newcombe RG (1998). Stat Med 17:873-890. Miettinen O, Nurminen M (1985). Stat Med
   4:213-226. Altman DG (1998). BMJ 317:1309-1312.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.analysis._compare import NOT_COMPUTABLE
from irtrial.analysis._data import as_trial, resolve_visits
from irtrial.analysis.proportions import (
    compare_proportions,
    number_needed_to_treat,
    wilson_ci,
)
from irtrial.errors import InsufficientDataError, ModelSpecError

__all__ = [
    "DEFAULT_DEFINITIONS",
    "default_definitions",
    "MISSING_RULES",
    "ResponderDefinition",
    "ResponderResult",
    "responder_analysis",
]

MISSING_RULES = ("non-responder", "exclude")
BASELINE_ZERO_RULES = ("non-responder", "exclude")
_TOL = 1e-9

STATUS_OBSERVED = "observed"
STATUS_MISSING = "missing: non-responder"
STATUS_ZERO = "baseline 0: non-responder"


@dataclass(frozen=True)
class ResponderDefinition:
    """What makes a responder.

    Parameters
    ----------
    name : str
        Label used in every output table.
    kind : {"percent", "absolute", "rule"}
        ``"percent"``: improvement of at least ``threshold`` percent of the baseline;
        ``"absolute"``: at least ``threshold`` units of the scale; ``"rule"``: ``rule`` decides.
    threshold : float
        For ``"percent"`` and ``"absolute"``.
    rule : callable, optional
        ``rule(baseline, value) -> bool array`` for a custom definition (``kind="rule"``); it
        receives the numpy arrays of the subjects with a value and must return one bool per
        subject.

    Examples
    --------
    >>> ResponderDefinition("reduction >= 40%", "percent", 40)
    ResponderDefinition(name='reduction >= 40%', kind='percent', threshold=40.0, rule=None)
    >>> ResponderDefinition("pain <= 3", "rule", rule=lambda b, y: y <= 3).kind
    'rule'
    """

    name: str
    kind: str = "percent"
    threshold: float = float("nan")
    rule: Callable[[np.ndarray, np.ndarray], Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.name, str) or not self.name:
            problems.append(f"name must be a non-empty string, got {self.name!r}")
        if self.kind not in ("percent", "absolute", "rule"):
            problems.append(f"kind must be 'percent', 'absolute' or 'rule', got {self.kind!r}")
        elif self.kind == "rule":
            if not callable(self.rule):
                problems.append("kind='rule' needs a callable rule(baseline, value)")
        else:
            try:
                thr = float(self.threshold)
            except (TypeError, ValueError):
                thr = float("nan")
            if not np.isfinite(thr):
                problems.append(f"{self.kind} definition needs a finite threshold")
            else:
                object.__setattr__(self, "threshold", thr)
        if problems:
            raise ModelSpecError(f"responder definition {self.name!r}: " + "; ".join(problems))

    def responds(self, baseline: np.ndarray, value: np.ndarray, lower_is_better: bool = True):
        """Bool array (responder) and bool array (undefined: percent with baseline 0)."""
        baseline = np.asarray(baseline, dtype=float)
        value = np.asarray(value, dtype=float)
        undefined = np.zeros(len(value), dtype=bool)
        if self.kind == "rule":
            out = np.asarray(self.rule(baseline, value))
            if out.shape != value.shape or out.dtype != bool:
                raise ModelSpecError(
                    f"responder rule {self.name!r} must return one bool per subject "
                    f"(got dtype {out.dtype}, shape {out.shape} for {len(value)} subjects)"
                )
            return out, undefined
        gain = baseline - value if lower_is_better else value - baseline
        if self.kind == "absolute":
            return gain >= self.threshold - _TOL * max(1.0, abs(self.threshold)), undefined
        undefined = baseline == 0
        pct = np.divide(100.0 * gain, baseline, out=np.zeros_like(gain), where=~undefined)
        hit = pct >= self.threshold - _TOL * max(1.0, abs(self.threshold))
        return hit & ~undefined, undefined


#: IMMPACT's defaults (Dworkin et al. 2008)
DEFAULT_DEFINITIONS = (
    ResponderDefinition("reduction >= 30%", "percent", 30.0),
    ResponderDefinition("reduction >= 50%", "percent", 50.0),
    ResponderDefinition("reduction >= 2 points", "absolute", 2.0),
)


def default_definitions(lower_is_better: bool = True) -> tuple[ResponderDefinition, ...]:
    """IMMPACT's thresholds, named for the direction of improvement: ``"reduction >= 30%"``
    for a lower-is-better score (:data:`DEFAULT_DEFINITIONS`), ``"increase >= 30%"`` when
    higher is better."""
    if lower_is_better:
        return DEFAULT_DEFINITIONS
    return tuple(
        ResponderDefinition(d.name.replace("reduction", "increase"), d.kind, d.threshold)
        for d in DEFAULT_DEFINITIONS
    )


def _definitions(definitions, lower_is_better: bool = True) -> tuple[ResponderDefinition, ...]:
    if definitions is None:
        return default_definitions(lower_is_better)
    if isinstance(definitions, ResponderDefinition) or callable(definitions):
        definitions = [definitions]
    out = []
    for d in definitions:
        if isinstance(d, ResponderDefinition):
            out.append(d)
        elif callable(d):
            out.append(ResponderDefinition(getattr(d, "__name__", "rule"), "rule", rule=d))
        else:
            raise ModelSpecError(
                f"a responder definition must be a ResponderDefinition or a callable, got {d!r}"
            )
    names = [d.name for d in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ModelSpecError(f"responder definitions need distinct names; repeated: {dup}")
    return tuple(out)


def _check(missing: str, baseline_zero: str, conf_level: float) -> None:
    problems = []
    if missing not in MISSING_RULES:
        problems.append(f"missing must be one of {list(MISSING_RULES)}, got {missing!r}")
    if baseline_zero not in BASELINE_ZERO_RULES:
        problems.append(
            f"baseline_zero must be one of {list(BASELINE_ZERO_RULES)}, got {baseline_zero!r}"
        )
    if not (isinstance(conf_level, (int, float)) and 0 < conf_level < 1):
        problems.append(f"conf_level must lie strictly between 0 and 1, got {conf_level!r}")
    if problems:
        raise ModelSpecError("; ".join(problems))


def _missing_notes(responses: pd.DataFrame, n_definitions: int) -> list[str]:
    """Per visit: the subjects without a value, counted as non-responders (named, up to 10)."""
    gone = responses[responses["status"] == STATUS_MISSING]
    out = []
    for visit, part in gone.groupby("visit", sort=False, observed=True):
        subjects = list(dict.fromkeys(part["subject"].astype(str)))
        names = ", ".join(subjects[:10]) + (f" and {len(subjects) - 10} more"
                                            if len(subjects) > 10 else "")
        each = (f"under each of the {n_definitions} definitions" if n_definitions > 1
                else "under the definition")
        out.append(f"{visit}: {len(subjects)} subject(s) without a value counted as "
                   f"non-responders {each} ({names}; responses.status)")
    return out


def population(trial, visit, missing: str = "non-responder") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Subjects counted at ``visit`` under the ``missing`` rule, and those left out.

    Returns ``(frame, excluded)``: ``frame`` has ``subject, arm, baseline, value`` (``value``
    NaN for a subject counted as a non-responder), ``excluded`` has ``subject, arm, reason``.
    """
    subjects = trial.subjects
    eligible = subjects[C.ARM].notna() & subjects[C.BASELINE].notna()
    if missing == "non-responder":
        # arm + baseline present: the only trial exclusion left is "no post-baseline value",
        # which this rule counts as a non-responder
        counted = subjects.loc[eligible, [C.SUBJECT, C.ARM, C.BASELINE]]
    else:
        counted = subjects.loc[
            eligible & subjects["excluded"].isna(), [C.SUBJECT, C.ARM, C.BASELINE]
        ]
    trial_out = subjects.loc[
        ~subjects[C.SUBJECT].isin(counted[C.SUBJECT]) & subjects["excluded"].notna(),
        [C.SUBJECT, C.ARM, "excluded"],
    ]
    trial_out = trial_out.rename(columns={"excluded": "reason"})
    at = trial.data.loc[trial.data[C.VISIT] == visit, [C.SUBJECT, C.VALUE]]
    frame = counted.merge(at, on=C.SUBJECT, how="left").reset_index(drop=True)
    frame[C.SUBJECT] = frame[C.SUBJECT].astype(str)
    excluded = [trial_out]
    if missing == "exclude":
        gone = frame[C.VALUE].isna()
        excluded.append(frame.loc[gone, [C.SUBJECT, C.ARM]].assign(reason=f"no value at {visit}"))
        frame = frame.loc[~gone].reset_index(drop=True)
    excluded = pd.concat(excluded, ignore_index=True)
    arms = list(trial.arms)
    for f in (frame, excluded):
        f[C.ARM] = pd.Categorical(f[C.ARM].astype(str), categories=arms, ordered=True)
    return frame, excluded[[C.SUBJECT, C.ARM, "reason"]]


def classify(
    frame: pd.DataFrame,
    definition: ResponderDefinition,
    lower_is_better: bool = True,
    baseline_zero: str = "non-responder",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add ``responder`` (bool) and ``status`` to ``frame``; return it and the subjects
    excluded by the ``baseline_zero="exclude"`` rule."""
    out = frame.copy()
    has = out[C.VALUE].notna().to_numpy()
    resp = np.zeros(len(out), dtype=bool)
    undefined = np.zeros(len(out), dtype=bool)
    r, u = definition.responds(out.loc[has, C.BASELINE], out.loc[has, C.VALUE], lower_is_better)
    resp[has], undefined[has] = r, u
    out["responder"] = resp
    out["status"] = np.where(has, STATUS_OBSERVED, STATUS_MISSING)
    out.loc[undefined, "status"] = STATUS_ZERO
    dropped = out.loc[[], [C.SUBJECT, C.ARM]].assign(reason=[])
    if baseline_zero == "exclude" and undefined.any():
        dropped = out.loc[undefined, [C.SUBJECT, C.ARM]].assign(
            reason="baseline 0: percent change undefined"
        )
        out = out.loc[~undefined].reset_index(drop=True)
    return out, dropped


@lru_cache(maxsize=1)
def _measures() -> pd.DataFrame:
    """The ``measure, method`` rows of :func:`compare_proportions` (from a small table)."""
    return compare_proportions(1, 2, 1, 2)[["measure", "method"]]


def _not_computable(reason: str) -> pd.DataFrame:
    """The rows of :func:`compare_proportions` with NaN statistics and ``note`` = ``reason``."""
    t = _measures().copy()
    for col in C.ESTIMATE_COLUMNS:
        t[col] = np.nan
    t["note"] = reason
    return t


def _rate(r: pd.Series) -> str:
    return f"{int(r['n_responders'])}/{int(r['n'])} ({r['percent']:.1f}%)"


def _est(r: pd.Series, digits: int = 3) -> str:
    if not np.isfinite(r["estimate"]):
        return NOT_COMPUTABLE
    return f"{r['estimate']:.{digits}f} ({r['ci_lower']:.{digits}f} to {r['ci_upper']:.{digits}f})"


@dataclass(frozen=True)
class ResponderResult:
    """The result of :func:`responder_analysis`; every table is tidy.

    Attributes
    ----------
    table : DataFrame
        The comparisons: ``visit, definition, arm, control, measure, method, estimate,
        std_error, df, statistic, p_value, ci_lower, ci_upper, note`` (rows as in
        :func:`~irtrial.analysis.proportions.compare_proportions`).
    rates : DataFrame
        ``visit, definition, arm, n_responders, n, percent, ci_lower, ci_upper`` (Wilson
        interval of the arm's rate, in percent), ``n_missing_non_responders``,
        ``n_baseline_zero``.
    nnt : DataFrame
        ``visit, definition, arm, control, risk_difference, nnt, nnt_kind, ci_lower,
        ci_upper, crosses_zero, label`` (Altman 1998, from the Newcombe interval).
    responses : DataFrame
        One row per counted subject, visit and definition: ``visit, definition, subject, arm,
        baseline, value, responder, status``.
    n_by_arm : DataFrame
        ``visit, definition, arm, n_randomised, n_analysed, n_excluded``.
    excluded : DataFrame
        ``visit, definition, subject, arm, reason``.
    definitions : tuple of ResponderDefinition
    missing, baseline_zero : str
        The rules used.
    lower_is_better : bool
    conf_level : float
    notes : tuple of str
    """

    table: pd.DataFrame
    rates: pd.DataFrame
    nnt: pd.DataFrame
    responses: pd.DataFrame
    n_by_arm: pd.DataFrame
    excluded: pd.DataFrame
    definitions: tuple
    missing: str
    baseline_zero: str
    lower_is_better: bool
    conf_level: float
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("table", "rates", "nnt", "responses", "n_by_arm", "excluded"):
            object.__setattr__(self, name, getattr(self, name).copy())

    @property
    def method(self) -> str:
        return f"IMMPACT responder analysis (missing = {self.missing})"

    def summary(self) -> pd.DataFrame:
        """One row per visit, definition and active arm: ``n/N (%)`` per arm, the risk
        difference with both intervals, RR, OR, Fisher's and chi-square p, and the NNT."""
        rows = []
        rates = self.rates.set_index(["visit", "definition", "arm"])
        tab = self.table.set_index(["visit", "definition", "arm", "measure", "method"]).sort_index()
        nnt = self.nnt.set_index(["visit", "definition", "arm"])
        for (visit, definition, arm), g in self.nnt.groupby(
            ["visit", "definition", "arm"], sort=False
        ):
            control = g["control"].iloc[0]
            t = tab.loc[(visit, definition, arm)]

            rows.append(
                {
                    "visit": visit,
                    "definition": definition,
                    "arm": arm,
                    "control": control,
                    "responders_arm": _rate(rates.loc[(visit, definition, arm)]),
                    "responders_control": _rate(rates.loc[(visit, definition, control)]),
                    "risk_difference_newcombe": _est(t.loc[("risk_difference", "newcombe")]),
                    "risk_difference_mn": _est(t.loc[("risk_difference", "miettinen_nurminen")]),
                    "risk_ratio": _est(t.loc[("risk_ratio", "katz_log")], 2),
                    "odds_ratio": _est(t.loc[("odds_ratio", "woolf_logit")], 2),
                    "p_fisher": t.loc[("fisher_exact", "two_sided"), C.P_VALUE],
                    "p_chi_square": t.loc[("chi_square", "pearson"), C.P_VALUE],
                    "nnt": nnt.loc[(visit, definition, arm), "label"],
                }
            )
        return pd.DataFrame(rows)

    def to_comparison_result(self):
        """The same content as a generic :class:`~irtrial.analysis.result.ComparisonResult`
        (``table``; ``rates``, ``nnt``, ``responses`` and ``summary`` under ``tables``), for
        code that handles every comparison alike."""
        from irtrial.analysis.result import ComparisonResult

        return ComparisonResult(
            method=self.method,
            table=self.table,
            n_by_arm=self.n_by_arm,
            excluded=self.excluded,
            tables={
                "rates": self.rates,
                "nnt": self.nnt,
                "responses": self.responses,
                "summary": self.summary(),
            },
            notes=self.notes,
            conf_level=self.conf_level,
        )

    def __repr__(self) -> str:
        return (
            f"<ResponderResult {len(self.definitions)} definition(s) x "
            f"{self.rates['visit'].nunique()} visit(s); missing = {self.missing}; "
            f"{self.excluded['subject'].nunique() if len(self.excluded) else 0} subject(s) "
            "excluded>"
        )


def responder_analysis(
    data: Any,
    definitions: Sequence[ResponderDefinition | Callable] | ResponderDefinition | None = None,
    *,
    visit: Any = None,
    missing: str = "non-responder",
    lower_is_better: bool = True,
    baseline_zero: str = "non-responder",
    conf_level: float = 0.95,
    **roles: Any,
) -> ResponderResult:
    """Responder rates per arm and their comparison with the control (IMMPACT).

    Parameters
    ----------
    data : Trial, DataFrame or path
        A :class:`irtrial.Trial`, or long data read with :func:`irtrial.read_trial` and the
        role arguments ``roles`` (``subject=``, ``arm=``, ``visit=``... as there; the role
        ``visit`` column is passed as ``visit_column=`` here since ``visit`` picks the visit).
    definitions : list of ResponderDefinition or callables, optional
        Default :func:`default_definitions` (>= 30%, >= 50%, >= 2 points), named
        ``"reduction >= ..."`` or, with ``lower_is_better=False``, ``"increase >= ..."``.
    visit : label, list of labels or "all", optional
        The visit(s) analysed; default the last.
    missing : {"non-responder", "exclude"}
        How a subject without a value at the visit counts (see the module notes).
    lower_is_better : bool
        True for pain scores (improvement = baseline - value).
    baseline_zero : {"non-responder", "exclude"}
        A subject with baseline 0 under a percent definition.
    conf_level : float

    Returns
    -------
    ResponderResult
        ``.table`` (comparisons), ``.rates``, ``.nnt``, ``.responses``, ``.n_by_arm``,
        ``.excluded``, ``.summary()``.

    Raises
    ------
    InsufficientDataError
        When *no* comparison can be computed (every such arm and visit is listed). A
        visit x definition x active arm where that arm or the control has fewer than 2
        counted subjects is otherwise a row of NaN statistics whose ``note`` gives the
        reason (NNT label ``"not computable"``), and ``notes`` lists it; the others are
        computed as usual.
    ModelSpecError
        Invalid options or definitions (all listed at once).

    Examples
    --------
    >>> import irtrial
    >>> res = irtrial.responder_analysis(irtrial.ir_wrap_trial())  # synthetic replica
    >>> s = res.summary()
    >>> s[["definition", "responders_arm", "responders_control"]]
                  definition responders_arm responders_control
    0       reduction >= 30%  19/21 (90.5%)       6/19 (31.6%)
    1       reduction >= 50%  16/21 (76.2%)       2/19 (10.5%)
    2  reduction >= 2 points  19/21 (90.5%)       8/19 (42.1%)
    >>> s["nnt"].iloc[0]
    'NNTB 1.7 (95% CI NNTB 1.3 to 3.4)'

    The placebo dropout is a non-responder (19 placebo subjects counted); with
    ``missing="exclude"`` it is left out and listed in ``.excluded``. Adjust a family of tests
    with :func:`~irtrial.analysis.multiplicity.adjust_p_values`:

    >>> fam = res.table.query("measure == 'fisher_exact'")
    >>> irtrial.adjust_p_values(fam, method="holm")["reject"].tolist()
    [True, True, True]
    """
    _check(missing, baseline_zero, conf_level)
    defs = _definitions(definitions, lower_is_better)
    if "visit_column" in roles:
        roles["visit"] = roles.pop("visit_column")
    trial = as_trial(data, **roles)
    visits = resolve_visits(trial, visit)
    control = trial.control
    rows, rates, nnts, responses, counts, excluded, notes, short = ([] for _ in range(8))
    computed = 0
    for v in visits:
        frame, out_v = population(trial, v, missing)
        for d in defs:
            cls, dropped = classify(frame, d, lower_is_better, baseline_zero)
            ex = pd.concat([out_v, dropped], ignore_index=True)
            ex[C.ARM] = pd.Categorical(
                ex[C.ARM].astype(str), categories=list(trial.arms), ordered=True
            )
            n_ex = ex.groupby(C.ARM, observed=False).size()
            x = cls.groupby(C.ARM, observed=False)["responder"].sum()
            n = cls.groupby(C.ARM, observed=False).size()
            for arm in trial.arms:
                s = cls.loc[cls[C.ARM] == arm, "status"]
                lo = hi = np.nan
                if n[arm] > 0:
                    lo, hi = wilson_ci(int(x[arm]), int(n[arm]), conf_level)
                rates.append(
                    {
                        "visit": v,
                        "definition": d.name,
                        "arm": arm,
                        "n_responders": int(x[arm]),
                        C.N: int(n[arm]),
                        "percent": 100.0 * x[arm] / n[arm] if n[arm] else np.nan,
                        C.CI_LOWER: 100 * lo,
                        C.CI_UPPER: 100 * hi,
                        "n_missing_non_responders": int((s == STATUS_MISSING).sum()),
                        "n_baseline_zero": int((s == STATUS_ZERO).sum())
                        + int((dropped[C.ARM].astype(str) == arm).sum()),
                    }
                )
                counts.append(
                    {
                        "visit": v,
                        "definition": d.name,
                        "arm": arm,
                        "n_randomised": int(n[arm] + n_ex[arm]),
                        "n_analysed": int(n[arm]),
                        "n_excluded": int(n_ex[arm]),
                    }
                )
            short_d = {
                arm: f"{arm} at {v}: {int(n[arm])} subject{'' if n[arm] == 1 else 's'} counted; "
                "at least 2 needed"
                for arm in trial.arms
                if n[arm] < 2
            }
            short += [f"{v} / {d.name}: arm {a!r} has {int(n[a])}" for a in short_d]
            zero = cls.loc[cls["status"] == STATUS_ZERO, C.SUBJECT].tolist()
            if zero or len(dropped):
                subj = zero or dropped[C.SUBJECT].tolist()
                notes.append(
                    f"{v} / {d.name}: baseline 0 (percent change undefined) for "
                    f"{', '.join(map(str, subj))}: "
                    + ("counted as non-responder(s)" if zero else "excluded")
                )
            resp = cls[[C.SUBJECT, C.ARM, C.BASELINE, C.VALUE, "responder", "status"]].copy()
            resp.insert(0, "definition", d.name)
            resp.insert(0, "visit", v)
            responses.append(resp)
            ex = ex.assign(visit=v, definition=d.name)
            excluded.append(ex[["visit", "definition", C.SUBJECT, C.ARM, "reason"]])
            for arm in trial.active_arms:
                why = "; ".join(short_d[a] for a in (arm, control) if a in short_d)
                if why:
                    # BY-group policy (as irtrial.analysis._compare.Attempts): this comparison
                    # is a row of NaN statistics with the reason; the others go on
                    notes.append(f"{v} / {d.name}, {arm} vs {control}: {NOT_COMPUTABLE} ({why})")
                    t = _not_computable(why)
                else:
                    computed += 1
                    t = compare_proportions(
                        int(x[arm]), int(n[arm]), int(x[control]), int(n[control]), conf_level
                    )
                t.insert(0, "control", control)
                t.insert(0, "arm", arm)
                t.insert(0, "definition", d.name)
                t.insert(0, "visit", v)
                rows.append(t)
                nc = t.set_index(["measure", "method"]).loc[("risk_difference", "newcombe")]
                nnt_row = {
                    "visit": v,
                    "definition": d.name,
                    "arm": arm,
                    "control": control,
                    "risk_difference": nc[C.ESTIMATE],
                    "nnt": np.nan,
                    "nnt_kind": NOT_COMPUTABLE,
                    C.CI_LOWER: np.nan,
                    C.CI_UPPER: np.nan,
                    "crosses_zero": np.nan,
                    "label": NOT_COMPUTABLE,
                }
                if not why:
                    nn = number_needed_to_treat(
                        nc[C.ESTIMATE], nc[C.CI_LOWER], nc[C.CI_UPPER], conf_level
                    )
                    nnt_row.update(
                        {
                            "nnt": nn.estimate,
                            "nnt_kind": nn.kind,
                            C.CI_LOWER: nn.ci_lower,
                            C.CI_UPPER: nn.ci_upper,
                            "crosses_zero": nn.crosses_zero,
                            "label": nn.label,
                        }
                    )
                nnts.append(nnt_row)
    if computed == 0:
        raise InsufficientDataError(
            "comparing responder rates needs at least 2 counted subjects per arm: "
            + "; ".join(short)
        )
    n_missing = sum(r["n_missing_non_responders"] for r in rates)
    rule = f"missing = {missing}: " + (
        "subjects without a value at the visit count as non-responders "
        "(denominator: randomised subjects with a baseline)"
        if missing == "non-responder"
        else "subjects without a value at the visit are excluded (completers)"
    )
    notes.insert(0, rule)
    if missing == "non-responder" and n_missing:
        notes[1:1] = _missing_notes(pd.concat(responses, ignore_index=True), len(defs))
    return ResponderResult(
        table=pd.concat(rows, ignore_index=True),
        rates=pd.DataFrame(rates),
        nnt=pd.DataFrame(nnts),
        responses=pd.concat(responses, ignore_index=True),
        n_by_arm=pd.DataFrame(counts),
        excluded=pd.concat(excluded, ignore_index=True),
        definitions=defs,
        missing=missing,
        baseline_zero=baseline_zero,
        lower_is_better=lower_is_better,
        conf_level=conf_level,
        notes=tuple(notes),
    )
