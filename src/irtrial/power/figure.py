"""The power-curve figure: simulated power per n with its Monte Carlo interval, the smoothed
curve, the analytic curve and the target.

>>> import matplotlib; matplotlib.use("Agg")
>>> from irtrial.power import ttest
>>> ax = plot_power_curve(None, analytic=lambda n: ttest(1, 1.5, n=n).power,
...                       n_range=(5, 60), target=0.9)
>>> ax.get_xlabel()
'Subjects per arm (control)'
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["plot_power_curve"]


def plot_power_curve(result=None, ax=None, *, target: float | None = None,
                     analytic: Callable[[float], float] | None = None,
                     n_range: tuple[float, float] | None = None, title: str | None = None):
    """Draw power against the control-arm size; returns the matplotlib ``Axes``.

    Parameters
    ----------
    result : SampleSizeResult or SimulationResult, optional
        Simulated points (with 95% Clopper-Pearson bars) and, for a sample-size result, the
        smoothed curve and the solution with its interval.
    ax : matplotlib Axes, optional
    target : float, optional
        Horizontal line at the target power (default: the result's target).
    analytic : callable, optional
        ``n -> power`` drawn as a dashed line (e.g. the Lu-Luo-Chen formula).
    n_range : (float, float), optional
        Range of n for the curves (default: the simulated grid, widened by 20%).
    title : str, optional
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0))
    sim = getattr(result, "simulation", result)
    table = None if sim is None else sim.table
    if n_range is None:
        if table is None:
            raise ValueError("give n_range when there is no simulation result")
        lo, hi = float(table["n"].min()), float(table["n"].max())
        n_range = (max(2.0, lo - 0.2 * (hi - lo)), hi + 0.2 * (hi - lo))
    grid = np.linspace(n_range[0], n_range[1], 200)
    if analytic is not None:
        ax.plot(grid, [analytic(n) for n in grid], "--", color="0.4",
                label="analytic (Lu, Luo & Chen, t)")
    if table is not None:
        y = table["power"].to_numpy()
        err = np.vstack([y - table["ci_lower"].to_numpy(), table["ci_upper"].to_numpy() - y])
        ax.errorbar(table["n"], y, yerr=err, fmt="o", color="C0", capsize=3,
                    label=f"simulated ({int(table['n_sim'].iloc[0])} replicates, 95% CI)")
    if hasattr(result, "power_at"):
        ax.plot(grid, result.power_at(grid), color="C0", label="smoothed curve")
        lo_n, hi_n = result.n_ci
        ax.axvspan(lo_n, hi_n, color="C0", alpha=0.12, lw=0)
        ax.axvline(result.n_exact, color="C0", lw=0.8)
        target = result.target if target is None else target
    if target is not None:
        ax.axhline(target, color="C3", lw=0.8, label=f"target {target:.0%}")
    ax.set_xlabel("Subjects per arm (control)")
    ax.set_ylabel("Power")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    return ax
