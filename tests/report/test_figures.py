"""Figures draw exactly the numbers they are given; SVG output is inline and deterministic."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from irtrial.analysis.descriptives import visit_summary
from irtrial.report import figures


def test_mean_ci_draws_the_means_and_intervals(trial):
    s = visit_summary(trial).query("variable == 'value'")
    fig, ax = plt.subplots()
    assert figures.plot_mean_ci(s, arms=trial.arms, ax=ax, outcome_range=(0, 10)) is ax
    assert [c.get_label() for c in ax.containers] == ["Placebo", "IR"]
    for c, arm in zip(ax.containers, trial.arms, strict=True):
        rows = s[s["arm"] == arm]
        np.testing.assert_allclose(c.lines[0].get_ydata(), rows["mean"])
        segments = c.lines[2][0].get_segments()
        np.testing.assert_allclose([g[0][1] for g in segments], rows["ci_lower"])
        np.testing.assert_allclose([g[1][1] for g in segments], rows["ci_upper"])
    assert ax.get_ylim() == (0.0, 10.0)
    plt.close(fig)


def test_lsmeans_with_visit_labels(trial):
    import irtrial

    lsm = irtrial.mmrm(trial).lsmeans("arm", by="visit")
    ax = figures.plot_lsmeans(lsm, arms=trial.arms,
                              visit_labels={f"Week {k}": f"W{k}" for k in range(1, 7)})
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"W{k}" for k in range(1, 7)]
    assert any(np.allclose(line.get_ydata(), 0) for line in ax.lines)
    plt.close(ax.figure)


def test_forest_rows_and_groups():
    rows = pd.DataFrame({"group": ["A", "A", "B"], "label": ["x", "y", "z"],
                         "estimate": [-1.0, -2.0, 0.5], "ci_lower": [-2.0, -3.0, -0.5],
                         "ci_upper": [0.0, -1.0, 1.5], "primary": [False, True, False]})
    ax = figures.plot_forest(rows, favours=("IR", "Placebo"))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["A", "x", "y", "B", "z"]
    ci_lines = [line for line in ax.lines if len(line.get_xdata()) == 2
                and line.get_linestyle() == "-"]
    np.testing.assert_allclose(sorted(tuple(line.get_xdata()) for line in ci_lines),
                               sorted([(-2.0, 0.0), (-3.0, -1.0), (-0.5, 1.5)]))
    assert "favours IR" in ax.get_xlabel()
    plt.close(ax.figure)


def test_residual_plots_switch_to_density_for_many_points():
    rng = np.random.default_rng(1)
    z = rng.standard_normal(figures.MAX_POINTS + 1)
    ax = figures.plot_residuals(rng.standard_normal(len(z)), z)
    assert ax.collections and type(ax.collections[0]).__name__ == "PolyCollection"  # hexbin
    plt.close(ax.figure)
    ax = figures.plot_qq(z)
    offsets = ax.collections[0].get_offsets()
    assert len(offsets) <= 1000
    plt.close(ax.figure)
    small = rng.standard_normal(50)
    ax = figures.plot_qq(small)
    pts = ax.collections[0].get_offsets()
    np.testing.assert_allclose(pts[:, 1], np.sort(small))
    np.testing.assert_allclose(pts[:, 0], stats.norm.ppf((np.arange(50) + 0.5) / 50))
    plt.close(ax.figure)


def test_trajectories_sample_large_arms():
    rows = pd.DataFrame({"subject": np.repeat([f"s{i}" for i in range(100)], 3),
                         "arm": np.repeat(["A"] * 50 + ["B"] * 50, 3),
                         "visit": np.tile(["0", "1", "2"], 100),
                         "value": np.arange(300, dtype=float)})
    ax, shown = figures.plot_trajectories(rows, ["A", "B"], max_subjects=10, seed=3)
    assert shown == 10
    assert len(ax.collections[0].get_segments()) == 10
    plt.close(ax.figure)


def test_svg_is_inline_and_deterministic(trial):
    s = visit_summary(trial).query("variable == 'value'")
    a = figures.to_svg(figures.plot_mean_ci(s).figure, close=True)
    b = figures.to_svg(figures.plot_mean_ci(s).figure, close=True)
    assert a.startswith("<svg") and a.rstrip().endswith("</svg>")
    assert a == b
