"""Display tables: Table 1 layout, row classes, CSV neutralisation."""

from __future__ import annotations

import csv

import pandas as pd

from irtrial.analysis.descriptives import baseline_table
from irtrial.report.tables import as_rows, matrix_table, safe_cell, safe_csv, table1


def test_table1_layout(trial):
    t = table1(baseline_table(trial), trial.arms, {"baseline": "Baseline pain"})
    assert list(t.columns) == ["Characteristic", "Placebo (N = 19)", "IR (N = 21)",
                               "Total (N = 40)"]
    first = t["Characteristic"].tolist()
    assert first[:5] == ["Baseline pain", "n", "Mean (SD)", "Median [Q1, Q3]", "Min, max"]
    sex = first.index("SEX, n (%)")
    assert first[sex + 1: sex + 3] == ["F", "M"]
    assert t.iloc[sex + 1].tolist()[1:] == ["3 (15.8%)", "14 (66.7%)", "17 (42.5%)"]
    assert t.attrs["heading"][0] and not t.attrs["heading"][1]
    assert not any("p" == c.lower() for c in t.columns)  # no p-values in Table 1


def test_as_rows_aligns_numbers_and_keeps_classes():
    frame = pd.DataFrame({"Visit": ["Week 1", "Week 2"], "p": ["< 0.001", "0.200"],
                          "CI": ["[-1.2, 3.4]", "[0.1, 0.2]"]})
    rows = as_rows(frame, row_classes=["primary", ""])
    assert rows["numeric"] == [False, True, True]
    assert rows["classes"] == ["primary", ""]


def test_formula_cells_are_neutralised(tmp_path):
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_cell("+1+1") == "'+1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-2+3") == "'-2+3"
    assert safe_cell("-1.25") == "-1.25"  # a negative number stays a number
    assert safe_cell("[-3.75, -1.61]") == "[-3.75, -1.61]"
    frame = pd.DataFrame({"=arm": ["=cmd|' /C calc'!A0", "-1.5", "ok"]})
    path = safe_csv(frame, tmp_path / "t.csv")
    cells = list(csv.reader(path.open(encoding="utf-8")))
    assert cells == [["'=arm"], ["'=cmd|' /C calc'!A0"], ["-1.5"], ["ok"]]


def test_matrix_decimals_from_the_diagonal():
    m = pd.DataFrame([[0.0195, 0.01], [0.01, 0.03]], index=["1", "2"], columns=["1", "2"])
    t = matrix_table(m, lambda v: f"Week {v}")
    assert t.columns.tolist() == ["", "Week 1", "Week 2"]
    assert t.iloc[0, 1] == "0.0195"
