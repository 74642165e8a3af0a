"""Shared fixtures for the report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

import irtrial

REPO = Path(__file__).resolve().parents[2]
REPLICA = REPO / "data" / "synthetic" / "ir_wrap_trial.csv"


@pytest.fixture(scope="package")
def trial():
    return irtrial.read_trial(REPLICA, outcome_range=(0, 10), covariates=("AGE", "SEX"))


@pytest.fixture(scope="package")
def raw():
    import pandas as pd

    return pd.read_csv(REPLICA)


@pytest.fixture(scope="package")
def small_trial(raw):
    """Three subjects per arm: too few for an unstructured covariance over six visits, so the
    MMRM raises InsufficientDataError while the other analyses still run."""
    keep = [s for a in ("Placebo", "IR")
            for s in list(dict.fromkeys(raw.loc[raw["ARM"] == a, "USUBJID"]))[:3]]
    return irtrial.read_trial(raw[raw["USUBJID"].isin(keep)], outcome_range=(0, 10))
