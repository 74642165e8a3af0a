"""``irtrial.tipping_point``: delta adjustment over a grid and the delta where p reaches alpha."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.errors import ModelSpecError
from irtrial.sensitivity.reference_based import run
from irtrial.sensitivity.result import TippingPointResult

__all__ = ["tipping_point"]


def arms_text(arms) -> str:
    """The arms a delta shifts (``"active"``, ``"all"``, names), in words."""
    if not isinstance(arms, str):
        arms = ", ".join(arms)
    return {"active": "the active arm(s)", "all": "every arm (control included)"}.get(
        arms, f"the arm(s) {arms}")


def _crossing(deltas: np.ndarray, p: np.ndarray, alpha: float,
              estimate: np.ndarray | None = None):
    """First grid interval where p reaches alpha: (delta by linear interpolation of p, bracket,
    note). ``estimate`` (the effect at each delta) tells a shift that moves the effect away from
    no difference, which no wider grid can tip."""
    if np.allclose(p, p[0], rtol=1e-10, atol=0) and p[0] < alpha:
        return float("nan"), None, ("delta changes nothing here: no imputed value after an ICE "
                                    "in the arm(s) that delta shifts")
    if p[0] >= alpha:
        return float("nan"), None, (f"not significant (p >= {alpha:g}) already at the first "
                                    f"delta of the grid ({deltas[0]:g})")
    above = np.flatnonzero(p >= alpha)
    if len(above) == 0:
        away = estimate is not None and abs(estimate[-1]) > abs(estimate[0])
        if p[-1] < p[0] or away:
            return float("nan"), None, (f"p stays below {alpha:g}; the effect moves away from "
                                        "no difference as delta grows (the shift strengthens "
                                        "it): try deltas of the opposite sign")
        return float("nan"), None, f"p stays below {alpha:g} over the whole grid: widen it"
    j = int(above[0])
    d0, d1, p0, p1 = deltas[j - 1], deltas[j], p[j - 1], p[j]
    return float(d0 + (alpha - p0) * (d1 - d0) / (p1 - p0)), (float(d0), float(d1)), ""


def _locate(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    rows = []
    for (strat, vis, arm), part in table.groupby(["strategy", C.VISIT, C.ARM], sort=False):
        part = part.sort_values("delta")
        d, bracket, note = _crossing(part["delta"].to_numpy(), part[C.P_VALUE].to_numpy(), alpha,
                                     part[C.ESTIMATE].to_numpy())
        rows.append({"strategy": strat, C.VISIT: vis, C.ARM: arm, "delta": d,
                     "bracket": bracket, C.P_VALUE: np.nan, "confirmed": False, "note": note})
    return pd.DataFrame(rows)


def tipping_point(data, *, deltas, strategy="MAR", arms="active", alpha=0.05, confirm=True,
                  refine=True, **kwargs) -> TippingPointResult:
    r"""Delta-adjusted reference-based imputation over a grid, and the tipping point.

    For each delta of ``deltas``, delta is added to every imputed value after the ICE in
    ``arms`` (by default the active arms; ``"all"`` or a list of arm names) and the analysis
    of :func:`irtrial.reference_based` is repeated (same fits, same draws). The tipping point
    of each arm and visit is the delta where the p-value of the treatment effect first reaches
    ``alpha``: p is interpolated linearly between the two grid points around it (with
    ``refine=True``, between the points of a 20-times finer grid computed in the same run: the
    fits do not depend on delta), then ``confirm=True`` runs the analysis at that delta and
    reports its p-value.

    Parameters
    ----------
    data : Trial, path or DataFrame
    deltas : sequence of float
        Increasing grid (on the outcome's scale; a positive delta makes the imputed outcomes
        larger: choose its sign so that it works against the active arm).
    strategy : str or list
        Imputation strategy (default MAR, the classic tipping point).
    arms : "active", "all" or list of arm names
    alpha : float
    confirm, refine : bool
    **kwargs
        Passed to :func:`irtrial.reference_based` (``method``, ``reference``, ``seed``, ...).

    Returns
    -------
    TippingPointResult
        ``table`` (delta, strategy, visit, arm, control, estimate, std_error, df, statistic,
        p_value, ci_lower, ci_upper), ``tipping`` (strategy, visit, arm, delta, p_value,
        confirmed, note), ``plot(ax=None)``.

    Notes
    -----
    R: ``rbmi::delta_template()`` + ``analyse(delta = ...)`` over a grid. SAS: ``PROC MI;
    MNAR ADJUST(y / SHIFT=delta ADJUSTOBS=(trt='1'));`` per delta.

    References
    ----------
    Ratitch B, O'Kelly M, Tosiello R. Missing data in clinical trials: from clinical
    assumptions to statistical analysis using pattern mixture models. Pharm Stat
    2013;12:337-347.

    Examples
    --------
    >>> import irtrial
    >>> tp = irtrial.tipping_point(irtrial.ir_wrap_trial(), deltas=[0, 1, 2])
    >>> tp.table["delta"].unique().tolist()
    [0.0, 1.0, 2.0]
    """
    grid = np.asarray(deltas, dtype=float)
    if grid.ndim != 1 or len(grid) < 2 or not np.all(np.diff(grid) > 0):
        raise ModelSpecError("deltas must be an increasing sequence of at least 2 numbers")
    if "delta" in kwargs:
        raise ModelSpecError("tipping_point takes deltas= (the grid), not delta=")
    # the fits do not depend on delta, so one run covers the grid and, with refine, 20
    # subintervals of every grid interval (p interpolated there), then one run confirms
    dense = grid if not refine else np.unique(np.concatenate(
        [np.linspace(lo, hi, 21) for lo, hi in zip(grid[:-1], grid[1:], strict=True)]))
    result, sd = run(data, strategy=strategy, deltas=dense, delta_arms=arms, **kwargs)
    on_grid = np.isin(result.table["delta"].to_numpy(), grid)
    table = result.table[on_grid]
    table = table[["delta", *[c for c in table.columns if c != "delta"]]]
    tipping = _locate(table, alpha)
    todo = tipping[np.isfinite(tipping["delta"])]
    if refine and len(todo):
        fine_tip = _locate(result.table, alpha)
        key = ["strategy", C.VISIT, C.ARM]
        merged = tipping.merge(fine_tip[key + ["delta"]], on=key, how="left",
                               suffixes=("", "_fine"))
        ok = np.isfinite(merged["delta"]) & np.isfinite(merged["delta_fine"])
        tipping.loc[ok.to_numpy(), "delta"] = merged.loc[ok, "delta_fine"].to_numpy()
    result = dataclasses.replace(
        result, table=result.table[on_grid].reset_index(drop=True),
        lsmeans=result.lsmeans[np.isin(result.lsmeans["delta"].to_numpy(), grid)].reset_index(
            drop=True))
    if confirm and len(todo):
        uniq = np.unique(tipping.loc[todo.index, "delta"].to_numpy())
        check, _ = run(data, strategy=strategy, deltas=uniq, delta_arms=arms, **kwargs)
        ct = check.table
        for i in todo.index:
            r = tipping.loc[i]
            hit = ct[(ct["strategy"] == r["strategy"]) & (ct[C.VISIT] == r[C.VISIT])
                     & (ct[C.ARM] == r[C.ARM]) & np.isclose(ct["delta"], r["delta"],
                                                            rtol=0, atol=1e-12)]
            p = float(hit[C.P_VALUE].iloc[0])
            tipping.loc[i, C.P_VALUE] = p
            tipping.loc[i, "confirmed"] = bool(abs(p - alpha) <= 1e-3)
            if not abs(p - alpha) <= 1e-3:
                tipping.loc[i, "note"] = (f"a run at the interpolated delta gives p = {p:.4f}: "
                                          "refine the grid around it")
    tipping = tipping.drop(columns="bracket")
    notes = list(result.notes) + [
        f"tipping point: delta added to the imputed values after the ICE in "
        f"{arms_text(arms)}; the tipping delta is "
        f"where p first reaches {alpha:g} (linear interpolation of p on the grid"
        + (", confirmed by a run at that delta)" if confirm else ")")
    ]
    return TippingPointResult(table=table.reset_index(drop=True), tipping=tipping, alpha=alpha,
                              result=result, notes=tuple(notes),
                              arms=arms if isinstance(arms, str) else ", ".join(arms))
