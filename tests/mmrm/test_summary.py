"""MMRMResult.summary(): a Summary object (SAS-like text, HTML, DataFrame tables).

source of the numbers checked: the fit's own tables (the summary only lays them out); the
SAS values of those tables are tested in test_result.py / test_fit.py against
tests/reference/sas/mmrm_engine.json.
"""

import doctest

import pandas as pd
import pytest
from _sas_reference import fev_data

import irtrial
from irtrial.mmrm import summary as mmrm_summary_module
from irtrial.summary import Summary


@pytest.fixture(scope="module")
def fit():
    return irtrial.mmrm(fev_data(), "FEV1 ~ RACE + SEX + ARMCD * AVISIT", subject="USUBJID",
                        visit="AVISIT", df="satterthwaite")


def test_summary_is_an_object_with_dataframe_tables(fit):
    s = fit.summary()
    assert isinstance(s, Summary)
    pd.testing.assert_frame_equal(s.coefficients, fit.coefficients)
    pd.testing.assert_frame_equal(s.type3, fit.type3())
    assert list(s.covariance_parameters.columns) == ["cov_parm", "estimate", "std_error"]
    stats = s.fit_statistics.set_index("statistic")["value"]
    assert stats["-2 Res Log Likelihood"] == pytest.approx(-2 * fit.loglik)
    assert stats["BIC (Smaller is Better)"] == pytest.approx(fit.bic)


def test_text_is_sas_like_and_repr_is_the_text(fit):
    s = fit.summary()
    text = str(s)
    assert repr(s) == text and "\\n" not in repr(s)
    for heading in ("Fit Statistics", "Covariance Parameter Estimates",
                    "Solution for Fixed Effects", "Type 3 Tests of Fixed Effects"):
        assert heading in text
    assert "us (SAS TYPE=UN)" in text and "satterthwaite (SAS DDFM=SATTERTHWAITE)" in text
    assert "263 row(s)" in text  # rows not used are said, with their reason
    assert "<.0001" in text  # p-values as SAS prints them


def test_html_renders_every_table(fit):
    html = fit.summary()._repr_html_()
    assert html.count("<table") == 1 + 4  # model information + the four tables
    assert "Solution for Fixed Effects" in html


def test_options_given_and_defaulted_are_said():
    d = fev_data()
    s = irtrial.mmrm(d, "FEV1 ~ ARMCD * AVISIT", subject="USUBJID", visit="AVISIT").summary()
    info = dict(s.info)
    assert info["Degrees of freedom method"] == "kenward-roger (SAS DDFM=KR) [default]"
    assert info["Fixed effects SE method"] == "kenward-roger [default]"
    s = irtrial.mmrm(d, "FEV1 ~ ARMCD * AVISIT", subject="USUBJID", visit="AVISIT",
                     covariance="AR(1)", df="SATTERTH").summary()
    info = dict(s.info)
    assert info["Covariance structure"] == "ar1 (SAS TYPE=AR(1))"
    assert info["Degrees of freedom method"] == "satterthwaite (SAS DDFM=SATTERTHWAITE)"
    assert info["Fixed effects SE method"] == "asymptotic [default]"


def test_unknown_table_is_a_clear_attribute_error(fit):
    with pytest.raises(AttributeError, match="tables: "):
        fit.summary().lsmeans  # noqa: B018


def test_docstring_examples_run():
    res = doctest.testmod(mmrm_summary_module, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0
