"""The plan's [[sensitivity]] tables run through irtrial.sensitivity.plan."""

import pytest

from irtrial.errors import ModelSpecError
from irtrial.plan import SensitivityAnalysis
from irtrial.sensitivity import SensitivityResult, TippingPointResult
from irtrial.sensitivity.plan import describe, run_plan_analysis


def test_plan_tables(intermittent):
    fast = {"resampling": "bootstrap", "bootstrap_ci": "normal"}
    table = SensitivityAnalysis("conditional-mean", ("MAR", "CR"), n_samples=3, options=fast)
    res = run_plan_analysis(intermittent, table, seed=1)
    assert isinstance(res, SensitivityResult)
    assert set(res.table.strategy) == {"MAR", "CR"}
    tp = run_plan_analysis(intermittent, SensitivityAnalysis("conditional-mean", deltas=(0, 5),
                                                             n_samples=3, options=fast), seed=1)
    assert isinstance(tp, TippingPointResult) and set(tp.table.strategy) == {"MAR"}
    assert "tipping point over delta = 0, 5" in describe(SensitivityAnalysis(
        "conditional-mean", deltas=(0.0, 5.0)))
    with pytest.raises(ModelSpecError, match="unknown key"):
        run_plan_analysis(intermittent, SensitivityAnalysis("conditional-mean",
                                                            options={"colour": 1}), seed=1)
