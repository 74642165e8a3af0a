"""Figures for the report: ``plot_x(..., ax=None) -> ax``, and SVG embedding.

Every plotting function draws on the ``ax`` it is given (or a new one) and returns it, as in
lifelines, so figures can be combined or restyled by the caller. :func:`to_svg` turns a figure
into an inline ``<svg>`` string with stable ids (no date, fixed hash salt), so that the same
data give the same report.

Examples
--------
>>> from irtrial.synthetic import ir_wrap_trial
>>> from irtrial.report.tables import outcome_summary
>>> ax = plot_mean_ci(outcome_summary(ir_wrap_trial()), arms=("Placebo", "IR"))
>>> ax.get_ylabel()
'Mean (95% CI)'
>>> to_svg(ax.figure).startswith("<svg")
True
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # headless: the report never opens a window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from irtrial import columns as C  # noqa: E402

__all__ = ["ARM_COLOURS", "plot_mean_ci", "plot_lsmeans", "plot_responder_curve", "to_svg"]

#: colour-blind-safe colours (Okabe-Ito); the control arm gets the first (grey)
ARM_COLOURS = ("#6b6b6b", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00")
_MARKERS = ("o", "s", "^", "D", "v", "P")


def plot_mean_ci(summary: pd.DataFrame, arms: Sequence[str] | None = None, ax: Axes | None = None,
                 *, ylabel: str = "Mean (95% CI)", outcome_range: tuple[float, float] | None = None,
                 dodge: float = 0.08) -> Axes:
    """Mean +/- confidence interval of the outcome by visit, one line per arm.

    Parameters
    ----------
    summary : DataFrame
        Tidy table with ``arm, visit, visit_num, n, mean, ci_lower, ci_upper`` (as from
        :func:`irtrial.report.tables.outcome_summary`), baseline first.
    arms : sequence of str, optional
        Arms in plotting order (default: order of appearance); the first is drawn grey.
    ax : matplotlib Axes, optional
        Where to draw; a new 8 x 4.2 inch figure when omitted.
    ylabel : str
        Label of the y axis.
    outcome_range : (float, float), optional
        Fix the y axis to the scale (e.g. 0-10 for an NRS).
    dodge : float
        Horizontal shift between arms, as a fraction of the smallest visit spacing.

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    arms = list(dict.fromkeys(summary[C.ARM].astype(str))) if arms is None else list(arms)
    visits = list(dict.fromkeys(summary[C.VISIT].astype(str)))
    nums = summary.groupby(summary[C.VISIT].astype(str), sort=False)[C.VISIT_NUM].first()
    nums = nums.reindex(visits).to_numpy(dtype=float)
    x_of = np.arange(len(visits), dtype=float) if np.isnan(nums).any() else nums
    spacing = np.min(np.diff(x_of)) if len(x_of) > 1 else 1.0
    x_map = dict(zip(visits, x_of, strict=True))
    for k, arm in enumerate(arms):
        rows = summary[summary[C.ARM].astype(str) == arm]
        x = rows[C.VISIT].astype(str).map(x_map).to_numpy(dtype=float)
        x = x + (k - (len(arms) - 1) / 2) * dodge * spacing
        mean = rows["mean"].to_numpy(dtype=float)
        lo, hi = rows[C.CI_LOWER].to_numpy(dtype=float), rows[C.CI_UPPER].to_numpy(dtype=float)
        colour = ARM_COLOURS[k % len(ARM_COLOURS)]
        ax.errorbar(x, mean, yerr=[mean - lo, hi - mean], color=colour,
                    marker=_MARKERS[k % len(_MARKERS)], capsize=3, linewidth=1.8,
                    markersize=6, label=arm)
    ax.set_xticks(x_of, visits)
    ax.set_xlabel("Visit")
    ax.set_ylabel(ylabel)
    if outcome_range is not None:
        ax.set_ylim(outcome_range[0], outcome_range[1])
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(title="Arm", frameon=False)
    return ax


def plot_lsmeans(lsmeans: pd.DataFrame, arms: Sequence[str] | None = None,
                 ax: Axes | None = None, *, ylabel: str = "LS mean change (95% CI)",
                 dodge: float = 0.08) -> Axes:
    """MMRM LS means of change from baseline +/- confidence interval by visit, per arm.

    Parameters
    ----------
    lsmeans : DataFrame
        ``arm, visit, estimate, ci_lower, ci_upper`` (``MMRMResult.lsmeans("arm",
        by="visit")``), visits in order.
    arms : sequence of str, optional
        Arms in plotting order (control first, drawn grey).
    ax : matplotlib Axes, optional
    ylabel : str
    dodge : float
        Horizontal shift between arms, as a fraction of the visit spacing.

    Returns
    -------
    matplotlib Axes
        With a dotted reference line at 0 (no change).
    """
    visits = list(dict.fromkeys(lsmeans[C.VISIT].astype(str)))
    tidy = pd.DataFrame({
        C.ARM: lsmeans[C.ARM].astype(str).to_numpy(),
        C.VISIT: lsmeans[C.VISIT].astype(str).to_numpy(),
        C.VISIT_NUM: lsmeans[C.VISIT].astype(str).map(
            {v: float(k) for k, v in enumerate(visits)}).to_numpy(),
        "mean": lsmeans[C.ESTIMATE].to_numpy(dtype=float),
        C.CI_LOWER: lsmeans[C.CI_LOWER].to_numpy(dtype=float),
        C.CI_UPPER: lsmeans[C.CI_UPPER].to_numpy(dtype=float),
    })
    ax = plot_mean_ci(tidy, arms=arms, ax=ax, ylabel=ylabel, dodge=dodge)
    ax.axhline(0.0, color="#999999", linewidth=0.9, linestyle=":", zorder=0)
    ax.margins(y=0.08)  # room above the zero line
    return ax


def plot_responder_curve(curve: pd.DataFrame, arms: Sequence[str] | None = None,
                         ax: Axes | None = None, *, kind: str = "percent",
                         marks: Sequence[float] = (30.0, 50.0)) -> Axes:
    """Cumulative responder curve: % of subjects whose improvement reaches each threshold.

    Parameters
    ----------
    curve : DataFrame
        ``arm, threshold, percent`` for one visit (``ResponderCurve.curve``), thresholds
        increasing.
    arms : sequence of str, optional
        Arms in plotting order (control first, drawn grey).
    ax : matplotlib Axes, optional
    kind : {"percent", "absolute"}
        What the thresholds are, for the x label.
    marks : sequence of float
        Thresholds marked with a dotted vertical line (IMMPACT's 30% and 50%).

    Returns
    -------
    matplotlib Axes
        One step line per arm (a threshold's value holds up to the next threshold).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    arms = list(dict.fromkeys(curve[C.ARM].astype(str))) if arms is None else list(arms)
    for m in marks:
        ax.axvline(m, color="#999999", linewidth=0.9, linestyle=":", zorder=0)
    for k, arm in enumerate(arms):
        rows = curve[curve[C.ARM].astype(str) == arm]
        ax.step(rows["threshold"].to_numpy(dtype=float), rows["percent"].to_numpy(dtype=float),
                where="post", color=ARM_COLOURS[k % len(ARM_COLOURS)], linewidth=1.8, label=arm)
    ax.set_xlabel("Improvement from baseline at least (%)" if kind == "percent"
                  else "Improvement from baseline at least (points)")
    ax.set_ylabel("Responders (%)")
    ax.set_ylim(0, 100)
    if len(curve):
        ax.set_xlim(float(curve["threshold"].min()), float(curve["threshold"].max()))
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(title="Arm", frameon=False)
    return ax


def to_svg(fig: Figure, close: bool = True) -> str:
    """The figure as an inline ``<svg>`` element (no XML prolog, no date, stable ids)."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "irtrial", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    if close:
        plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]
