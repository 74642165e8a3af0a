"""irtrial.tipping_point: the grid, the interpolated and confirmed tipping delta, the figure."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from irtrial.errors import ModelSpecError  # noqa: E402
from irtrial.sensitivity import reference_based, tipping_point  # noqa: E402
from irtrial.sensitivity.tipping_point import _crossing  # noqa: E402


def test_crossing_interpolates_p_linearly():
    d, bracket, note = _crossing(np.array([0.0, 1.0, 2.0]), np.array([0.01, 0.03, 0.07]), 0.05)
    assert d == pytest.approx(1.5) and bracket == (1.0, 2.0) and note == ""
    d, _, note = _crossing(np.array([0.0, 1.0]), np.array([0.2, 0.3]), 0.05)
    assert np.isnan(d) and "already at the first delta" in note
    d, _, note = _crossing(np.array([0.0, 1.0]), np.array([0.001, 0.01]), 0.05)
    assert np.isnan(d) and "widen" in note
    d, _, note = _crossing(np.array([0.0, 1.0]), np.array([0.001, 0.001]), 0.05)
    assert np.isnan(d) and "changes nothing" in note


def test_tipping_point_confirmed_and_matches_a_direct_run(intermittent):
    # bootstrap with normal CIs: p(delta) is smooth (same seed, same samples at every delta)
    kw = dict(resampling="bootstrap", n_samples=10, bootstrap_ci="normal", seed=1)
    tp = tipping_point(intermittent, deltas=[0, 2, 4, 6, 8], strategy="JR", **kw)
    assert list(tp.table.columns[:4]) == ["delta", "strategy", "visit", "arm"]
    last = tp.tipping[tp.tipping.visit == "W5"].iloc[0]
    assert last.confirmed and last.p_value == pytest.approx(0.05, abs=1e-3)
    # the grid rows are the analysis run with that delta
    direct = reference_based(intermittent, strategy="JR", delta=4.0, **kw)
    grid = tp.table[tp.table.delta == 4.0].reset_index(drop=True)
    np.testing.assert_allclose(grid.estimate, direct.table.estimate, rtol=1e-12)
    np.testing.assert_allclose(grid.std_error, direct.table.std_error, rtol=1e-12)
    ax = tp.plot()
    assert ax.get_xlabel().startswith("delta") and len(ax.lines) >= 2
    with pytest.raises(ModelSpecError, match="increasing"):
        tipping_point(intermittent, deltas=[2, 1])


def test_crossing_says_when_p_falls_as_delta_grows():
    """A shift that strengthens the effect never tips: the note asks for the other sign."""
    d, _, note = _crossing(np.array([0.0, 1.0, 2.0]), np.array([0.01, 0.005, 0.001]), 0.05)
    assert np.isnan(d) and "opposite sign" in note and "widen" not in note


def test_crossing_says_when_the_effect_moves_away_from_no_difference():
    """p may creep up with the wider CI while the estimate moves away from 0 (the replica's
    placebo-only imputation shifted in every arm): no wider grid tips it, so the note asks for
    the other sign rather than a wider grid."""
    deltas = np.array([0.0, 1.0, 2.0])
    p = np.array([1e-5, 1.2e-5, 1.5e-5])
    d, _, note = _crossing(deltas, p, 0.05, estimate=np.array([-2.9, -3.1, -3.3]))
    assert np.isnan(d) and "opposite sign" in note
    d, _, note = _crossing(deltas, p, 0.05, estimate=np.array([-2.9, -2.7, -2.5]))
    assert np.isnan(d) and "widen" in note
