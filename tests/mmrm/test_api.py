"""Tests for irtrial.mmrm._api: option defaults and up-front validation of option pairs."""

import numpy as np
import pandas as pd
import pytest

import irtrial
from irtrial.errors import ModelSpecError


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(7)
    d = pd.DataFrame(
        {
            "id": np.repeat(np.arange(40), 3),
            "visit": np.tile(["W1", "W2", "W3"], 40),
            "arm": np.repeat(["PBO", "ACT"], 60),
        }
    )
    d["y"] = rng.normal(size=120) + (d.arm == "ACT") * 1.0
    return d


def _fit(d, **kw):
    return irtrial.mmrm(d, "y ~ arm * visit", subject="id", visit="visit", **kw)


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, "kenward-roger"),
        ({"method": "ml"}, "satterthwaite"),
        ({"vcov": "empirical"}, "between-within"),
        ({"method": "ml", "vcov": "empirical"}, "between-within"),
    ],
)
def test_default_df_follows_method_and_vcov(small, kw, expected):
    fit = _fit(small, **kw)
    assert fit.df == expected
    # the default is usable end to end: every coefficient gets finite df and p
    coef = fit.coefficients
    assert np.isfinite(coef["df"]).all() and np.isfinite(coef["p_value"]).all()


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"method": "ml", "df": "kenward-roger"}, "Kenward-Roger needs method='reml'"),
        ({"method": "ml", "vcov": "kenward-roger-linear"}, "Kenward-Roger needs method='reml'"),
        ({"vcov": "empirical", "df": "satterthwaite"}, "not available with vcov='empirical'"),
    ],
)
def test_incompatible_options_fail_at_the_call(small, kw, message):
    with pytest.raises(ModelSpecError, match=message):
        _fit(small, **kw)


def test_every_bad_option_is_listed_at_once(small):
    with pytest.raises(ModelSpecError) as info:
        _fit(small, covariance="unstructured", df="kw", conf_level=1.5)
    text = str(info.value)
    assert "covariance='unstructured'" in text and "df='kw'" in text and "conf_level=1.5" in text


def test_a_path_or_other_object_is_a_clear_model_spec_error(tmp_path):
    # used to say "formula, subject and visit are required for a DataFrame" for a file path
    with pytest.raises(ModelSpecError, match=r"not a str \('trial.csv'\): read the file first "
                       r"with irtrial.read_trial"):
        irtrial.mmrm("trial.csv")
    with pytest.raises(ModelSpecError, match="not a PosixPath|not a WindowsPath"):
        irtrial.mmrm(tmp_path / "trial.csv", "y ~ arm", subject="id", visit="visit")
    with pytest.raises(ModelSpecError, match="not a list"):
        irtrial.mmrm([1, 2, 3], "y ~ arm", subject="id", visit="visit")


def test_singular_design_message_says_how_to_accept_it(small):
    from irtrial.errors import SingularDesignError

    d = small.copy()
    d.loc[(d.arm == "ACT") & (d.visit == "W3"), "y"] = float("nan")
    with pytest.raises(SingularDesignError, match=r"FitControl\(accept_singular=True\)"):
        _fit(d)
    fit = _fit(d, control=irtrial.FitControl(accept_singular=True))
    assert fit.aliased  # the aliased interaction column is named
