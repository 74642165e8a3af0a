"""The tipping-point figure: treatment effect and CI against delta, p-value on a second axis."""

from __future__ import annotations

import numpy as np

from irtrial import columns as C

__all__ = ["plot_tipping_point"]

#: colour-blind-safe colours (Okabe-Ito, as the report's figures), one per arm x strategy line
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")


def plot_tipping_point(result, ax=None, visit=None, arm=None):
    """Plot the effect (CI band) and the p-value against delta; mark the tipping point.

    Parameters
    ----------
    result : TippingPointResult
    ax : matplotlib Axes, optional
    visit, arm : str, optional
        Default: the last visit and every active arm.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import irtrial
    >>> tp = irtrial.tipping_point(irtrial.ir_wrap_trial(), deltas=[0, 2, 4])
    >>> ax = tp.plot()
    >>> ax.get_xlabel()
    'delta added to imputed values after the ICE'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    t = result.table
    visit = visit or list(dict.fromkeys(t[C.VISIT]))[-1]
    arms = [arm] if arm is not None else list(dict.fromkeys(t[C.ARM]))
    ax2 = ax.twinx()
    colors = COLOURS
    for k, (a, strat) in enumerate(
        dict.fromkeys(zip(t[C.ARM], t["strategy"], strict=True)).keys()
    ):
        if a not in arms:
            continue
        part = t[(t[C.VISIT] == visit) & (t[C.ARM] == a) & (t["strategy"] == strat)]
        part = part.sort_values("delta")
        c = colors[k % len(colors)]
        label = f"{a} vs {part['control'].iloc[0]} ({strat})"
        ax.plot(part["delta"], part[C.ESTIMATE], color=c, marker="o", label=label)
        ax.fill_between(part["delta"], part[C.CI_LOWER], part[C.CI_UPPER], color=c, alpha=0.15)
        ax2.plot(part["delta"], part[C.P_VALUE], color=c, linestyle="--", marker=".")
        tip = result.tipping
        hit = tip[(tip[C.VISIT] == visit) & (tip[C.ARM] == a) & (tip["strategy"] == strat)]
        if len(hit) and np.isfinite(hit["delta"].iloc[0]):
            ax.axvline(hit["delta"].iloc[0], color=c, linestyle=":", linewidth=1)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax2.axhline(result.alpha, color="#b00020", linestyle=":", linewidth=0.9,
                label=f"p = {result.alpha:g}")
    ax2.set_ylabel("p-value (dashed)")
    ax2.set_ylim(0, 1)
    ax.set_xlabel("delta added to imputed values after the ICE")
    where = f"visit {visit}" if str(visit).replace(".", "", 1).isdigit() else str(visit)
    ax.set_ylabel(f"treatment effect at {where} (CI)")
    handles, labels = ax.get_legend_handles_labels()
    more, more_labels = ax2.get_legend_handles_labels()
    ax.legend(handles + more, labels + more_labels, loc="best", fontsize="small", frameon=False)
    ax.spines["top"].set_visible(False)
    ax2.spines["top"].set_visible(False)
    return ax
