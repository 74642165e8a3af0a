"""Tests of irtrial.analysis.responders (IMMPACT responder analysis)."""

# source: tests/reference/r/responders.R -> tests/reference/r/responders.json (synthetic replica)
# source: tests/reference/r/proportions.R -> tests/reference/r/proportions.json (edge tables)

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from irtrial.analysis.responders import (
    DEFAULT_DEFINITIONS,
    ResponderDefinition,
    responder_analysis,
)
from irtrial.errors import InsufficientDataError, ModelSpecError
from irtrial.trial import read_trial

ROOT = Path(__file__).parents[2]
CSV = ROOT / "data/synthetic/ir_wrap_trial.csv"
REF = json.loads((ROOT / "tests/reference/r/responders.json").read_text())
PROP = json.loads((ROOT / "tests/reference/r/proportions.json").read_text())


def _f(v):
    if isinstance(v, list):
        return [_f(x) for x in v]
    return math.nan if v in (None, "NA", "NaN") else float(v)


@pytest.fixture(scope="module")
def results():
    trial = read_trial(CSV)
    return {
        m: responder_analysis(trial, visit="all", missing=m) for m in ("non-responder", "exclude")
    }


@pytest.mark.parametrize("missing", ["non-responder", "exclude"])
def test_synthetic_replica_whole_table_matches_r(results, missing):
    res = results[missing]
    rates = res.rates.set_index(["visit", "definition", "arm"])
    tab = res.table.set_index(["visit", "definition", "measure", "method"]).sort_index()
    nnt = res.nnt.set_index(["visit", "definition"])
    refs = [r for r in REF["comparisons"] if r["missing"] == missing]
    assert len(refs) == 18 and len(res.nnt) == 18
    for r in refs:
        key = (r["visit"], r["definition"])
        ir, pl = rates.loc[(*key, "IR")], rates.loc[(*key, "Placebo")]
        assert (ir["n_responders"], ir["n"], pl["n_responders"], pl["n"]) == (
            r["x1"],
            r["n1"],
            r["x0"],
            r["n0"],
        )
        # Wilson interval of each arm's rate (closed form): 1e-6
        np.testing.assert_allclose(
            ir[["ci_lower", "ci_upper"]].astype(float),
            100 * np.array(r["wilson1"]),
            rtol=1e-6,
            atol=1e-10,
        )
        np.testing.assert_allclose(
            pl[["ci_lower", "ci_upper"]].astype(float),
            100 * np.array(r["wilson_placebo"]),
            rtol=1e-6,
            atol=1e-10,
        )
        t = tab.loc[key]
        cols = ["estimate", "ci_lower", "ci_upper"]
        np.testing.assert_allclose(
            t.loc[("risk_difference", "newcombe"), cols].astype(float),
            [r["rd"], *r["newcombe"]],
            rtol=1e-6,
        )
        # MN limits: R iterates (optimize + uniroot), Python iterates (brentq): 1e-4
        np.testing.assert_allclose(
            t.loc[("risk_difference", "miettinen_nurminen"), ["ci_lower", "ci_upper"]].astype(
                float
            ),
            r["mn"],
            rtol=1e-4,
        )
        np.testing.assert_allclose(
            t.loc[("risk_ratio", "katz_log"), cols].astype(float), [r["rr"], *r["rr_ci"]], rtol=1e-6
        )
        np.testing.assert_allclose(
            t.loc[("odds_ratio", "woolf_logit"), cols].astype(float),
            [r["or"], *r["or_ci"]],
            rtol=1e-6,
        )
        np.testing.assert_allclose(
            t.loc[("fisher_exact", "two_sided"), "p_value"], r["fisher_p"], rtol=1e-6
        )
        np.testing.assert_allclose(
            t.loc[("chi_square", "pearson"), ["statistic", "p_value"]].astype(float),
            [_f(r["chisq"]), _f(r["chisq_p"])],
            rtol=1e-6,
            atol=1e-12,
        )
        np.testing.assert_allclose(
            t.loc[("chi_square", "yates"), ["statistic", "p_value"]].astype(float),
            [_f(r["yates"]), _f(r["yates_p"])],
            rtol=1e-6,
            atol=1e-12,
        )
        n = nnt.loc[key]
        np.testing.assert_allclose(n["nnt"], r["nnt"], rtol=1e-6)
        if not n["crosses_zero"]:
            np.testing.assert_allclose(
                [n["ci_lower"], n["ci_upper"]], sorted(r["nnt_ci_reciprocals"]), rtol=1e-6
            )
        else:  # NNTB limit 1/U, NNTH limit 1/|L|
            np.testing.assert_allclose(
                [n["ci_lower"], n["ci_upper"]], r["nnt_ci_reciprocals"][::-1], rtol=1e-6
            )


def test_dropout_counted_where_the_rule_says(results):
    # the placebo dropout (no post-baseline value, excluded by the Trial) is a non-responder
    # in the denominator under the default rule, and excluded with its reason otherwise
    nr, ex = results["non-responder"], results["exclude"]
    assert nr.excluded.empty
    wk6 = nr.responses.query("visit == 'Week 6' and definition == 'reduction >= 30%'")
    assert (wk6["status"] == "missing: non-responder").sum() == 1
    assert len(wk6) == 40
    assert any("non-responder" in n for n in nr.notes)
    counts = ex.n_by_arm.query("visit == 'Week 6'").set_index(["definition", "arm"])
    assert counts.loc[
        ("reduction >= 30%", "Placebo"), ["n_randomised", "n_analysed", "n_excluded"]
    ].tolist() == [19, 18, 1]
    assert set(ex.excluded["reason"]) == {"no post-baseline value"}
    assert "exclude" in ex.notes[0]


def test_default_definitions_and_summary(results):
    res = results["non-responder"]
    assert [d.name for d in res.definitions] == [d.name for d in DEFAULT_DEFINITIONS]
    s = res.summary()
    assert len(s) == 18
    row = s.iloc[-1]
    ref = next(
        r
        for r in REF["comparisons"]
        if r["missing"] == "non-responder"
        and r["visit"] == "Week 6"
        and r["definition"] == "reduction >= 2 points"
    )
    assert row["responders_arm"].startswith(f"{ref['x1']}/{ref['n1']} ")
    assert row["nnt"].startswith("NNTB")
    assert "ResponderResult" in repr(res)


# ----------------------------------------------------------------------- edge cases


def _trial(rows, control="Placebo"):
    """rows: (subject, arm, baseline, value at Week 1 or None)."""
    recs = []
    for s, arm, b, y in rows:
        recs += [(s, arm, "Week 0", b), (s, arm, "Week 1", y)]
    df = pd.DataFrame(recs, columns=["id", "arm", "week", "pain"])
    return read_trial(df, subject="id", arm="arm", visit="week", outcome="pain", control=control)


def _prop_ref(x1, n1, x0, n0):
    return next(r for r in PROP if (r["x1"], r["n1"], r["x0"], r["n0"]) == (x1, n1, x0, n0))


def test_all_responders_vs_none_matches_r_table():
    # IR 10/10 responders, placebo 0/10: the (10, 10, 0, 10) table of proportions.R
    rows = [(f"A{i}", "IR", 8, 2) for i in range(10)] + [
        (f"P{i}", "Placebo", 8, 8) for i in range(10)
    ]
    res = responder_analysis(_trial(rows), ResponderDefinition("50%", "percent", 50))
    r = _prop_ref(10, 10, 0, 10)
    t = res.table.set_index(["measure", "method"])
    np.testing.assert_allclose(
        t.loc[("risk_difference", "newcombe"), ["estimate", "ci_lower", "ci_upper"]].astype(float),
        [r["rd"], *r["newcombe"]],
        rtol=1e-6,
    )
    np.testing.assert_allclose(t.loc[("risk_ratio", "katz_log"), "estimate"], r["rr"], rtol=1e-6)
    assert "0.5 added" in t.loc[("risk_ratio", "katz_log"), "note"]
    assert res.rates.set_index("arm").loc["IR", "percent"] == 100.0
    assert res.rates.set_index("arm").loc["Placebo", "n_responders"] == 0


def test_zero_responders_in_both_arms_is_reported():
    rows = [(f"A{i}", "IR", 8, 8) for i in range(10)] + [
        (f"P{i}", "Placebo", 8, 9) for i in range(10)
    ]
    res = responder_analysis(_trial(rows), ResponderDefinition("30%", "percent", 30))
    t = res.table.set_index(["measure", "method"])
    assert np.isnan(t.loc[("chi_square", "pearson"), "p_value"])
    assert "undefined" in t.loc[("chi_square", "pearson"), "note"]
    assert t.loc[("fisher_exact", "two_sided"), "p_value"] == 1.0
    np.testing.assert_allclose(
        t.loc[("risk_difference", "newcombe"), ["ci_lower", "ci_upper"]].astype(float),
        _prop_ref(0, 10, 0, 10)["newcombe"],
        rtol=1e-6,
    )
    assert res.nnt["label"].iloc[0].startswith("infinity")


def test_ties_exactly_on_the_threshold_respond():
    rows = [
        ("A1", "IR", 10, 7),  # exactly 30%
        ("A2", "IR", 7, 4.9),  # 30% in floating point 29.999999999999996
        ("A3", "IR", 10, 5),  # exactly 50%
        ("A4", "IR", 3, 1),  # exactly 2 points, 66.7%
        ("P1", "Placebo", 10, 7.01),  # just below 30% and below 2 points... 2.99 points
        ("P2", "Placebo", 10, 8.1),  # 19%, 1.9 points
    ]
    res = responder_analysis(_trial(rows))
    flags = res.responses.pivot(index="subject", columns="definition", values="responder")
    assert flags["reduction >= 30%"].to_dict() == {
        "A1": True,
        "A2": True,
        "A3": True,
        "A4": True,
        "P1": False,
        "P2": False,
    }
    assert flags["reduction >= 50%"].to_dict() == {
        "A1": False,
        "A2": False,
        "A3": True,
        "A4": True,
        "P1": False,
        "P2": False,
    }
    assert flags["reduction >= 2 points"].to_dict() == {
        "A1": True,
        "A2": True,
        "A3": True,
        "A4": True,
        "P1": True,
        "P2": False,
    }


@pytest.mark.parametrize("rule", ["non-responder", "exclude"])
def test_baseline_zero_never_divides_and_is_reported(rule):
    rows = [
        ("A1", "IR", 6, 2),
        ("A2", "IR", 6, 5),
        ("P1", "Placebo", 0, 0),
        ("P2", "Placebo", 6, 6),
        ("P3", "Placebo", 5, 1),
    ]
    res = responder_analysis(_trial(rows), baseline_zero=rule)
    pct = res.rates.query("definition == 'reduction >= 30%'").set_index("arm")
    assert pct.loc["Placebo", "n_baseline_zero"] == 1
    assert any("P1" in n and "baseline 0" in n for n in res.notes)
    if rule == "non-responder":
        assert pct.loc["Placebo", "n"] == 3
        st = res.responses.query("subject == 'P1' and definition == 'reduction >= 30%'")
        assert st["status"].item() == "baseline 0: non-responder" and not st["responder"].item()
    else:
        assert pct.loc["Placebo", "n"] == 2
        ex = res.excluded.query("definition == 'reduction >= 30%'")
        assert ex["subject"].tolist() == ["P1"]
    # the absolute definition is defined at baseline 0: P1 is counted there
    pts = res.rates.query("definition == 'reduction >= 2 points'").set_index("arm")
    assert pts.loc["Placebo", "n"] == 3 and pts.loc["Placebo", "n_baseline_zero"] == 0


def test_single_subject_arm_raises():
    rows = [("A1", "IR", 6, 2), ("P1", "Placebo", 6, 6), ("P2", "Placebo", 5, 5)]
    with pytest.raises(InsufficientDataError, match="'IR' has 1"):
        responder_analysis(_trial(rows))


def test_three_arms_each_against_control():
    rows = (
        [(f"L{i}", "Low", 8, 4 if i < 3 else 8) for i in range(6)]
        + [(f"H{i}", "High", 8, 2 if i < 5 else 8) for i in range(6)]
        + [(f"P{i}", "Placebo", 8, 3 if i < 1 else 8) for i in range(6)]
    )
    res = responder_analysis(_trial(rows), ResponderDefinition("50%", "percent", 50))
    assert set(res.table["arm"]) == {"Low", "High"} and set(res.table["control"]) == {"Placebo"}
    t = res.table.query("measure == 'risk_difference' and method == 'newcombe'")
    np.testing.assert_allclose(
        t.set_index("arm")["estimate"].loc[["Low", "High"]],
        [3 / 6 - 1 / 6, 5 / 6 - 1 / 6],
        rtol=1e-12,
    )


def test_direction_custom_rule_and_options():
    # higher is better: improvement = value - baseline
    rows = [
        ("A1", "IR", 4, 8),
        ("A2", "IR", 4, 5),
        ("P1", "Placebo", 4, 4),
        ("P2", "Placebo", 4, 3),
    ]
    res = responder_analysis(
        _trial(rows), ResponderDefinition("+50%", "percent", 50), lower_is_better=False
    )
    assert res.rates.set_index("arm")["n_responders"].to_dict() == {"Placebo": 0, "IR": 1}

    def pain_at_most_4(baseline, value):
        return value <= 4

    res = responder_analysis(_trial(rows), [pain_at_most_4])
    assert res.rates["definition"].unique().tolist() == ["pain_at_most_4"]
    assert res.rates.set_index("arm")["n_responders"].to_dict() == {"Placebo": 2, "IR": 0}
    with pytest.raises(ModelSpecError) as err:
        responder_analysis(_trial(rows), missing="lofc", baseline_zero="drop", conf_level=2)
    assert "missing" in str(err.value) and "baseline_zero" in str(err.value)
    with pytest.raises(ModelSpecError, match="threshold"):
        ResponderDefinition("x", "percent")
    with pytest.raises(ModelSpecError, match="bool"):
        responder_analysis(_trial(rows), [lambda b, y: y])


def test_dataframe_input_with_roles_equals_trial_input(results):
    # an ADaM-named DataFrame is read with read_trial (roles detected) ...
    res = responder_analysis(pd.read_csv(CSV), visit="all")
    pd.testing.assert_frame_equal(res.rates, results["non-responder"].rates)
    # ... and explicit roles work, the role "visit" column passed as visit_column=
    df = pd.read_csv(CSV).rename(
        columns={"USUBJID": "id", "ARM": "group", "AVISIT": "week", "AVAL": "pain"}
    )
    res = responder_analysis(
        df,
        subject="id",
        arm="group",
        visit_column="week",
        outcome="pain",
        control="Placebo",
        visit="Week 6",
    )
    want = results["non-responder"].rates.query("visit == 'Week 6'").reset_index(drop=True)
    pd.testing.assert_frame_equal(res.rates, want)


def test_unknown_visit_is_a_clear_error():
    with pytest.raises(ModelSpecError, match="Week 9"):
        responder_analysis(CSV, visit="Week 9")


def test_subject_without_baseline_is_excluded_with_the_trial_reason():
    rows = [
        ("A1", "IR", 6, 2),
        ("A2", "IR", None, 1),
        ("A3", "IR", 6, None),
        ("P1", "Placebo", 6, 6),
        ("P2", "Placebo", 5, 5),
    ]
    res = responder_analysis(_trial(rows), ResponderDefinition("30%", "percent", 30))
    # A2 has no baseline: excluded whatever the missing rule; A3 (no value) is a non-responder
    assert res.excluded[["subject", "reason"]].values.tolist() == [["A2", "no baseline value"]]
    ir = res.rates.set_index("arm").loc["IR"]
    assert (ir["n_responders"], ir["n"], ir["n_missing_non_responders"]) == (1, 2, 1)
    counts = res.n_by_arm.set_index("arm").loc["IR"]
    assert counts[["n_randomised", "n_analysed", "n_excluded"]].tolist() == [3, 2, 1]


def test_to_comparison_result(results):
    res = results["exclude"]
    cr = res.to_comparison_result()
    pd.testing.assert_frame_equal(cr.table, res.table)
    pd.testing.assert_frame_equal(cr["rates"], res.rates)
    assert cr.notes == res.notes and "1 subject(s) excluded" in repr(cr)


def test_single_subject_active_arm_gives_a_not_computable_row():
    # 3 arms, 'Low' has one counted subject: High vs Placebo as usual, Low vs Placebo NaN rows
    rows = (
        [("L0", "Low", 8, 4)]
        + [(f"H{i}", "High", 8, 2 if i < 5 else 8) for i in range(6)]
        + [(f"P{i}", "Placebo", 8, 3 if i < 1 else 8) for i in range(6)]
    )
    res = responder_analysis(_trial(rows), ResponderDefinition("50%", "percent", 50))
    low = res.table.query("arm == 'Low'")
    assert len(low) == len(res.table.query("arm == 'High'"))
    assert low[["estimate", "p_value", "ci_lower", "ci_upper"]].isna().all().all()
    assert (low["note"] == "Low at Week 1: 1 subject counted; at least 2 needed").all()
    rd = res.table.query("arm == 'High' and measure == 'risk_difference' and method == 'newcombe'")
    np.testing.assert_allclose(rd["estimate"], [5 / 6 - 1 / 6], rtol=1e-12)
    nnt = res.nnt.set_index("arm")
    assert nnt.loc["Low", "label"] == "not computable" and np.isnan(nnt.loc["Low", "nnt"])
    assert nnt.loc["High", "label"] != "not computable"
    assert any("Low vs Placebo: not computable" in n for n in res.notes)
    summary = res.summary().set_index("arm")
    assert summary.loc["Low", "risk_difference_newcombe"] == "not computable"
    assert summary.loc["Low", "responders_arm"] == "1/1 (100.0%)"


def test_visit_all_with_one_short_visit():
    d = pd.read_csv(CSV)
    ir = sorted(d.loc[d["ARM"] == "IR", "USUBJID"].unique())
    d.loc[(d["AVISIT"] == "Week 3") & d["USUBJID"].isin(ir[1:]), "AVAL"] = np.nan
    res = responder_analysis(d, visit="all", missing="exclude")
    ref = responder_analysis(pd.read_csv(CSV), visit="all", missing="exclude")
    wk3 = res.table[res.table["visit"] == "Week 3"]
    assert wk3["estimate"].isna().all() and len(wk3) == len(ref.table) // 6
    assert (wk3["note"] == "IR at Week 3: 1 subject counted; at least 2 needed").all()
    other = res.table[res.table["visit"] != "Week 3"].reset_index(drop=True)
    want = ref.table[ref.table["visit"] != "Week 3"].reset_index(drop=True)
    np.testing.assert_allclose(other["estimate"], want["estimate"], rtol=1e-12)
    # with dropouts as non-responders the denominators stay full: everything is computed
    assert responder_analysis(d, visit="all").table["estimate"].notna().any()


def test_default_definition_names_follow_the_direction():
    rows = [
        ("A1", "IR", 4, 8),
        ("A2", "IR", 4, 5),
        ("P1", "Placebo", 4, 4),
        ("P2", "Placebo", 4, 3),
    ]
    up = responder_analysis(_trial(rows), lower_is_better=False)
    assert [d.name for d in up.definitions] == [
        "increase >= 30%",
        "increase >= 50%",
        "increase >= 2 points",
    ]
    assert set(up.table["definition"]) == {d.name for d in up.definitions}
    down = responder_analysis(_trial(rows))
    assert down.definitions[0].name == "reduction >= 30%"
    # same thresholds, same kinds: only the names differ
    assert [(d.kind, d.threshold) for d in up.definitions] == [
        (d.kind, d.threshold) for d in down.definitions
    ]
