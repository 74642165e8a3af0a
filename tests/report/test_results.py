"""Every number in results.json equals the library call that computes it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import irtrial
from irtrial.analysis.descriptives import baseline_table, visit_summary
from irtrial.plan import fit_primary


def _close(got, want, rtol=1e-12):
    got = np.array([np.nan if v is None else v for v in got], dtype=float)
    np.testing.assert_allclose(got, np.asarray(want, dtype=float), rtol=rtol, equal_nan=True)


@pytest.fixture(scope="module")
def pf(trial, plan):
    return fit_primary(trial, plan)


def test_primary_block(results, pf):
    block = results["sections"]["primary"]
    assert block["formula"] == "change ~ baseline + AGE + SEX + arm * visit"
    assert block["covariance_sas"] == pf.covariance_sas
    assert block["df_method"] == pf.result.df
    con = pd.DataFrame(block["contrasts"])
    for col in ("estimate", "std_error", "df", "statistic", "p_value", "ci_lower", "ci_upper"):
        _close(con[col], pf.contrasts[col])
    assert con["primary"].tolist() == pf.contrasts["primary"].tolist()
    lsm = pd.DataFrame(block["lsmeans"])
    for col in ("estimate", "std_error", "df", "ci_lower", "ci_upper"):
        _close(lsm[col], pf.lsmeans[col])
    t3 = pd.DataFrame(block["type3"])
    ref = pf.result.type3()
    for col in ("num_df", "den_df", "f_value", "p_value"):
        _close(t3[col], ref[col])
    _close(np.ravel(block["covariance_matrix"]["matrix"]), np.ravel(pf.result.covariance))
    assert block["n_subjects"] == pf.result.n_subjects and block["n_obs"] == pf.result.n_obs
    assert block["loglik"] == pytest.approx(pf.result.loglik, rel=1e-12)


def test_descriptive_blocks(results, trial, plan):
    got = pd.DataFrame(results["sections"]["outcome"]["rows"])
    ref = visit_summary(trial)
    for col in ("n", "mean", "sd", "median", "q1", "q3", "ci_lower", "ci_upper"):
        _close(got[col], ref[col])
    got = pd.DataFrame(results["sections"]["baseline"]["rows"])
    ref = baseline_table(trial, categorical=("SEX",))
    for col in ("n", "mean", "sd", "median", "percent"):
        _close(got[col], ref[col])


def test_supportive_block(results, trial, plan, pf):
    rows = {r["key"]: r for r in results["sections"]["supportive"]["rows"]}
    anc = irtrial.ancova(trial, covariates=("AGE", "SEX")).table.iloc[0]
    welch = irtrial.welch_test(trial).table.iloc[0]
    mw = irtrial.mann_whitney(trial).table.iloc[0]
    g = irtrial.effect_sizes(trial).table.query("measure == 'hedges_g'").iloc[0]
    for key, ref in (("ancova", anc), ("welch", welch), ("mann_whitney", mw),
                     ("effect_sizes", g)):
        for col in ("estimate", "ci_lower", "ci_upper", "p_value"):
            assert rows[key][col] == pytest.approx(ref[col], rel=1e-12), (key, col)
    assert rows["mmrm"]["estimate"] == pytest.approx(pf.primary["estimate"].iloc[0], rel=1e-12)


def test_responder_block(results, trial):
    rows = pd.DataFrame(results["sections"]["responders"]["rows"])
    ref = irtrial.responder_analysis(trial)
    t = ref.table
    nc = t[(t.measure == "risk_difference") & (t.method == "newcombe")]
    mn = t[(t.measure == "risk_difference") & (t.method == "miettinen_nurminen")]
    rr = t[t.measure == "risk_ratio"]
    orr = t[(t.measure == "odds_ratio") & (t.method == "woolf_logit")]
    _close(rows["risk_difference"], nc["estimate"])
    _close(rows["newcombe_lower"], nc["ci_lower"])
    _close(rows["mn_upper"], mn["ci_upper"])
    _close(rows["risk_ratio"], rr["estimate"])
    _close(rows["or_lower"], orr["ci_lower"])
    _close(rows["nnt"], ref.nnt["nnt"])
    rates = pd.DataFrame(results["sections"]["responders"]["rates"])
    _close(rates["percent"], ref.rates["percent"])


def test_multiplicity_equals_adjust_p_values(three_arm, tmp_path):
    import json

    from irtrial.plan import StudyPlan

    plan = StudyPlan.from_mapping({
        "endpoint": {"name": "AVAL", "direction": "lower"},
        "responders": {"definitions": "none"},
        "multiplicity": {"method": "holm", "family": "arms"}}, defaults=True)
    files = irtrial.report(three_arm, plan, out=tmp_path, pdf=False)
    block = json.loads(files.results.read_text())["sections"]["supportive"]["multiplicity"]
    got = pd.DataFrame(block["rows"])
    pf = fit_primary(three_arm, plan)
    ref = irtrial.adjust_p_values(pf.primary[["arm", "visit", "estimate", "p_value"]],
                                  method="holm")
    assert len(got) == 2
    _close(got["p_adjusted"], ref["p_adjusted"])
    html = files.html.read_text()
    assert "Holm adjustment over the active arms" in html


def test_figure_numbers(results, trial, plan):
    from irtrial.report.residuals import scaled_residuals

    block = results["sections"]["figures"]
    curve = pd.DataFrame(block["responder_curve"]["rows"])
    ref = irtrial.responder_curve(trial).curve
    _close(curve["percent"], ref["percent"])
    assert curve["threshold"].tolist() == ref["threshold"].tolist()
    z = scaled_residuals(fit_primary(trial, plan).result)["scaled"].to_numpy()
    assert block["residuals"]["n"] == len(z)
    assert block["residuals"]["sd"] == pytest.approx(np.std(z, ddof=1), rel=1e-12)
    assert block["residuals"]["n_beyond_2"] == int((np.abs(z) > 2).sum())
    forest = pd.DataFrame(block["forest"])
    pf = fit_primary(trial, plan)
    _close(forest["estimate"].iloc[: len(pf.contrasts)], pf.contrasts["estimate"])
