"""irtrial.mmrm.options: SAS/R spellings, defaults and every problem listed at once."""

import doctest

import pytest

from irtrial.errors import ModelSpecError
from irtrial.mmrm import options
from irtrial.mmrm.covariance import COVARIANCE_TYPES
from irtrial.mmrm.options import resolve_inference, resolve_options


@pytest.mark.parametrize(
    ("given", "name"),
    [("UN", "us"), ("un", "us"), ("CS", "cs"), ("CSH", "csh"), ("AR(1)", "ar1"),
     ("ar(1)", "ar1"), ("ARH(1)", "ar1h"), ("TOEP", "toep"), ("TOEPH", "toeph"),
     ("ANTE(1)", "adh"), ("ad", "ad"), ("ADH", "adh"), ("Ar1H", "ar1h")],
)
def test_covariance_spellings(given, name):
    assert resolve_options(given).covariance == name


def test_every_mapped_covariance_is_a_registered_structure():
    assert set(options.COVARIANCE_NAMES.values()) == set(COVARIANCE_TYPES)


@pytest.mark.parametrize(
    ("given", "name"),
    [("KR", "kenward-roger"), ("kr", "kenward-roger"), ("Kenward-Roger", "kenward-roger"),
     ("KR(LINEAR)", "kenward-roger-linear"), ("KR(FIRSTORDER)", "kenward-roger-linear"),
     ("Kenward-Roger-Linear", "kenward-roger-linear"), ("SATTERTH", "satterthwaite"),
     ("SATTERTHWAITE", "satterthwaite"), ("BW", "between-within"),
     ("BETWITHIN", "between-within"), ("Between-Within", "between-within"),
     ("RESIDUAL", "residual"), ("RES", "residual")],
)
def test_df_spellings(given, name):
    o = resolve_options("us", "reml", given)
    assert o.df == name and not o.df_default


@pytest.mark.parametrize(
    ("method", "vcov", "df", "vc"),
    [("reml", None, "kenward-roger", "kenward-roger"),
     ("REML", None, "kenward-roger", "kenward-roger"),
     ("ml", None, "satterthwaite", "asymptotic"),
     ("reml", "EMPIRICAL", "between-within", "empirical"),
     ("ml", "empirical", "between-within", "empirical")],
)
def test_defaults_follow_sas(method, vcov, df, vc):
    o = resolve_options("us", method, None, vcov)
    assert (o.df, o.vcov, o.df_default, o.vcov_default) == (df, vc, True, vcov is None)
    assert "default" in o.describe()


def test_kr_linear_df_defaults_to_its_own_adjusted_vcov():
    o = resolve_options("us", "reml", "KR(FIRSTORDER)")
    assert o.vcov == "kenward-roger-linear" and o.vcov_default
    assert resolve_options("us", "reml", "satterth", "KR").vcov == "kenward-roger"


def test_every_problem_in_one_error():
    with pytest.raises(ModelSpecError) as info:
        resolve_options("unstructured", "gee", "kr2", "sandwich", 1.5)
    text = str(info.value)
    for part in ("covariance='unstructured'", "method='gee'", "df='kr2'", "vcov='sandwich'",
                 "conf_level=1.5"):
        assert part in text


@pytest.mark.parametrize(
    ("args", "message"),
    [(("us", "ml", "KR"), "Kenward-Roger needs method='reml'"),
     (("us", "ml", None, "kr(linear)"), "Kenward-Roger needs method='reml'"),
     (("us", "reml", "SATTERTH", "empirical"), "not available with vcov='empirical'")],
)
def test_incompatible_pairs(args, message):
    with pytest.raises(ModelSpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_options(*args)


def test_conf_level_must_be_a_number_not_a_bool():
    with pytest.raises(ModelSpecError, match="conf_level=True"):
        resolve_options(conf_level=True)


def test_resolve_inference_matches_resolve_options():
    for df in ("KR", "satterth", "BW", "residual", "kr(linear)"):
        o = resolve_options("us", "reml", df)
        assert resolve_inference("reml", df) == (o.df, o.vcov)
    with pytest.raises(ModelSpecError, match="REML"):
        resolve_inference("ml", "kenward-roger")


def test_options_are_frozen():
    o = resolve_options()
    with pytest.raises(AttributeError):
        o.df = "residual"


def test_docstring_examples_run():
    res = doctest.testmod(options, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0


def test_sas_spellings_end_to_end_give_the_same_fit():
    import numpy as np
    from _sas_reference import fev_data

    import irtrial

    kw = {"subject": "USUBJID", "visit": "AVISIT"}
    d = fev_data()
    a = irtrial.mmrm(d, "FEV1 ~ ARMCD * AVISIT", covariance="ARH(1)", method="REML",
                     df="KR(FIRSTORDER)", **kw)
    b = irtrial.mmrm(d, "FEV1 ~ ARMCD * AVISIT", covariance="ar1h", method="reml",
                     df="kenward-roger-linear", **kw)
    assert a.options == b.options and a.covariance_type == "ar1h"
    np.testing.assert_allclose(a.coefficients[["estimate", "std_error", "df"]].to_numpy(),
                               b.coefficients[["estimate", "std_error", "df"]].to_numpy(),
                               rtol=1e-12)
