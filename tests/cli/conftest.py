"""Shared fixtures for the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def replica_csv() -> Path:
    return REPO / "data" / "synthetic" / "ir_wrap_trial.csv"


@pytest.fixture
def bad_csv(tmp_path: Path) -> Path:
    """A file with four problems: text outcome, out of range, duplicate visit, two arms."""
    path = tmp_path / "bad.csv"
    path.write_text(
        "USUBJID,ARM,AVISIT,AVAL\n"
        "1,IR,Week 0,7\n"
        "1,IR,Week 1,abc\n"
        "2,Placebo,Week 0,8\n"
        "2,Placebo,Week 0,8\n"
        "3,IR,Week 0,12\n"
        "3,Placebo,Week 1,5\n",
        encoding="utf-8",
    )
    return path
