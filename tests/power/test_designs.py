"""Power design files (TOML), the IR-wrap power design, the figure and the JSON/HTML output."""

from __future__ import annotations

import json

import matplotlib
import numpy as np
import pytest

from irtrial.errors import ModelSpecError
from irtrial.power import simulate, ttest
from irtrial.power.designs import ir_wrap_power_design, read_design
from irtrial.power.figure import plot_power_curve
from irtrial.power.output import result_dict, write_outputs
from irtrial.synthetic import ir_wrap_design

matplotlib.use("Agg")

TOML = """
[design]
arms = ["Placebo", "Active"]
n_per_arm = [30, 45]
visits = [0, 1, 2]
means = [[10, 10, 10], [10, 9.5, 9]]
subject_sd = 1.5
ar1 = 0.5
[design.dropout.Active]
hazard = [0.1, 0.05]
[[design.covariates]]
name = "AGE"
mean = 50
sd = 10
effect = 0.02
[analysis]
type = "mmrm"
covariance = "cs"
[power]
n_sim = 200
seed = 4
"""


def test_read_design_file(tmp_path):
    p = tmp_path / "d.toml"
    p.write_text(TOML)
    spec = read_design(p)
    d = spec.design
    assert d.n_per_arm == (30, 45) and d.covariates[0].name == "AGE"
    assert d.dropouts()[1].hazards(2).tolist() == [0.1, 0.05]
    assert d.dropouts()[0].hazards(2).tolist() == [0.0, 0.0]
    assert spec.analysis == "mmrm" and spec.analysis_options == {"covariance": "cs"}
    assert spec.settings == {"n_sim": 200, "seed": 4}


def test_read_design_lists_every_problem(tmp_path):
    p = tmp_path / "d.toml"
    p.write_text('extra = 1\n[design]\narms = ["A", "B"]\n[analysis]\ntype = "glm"\n'
                 '[power]\nreps = 3\n')
    with pytest.raises(ModelSpecError) as e:
        read_design(p)
    msg = str(e.value)
    for word in ("extra", "[design]", "glm", "reps"):
        assert word in msg


def test_ir_wrap_power_design_keeps_the_published_means():
    d, ref = ir_wrap_power_design(), ir_wrap_design()
    assert d.means == ref.means and d.n_per_arm == ref.n_per_arm and not d.match_means
    assert d.dropouts()[0].hazards(6)[0] == pytest.approx(1 / 19)


def test_outputs_json_html_and_figure(tmp_path):
    from irtrial.synthetic import TrialDesign

    d = TrialDesign(("P", "A"), (15, 15), (0, 1), ((5, 5), (5, 4)))
    res = simulate(d, "ancova", n_sim=30, seed=1, n=[10, 15])
    ax = plot_power_curve(res, target=0.8, analytic=lambda n: ttest(1, 1.2, n=n).power)
    assert ax.get_ylabel() == "Power" and len(ax.lines) >= 2
    data = result_dict(simulation=res, analytic=ttest(1, 1.2, power=0.8),
                       context={"design": "test"})
    j, h = write_outputs(tmp_path, data, ax.figure)
    back = json.loads(j.read_text())
    assert [g["n"] for g in back["simulation"]["grid"]] == [10, 15]
    assert back["analytic"]["n"] == pytest.approx(ttest(1, 1.2, power=0.8).n)
    assert "<svg" in h.read_text()


def test_dropout_by_retention_per_arm(tmp_path):
    from irtrial.power.design_inputs import retention

    p = tmp_path / "r.toml"
    p.write_text('[design]\narms = ["P", "A"]\nn_per_arm = [10, 10]\nvisits = [0, 1, 2, 3]\n'
                 'means = [[1, 1, 1, 1], [1, 0, 0, 0]]\n[design.dropout.P]\n'
                 'retention = [0.95, 0.9, 0.8]\n[design.dropout.A]\nretention = [1, 0.85, 0.85]\n')
    d = read_design(p).design
    np.testing.assert_allclose(retention(d), [[0.95, 0.9, 0.8], [1, 0.85, 0.85]], rtol=1e-12)
    p.write_text(p.read_text().replace("[1, 0.85, 0.85]", "[0.8, 0.9, 1.0]"))
    with pytest.raises(ModelSpecError, match="non-increasing"):
        read_design(p)
