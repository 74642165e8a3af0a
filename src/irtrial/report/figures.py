"""Figures for the report: ``plot_x(..., ax=None) -> ax``, and SVG / PNG output.

Every plotting function draws on the ``ax`` it is given (or a new one) and returns it, so
figures can be combined or restyled by the caller. Labels (visits, levels, units) are passed
in by the caller: nothing here writes a confidence level or a direction as a literal.
:func:`to_svg` turns a figure into an inline ``<svg>`` string with stable ids (no date, fixed
hash salt, text kept as text so it stays selectable and small), so the same data give the same
report. Large trials stay light: trajectories are drawn for a seeded sample of subjects, and
residual plots switch to a hexagonal density (vector, a few hundred cells) and to 1,000
quantiles beyond a few thousand points; each caption says so.

Examples
--------
>>> import irtrial
>>> from irtrial.analysis.descriptives import visit_summary
>>> s = visit_summary(irtrial.ir_wrap_trial()).query("variable == 'value'")
>>> ax = plot_mean_ci(s, arms=("Placebo", "IR"), ylabel="Mean pain (95% CI)")
>>> ax.get_ylabel()
'Mean pain (95% CI)'
>>> to_svg(ax.figure).startswith("<svg")
True
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # headless: the report never opens a window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from scipy import stats  # noqa: E402

from irtrial import columns as C  # noqa: E402
from irtrial.report.svg import slim_svg  # noqa: E402

__all__ = ["ARM_COLOURS", "FIGSIZE", "MAX_POINTS", "new_axes", "plot_forest", "plot_lsmeans",
           "plot_mean_ci", "plot_qq", "plot_residuals", "plot_responder_curve",
           "plot_trajectories", "to_png", "to_svg"]

#: colour-blind-safe colours (Okabe-Ito); the control arm gets the first (grey)
ARM_COLOURS = ("#6b6b6b", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00")
_MARKERS = ("o", "s", "^", "D", "v", "P")
#: a round scatter marker drawn with 4 Bezier arcs instead of matplotlib's 8 (identical at
#: point size; halves what the SVG and WeasyPrint carry per point)
_DOT = Path([(1, 0), (1, 0.5523), (0.5523, 1), (0, 1), (-0.5523, 1), (-1, 0.5523), (-1, 0),
             (-1, -0.5523), (-0.5523, -1), (0, -1), (0.5523, -1), (1, -0.5523), (1, 0), (1, 0)],
            [Path.MOVETO] + [Path.CURVE4] * 12 + [Path.CLOSEPOLY])
#: default figure size in inches (fits an A4 page's text width)
FIGSIZE = (7.0, 3.6)
#: beyond this many points, residual plots show a density / quantiles instead of every point
MAX_POINTS = 4000


def _margins(fig: Figure, left: float = 0.75, right: float = 0.15, bottom: float = 0.6,
             top: float = 0.15, wspace: float = 0.75) -> None:
    """Fixed margins in inches (a layout engine would cost more than the drawing itself)."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1 - right / w, bottom=bottom / h, top=1 - top / h,
                        wspace=wspace / (w / max(len(fig.axes), 1)))


def new_axes(figsize: tuple[float, float] = FIGSIZE, ncols: int = 1, **margins: float):
    """A new figure (not registered with pyplot: nothing to close) with ``ncols`` axes and
    fixed margins in inches (``left``, ``right``, ``bottom``, ``top``, ``wspace``)."""
    fig = Figure(figsize=figsize)
    axes = fig.subplots(1, ncols)
    _margins(fig, **margins)
    return axes


def _style(ax: Axes, legend: bool = True, title: str | None = "Arm") -> None:
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(title=title, frameon=False, fontsize=9, title_fontsize=9)


def _colour(k: int) -> str:
    return ARM_COLOURS[k % len(ARM_COLOURS)]


def plot_mean_ci(summary: pd.DataFrame, arms: Sequence[str] | None = None, ax: Axes | None = None,
                 *, ylabel: str = "Mean", xlabel: str = "Visit",
                 visit_labels: dict[str, str] | None = None,
                 outcome_range: tuple[float, float] | None = None, dodge: float = 0.08,
                 mean: str = "mean") -> Axes:
    """Mean +/- confidence interval by visit, one line per arm.

    Parameters
    ----------
    summary : DataFrame
        ``arm, visit, <mean>, ci_lower, ci_upper`` (and ``visit_num``), visits in order.
    arms : sequence of str, optional
        Arms in plotting order (default: order of appearance); the first is drawn grey.
    ax : matplotlib Axes, optional
    ylabel, xlabel : str
    visit_labels : dict, optional
        Visit -> tick label (e.g. ``{"8": "Week 8"}``).
    outcome_range : (float, float), optional
        Fix the y axis to the scale.
    dodge : float
        Horizontal shift between arms, as a fraction of the visit spacing.
    mean : str
        Column of the point estimate.

    Returns
    -------
    matplotlib Axes
    """
    ax = new_axes() if ax is None else ax
    arms = list(dict.fromkeys(summary[C.ARM].astype(str))) if arms is None else list(arms)
    visits = list(dict.fromkeys(summary[C.VISIT].astype(str)))
    x_map = {v: float(k) for k, v in enumerate(visits)}
    for k, arm in enumerate(arms):
        rows = summary[summary[C.ARM].astype(str) == arm]
        x = rows[C.VISIT].astype(str).map(x_map).to_numpy(dtype=float)
        x = x + (k - (len(arms) - 1) / 2) * dodge
        m = rows[mean].to_numpy(dtype=float)
        lo, hi = rows[C.CI_LOWER].to_numpy(dtype=float), rows[C.CI_UPPER].to_numpy(dtype=float)
        err = np.vstack([m - lo, hi - m])
        ax.errorbar(x, m, yerr=np.where(np.isfinite(err), err, 0.0), color=_colour(k),
                    marker=_MARKERS[k % len(_MARKERS)], capsize=3, linewidth=1.6,
                    markersize=5, label=arm)
    labels = visit_labels or {}
    ax.set_xticks(list(x_map.values()), [labels.get(v, v) for v in visits])
    if len(visits) > 8:
        ax.tick_params(axis="x", labelrotation=45)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if outcome_range is not None:
        ax.set_ylim(outcome_range[0], outcome_range[1])
    _style(ax)
    return ax


def plot_lsmeans(lsmeans: pd.DataFrame, arms: Sequence[str] | None = None,
                 ax: Axes | None = None, *, ylabel: str = "LS mean change",
                 visit_labels: dict[str, str] | None = None, dodge: float = 0.08) -> Axes:
    """MMRM LS means of change from baseline +/- confidence interval by visit, per arm, with a
    dotted line at 0 (no change). ``lsmeans``: ``arm, visit, estimate, ci_lower, ci_upper``."""
    ax = plot_mean_ci(lsmeans, arms=arms, ax=ax, ylabel=ylabel, visit_labels=visit_labels,
                      dodge=dodge, mean=C.ESTIMATE)
    ax.axhline(0.0, color="#999999", linewidth=0.9, linestyle=":", zorder=0)
    ax.margins(y=0.08)
    return ax


def plot_trajectories(data: pd.DataFrame, arms: Sequence[str], *, y: str = C.VALUE,
                      ylabel: str = "Value", visit_labels: dict[str, str] | None = None,
                      max_subjects: int = 60, seed: int = 0,
                      outcome_range: tuple[float, float] | None = None) -> tuple[Axes, int]:
    """Individual trajectories, one panel per arm (shared y axis), with the arm mean in bold.

    Parameters
    ----------
    data : DataFrame
        Long ``subject, arm, visit, <y>`` with visits in order (baseline first if wanted).
    arms : sequence of str
    max_subjects : int
        At most this many subjects per arm are drawn, a sample drawn with ``seed`` (the mean
        line uses every subject).

    Returns
    -------
    (Axes of the first panel, number of subjects drawn per arm at most)
    """
    visits = list(dict.fromkeys(data[C.VISIT].astype(str)))
    x_map = {v: float(k) for k, v in enumerate(visits)}
    fig = Figure(figsize=(FIGSIZE[0], FIGSIZE[1] * 0.95))
    axes = fig.subplots(1, len(arms), sharey=True, squeeze=False)
    _margins(fig, bottom=0.72 if len(visits) > 4 else 0.55, top=0.3, wspace=0.25)
    rng = np.random.default_rng(seed)
    shown = 0
    labels = visit_labels or {}
    for k, (arm, ax) in enumerate(zip(arms, axes[0], strict=True)):
        mine = data[data[C.ARM].astype(str) == arm]
        subjects = pd.unique(mine[C.SUBJECT])
        if len(subjects) > max_subjects:
            subjects = rng.choice(subjects, size=max_subjects, replace=False)
            mine_s = mine[mine[C.SUBJECT].isin(set(subjects))]
        else:
            mine_s = mine
        shown = max(shown, len(subjects))
        wide = mine_s.pivot_table(index=C.SUBJECT, columns=C.VISIT, values=y, observed=False,
                                  dropna=False, aggfunc="first")
        wide = wide.reindex(columns=[c for c in wide.columns if str(c) in x_map])
        xs = np.array([x_map[str(c)] for c in wide.columns])
        segs = []
        for row in wide.to_numpy(dtype=float):
            ok = np.isfinite(row)
            if ok.sum() >= 1:
                segs.append(np.column_stack([xs[ok], row[ok]]))
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(segs, colors=_colour(k), linewidths=0.7, alpha=0.35))
        means = mine.groupby(mine[C.VISIT].astype(str), sort=False)[y].mean()
        ax.plot([x_map[v] for v in means.index], means.to_numpy(), color=_colour(k),
                linewidth=2.4, marker="o", markersize=4)
        ax.set_title(f"{arm}", fontsize=10)
        ax.set_xticks(list(x_map.values()), [labels.get(v, v) for v in visits])
        ax.tick_params(axis="x", labelrotation=45 if len(visits) > 4 else 0, labelsize=8)
        ax.set_xlim(-0.3, len(visits) - 0.7)
        if outcome_range is not None:
            ax.set_ylim(outcome_range[0] - 0.02 * (outcome_range[1] - outcome_range[0]),
                        outcome_range[1] + 0.02 * (outcome_range[1] - outcome_range[0]))
        else:
            ax.autoscale_view()
        _style(ax, legend=False)
    axes[0][0].set_ylabel(ylabel)
    return axes[0][0], shown


def plot_forest(rows: pd.DataFrame, ax: Axes | None = None, *, xlabel: str = "Difference",
                favours: tuple[str, str] | None = None) -> Axes:
    """Forest plot of treatment differences with their confidence intervals.

    Parameters
    ----------
    rows : DataFrame
        ``label, group, estimate, ci_lower, ci_upper`` (and optional ``primary`` bool: drawn
        as a filled diamond), top to bottom; a group heading precedes each new ``group``.
    favours : (left, right), optional
        What a difference left / right of 0 favours (e.g. ``("IR", "Placebo")`` when lower
        is better), written under the axis.

    Returns
    -------
    matplotlib Axes
    """
    lines: list[tuple[str, pd.Series | None]] = []
    last = None
    for _, r in rows.iterrows():
        if r["group"] != last:
            lines.append((str(r["group"]), None))
            last = r["group"]
        lines.append((str(r["label"]), r))
    height = max(2.2, 0.24 * len(lines) + 1.0)
    if ax is None:
        longest = max((len(label) for label, _ in lines), default=10)
        ax = new_axes((FIGSIZE[0], height), left=min(0.35 + 0.062 * longest, 3.2),
                      bottom=0.75 if favours else 0.55)
    n = len(lines)
    ticks, labels = [], []
    for i, (label, r) in enumerate(lines):
        yv = n - i
        ticks.append(yv)
        labels.append(label if r is not None else label.upper())
        if r is None:
            continue
        est, lo, hi = float(r[C.ESTIMATE]), float(r[C.CI_LOWER]), float(r[C.CI_UPPER])
        if not np.isfinite(est):
            continue
        primary = bool(r.get("primary", False))
        colour = "#0072b2" if primary else "#333333"
        if np.isfinite(lo) and np.isfinite(hi):
            ax.plot([lo, hi], [yv, yv], color=colour, linewidth=1.6)
        ax.plot([est], [yv], marker="D" if primary else "s", color=colour,
                markersize=7 if primary else 5)
    ax.axvline(0.0, color="#999999", linewidth=0.9, linestyle=":")
    ax.set_yticks(ticks, labels, fontsize=8)
    for t, (_, r) in zip(ax.get_yticklabels(), lines, strict=True):
        if r is None:
            t.set_fontweight("bold")
    ax.set_ylim(0.4, n + 0.6)
    ax.set_xlabel(xlabel if favours is None else
                  f"{xlabel}\n\u2190 favours {favours[0]}     favours {favours[1]} \u2192")
    ax.grid(axis="x", color="#eeeeee", linewidth=0.8)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return ax


def plot_responder_curve(curve: pd.DataFrame, arms: Sequence[str] | None = None,
                         ax: Axes | None = None, *, xlabel: str = "Improvement at least",
                         marks: Sequence[float] = ()) -> Axes:
    """Cumulative responder curve: % of subjects whose improvement reaches each threshold.

    ``curve``: ``arm, threshold, percent`` for one visit, thresholds increasing. ``marks`` are
    thresholds marked with a dotted vertical line (the pre-specified definitions).
    """
    ax = new_axes() if ax is None else ax
    arms = list(dict.fromkeys(curve[C.ARM].astype(str))) if arms is None else list(arms)
    for m in marks:
        ax.axvline(m, color="#999999", linewidth=0.9, linestyle=":", zorder=0)
    for k, arm in enumerate(arms):
        rows = curve[curve[C.ARM].astype(str) == arm]
        ax.step(rows["threshold"].to_numpy(dtype=float), rows["percent"].to_numpy(dtype=float),
                where="post", color=_colour(k), linewidth=1.8, label=arm)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Responders (%)")
    ax.set_ylim(0, 100)
    if len(curve):
        ax.set_xlim(float(curve["threshold"].min()), float(curve["threshold"].max()))
    _style(ax)
    return ax


def plot_residuals(fitted: np.ndarray, scaled: np.ndarray, ax: Axes | None = None) -> Axes:
    """Scaled residuals against fitted values (a hexagonal density beyond :data:`MAX_POINTS`),
    with reference lines at 0 and +/-2."""
    ax = new_axes((3.45, 3.2)) if ax is None else ax
    fitted, scaled = np.asarray(fitted, float), np.asarray(scaled, float)
    if len(scaled) > MAX_POINTS:
        ax.hexbin(fitted, scaled, gridsize=35, cmap="Blues", mincnt=1, linewidths=0.2, bins="log")
    else:
        ax.scatter(fitted, scaled, s=9, color="#0072b2", alpha=0.6, linewidths=0, marker=_DOT)
    for h, style in ((0.0, "-"), (2.0, ":"), (-2.0, ":")):
        ax.axhline(h, color="#777777", linewidth=0.9, linestyle=style, zorder=0)
    ax.set_xlabel("Fitted value")
    ax.set_ylabel("Scaled residual")
    _style(ax, legend=False)
    ax.grid(False)  # grid lines at +/-2 would hide the dotted reference lines
    return ax


def plot_qq(scaled: np.ndarray, ax: Axes | None = None) -> Axes:
    """Normal QQ plot of the scaled residuals (1,000 quantiles beyond :data:`MAX_POINTS`)."""
    ax = new_axes((3.45, 3.2)) if ax is None else ax
    z = np.sort(np.asarray(scaled, float)[np.isfinite(scaled)])
    n = len(z)
    if n == 0:
        return ax
    if n > MAX_POINTS:
        idx = np.unique(np.linspace(0, n - 1, 1000).round().astype(int))
    else:
        idx = np.arange(n)
    theo = stats.norm.ppf((idx + 0.5) / n)
    ax.scatter(theo, z[idx], s=9, color="#0072b2", alpha=0.7, linewidths=0, marker=_DOT)
    lim = float(max(abs(theo).max(), 1.0))
    ax.plot([-lim, lim], [-lim, lim], color="#999999", linewidth=0.9)
    ax.set_xlabel("Normal quantile")
    ax.set_ylabel("Scaled residual")
    _style(ax, legend=False)
    return ax


_STAR_STYLE = re.compile(r"<defs>\s*<style type=\"text/css\">\*\{[^}]*\}</style>\s*</defs>")


def to_svg(fig: Figure, close: bool = False) -> str:
    """The figure as an inline ``<svg>`` element (no XML prolog, no date, stable ids, text as
    text), made light by :func:`irtrial.report.svg.slim_svg`."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "irtrial", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    if close:
        plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # matplotlib's "*{stroke-linejoin: round; stroke-linecap: butt}" would style the whole HTML
    # page (and slow WeasyPrint's cascade): the same defaults as inherited attributes instead
    text = _STAR_STYLE.sub("", text, count=1)
    text = text.replace("<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1)
    return slim_svg(text)


def to_png(fig: Figure, path, dpi: int = 100, close: bool = True) -> None:
    """Write the figure as PNG (white background) and close it."""
    fig.savefig(path, format="png", dpi=dpi, facecolor="white",
                metadata={"Software": None})
    if close:
        plt.close(fig)
