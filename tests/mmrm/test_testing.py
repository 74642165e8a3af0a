"""Contrast tables, joint F tests and SAS "Type 3 Tests of Fixed Effects".

# source: tests/reference/sas/inference_fev.json, "full_model"
#   design/SAS/sas_log_reml.txt: FEV1 ~ RACE + SEX + ARMCD*AVISIT, us, REML, DDFM=SATTERTHWAITE
#   design/SAS/sas_weighted.txt: the same with WEIGHT WEIGHT
# SAS prints F with 2 decimals, DenDF as integers and ProbF with 4 decimals (or "<.0001"); the
# comparisons below use exactly that precision.
"""

from __future__ import annotations

import numpy as np
import pytest
from _inference_helpers import full_model_state, sas_ref, sas_state

from irtrial.errors import ModelSpecError
from irtrial.mmrm import testing

SAS_TERM = {"AVISIT*ARMCD": "ARMCD:AVISIT"}


def _sas_type3(ref):
    return {SAS_TERM.get(r["Effect"], r["Effect"]): r for r in ref["type3"]}


def test_type3_matches_sas_satterthwaite():
    state, ref = full_model_state("satterthwaite")
    tab = testing.type3_table(state, df="satterthwaite").set_index("term")
    sas = _sas_type3(ref)
    assert set(tab.index) == set(sas)
    for term, r in sas.items():
        row = tab.loc[term]
        assert row.num_df == r["NumDF"]
        assert round(row.f_value, 2) == pytest.approx(r["FValue"], abs=1e-9)
        # multi-row terms (AVISIT, ARMCD:AVISIT, RACE) test SAS's eigen-decomposition df
        assert round(row.den_df) == r["DenDF"]
        if r["ProbF"] != "<.0001":
            assert round(row.p_value, 4) == pytest.approx(r["ProbF"], abs=1e-9)
        else:
            assert row.p_value < 1e-4


def test_type3_weighted_f_values_match_sas():
    # with WEIGHT, SAS's F values are reproduced; its df are not (see test_lsmeans.py)
    state, ref = full_model_state("satterthwaite_weighted")
    tab = testing.type3_table(state, df="satterthwaite").set_index("term")
    for term, r in _sas_type3(ref).items():
        assert round(tab.loc[term].f_value, 2) == pytest.approx(r["FValue"], abs=1e-9)


def test_slices_are_one_row_f_tests_of_the_differences():
    # SAS "Tests of Effect Slices" (slice=AVISIT): F = t^2 of TRT - PBO at each visit
    from irtrial.mmrm import lsmeans

    state, ref = full_model_state("satterthwaite")
    diffs = lsmeans.contrasts_table(state, "ARMCD", "PBO", by="AVISIT", df="satterthwaite")
    for r in ref["slices"]:
        t = diffs.set_index("AVISIT").loc[r["AVISIT"]].statistic
        assert round(t**2, 2) == pytest.approx(r["FValue"], abs=1e-9)


def test_joint_test_of_one_row_is_the_squared_t():
    state, _ = sas_state("kenward_roger", "us")
    L = np.array([[0.0, 1.0]])
    for df in ("satterthwaite", "kenward-roger", "residual", "between-within"):
        row = testing.contrast_table(state, L, ["d"], df=df).iloc[0]
        joint = testing.joint_test(state, L, df=df)
        assert joint["f_value"] == pytest.approx(row.statistic**2, rel=1e-10)
        assert joint["den_df"] == pytest.approx(row.df, rel=1e-10)
        assert joint["p_value"] == pytest.approx(row.p_value, rel=1e-8)


def test_joint_test_drops_redundant_rows():
    state, _ = full_model_state("satterthwaite")
    L = testing.type3_contrast(state, "AVISIT")
    both = testing.joint_test(state, np.vstack([L, L[:1] + L[1:2]]), df="kenward-roger")
    assert both["num_df"] == 3
    assert both["f_value"] == pytest.approx(
        testing.joint_test(state, L, df="kenward-roger")["f_value"], rel=1e-8
    )


def test_contrast_table_columns_and_errors():
    state, _ = sas_state("kenward_roger", "us")
    tab = testing.contrast_table(state, [[0.0, 1.0], [1.0, 0.0]], ["a", "b"], df="residual")
    assert list(tab.columns) == [
        "term", "estimate", "std_error", "df", "statistic", "p_value", "ci_lower", "ci_upper"
    ]
    assert (tab.df == state.n_obs - 2).all()
    with pytest.raises(ModelSpecError, match="shape"):
        testing.contrast_table(state, [[1.0, 0.0, 0.0]], None, df="residual")
    with pytest.raises(ModelSpecError, match="NaN"):
        testing.joint_test(state, [[np.nan, 1.0]], df="residual")
    with pytest.raises(ModelSpecError, match="all zeros"):
        testing.joint_test(state, [[0.0, 0.0]], df="residual")
    with pytest.raises(ModelSpecError, match="conf_level"):
        testing.contrast_table(state, [[0.0, 1.0]], None, df="residual", conf_level=95)


def test_type3_of_a_numeric_only_model():
    from _inference_helpers import fev_data

    import irtrial

    fit = irtrial.mmrm(fev_data(), "FEV1 ~ FEV1_BL", subject="USUBJID", visit="AVISIT",
                       covariance="cs", df="satterthwaite")
    tab = testing.type3_table(fit.state, df="satterthwaite")
    row = fit.coefficients.set_index("term").loc["FEV1_BL"]
    assert tab.term.tolist() == ["FEV1_BL"]
    assert tab.f_value[0] == pytest.approx(row.statistic**2, rel=1e-10)
    assert tab.den_df[0] == pytest.approx(row.df, rel=1e-10)


# source: tests/reference/sas/inference_fev.json "anova_type3" (design/anova/test3_*.csv, decimals)
ANOVA_FORMULAS = {
    "test3_1": "FEV1 ~ ARMCD * FEV1_BL",
    "test3_2": "FEV1 ~ ARMCD * SEX + ARMCD:FEV1_BL",
}
SAS_EFFECTS = {"FEV1_BL*ARMCD": "ARMCD:FEV1_BL", "SEX*ARMCD": "ARMCD:SEX"}


@pytest.mark.parametrize("key", list(ANOVA_FORMULAS))
def test_type3_with_covariates_matches_sas_end_to_end(key):
    # numeric covariates: a term's own covariate is a slope (averaged over the other factors),
    # covariates outside the term are held at 0, as SAS's type 3; FEV1_BL*ARMCD without FEV1_BL
    # (test3_2) is a nested 2-df term
    from _inference_helpers import fev_data

    import irtrial

    fit = irtrial.mmrm(fev_data(), ANOVA_FORMULAS[key], subject="USUBJID", visit="AVISIT",
                       covariance="ar1", df="satterthwaite")
    tab = testing.type3_table(fit.state, df="satterthwaite").set_index("term")
    ref = sas_ref()["anova_type3"][key]["type3"]
    assert len(tab) == len(ref)
    for r in ref:
        row = tab.loc[SAS_EFFECTS.get(r["Effect"], r["Effect"])]
        assert row.num_df == r["NumDF"]
        assert row.den_df == pytest.approx(r["DenDF"], rel=1e-3)
        assert row.f_value == pytest.approx(r["FValue"], rel=1e-4)
        assert row.p_value == pytest.approx(r["ProbF"], rel=1e-3)


def test_type3_skips_terms_of_a_single_level_factor():
    # a trial with one post-baseline visit: "visit" and "arm:visit" have nothing to test and
    # fit.type3() used to raise "the contrast matrix L is all zeros"
    import irtrial
    from irtrial.synthetic import ir_wrap_trial

    data = ir_wrap_trial().data
    last = data[data["visit"] == "Week 6"].copy()
    last["visit"] = last["visit"].cat.remove_unused_categories()
    fit = irtrial.mmrm(last, "change ~ baseline + arm * visit", subject="subject",
                       visit="visit", df="residual")
    tab = fit.type3()
    assert tab["term"].tolist() == ["baseline", "arm"]
    # arm's F is the squared t of its contrast at the one visit
    t = fit.contrasts("arm", by="visit")["statistic"].iloc[0]
    assert tab.set_index("term").loc["arm", "f_value"] == pytest.approx(t**2, rel=1e-6)
