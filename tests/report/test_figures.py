"""Figures: mean +/- CI per arm; deterministic inline SVG."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from irtrial.report import figures, tables


def test_plot_mean_ci_draws_one_line_per_arm_at_the_means(trial):
    s = tables.outcome_summary(trial)
    fig, ax = plt.subplots()
    returned = figures.plot_mean_ci(s, arms=trial.arms, ax=ax, outcome_range=(0, 10))
    assert returned is ax
    containers = ax.containers  # one ErrorbarContainer per arm
    assert [c.get_label() for c in containers] == ["Placebo", "IR"]
    for c, arm in zip(containers, trial.arms, strict=True):
        rows = s[s["arm"] == arm]
        np.testing.assert_allclose(c.lines[0].get_ydata(), rows["mean"].to_numpy(dtype=float))
        # the bar spans the CI: its segments run from ci_lower to ci_upper
        segments = c.lines[2][0].get_segments()
        np.testing.assert_allclose([seg[0][1] for seg in segments], rows["ci_lower"])
        np.testing.assert_allclose([seg[1][1] for seg in segments], rows["ci_upper"])
    assert ax.get_ylim() == (0.0, 10.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"Week {k}" for k in range(7)]
    plt.close(fig)


def test_plot_creates_axes_when_none_given(trial):
    ax = figures.plot_mean_ci(tables.outcome_summary(trial))
    assert ax.figure is not None
    plt.close(ax.figure)


def test_svg_is_inline_and_deterministic(trial):
    s = tables.outcome_summary(trial)
    a = figures.to_svg(figures.plot_mean_ci(s).figure)
    b = figures.to_svg(figures.plot_mean_ci(s).figure)
    assert a.startswith("<svg") and a.rstrip().endswith("</svg>")
    assert "<?xml" not in a
    assert a == b


def test_plot_lsmeans_draws_the_mmrm_lsmeans_and_cis(trial):
    import irtrial

    lsm = irtrial.mmrm(trial).lsmeans("arm", by="visit")
    fig, ax = plt.subplots()
    assert figures.plot_lsmeans(lsm, arms=trial.arms, ax=ax) is ax
    assert [c.get_label() for c in ax.containers] == ["Placebo", "IR"]
    for c, arm in zip(ax.containers, trial.arms, strict=True):
        rows = lsm[lsm["arm"] == arm]
        np.testing.assert_allclose(c.lines[0].get_ydata(), rows["estimate"].to_numpy())
        segments = c.lines[2][0].get_segments()
        np.testing.assert_allclose([s[0][1] for s in segments], rows["ci_lower"])
        np.testing.assert_allclose([s[1][1] for s in segments], rows["ci_upper"])
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"Week {k}" for k in range(1, 7)]
    assert any(np.allclose(line.get_ydata(), 0) for line in ax.lines)  # the zero line
    plt.close(fig)


def test_plot_responder_curve_steps_through_the_percentages(trial):
    import irtrial

    curve = irtrial.responder_curve(trial).curve
    ax = figures.plot_responder_curve(curve, arms=trial.arms)
    steps = [line for line in ax.lines if line.get_label() in trial.arms]
    assert [line.get_label() for line in steps] == ["Placebo", "IR"]
    for line, arm in zip(steps, trial.arms, strict=True):
        rows = curve[curve["arm"] == arm]
        np.testing.assert_allclose(line.get_xdata(), rows["threshold"])
        np.testing.assert_allclose(line.get_ydata(), rows["percent"])
        assert line.get_drawstyle() == "steps-post"
    # IMMPACT's 30% and 50% marked
    marks = sorted(line.get_xdata()[0] for line in ax.lines if line not in steps)
    assert marks == [30.0, 50.0]
    assert ax.get_ylim() == (0.0, 100.0)
    plt.close(ax.figure)
