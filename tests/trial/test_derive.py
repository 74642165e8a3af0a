"""Visit ordering and change from baseline."""

from __future__ import annotations

import numpy as np
import pytest

from irtrial.trial.derive import change_from_baseline, looks_like_baseline, order_visits


def test_week_10_after_week_2():
    order, nums, problems = order_visits(["Week 10", "Week 2", "Week 1", "Baseline"])
    assert order == ["Baseline", "Week 1", "Week 2", "Week 10"] and problems == []
    assert nums == {"Baseline": 0.0, "Week 1": 1.0, "Week 2": 2.0, "Week 10": 10.0}


def test_mixed_units_ordered_in_days():
    order, nums, _ = order_visits(["Month 1", "Week 2", "Day 3", "Screening"])
    assert order == ["Screening", "Day 3", "Week 2", "Month 1"]
    assert nums["Week 2"] == 14.0


def test_visit_num_wins_over_labels():
    order, nums, _ = order_visits(["Week 10", "Week 2"], {"Week 10": 1, "Week 2": 2})
    assert order == ["Week 10", "Week 2"] and nums == {"Week 10": 1.0, "Week 2": 2.0}


def test_user_order_wins_and_must_cover_all():
    order, nums, _ = order_visits(["a", "b"], {"a": 1, "b": 0}, visit_order=["a", "b"])
    assert order == ["a", "b"] and nums == {"a": 0.0, "b": 1.0}
    _, _, problems = order_visits(["a", "b", "c"], visit_order=["a", "b"])
    assert "visits ['c'] are not in visit_order" in problems[0].message


def test_unorderable_and_tied_visits_are_problems():
    _, _, problems = order_visits(["Pre", "Post"])
    assert "hold no number" in problems[0].message
    _, _, problems = order_visits(["Visit 1", "Week 1"], {"Visit 1": 1, "Week 1": 1})
    assert "share the same order number" in problems[0].message


@pytest.mark.parametrize("label,expected", [("Baseline", True), ("Week 0", True),
                                            ("SCREENING", True), ("Week 1", False),
                                            ("Day 0", True), ("Follow-up", False)])
def test_looks_like_baseline(label, expected):
    assert looks_like_baseline(label) is expected


def test_change_and_pct_change():
    change, pct = change_from_baseline(np.array([3.0, np.nan, 2.0]), np.array([6.0, 5.0, 0.0]))
    np.testing.assert_array_equal(change, [-3.0, np.nan, 2.0])
    np.testing.assert_array_equal(pct, [-50.0, np.nan, np.nan])
