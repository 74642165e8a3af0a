"""How numbers read: decimals by scale, no -0.00, p-values, brackets, visits, levels."""

from __future__ import annotations

import math

import pytest

from irtrial.report.format import (
    DASH,
    ci_label,
    decimals_for,
    fmt,
    fmt_ci,
    fmt_est,
    fmt_n_pct,
    fmt_p,
    p_text,
    visit_label,
)


@pytest.mark.parametrize(("se", "text"), [(0.0195, "0.0195"), (0.3326, "0.333"),
                                          (1.7, "1.70"), (12.34, "12.3"), (1234.5, "1234"),
                                          (0.000123456, "0.000123")])
def test_decimals_follow_the_scale(se, text):
    assert fmt(se) == text


def test_estimate_takes_the_decimals_of_its_se():
    # an SE of 0.0195 (a 20,000-subject trial) is not "0.02" and its estimate has 4 decimals
    assert fmt_est(-1.234567, 0.0195) == "-1.2346"
    assert fmt_est(-2.676433, 0.527516) == "-2.676"
    assert decimals_for(0.0195) == 4


@pytest.mark.parametrize("x", [-0.0004, -0.0, -1e-12])
def test_never_minus_zero(x):
    assert fmt(x, 2) == "0.00"
    assert not fmt(x, 3).startswith("-")
    assert fmt_ci(x, 0.5, 2) == "[0.00, 0.50]"


def test_p_values():
    assert fmt_p(0.0004) == "< 0.001"
    assert fmt_p(0.001) == "0.001"
    assert fmt_p(0.04449) == "0.044"
    assert fmt_p(0.9996) == "> 0.999"
    assert p_text(1e-9) == "p < 0.001" and p_text(0.2) == "p = 0.200"
    assert fmt_p(math.nan) == DASH


def test_intervals_in_brackets():
    assert fmt_ci(-3.746015, -1.606851, 3) == "[-3.746, -1.607]"
    assert fmt_ci(math.nan, 1.0) == DASH


def test_confidence_level_is_never_a_literal():
    assert ci_label(0.95) == "95% CI"
    assert ci_label(0.9) == "90% CI"
    assert ci_label(0.975) == "97.5% CI"


def test_visit_labels():
    assert visit_label("8", "week") == "Week 8"
    assert visit_label("8.0", "WEEK") == "Week 8"
    assert visit_label("3", "AVISITN") == "Visit 3"
    assert visit_label("12", "month_num") == "Month 12"
    assert visit_label("Week 6", "AVISIT") == "Week 6"
    assert visit_label("4", None) == "Visit 4"


def test_counts():
    assert fmt_n_pct(19, 21) == "19/21 (90.5%)"
    assert fmt_n_pct(0, 0) == "0/0"
