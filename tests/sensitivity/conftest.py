"""Shared data of the sensitivity tests: the two rbmi reference data sets as Trials."""

from pathlib import Path

import pytest

import irtrial

DATA = Path(__file__).parents[1] / "reference" / "data"


@pytest.fixture(scope="session")
def antidepressant():
    # source: tests/reference/data/rbmi_antidepressant.csv (rbmi's antidepressant_data)
    return irtrial.read_trial(DATA / "rbmi_antidepressant.csv", subject="PATIENT",
                              arm="THERAPY", visit="VISIT", outcome="HAMDTL17",
                              baseline="BASVAL", control="PLACEBO")


@pytest.fixture(scope="session")
def intermittent():
    # source: tests/reference/data/rbmi_intermittent.csv
    # (simulated by tests/reference/r/rbmi_intermittent_data.R)
    return irtrial.read_trial(DATA / "rbmi_intermittent.csv", subject="subject", arm="arm",
                              visit="visit", outcome="value", baseline="baseline",
                              control="PBO")
