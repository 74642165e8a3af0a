r"""Cumulative responder curve: the percentage of responders per arm at every threshold.

For each arm and threshold :math:`t` the curve gives the share of subjects whose improvement
from baseline is at least :math:`t`:

.. math::
    R_{arm}(t) = \frac{100}{N_{arm}} \#\{i \in arm : r_i \ge t\},

with :math:`r_i = 100 (b_i - y_i) / b_i` (``kind="percent"``, the default, thresholds 0 to 100%
by 1) or :math:`r_i = b_i - y_i` (``kind="absolute"``, in scale units) for a lower-is-better
score, and the signs reversed when higher is better. The curves of the arms are compared
visually (Farrar, Dworkin & Max 2006; FDA PRO guidance 2009): the further the active arm's
curve lies above the control's, the larger the effect across every responder definition.

Who counts follows :func:`irtrial.analysis.responders.responder_analysis`: with
``missing="non-responder"`` (default) a subject without a value at the visit is in the
denominator and a responder at no threshold; with ``"exclude"`` it is left out and listed.
A subject with a baseline of 0 has no percent change: it is a responder at no threshold of a
percent curve (listed in ``notes``). A threshold exactly reached counts (tolerance 1e-9).

SAS: a DATA step flag per threshold and ``PROC FREQ``; R: ``sapply(t, function(k) mean(r >= k))``
per arm (``tests/reference/r/responders.R``).

References
----------
.. [1] Farrar JT, Dworkin RH, Max MB (2006). Use of the cumulative proportion of responders
   analysis graph to present pain data over a range of cut-off points. J Pain Symptom Manage
   31:369-377.
.. [2] US FDA (2009). Guidance for industry. Patient-reported outcome measures: use in medical
   product development to support labeling claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.analysis._data import as_trial, resolve_visits
from irtrial.analysis.responders import MISSING_RULES, population
from irtrial.errors import ModelSpecError

__all__ = ["ResponderCurve", "responder_curve"]

_TOL = 1e-9


@dataclass(frozen=True)
class ResponderCurve:
    """The result of :func:`responder_curve`.

    Attributes
    ----------
    curve : DataFrame
        ``visit, arm, threshold, n_responders, n, percent``, one row per visit, arm and
        threshold (arms control first, thresholds increasing).
    n_by_arm : DataFrame
        ``visit, arm, n_randomised, n_analysed, n_excluded``.
    excluded : DataFrame
        ``visit, subject, arm, reason``.
    kind : str
    missing : str
    notes : tuple of str
    """

    curve: pd.DataFrame
    n_by_arm: pd.DataFrame
    excluded: pd.DataFrame
    kind: str
    missing: str
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("curve", "n_by_arm", "excluded"):
            object.__setattr__(self, name, getattr(self, name).copy())

    def __repr__(self) -> str:
        return (
            f"<ResponderCurve {self.kind}: {self.curve['threshold'].nunique()} thresholds x "
            f"{self.curve['arm'].nunique()} arms x {self.curve['visit'].nunique()} visit(s); "
            f"missing = {self.missing}>"
        )


def responder_curve(
    data: Any,
    *,
    visit: Any = None,
    thresholds: Sequence[float] | str | None = None,
    kind: str = "percent",
    missing: str = "non-responder",
    lower_is_better: bool = True,
    **roles: Any,
) -> ResponderCurve:
    """Data of the cumulative responder curve, per arm.

    Parameters
    ----------
    data : Trial, DataFrame or path
        As :func:`~irtrial.analysis.responders.responder_analysis` (role ``visit`` column as
        ``visit_column=``).
    visit : label, list of labels or "all", optional
        Default: the last visit.
    thresholds : sequence of float or "distinct", optional
        Default 0, 1, ..., 100 (percent) or 0 to the largest possible improvement by 1 scale
        unit (absolute). ``"distinct"``: 0 and every distinct observed non-negative improvement.
    kind : {"percent", "absolute"}
    missing : {"non-responder", "exclude"}
    lower_is_better : bool

    Returns
    -------
    ResponderCurve

    Examples
    --------
    >>> import irtrial
    >>> rc = irtrial.responder_curve(irtrial.ir_wrap_trial())
    >>> rc.curve.query("threshold in (30, 50)")[["arm", "threshold", "n_responders", "n"]]
             arm  threshold  n_responders   n
    30   Placebo       30.0             6  19
    50   Placebo       50.0             2  19
    131       IR       30.0            19  21
    151       IR       50.0            16  21
    """
    problems = []
    if kind not in ("percent", "absolute"):
        problems.append(f"kind must be 'percent' or 'absolute', got {kind!r}")
    if missing not in MISSING_RULES:
        problems.append(f"missing must be one of {list(MISSING_RULES)}, got {missing!r}")
    if thresholds is not None and not isinstance(thresholds, str):
        thr = np.asarray(thresholds, dtype=float).ravel()
        if thr.size == 0 or not np.isfinite(thr).all():
            problems.append("thresholds must be a non-empty list of finite numbers")
    elif isinstance(thresholds, str) and thresholds != "distinct":
        problems.append(f"thresholds must be numbers or 'distinct', got {thresholds!r}")
    if problems:
        raise ModelSpecError("; ".join(problems))
    if "visit_column" in roles:
        roles["visit"] = roles.pop("visit_column")
    trial = as_trial(data, **roles)
    rows, counts, excluded, notes = [], [], [], []
    for v in resolve_visits(trial, visit):
        frame, out_v = population(trial, v, missing)
        base = frame[C.BASELINE].to_numpy(float)
        val = frame[C.VALUE].to_numpy(float)
        gain = base - val if lower_is_better else val - base
        if kind == "percent":
            zero = (base == 0) & ~np.isnan(val)
            with np.errstate(divide="ignore", invalid="ignore"):
                gain = np.where(base == 0, np.nan, 100.0 * gain / base)
            if zero.any():
                notes.append(
                    f"{v}: baseline 0 (percent change undefined), a responder at no "
                    f"threshold: {', '.join(frame.loc[zero, C.SUBJECT])}"
                )
        if thresholds is None:
            top = 100.0 if kind == "percent" else float(np.nanmax(np.abs(gain), initial=0.0))
            thr = np.arange(0.0, np.ceil(top) + 1.0)
        elif isinstance(thresholds, str):
            thr = np.unique(np.concatenate([[0.0], gain[np.isfinite(gain) & (gain >= 0)]]))
        else:
            thr = np.sort(np.asarray(thresholds, dtype=float).ravel())
        for arm in trial.arms:
            g = gain[(frame[C.ARM] == arm).to_numpy()]
            n = len(g)
            g = g[np.isfinite(g)]  # missing (non-responder) and baseline 0 never respond
            hits = g[None, :] >= thr[:, None] - _TOL * np.maximum(1.0, np.abs(thr[:, None]))
            x = hits.sum(axis=1)
            rows.append(
                pd.DataFrame(
                    {
                        "visit": v,
                        "arm": arm,
                        "threshold": thr,
                        "n_responders": x.astype(int),
                        C.N: n,
                        "percent": 100.0 * x / n if n else np.nan,
                    }
                )
            )
            if n == 0:
                notes.append(f"{v}: arm {arm!r} has no subject counted; its percent is NaN")
            n_ex = int((out_v[C.ARM] == arm).sum())
            counts.append(
                {
                    "visit": v,
                    "arm": arm,
                    "n_randomised": n + n_ex,
                    "n_analysed": n,
                    "n_excluded": n_ex,
                }
            )
        excluded.append(out_v.assign(visit=v)[["visit", C.SUBJECT, C.ARM, "reason"]])
    notes.insert(
        0,
        f"missing = {missing}"
        + (
            ": subjects without a value are in the denominator and respond at no threshold"
            if missing == "non-responder"
            else ": subjects without a value are excluded"
        ),
    )
    curve = pd.concat(rows, ignore_index=True)
    return ResponderCurve(
        curve=curve,
        n_by_arm=pd.DataFrame(counts),
        excluded=pd.concat(excluded, ignore_index=True),
        kind=kind,
        missing=missing,
        notes=tuple(notes),
    )
