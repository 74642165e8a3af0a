"""Within-arm change: paired t and Wilcoxon signed rank with pseudo-median CI against R.

# source: tests/reference/r/within.R -> tests/reference/r/within.json
# (R 4.2.2 ``t.test(x)`` and ``wilcox.test(x, conf.int = TRUE)``)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from irtrial.analysis.within import _one_sample_t, _psignrank, _signed_rank
from irtrial.errors import InsufficientDataError

REF = Path(__file__).parents[1] / "reference" / "r" / "within.json"
CASES = json.loads(REF.read_text())
ALT = {"two.sided": "two-sided", "less": "less", "greater": "greater"}
KEYS = ["estimate", "std_error", "df", "statistic", "p_value", "ci_lower", "ci_upper"]


def _num(v):
    return float(v.replace("Inf", "inf")) if isinstance(v, str) else float(v)


def _ids(c):
    return f"{c['name']}-{c['alternative']}-exact{c['exact']}-correct{c['correct']}"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_paired_t_matches_r(case):
    got = _one_sample_t(np.array(case["x"]), case["conf_level"], ALT[case["alternative"]])
    np.testing.assert_allclose(
        [got[k] for k in KEYS], [_num(case["t"][k]) for k in KEYS], rtol=1e-6
    )


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_signed_rank_matches_r(case):
    got = _signed_rank(
        np.array(case["x"]),
        case["conf_level"],
        ALT[case["alternative"]],
        exact=case["exact"],
        correct=case["correct"],
    )
    want = case["wilcox"]
    assert got["statistic"] == _num(want["statistic"])
    assert ("exact" in want["method"]) == (got["method"] == "exact")
    np.testing.assert_allclose(got["p_value"], _num(want["p_value"]), rtol=1e-6)
    # estimate/CI under the normal approximation: same Brent iteration as R's uniroot
    keys = ["estimate", "ci_lower", "ci_upper"]
    np.testing.assert_allclose(
        [got[k] for k in keys], [_num(want[k]) for k in keys], rtol=1e-6, atol=1e-12
    )
    if want["achieved_conf_level"] != case["conf_level"]:
        assert any("not achievable" in n for n in got["notes"])


def test_regimes_covered():
    methods = {c["wilcox"]["method"] for c in CASES}
    assert "Wilcoxon signed rank exact test" in methods
    assert "Wilcoxon signed rank test with continuity correction" in methods
    zeros = next(c for c in CASES if c["name"] == "zeros_nrs")
    assert any("zero" in w for w in zeros["wilcox"]["warnings"])
    got = _signed_rank(np.array(zeros["x"]))
    assert any("zero changes" in n for n in got["notes"])


def test_signed_rank_distribution():
    assert _psignrank(10 * 11 / 2, 10) == pytest.approx(1.0)
    assert _psignrank(8, 10) == pytest.approx(_psignrank(55 - 8 - 1, 10, lower_tail=False))


def test_all_zero_changes_give_nan_not_error():
    got = _signed_rank(np.zeros(5))
    assert np.isnan(got["estimate"]) and np.isnan(got["ci_lower"])


def test_paired_t_needs_two_and_some_variance():
    with pytest.raises(InsufficientDataError):
        _one_sample_t(np.array([1.0]))
    with pytest.raises(InsufficientDataError, match="zero variance"):
        _one_sample_t(np.array([-2.0, -2.0, -2.0]))


# ---------------------------------------------------------------- through the Trial layer

from _comparison_data import SYNTHETIC, toy_frame  # noqa: E402

from irtrial.analysis.within import within_arm  # noqa: E402


def test_synthetic_replica_matches_r():
    res = within_arm(SYNTHETIC)
    tab = res.table.set_index(["arm", "test"])
    for arm in ("IR", "Placebo"):
        want = next(c for c in CASES if c["name"] == f"synthetic_{arm}")
        got = tab.loc[(arm, "paired t")]
        np.testing.assert_allclose(
            [got[k] for k in KEYS], [_num(want["t"][k]) for k in KEYS], rtol=1e-6
        )
        got = tab.loc[(arm, "signed rank")]
        for k in ("estimate", "statistic", "p_value", "ci_lower", "ci_upper"):
            np.testing.assert_allclose(got[k], _num(want["wilcox"][k]), rtol=1e-6)
    assert list(res.excluded["subject"]) == ["IRW-14"]


def test_three_arms_and_baseline_zero():
    res = within_arm(toy_frame(), variable="pct_change")
    assert sorted(set(res.table["arm"])) == ["High", "Low", "Placebo"]
    assert res.table.set_index(["arm", "test"]).loc[("Low", "paired t"), "n"] == 4
    assert "L0" in set(res.excluded["subject"])


def test_single_subject_arm_raises():
    d = toy_frame()
    d = d.loc[(d["ARM"] != "High") | (d["USUBJID"] == "H0")]
    # the other arms are tested as usual; High's rows are not computable, with the reason
    res = within_arm(d)
    t = res.table.set_index(["arm", "test"])
    for test in ("paired t", "signed rank"):
        assert np.isnan(t.loc[("High", test), "estimate"])
        assert t.loc[("High", test), "note"] == (
            "High at Week 2: 1 subject with a value; at least 2 needed"
        )
        assert t.loc[("Low", test), "note"] is None
    ref = within_arm(toy_frame()).table.set_index(["arm", "test"])
    np.testing.assert_allclose(
        t.loc[("Low", "paired t"), "estimate"], ref.loc[("Low", "paired t"), "estimate"]
    )
    # one subject in every arm: nothing computable, the same error as before
    d = d.loc[d["USUBJID"].isin(["P0", "L1", "H0"])]
    with pytest.raises(
        InsufficientDataError,
        match="needs at least 2 subjects per arm: arm 'Placebo' has 1, arm 'High' has 1, "
        "arm 'Low' has 1$",
    ):
        within_arm(d)


def test_docstring_examples_run():
    import doctest
    import importlib

    module = importlib.import_module("irtrial.analysis.within")

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_value_is_not_a_change():
    from irtrial.errors import ModelSpecError

    with pytest.raises(ModelSpecError, match="change"):
        within_arm(toy_frame(), variable="value")
