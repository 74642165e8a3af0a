"""Covariate types: declared, inferred from the source, shown in the Trial (issue 8, case 3)."""

from __future__ import annotations

import pandas as pd
import pytest

from irtrial import read_trial
from irtrial.errors import TrialValidationError
from irtrial.trial.covariates import natural_levels


def _long(site, tmp_path=None):
    rows = []
    for i in range(6):
        for w in (0, 1):
            rows.append({"subject": f"S{i}", "arm": "IR" if i % 2 else "Placebo",
                         "visit": f"Week {w}", "pain": 7 - w * (i % 2) - 0.1 * i,
                         "site": site[i], "age": 40.0 + i})
    return pd.DataFrame(rows)


def test_character_site_codes_stay_categorical():
    trial = read_trial(_long(["701", "701", "710", "710", "900", "900"]), outcome="pain",
                       covariates=["site", "age"])
    assert trial.covariate_types == {"site": "categorical", "age": "numeric"}
    col = trial.data["site"]
    assert isinstance(col.dtype, pd.CategoricalDtype)
    assert list(col.cat.categories) == ["701", "710", "900"]
    assert isinstance(trial.subjects["site"].dtype, pd.CategoricalDtype)
    assert trial.data["age"].dtype == float


def test_numeric_codes_declared_categorical_lose_the_trailing_zero():
    trial = read_trial(_long([701.0, 701.0, 710.0, 710.0, 900.0, 900.0]), outcome="pain",
                       categorical=["site"])
    assert trial.covariates == ("site",)
    assert trial.covariate_types == {"site": "categorical"}
    assert list(trial.data["site"].cat.categories) == ["701", "710", "900"]


def test_declared_numeric_with_text_cells_is_a_problem():
    with pytest.raises(TrialValidationError) as err:
        read_trial(_long(["1", "2", "x", "3", "4", "5"]), outcome="pain", numeric=["site"])
    assert "numeric covariate column 'site' holds 2 non-numeric value(s): 'x'" in str(err.value)
    assert "declared numeric" in str(err.value)


def test_declared_both_ways_is_a_problem():
    with pytest.raises(TrialValidationError, match="both categorical and numeric"):
        read_trial(_long(["1"] * 6), outcome="pain", categorical=["site"], numeric="site")


def test_csv_whole_number_codes_are_numeric_with_a_warning_naming_the_options(tmp_path):
    path = tmp_path / "t.csv"
    _long(["701", "701", "710", "710", "900", "900"]).to_csv(path, index=False)
    trial = read_trial(path, outcome="pain", covariates=["site"])
    assert trial.covariate_types == {"site": "numeric"}
    assert trial.warnings == (
        "covariate 'site' holds only 3 distinct whole numbers and is used as numeric (one "
        "slope); if they are codes (site, region) declare it categorical (categorical="
        "['site'] / --factor site), else numeric (numeric=['site'] / --numeric site)",)
    with pytest.raises(TrialValidationError, match="covariate 'site' holds only 3"):
        read_trial(path, outcome="pain", covariates=["site"], strict=True)
    for kw in ({"categorical": ["site"]}, {"numeric": "site"}):
        declared = read_trial(path, outcome="pain", strict=True, **kw)
        assert declared.warnings == ()
        assert declared.covariate_types == {"site": next(iter(kw))}


def test_categorical_dtype_keeps_its_level_order():
    df = _long(["b", "b", "a", "a", "c", "c"])
    df["site"] = pd.Categorical(df["site"], categories=["c", "b", "a"])
    trial = read_trial(df, outcome="pain", covariates="site")
    assert list(trial.data["site"].cat.categories) == ["c", "b", "a"]


def test_natural_levels_sort_numbers_as_numbers():
    assert natural_levels(["10", "9", "100"]) == ["9", "10", "100"]
    assert natural_levels(["b", "a", "10"]) == ["10", "a", "b"]


def test_strict_turns_the_exclusion_warnings_into_errors():
    df = _long(["1"] * 6)
    df.loc[(df["subject"].isin(["S1", "S3"])) & (df["visit"] == "Week 1"), "pain"] = None
    trial = read_trial(df, outcome="pain")
    # 2 of 6 randomised left out (> 10%), and 2 of the 3 IR subjects (> half of the arm)
    assert trial.warnings == (
        "2 of 6 randomised subjects (33%) are left out of the analysis (no post-baseline "
        "value: 2); check the column mapping and the visits",
        "2 of 3 subjects of arm 'IR' are left out of the analysis",
    )
    assert trial.row_counts["excluded"] == 4
    with pytest.raises(TrialValidationError) as err:
        read_trial(df, outcome="pain", strict=True)
    assert len(err.value.problems) == 2
    assert "strict=True / --strict" in str(err.value)


def test_no_warning_when_few_are_left_out():
    df = _long(["1"] * 6)
    assert read_trial(df, outcome="pain", strict=True).warnings == ()
