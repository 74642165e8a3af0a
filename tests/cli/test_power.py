"""``irtrial power``: analytic and simulated n per arm, JSON/HTML output, user errors."""

from __future__ import annotations

import json

import pytest

import irtrial
from irtrial.cli import app
from irtrial.power import analytic_inputs, mmrm
from irtrial.synthetic import TrialDesign


def test_power_from_trial_file(runner, replica_csv, tmp_path):
    out = tmp_path / "pw"
    res = runner.invoke(app, ["power", "--from", str(replica_csv), "--range", "0", "10",
                              "--n-sim", "12", "--seed", "3", "--n", "4", "--n", "9",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "power.json").read_text())
    # the analytic answer is the library's on TrialDesign.from_fit of the same fit
    fit = irtrial.mmrm(irtrial.read_trial(replica_csv, outcome_range=(0, 10)),
                       covariance="us", df="satterthwaite")
    inp = analytic_inputs(TrialDesign.from_fit(fit))
    inp.pop("notes")
    expected = mmrm(power=0.9, **inp)
    assert data["analytic"]["n"] == pytest.approx(expected.n, rel=1e-9)
    assert f"{expected.n:.2f}" in res.output
    grid = data["simulation"]["grid"]
    assert [g["n"] for g in grid] == [4, 9] and grid[0]["n_sim"] == 12
    assert data["simulation"]["seed"] == 3
    assert data["sample_size"]["n"] >= 2
    html = (out / "power.html").read_text()
    assert "<svg" in html and "Power and sample size" in html


def test_power_design_file_ancova(runner, tmp_path):
    toml = tmp_path / "d.toml"
    toml.write_text(
        '[design]\narms = ["Placebo", "Active"]\nn_per_arm = [20, 20]\nvisits = [0, 1, 2]\n'
        'means = [[5, 5, 5], [5, 4.5, 4]]\nar1 = 0.5\n[design.dropout]\nhazard = 0.05\n'
        '[analysis]\ntype = "ancova"\n[power]\nn_sim = 40\nseed = 1\nn_grid = [10, 20, 30]\n')
    res = runner.invoke(app, ["power", "--design", str(toml), "--out", str(tmp_path / "o"),
                              "--target", "0.8"])
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "o" / "power.json").read_text())
    assert data["sample_size"]["target"] == 0.8
    assert [g["n"] for g in data["simulation"]["grid"]] == [10, 20, 30]
    assert "ANCOVA" in data["simulation"]["analysis"]


def test_power_user_errors(runner, tmp_path, replica_csv):
    res = runner.invoke(app, ["power"])
    assert res.exit_code == 2 and "exactly one of --design" in res.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[design]\narms = ["A"]\nfoo = 1\n[power]\nn_sims = 3\n')
    res = runner.invoke(app, ["power", "--design", str(bad)])
    assert res.exit_code == 2
    assert "n_sims" in res.output and "[design]" in res.output
