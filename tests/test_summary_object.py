"""irtrial.summary.Summary and ComparisonResult.summary() (tests/mmrm/test_summary.py exists
and tests/ is not a package, so this basename must differ)."""

import doctest

import numpy as np
import pandas as pd
import pytest

from irtrial import summary as summary_module
from irtrial.analysis import welch_test
from irtrial.summary import Summary, format_table
from irtrial.synthetic import ir_wrap_trial


def test_format_table_sas_style():
    t = pd.DataFrame({"term": ["a", "b"], "estimate": [1.0, np.nan], "df": [12.3456, 3.0],
                      "p_value": [0.5, 1e-7], "num_df": [1, 2]})
    out = format_table(t)
    assert out.to_dict("list") == {"term": ["a", "b"], "estimate": ["1.0000", "."],
                                   "df": ["12.35", "3.00"], "p_value": ["0.5000", "<.0001"],
                                   "num_df": ["1", "2"]}
    assert t["estimate"].iloc[0] == 1.0  # the table itself keeps its numbers


def test_summary_is_frozen_and_tables_are_attributes():
    s = Summary("T", tables={"a": pd.DataFrame({"x": [1.5]})}, notes=["n1"])
    assert s.a.x.tolist() == [1.5] and "a" in dir(s)
    with pytest.raises(AttributeError):
        s.title = "other"
    with pytest.raises(TypeError):
        s.tables["b"] = pd.DataFrame()
    assert "Notes\n  - n1" in str(s) and "<li>n1</li>" in s._repr_html_()


def test_html_escapes_text():
    s = Summary("<b>x</b>", info=(("a&b", "<c>"),))
    assert "<b>x</b>" not in s.as_html() and "&lt;b&gt;" in s.as_html()


def test_comparison_result_summary():
    res = welch_test(ir_wrap_trial())
    s = res.summary()
    assert isinstance(s, Summary)
    pd.testing.assert_frame_equal(s.table, res.table)
    pd.testing.assert_frame_equal(s.n_by_arm, res.n_by_arm)
    text = str(s)
    assert text.startswith(res.method) and "Subjects excluded" in text and "IRW-14" in text
    assert "<table" in s._repr_html_()


def test_docstring_examples_run():
    res = doctest.testmod(summary_module, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0
