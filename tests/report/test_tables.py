"""Display tables: the numbers agree with independent computations on the raw CSV."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW

from irtrial.report import tables


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
