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
