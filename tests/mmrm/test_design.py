"""Design: R-style treatment coding and names, dropped rows counted, input errors."""

import numpy as np
import pandas as pd
import pytest
from _sas_reference import fev_data

from irtrial.errors import ModelSpecError, SingularDesignError, TrialValidationError
from irtrial.mmrm.design import prepare


def test_r_style_names_levels_and_terms():
    d = fev_data()
    pr = prepare(d, "FEV1 ~ RACE + SEX + ARMCD * AVISIT + FEV1_BL", "USUBJID", "AVISIT")
    des = pr.design
    # R: model.matrix(~ RACE + SEX + ARMCD * AVISIT + FEV1_BL) column names, same order
    assert des.column_names == [
        "(Intercept)",
        "RACEBlack or African American",
        "RACEWhite",
        "SEXFemale",
        "ARMCDTRT",
        "AVISITVIS2",
        "AVISITVIS3",
        "AVISITVIS4",
        "FEV1_BL",
        "ARMCDTRT:AVISITVIS2",
        "ARMCDTRT:AVISITVIS3",
        "ARMCDTRT:AVISITVIS4",
    ]
    assert des.terms == ["(Intercept)", "RACE", "SEX", "ARMCD", "AVISIT", "FEV1_BL", "ARMCD:AVISIT"]
    assert des.term_columns["ARMCD:AVISIT"] == [9, 10, 11]
    assert des.factors["SEX"] == ["Male", "Female"]  # Categorical order kept
    assert des.visit_levels == ["VIS1", "VIS2", "VIS3", "VIS4"]
    np.testing.assert_allclose(des.numerics["FEV1_BL"], des.frame["FEV1_BL"].mean())
    # 263 missing FEV1 rows dropped and counted
    assert pr.X.shape == (537, 12)
    ex = pr.exclusions
    assert ex["reason"].tolist() == ["missing response"] and ex["n_rows"].tolist() == [263]


def test_plain_strings_are_sorted_and_new_rows_reuse_the_coding():
    d = fev_data()
    d["SEX"] = d["SEX"].astype(str)
    pr = prepare(d, "FEV1 ~ SEX + ARMCD", "USUBJID", "AVISIT")
    assert pr.design.column_names == ["(Intercept)", "SEXMale", "ARMCDTRT"]
    grid = pd.DataFrame({"SEX": ["Male", "Female"], "ARMCD": ["TRT", "PBO"]})
    np.testing.assert_array_equal(pr.design.model_matrix(grid), [[1, 1, 1], [1, 0, 0]])


def test_missing_covariate_rows_are_counted_with_reason():
    d = fev_data()
    d.loc[[1, 5, 9], "FEV1_BL"] = np.nan  # row 1 has FEV1, row 5 too
    pr = prepare(d, "FEV1 ~ FEV1_BL", "USUBJID", "AVISIT")
    ex = pr.exclusions.set_index("reason")
    assert ex.loc["missing response", "n_rows"] == 263
    n_cov = int((d["FEV1"].notna() & d["FEV1_BL"].isna()).sum())
    assert ex.loc["missing covariate", "n_rows"] == n_cov
    assert len(pr.y) == 537 - n_cov


def test_duplicate_subject_visit_is_an_error_listing_them():
    d = fev_data()
    d = pd.concat([d, d.iloc[[0, 4]]], ignore_index=True)
    with pytest.raises(TrialValidationError, match="PT1.*PT2|more than one row") as exc:
        prepare(d, "FEV1 ~ ARMCD", "USUBJID", "AVISIT")
    assert set(exc.value.problems[0].subjects) == {"PT1", "PT2"}


def test_unknown_columns_are_listed():
    with pytest.raises(ModelSpecError, match="'AGE'.*'ARM'"):
        prepare(fev_data(), "FEV1 ~ AGE + ARM", "USUBJID", "AVISIT")


def test_rank_deficient_design_names_aliased_columns():
    d = fev_data()
    d = d[~((d["ARMCD"] == "TRT") & (d["AVISIT"] == "VIS4"))]  # TRT has no VIS4 rows
    with pytest.raises(SingularDesignError, match="ARMCDTRT:AVISITVIS4"):
        prepare(d, "FEV1 ~ ARMCD * AVISIT", "USUBJID", "AVISIT")
    pr = prepare(d, "FEV1 ~ ARMCD * AVISIT", "USUBJID", "AVISIT", accept_singular=True)
    assert pr.design.aliased == ["ARMCDTRT:AVISITVIS4"]
    assert "ARMCDTRT:AVISITVIS4" not in pr.design.column_names
    assert pr.design.model_matrix(d.head(3)).shape == (3, 7)


@pytest.mark.parametrize(
    "formula",
    [
        "FEV1 ~ RACE + SEX + ARMCD * AVISIT + FEV1_BL",
        "FEV1 ~ ARMCD:AVISIT",
        "FEV1 ~ 0 + ARMCD",
        "FEV1 ~ ARMCD * FEV1_BL + AVISIT",
        "FEV1 ~ log(FEV1_BL) + ARMCD",
    ],
)
def test_cached_fast_design_equals_formulaic(formula):
    # the second call with the same formula and levels builds X from a cached column recipe
    from formulaic import model_matrix

    d = fev_data()
    first = prepare(d, formula, "USUBJID", "AVISIT")
    second = prepare(d.sample(frac=1.0, random_state=1), formula, "USUBJID", "AVISIT")
    frame = second.design.frame
    expected = np.asarray(model_matrix(formula.split("~")[1], frame), dtype=float)
    np.testing.assert_array_equal(second.X, expected)
    assert first.design.column_names == second.design.column_names


def test_formula_without_response_or_with_an_r_covariance_term_says_what_to_do():
    d = fev_data()
    # used to leak formulaic's "'SimpleFormula' object has no attribute 'lhs'"
    with pytest.raises(ModelSpecError, match="no response: write 'response ~ terms'"):
        prepare(d, "ARMCD * AVISIT", "USUBJID", "AVISIT")
    # used to say "columns not found in the data: 'us'"
    with pytest.raises(ModelSpecError, match="pass covariance='us'"):
        prepare(d, "FEV1 ~ ARMCD * AVISIT + us(AVISIT | USUBJID)", "USUBJID", "AVISIT")
