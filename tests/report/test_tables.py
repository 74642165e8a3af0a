"""Display tables: the numbers agree with independent computations on the raw CSV, and the
analysis tables show exactly the library's results, formatted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW

import irtrial
from irtrial.report import analyses, tables


def _analysed(raw: pd.DataFrame) -> pd.DataFrame:
    post = raw[raw["AVISITN"] > 0].groupby("USUBJID")["AVAL"].apply(lambda s: s.notna().any())
    return raw[raw["USUBJID"].isin(post[post].index)]


def test_outcome_summary_matches_pandas_and_statsmodels(trial, raw):
    s = tables.outcome_summary(trial)
    assert list(s.columns) == ["arm", "visit", "visit_num", "n", "n_missing", "mean", "sd",
                               "std_error", "ci_lower", "ci_upper"]
    assert len(s) == 2 * 7
    data = _analysed(raw)
    for row in s.itertuples():
        y = data.loc[(data["ARM"] == row.arm) & (data["AVISIT"] == row.visit), "AVAL"].dropna()
        assert row.n == len(y)
        np.testing.assert_allclose(row.mean, y.mean(), rtol=1e-12)
        np.testing.assert_allclose(row.sd, y.std(ddof=1), rtol=1e-12)
        # independent CI: statsmodels DescrStatsW.tconfint_mean (closed form vs closed form)
        lo, hi = DescrStatsW(y.to_numpy(dtype=float)).tconfint_mean(alpha=0.05)
        np.testing.assert_allclose([row.ci_lower, row.ci_upper], [lo, hi], rtol=1e-10)


def test_outcome_summary_conf_level(trial):
    s90 = tables.outcome_summary(trial, conf_level=0.90).iloc[0]
    half = stats.t.ppf(0.95, s90["n"] - 1) * s90["sd"] / np.sqrt(s90["n"])
    np.testing.assert_allclose(s90["ci_upper"] - s90["mean"], half, rtol=1e-12)


def test_outcome_table_layout(trial):
    t = tables.outcome_table(trial)
    assert list(t.columns) == ["Visit", "Placebo n", "Placebo mean (SD)", "IR n", "IR mean (SD)"]
    assert t["Visit"].tolist() == ["Week 0 (baseline)"] + [f"Week {k}" for k in range(1, 7)]
    assert t.loc[6, "IR mean (SD)"] == "3.00 (1.41)"
    assert t.loc[0, "Placebo n"] == "18"


def test_arms_table(trial):
    t = tables.arms_table(trial)
    assert t.to_dict("records") == [
        {"Arm": "Placebo", "Role": "control", "Randomised": 19, "Excluded": 1, "Analysed": 18},
        {"Arm": "IR", "Role": "active", "Randomised": 21, "Excluded": 0, "Analysed": 21},
    ]


def test_consort_and_exclusions(trial):
    c = tables.consort_table(trial)
    assert c.columns.tolist() == ["Stage", "Placebo", "IR", "Total"]
    rows = c.set_index("Stage")
    assert rows.loc["Randomised"].tolist() == [19, 21, 40]
    assert rows.loc["Excluded: no post-baseline value"].tolist() == [1, 0, 1]
    assert rows.loc["Analysed"].tolist() == [18, 21, 39]
    e = tables.exclusions_table(trial)
    assert e.to_dict("records") == [
        {"Subject": "IRW-14", "Arm": "Placebo", "Reason": "no post-baseline value", "Rows": 7}]


def test_missingness_table_counts_missing_values():
    import irtrial

    df = pd.DataFrame({"id": ["1"] * 3 + ["2"] * 3 + ["3"] * 3,
                       "arm": ["IR"] * 3 + ["Placebo"] * 6,
                       "visit": ["Week 0", "Week 1", "Week 2"] * 3,
                       "y": [7, 5, None, 8, 7, 6, 6, None, 5]})
    t = tables.missingness_table(irtrial.read_trial(df, outcome="y"))
    assert t.to_dict("list") == {
        "Visit": ["Week 0 (baseline)", "Week 1", "Week 2"],
        "Placebo observed": [2, 1, 2], "Placebo missing": [0, 1, 0],
        "IR observed": [1, 1, 0], "IR missing": [0, 0, 1],
    }


def test_study_table(trial):
    t = dict(tables.study_table(trial).itertuples(index=False))
    assert t["Outcome"] == "AVAL (range 0 to 10)"
    assert t["Subjects randomised"] == "40" and t["Subjects analysed"] == "39"
    assert t["Covariates"] == "AGE, SEX"
    assert t["Input rows"] == "280 = 234 analysed + 39 baseline + 7 excluded"


def test_format_number():
    assert tables.format_number(1.234) == "1.23"
    assert tables.format_number(float("nan")) == "\u2013"
    assert tables.format_number(None) == "\u2013"


# ---- analysis tables --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def primary(trial):
    return analyses.primary_analysis(trial)


def test_format_p_and_ci():
    assert tables.format_p(0.0004) == "<0.001"
    assert tables.format_p(0.001) == "0.001"
    assert tables.format_p(0.04567) == "0.046"
    assert tables.format_p(float("nan")) == "\u2013"
    assert tables.format_ci(-3.746, -1.6068) == "-3.75 to -1.61"
    assert tables.format_ci(1.0, float("nan")) == "\u2013"


def test_lsmeans_table(trial, primary):
    t = tables.lsmeans_table(primary.lsmeans, trial.arms)
    assert t.columns.tolist() == ["Visit", "Placebo LS mean (SE)", "Placebo 95% CI",
                                  "IR LS mean (SE)", "IR 95% CI"]
    last = primary.lsmeans.iloc[-1]  # IR, Week 6
    assert t["Visit"].tolist() == [f"Week {k}" for k in range(1, 7)]
    assert t.loc[5, "IR LS mean (SE)"] == f"{last['estimate']:.2f} ({last['std_error']:.2f})"
    assert t.loc[5, "IR 95% CI"] == f"{last['ci_lower']:.2f} to {last['ci_upper']:.2f}"


def test_contrast_table(primary):
    t = tables.contrast_table(primary.contrasts)
    assert t.columns.tolist() == ["Visit", "Comparison", "Difference", "SE", "df", "95% CI", "p"]
    last = primary.contrasts.iloc[-1]
    assert t.iloc[-1].tolist() == [
        "Week 6", "IR \u2212 Placebo", f"{last['estimate']:.2f}", f"{last['std_error']:.2f}",
        f"{last['df']:.1f}", f"{last['ci_lower']:.2f} to {last['ci_upper']:.2f}", "<0.001"]
    assert t.loc[0, "p"] == f"{primary.contrasts['p_value'].iloc[0]:.3f}"


def test_covariance_and_correlation_tables(primary):
    cov = primary.fit.covariance
    c = tables.covariance_table(cov)
    assert c.columns.tolist() == ["Visit"] + [f"Week {k}" for k in range(1, 7)]
    assert c.loc[5, "Week 6"] == f"{cov.iloc[5, 5]:.2f}"
    r = tables.correlation_table(cov)
    assert (np.diag(r.iloc[:, 1:].to_numpy()) == "1.00").all()
    # independent: numpy's correlation of the same matrix
    s = cov.to_numpy()
    expected = s[0, 1] / np.sqrt(s[0, 0] * s[1, 1])
    assert r.loc[0, "Week 2"] == f"{expected:.2f}"


def test_estimand_table(trial):
    t = dict(tables.estimand_table(trial).itertuples(index=False))
    assert list(t) == ["Population", "Treatment", "Variable", "Intercurrent events",
                       "Summary measure"]
    assert "Week 6" in t["Variable"] and "AVAL" in t["Variable"]
    assert "missing at random" in t["Intercurrent events"]
    assert "hypothetical" in t["Intercurrent events"]


def test_supportive_summary_and_table(trial, primary):
    runs = analyses.supportive_analyses(trial)
    labels = {k: v[0] for k, v in analyses.SUPPORTIVE.items()}
    s = tables.supportive_summary({k: a.result for k, a in runs.items()}, labels,
                                  primary=primary.primary, primary_n=primary.n_by_arm)
    assert s["key"].tolist() == ["mmrm", "ancova", "welch", "mann_whitney", "hedges_g"]
    rows = s.set_index("key")
    assert rows.loc["welch", "estimate"] == irtrial.welch_test(trial).table["estimate"].iloc[0]
    g = irtrial.effect_sizes(trial).table.set_index("measure").loc["hedges_g"]
    assert rows.loc["hedges_g", "estimate"] == g["estimate"]
    assert rows.loc["hedges_g", "ci_lower"] == g["ci_lower"]
    hl = irtrial.mann_whitney(trial).table.iloc[0]
    assert rows.loc["mann_whitney", ["estimate", "p_value"]].tolist() == [
        hl["estimate"], hl["p_value"]]
    assert rows.loc["ancova", "estimate"] == irtrial.ancova(trial).table["estimate"].iloc[0]
    assert rows.loc["mmrm", "estimate"] == primary.contrasts["estimate"].iloc[-1]
    assert rows[["n_active", "n_control"]].astype(int).drop_duplicates().values.tolist() == [
        [21, 18]]
    t = tables.supportive_table(s)
    assert t.columns.tolist() == ["Analysis", "Measure", "Estimate", "95% CI", "p",
                                  "n (active / control)"]
    assert t.loc[2].tolist() == ["Welch t-test", "Difference in means", "-2.50",
                                 "-3.74 to -1.26", "<0.001", "21 / 18"]


def test_supportive_summary_skips_failed_analyses(trial):
    res = irtrial.welch_test(trial)
    s = tables.supportive_summary({"welch": res, "ancova": None}, {"welch": "W", "ancova": "A"})
    assert s["key"].tolist() == ["welch"]


def test_responder_summary_and_table(trial):
    res = irtrial.responder_analysis(trial)
    s = tables.responder_summary(res)
    assert s["definition"].tolist() == ["reduction >= 30%", "reduction >= 50%",
                                        "reduction >= 2 points"]
    first = s.iloc[0]
    # the docstring example of responder_analysis: 19/21 vs 6/19, NNTB 1.7
    assert (first["responders_active"], first["n_active"]) == (19, 21)
    assert (first["responders_control"], first["n_control"]) == (6, 19)
    np.testing.assert_allclose(first["risk_difference"], 19 / 21 - 6 / 19, rtol=1e-12)
    t = res.table
    newcombe = t[(t["measure"] == "risk_difference") & (t["method"] == "newcombe")].iloc[0]
    assert [first["ci_lower"], first["ci_upper"]] == [newcombe["ci_lower"], newcombe["ci_upper"]]
    fisher = t[t["measure"] == "fisher_exact"].iloc[0]
    assert first["p_value"] == fisher["p_value"]
    assert first["nnt_label"] == res.nnt["label"].iloc[0]
    d = tables.responder_table(s)
    assert d.columns.tolist() == ["Definition", "IR n/N (%)", "Placebo n/N (%)",
                                  "Difference (% points)", "95% CI (Newcombe)", "NNT",
                                  "Fisher p"]
    assert d.loc[0].tolist()[:3] == ["Reduction \u2265 30%", "19/21 (90.5%)", "6/19 (31.6%)"]
    assert d.loc[0, "Difference (% points)"] == f"{100 * (19 / 21 - 6 / 19):.1f}"
    assert d.loc[2, "Fisher p"] == f"{t[t['measure'] == 'fisher_exact']['p_value'].iloc[2]:.3f}"


def test_not_computable_rows_read_not_computable(raw):
    # a third arm with one subject: its comparisons are NaN rows; the tables say so
    d = raw.copy()
    d.loc[d["USUBJID"] == d.loc[d["ARM"] == "IR", "USUBJID"].iloc[0], "ARM"] = "Low"
    trial = irtrial.read_trial(d, outcome_range=(0, 10), control="Placebo")
    runs = analyses.supportive_analyses(trial)
    labels = {k: v[0] for k, v in analyses.SUPPORTIVE.items()}
    s = tables.supportive_summary({k: a.result for k, a in runs.items()}, labels)
    low = s[s["arm"] == "Low"]
    assert len(low) == 4 and low["estimate"].isna().all()
    assert (low["note"] == "Low at Week 6: 1 subject with a value; at least 2 needed").all()
    assert s.loc[s["arm"] == "IR", "note"].isna().all()
    t = tables.supportive_table(s)
    shown = t[t["Comparison"].str.startswith("Low")]
    assert (shown["Estimate"] == "not computable").all()
    assert (shown[["95% CI", "p"]] == "\u2013").all().all()
    assert not t.astype(str).apply(lambda c: c.str.contains("nan")).any().any()
    assert (t.loc[t["Comparison"].str.startswith("IR"), "Estimate"] != "not computable").all()

    r = tables.responder_summary(irtrial.responder_analysis(trial))
    rl = r[r["arm"] == "Low"]
    assert len(rl) == 3 and rl["risk_difference"].isna().all()
    assert (rl["nnt_label"] == "not computable").all()
    assert (rl["note"] == "Low at Week 6: 1 subject counted; at least 2 needed").all()
    rt = tables.responder_table(r)
    shown = rt[rt["Comparison"].str.startswith("Low")]
    assert (shown["Difference (% points)"] == "not computable").all()
    assert (shown["NNT"] == "not computable").all()
    assert (shown["Fisher p"] == "\u2013").all()
    assert not rt.astype(str).apply(lambda c: c.str.contains("nan")).any().any()


def test_responder_table_says_increase_when_higher_is_better(trial):
    r = tables.responder_summary(irtrial.responder_analysis(trial, lower_is_better=False))
    assert tables.responder_table(r)["Definition"].tolist() == [
        "Increase \u2265 30%", "Increase \u2265 50%", "Increase \u2265 2 points"]
