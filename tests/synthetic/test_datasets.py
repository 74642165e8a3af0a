"""Tests for the shipped infrared-wrap replica (Gale 2006)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from irtrial.synthetic import (
    frame_to_csv_text,
    ir_wrap_design,
    ir_wrap_frame,
    load_ir_wrap_frame,
    shipped_csv_path,
    write_ir_wrap_csv,
)

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "data" / "synthetic" / "ir_wrap_trial.csv"

# Published group means (Gale, Rothbart & Li 2006, abstract): NRS 0-10
PUBLISHED = {("IR", 0): 6.9, ("IR", 6): 3.0, ("Placebo", 0): 7.4, ("Placebo", 6): 6.0}


@pytest.fixture(scope="module")
def frame():
    return ir_wrap_frame()


def test_design_counts(frame):
    subjects = frame.drop_duplicates("USUBJID")
    assert len(subjects) == 40
    assert subjects["ARM"].value_counts().to_dict() == {"IR": 21, "Placebo": 19}
    assert sorted(frame["AVISITN"].unique().tolist()) == list(range(7))
    assert frame.groupby("USUBJID").size().eq(7).all()


def test_one_placebo_dropout_after_baseline(frame):
    missing = frame[frame["AVAL"].isna()]
    assert missing["USUBJID"].nunique() == 1
    assert set(missing["ARM"]) == {"Placebo"}
    assert sorted(missing["AVISITN"].tolist()) == [1, 2, 3, 4, 5, 6]
    who = missing["USUBJID"].iloc[0]
    assert frame.loc[(frame["USUBJID"] == who) & (frame["AVISITN"] == 0), "AVAL"].notna().all()


def test_integer_nrs_0_to_10(frame):
    aval = frame["AVAL"].dropna().astype(int)
    assert aval.between(0, 10).all()
    assert str(frame["AVAL"].dtype) == "Int64"


@pytest.mark.parametrize("key", list(PUBLISHED))
def test_group_means_match_published_within_0_3(frame, key):
    arm, week = key
    observed = frame.loc[(frame["ARM"] == arm) & (frame["AVISITN"] == week), "AVAL"].dropna()
    assert abs(observed.astype(float).mean() - PUBLISHED[key]) < 0.3


@pytest.mark.parametrize("arm", ["IR", "Placebo"])
def test_baseline_mean_of_analysed_subjects_matches_too(frame, arm):
    analysed = frame.groupby("USUBJID")["AVAL"].transform(lambda s: s.iloc[1:].notna().any())
    base = frame[analysed & (frame["ARM"] == arm) & (frame["AVISITN"] == 0)]["AVAL"]
    assert abs(base.astype(float).mean() - PUBLISHED[(arm, 0)]) < 0.3


def test_realistic_correlation_across_weeks(frame):
    wide = frame.pivot(index="USUBJID", columns="AVISITN", values="AVAL").astype(float)
    corr = wide.corr().to_numpy()
    lag1 = np.diag(corr, 1)
    assert np.all((lag1 > 0.5) & (lag1 < 0.95))
    assert corr[0, 6] < lag1.mean()  # correlation decays with distance


def test_covariates(frame):
    subjects = frame.drop_duplicates("USUBJID")
    assert (subjects["PAINDUR"] > 6).all()  # pain for over six years ...
    assert abs(subjects["PAINDUR"].mean() - 6.5) < 0.15  # ... 6.5 years on average
    assert set(subjects["SEX"]) == {"F", "M"}
    assert subjects["AGE"].between(18, 90).all()
    # covariates are constant within subject
    assert frame.groupby("USUBJID")[["AGE", "SEX", "PAINDUR"]].nunique().eq(1).all().all()


def test_seed_changes_the_replica():
    a, b = ir_wrap_frame(2006), ir_wrap_frame(2007)
    assert not a["AVAL"].equals(b["AVAL"])
    pd.testing.assert_frame_equal(ir_wrap_frame(2006), a)


def test_shipped_csv_is_the_generator_output_byte_for_byte(tmp_path):
    written = write_ir_wrap_csv(tmp_path / "out.csv")
    assert written.read_bytes() == SHIPPED.read_bytes()
    assert SHIPPED.read_text(encoding="utf-8") == frame_to_csv_text(ir_wrap_frame())


def test_load_reads_the_shipped_file():
    assert shipped_csv_path() == SHIPPED
    loaded = load_ir_wrap_frame()
    pd.testing.assert_frame_equal(loaded, ir_wrap_frame(), check_dtype=False)


def test_design_is_frozen():
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        ir_wrap_design().n_per_arm = (1, 1)


def test_published_means_are_met_by_design_not_by_seed_picking():
    # With moment matching, nearly every seed lands within 0.3 NRS of all four published
    # means (measured: 98.3% of 2000 seeds; without matching only 11%). Monte Carlo check on
    # 300 seeds with a wide margin.
    from irtrial.synthetic import simulate_arrays

    design = ir_wrap_design()
    published = np.array([[7.4, 6.0], [6.9, 3.0]])  # rows: Placebo, IR; columns: week 0, 6
    hits = 0
    for seed in range(300):
        sim = simulate_arrays(design, seed)
        means = np.array([[np.nanmean(sim.y[sim.arm == a][:, j]) for j in (0, 6)]
                          for a in range(2)])
        hits += bool(np.all(np.abs(means - published) < 0.3))
    assert hits / 300 > 0.93
