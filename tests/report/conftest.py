"""Shared fixtures of the report tests: the replica, a three-arm trial with dropout, and one
full report rendered once per session (HTML, PDF, JSON, CSV, figures)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import irtrial

REPO = Path(__file__).resolve().parents[2]
REPLICA = REPO / "data" / "synthetic" / "ir_wrap_trial.csv"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(scope="session")
def trial():
    return irtrial.read_trial(REPLICA, outcome_range=(0, 10), covariates=("AGE", "SEX", "PAINDUR"))


@pytest.fixture(scope="session")
def raw():
    import pandas as pd

    return pd.read_csv(REPLICA)


@pytest.fixture(scope="session")
def plan():
    """The replica's plan as the CLI builds it: AGE and SEX in the model, SEX a factor."""
    from irtrial.plan import StudyPlan

    return StudyPlan.from_options(outcome="AVAL", outcome_range=(0, 10),
                                  covariates=["AGE", "SEX"], factors=["SEX"])


@pytest.fixture(scope="session")
def three_arm():
    """Placebo, Low, High; 12 per arm, 4 visits, MCAR dropout (seeded)."""
    from irtrial.synthetic import TrialDesign, simulate_trial
    from irtrial.synthetic.design import Dropout

    design = TrialDesign(arms=("Placebo", "Low", "High"), n_per_arm=(12, 12, 12),
                         visits=(0, 2, 4, 8),
                         means=((6, 5.8, 5.6, 5.5), (6, 5.2, 4.6, 4.2), (6, 4.8, 4.0, 3.4)),
                         subject_sd=1.0, residual_sd=0.8, ar1=0.5,
                         dropout=Dropout(hazard=0.08))
    return simulate_trial(design, seed=11)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory, trial, plan):
    """The full report of the replica under its plan, written once (PDF included)."""
    out = tmp_path_factory.mktemp("report")
    files = irtrial.report(trial, plan, out=out, now=NOW, command="irtrial report x.csv")
    return files


@pytest.fixture(scope="session")
def results(rendered):
    import json

    return json.loads(rendered.results.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def html(rendered):
    return rendered.html.read_text(encoding="utf-8")


def keep_artefact(path: Path, name: str) -> Path:
    """Copy a test artefact (screenshot, page images) to ``reports/test-artefacts/`` (ignored
    by git) so that ``make test`` leaves it for a reader."""
    dest = REPO / "reports" / "test-artefacts"
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, dest / name)
    return dest / name
