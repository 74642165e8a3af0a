"""Design: R-style treatment coding and names, dropped rows counted, input errors."""

import json
from pathlib import Path

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


# ---- raw frames: visit order, C(x), backquoted names (issue 7) -------------------------------
# source: tests/reference/r/adas_sitegr1.R -> tests/reference/r/adas_sitegr1.json (nlme::gls
# corSymm + varIdent, REML, emmeans; SITEGR1 a factor). The raw ADaM frame is filtered as the R
# script does; its AVISIT is text, so text order would be "Week 16, Week 24, Week 8".
_REF = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture(scope="module")
def adas_raw():
    import pyreadstat

    raw, _ = pyreadstat.read_xport(str(_REF / "data" / "adadas_actot.xpt"))
    d = raw[(raw.PARAMCD == "ACTOT") & (raw.DTYPE.fillna("") == "") & (raw.ANL01FL == "Y")
            & raw.AVISIT.isin(["Week 8", "Week 16", "Week 24"])].copy()
    d["CHG"] = d["AVAL"] - d["BASE"]
    d = d[d["CHG"].notna()].reset_index(drop=True)
    d["SITENUM"] = d["SITEGR1"].astype(float)
    return d


@pytest.fixture(scope="module")
def adas_ref():
    return json.loads((_REF / "r" / "adas_sitegr1.json").read_text())


def _by_visit(tab, key):
    return tab.set_index([key, "AVISIT"]).sort_index()


def test_raw_adam_frame_visits_ordered_by_the_numbers_in_the_labels(adas_raw):
    pr = prepare(adas_raw, "CHG ~ BASE + TRTP * AVISIT", "USUBJID", "AVISIT")
    assert pr.design.visit_levels == ["Week 8", "Week 16", "Week 24"]
    assert pr.design.visit_order_note == ("visit order by the numbers in the visit labels: "
                                          "Week 8, Week 16, Week 24")
    assert "AVISITWeek 16" in pr.design.column_names  # Week 8 is the reference level
    import irtrial

    fit = irtrial.mmrm(adas_raw, "CHG ~ BASE + TRTP * AVISIT", subject="USUBJID",
                       visit="AVISIT", df="residual")
    assert pr.design.visit_order_note in fit.notes and pr.design.visit_order_note in str(
        fit.summary())


def test_visit_num_orders_the_visits_and_is_checked(adas_raw):
    d = adas_raw.assign(AVISIT=adas_raw["AVISIT"].map(
        {"Week 8": "Visit C", "Week 16": "Visit B", "Week 24": "Visit A"}))
    pr = prepare(d, "CHG ~ TRTP * AVISIT", "USUBJID", "AVISIT", visit_num="AVISITN")
    assert pr.design.visit_levels == ["Visit C", "Visit B", "Visit A"]
    assert pr.design.visit_order_note == "visit order by 'AVISITN': Visit C, Visit B, Visit A"
    import irtrial
    from irtrial.mmrm import MMRM

    kw = {"subject": "USUBJID", "visit": "AVISIT", "df": "residual", "visit_num": "AVISITN"}
    fit = irtrial.mmrm(d, "CHG ~ TRTP * AVISIT", **kw)
    assert fit.design.visit_levels == ["Visit C", "Visit B", "Visit A"]
    assert "visit order by 'AVISITN': Visit C, Visit B, Visit A" in fit.notes
    assert MMRM(d, "CHG ~ TRTP * AVISIT", **kw).fit().design.visit_levels == [
        "Visit C", "Visit B", "Visit A"]
    bad = d.copy()
    bad.loc[0, "AVISITN"] = 99.0
    with pytest.raises(ModelSpecError, match=r"more than one 'AVISITN' value"):
        prepare(bad, "CHG ~ TRTP * AVISIT", "USUBJID", "AVISIT", visit_num="AVISITN")
    with pytest.raises(ModelSpecError, match="'AVISIT_N'"):
        prepare(d, "CHG ~ TRTP * AVISIT", "USUBJID", "AVISIT", visit_num="AVISIT_N")


def test_text_order_and_categorical_order_are_said_or_kept():
    d = pd.DataFrame({"id": np.repeat(np.arange(8), 2), "v": np.tile(["post", "pre"], 8),
                      "y": np.arange(16.0)})
    pr = prepare(d, "y ~ v", "id", "v")
    assert pr.design.visit_levels == ["post", "pre"]
    assert pr.design.visit_order_note.startswith("visit order sorted as text: post, pre (")
    d["v"] = pd.Categorical(d["v"], categories=["pre", "post"])
    pr = prepare(d, "y ~ v", "id", "v")
    assert pr.design.visit_levels == ["pre", "post"] and pr.design.visit_order_note is None


@pytest.mark.parametrize("site", ["C(SITEGR1)", "C(SITENUM)", "SITECAT"])
def test_c_of_a_column_gives_the_factor_ls_means_of_r(adas_raw, adas_ref, site):
    import irtrial

    d = adas_raw.assign(SITECAT=pd.Categorical(adas_raw["SITEGR1"]))
    fit = irtrial.mmrm(d, f"CHG ~ BASE + {site} + TRTP * AVISIT", subject="USUBJID",
                       visit="AVISIT", df="residual")
    assert fit.n_obs == adas_ref["n_obs"]
    np.testing.assert_allclose(-2 * fit.loglik, adas_ref["neg2_res_loglik"], rtol=1e-6)
    got = _by_visit(fit.lsmeans("TRTP", by="AVISIT"), "TRTP")
    want = _by_visit(pd.DataFrame(adas_ref["lsmeans"]), "TRTP")
    np.testing.assert_allclose(got["estimate"], want["estimate"], rtol=1e-4)
    np.testing.assert_allclose(got["std_error"], want["std_error"], rtol=1e-4)
    con = fit.contrasts("TRTP", "Placebo", by="AVISIT")
    con["contrast"] = con["TRTP"].astype(str) + " - Placebo"
    got = _by_visit(con, "contrast")
    want = _by_visit(pd.DataFrame(adas_ref["contrasts"]), "contrast")
    np.testing.assert_allclose(got["estimate"], want["estimate"], rtol=1e-4)
    np.testing.assert_allclose(got["std_error"], want["std_error"], rtol=1e-4)
    # the site term is a factor everywhere: R-style names and a 10-df type 3 test
    assert fit.type3().set_index("term").loc[site.removeprefix("C(").rstrip(")"),
                                             "num_df"] == 10


def test_c_of_a_column_equals_the_categorical_column_exactly(adas_raw):
    import irtrial

    d = adas_raw.assign(SITECAT=pd.Categorical(adas_raw["SITENUM"]))
    kw = {"subject": "USUBJID", "visit": "AVISIT", "df": "kenward-roger"}
    a = irtrial.mmrm(d, "CHG ~ BASE + C(SITENUM) + TRTP * AVISIT", **kw)
    b = irtrial.mmrm(d, "CHG ~ BASE + SITECAT + TRTP * AVISIT", **kw)
    cols = ["estimate", "std_error", "df", "p_value", "ci_lower", "ci_upper"]
    for fa, fb in ((a.lsmeans("TRTP", by="AVISIT"), b.lsmeans("TRTP", by="AVISIT")),
                   (a.contrasts("TRTP", by="AVISIT"), b.contrasts("TRTP", by="AVISIT"))):
        np.testing.assert_allclose(fa[cols].to_numpy(float), fb[cols].to_numpy(float),
                                   rtol=1e-10)


def test_backquoted_column_names(adas_raw):
    import irtrial

    d = adas_raw.rename(columns={"CHG": "ADAS change", "BASE": "Base score",
                                 "TRTP": "Planned arm"})
    kw = {"subject": "USUBJID", "visit": "AVISIT", "df": "residual"}
    a = irtrial.mmrm(d, "`ADAS change` ~ `Base score` + `Planned arm` * AVISIT", **kw)
    b = irtrial.mmrm(adas_raw, "CHG ~ BASE + TRTP * AVISIT", **kw)
    np.testing.assert_allclose(a.beta, b.beta, rtol=1e-10)
    assert a.design.column_names[1:3] == ["Base score", "Planned armXanomeline High Dose"]
    con = a.contrasts("Planned arm", by="AVISIT")
    np.testing.assert_allclose(con["estimate"], b.contrasts("TRTP", by="AVISIT")["estimate"],
                               rtol=1e-10)


def test_unsupported_formula_parts_say_what_to_do(adas_raw):
    with pytest.raises(ModelSpecError, match="C\\(...\\) with options"):
        prepare(adas_raw, "CHG ~ C(SITEGR1, levels=['900', '701']) + TRTP", "USUBJID", "AVISIT")
    with pytest.raises(ModelSpecError, match="response 'np.log\\(AVAL\\)' is a transformation"):
        prepare(adas_raw, "np.log(AVAL) ~ TRTP", "USUBJID", "AVISIT")
