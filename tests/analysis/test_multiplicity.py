"""Tests of irtrial.analysis.multiplicity against R p.adjust."""

# source: tests/reference/r/multiplicity.R -> tests/reference/r/multiplicity.json

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from irtrial.analysis.multiplicity import adjust_p_values
from irtrial.errors import ModelSpecError

REF = json.loads((Path(__file__).parents[1] / "reference/r/multiplicity.json").read_text())
METHODS = ["bonferroni", "holm", "hochberg", "fixed_sequence"]


@pytest.mark.parametrize("family", sorted(REF))
@pytest.mark.parametrize("method", METHODS)
def test_matches_r_p_adjust(family, method):
    ref = REF[family]
    out = adjust_p_values(ref["p"], method=method, alpha=0.05)
    np.testing.assert_allclose(out["p_adjusted"], ref[method], rtol=1e-6)
    assert (out["reject"] == (np.asarray(ref[method]) <= 0.05)).all()
    assert (out["method"] == method).all()


def test_fixed_sequence_stops_at_first_non_rejection():
    # order matters: once 0.20 is not rejected nothing after it is, even 0.001
    out = adjust_p_values([0.01, 0.2, 0.001], method="fixed_sequence")
    assert out["reject"].tolist() == [True, False, False]


def test_dataframe_input_keeps_columns_and_families():
    ref = REF["visits"]
    df = pd.DataFrame(
        {
            "definition": ["30%"] * 6 + ["50%"] * 6,
            "visit": [f"Week {i}" for i in range(1, 7)] * 2,
            "p_value": ref["p"] + ref["p"][::-1],
        }
    )
    out = adjust_p_values(df, method="holm", by="definition")
    assert list(out.columns[:3]) == ["definition", "visit", "p_value"]
    np.testing.assert_allclose(out["p_adjusted"][:6], ref["holm"], rtol=1e-6)
    np.testing.assert_allclose(out["p_adjusted"][6:], ref["holm"][::-1], rtol=1e-6)


def test_labels_for_arrays():
    out = adjust_p_values([0.01, 0.02], labels=["pain", "function"], method="bonferroni")
    assert out["label"].tolist() == ["pain", "function"]


def test_bad_input_lists_every_problem():
    with pytest.raises(ModelSpecError) as err:
        adjust_p_values([0.1, np.nan, 1.5], method="sidak", alpha=2)
    msg = str(err.value)
    assert "sidak" in msg and "alpha" in msg and "rows 1" in msg and "2 (1.5)" in msg
    with pytest.raises(ModelSpecError, match="p_value"):
        adjust_p_values(pd.DataFrame({"p": [0.1]}))


def test_result_object_adjusts_its_table():
    # a ComparisonResult (anything with a .table DataFrame) used to raise a bare ValueError
    from irtrial.analysis import welch_test
    from irtrial.synthetic import ir_wrap_trial

    result = welch_test(ir_wrap_trial(), visit="all")
    out = adjust_p_values(result, method="holm")
    pd.testing.assert_frame_equal(out, adjust_p_values(result.table, method="holm"))
    assert len(out) == 6


def test_non_numeric_input_is_a_model_spec_error():
    with pytest.raises(ModelSpecError, match="sequence of numbers"):
        adjust_p_values([[0.1, 0.2], [0.3]])
    with pytest.raises(ModelSpecError, match="sequence of numbers"):
        adjust_p_values(["a", "b"])
