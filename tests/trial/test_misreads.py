"""Issue 8: files that used to be misread silently. One test per case, on a small file the
test writes: the message (with 1-based file lines, header = line 1), the exit code of
``irtrial validate`` and the accounting of every line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from irtrial import read_trial
from irtrial.cli import app
from irtrial.errors import TrialValidationError

HEADER = "subject,arm,visit,pain"


def _rows(n_subjects: int = 6, visits=("Week 0", "Week 1", "Week 2")) -> list[str]:
    out = []
    for i in range(n_subjects):
        arm = "IR" if i % 2 else "Placebo"
        for k, v in enumerate(visits):
            out.append(f"S{i + 1},{arm},{v},{7 - k * (1 + i % 2)}")
    return out


def _write(tmp_path: Path, lines: list[str], name: str = "t.csv", encoding: str = "utf-8",
           bom: bytes = b"") -> Path:
    path = tmp_path / name
    path.write_bytes(bom + ("\n".join(lines) + "\n").encode(encoding))
    return path


def _validate(path: Path, *args: str):
    return CliRunner().invoke(app, ["validate", str(path), "--outcome", "pain", *args])


def _accounted(trial, n_data_lines: int) -> None:
    rc = trial.row_counts
    assert rc["input"] == rc["analysed"] + rc["baseline"] + rc["excluded"]
    assert rc["excluded"] == trial.exclusions["n_rows"].sum()
    assert rc["input"] + rc.get("not_data", 0) == n_data_lines


def _error(path: Path, **kw) -> TrialValidationError:
    with pytest.raises(TrialValidationError) as info:
        read_trial(path, outcome="pain", **kw)
    return info.value


# ---- 1. visit labels that are dates ----------------------------------------------------
def test_scheduled_dates_are_ordered_in_time(tmp_path):
    dates = ("20/01/2024", "27/01/2024", "03/02/2024", "17/02/2024")
    lines = [HEADER, *_rows(4, dates)]
    path = _write(tmp_path, lines)
    trial = read_trial(path, outcome="pain")
    assert trial.baseline_visit == "20/01/2024"
    assert trial.visits == ("27/01/2024", "03/02/2024", "17/02/2024")
    assert trial.visit_numbers["17/02/2024"] == 28.0
    assert any("are dates (dd/mm/yyyy), the same for every subject: visits ordered in time"
               in n for n in trial.notes)
    _accounted(trial, len(lines) - 1)
    result = _validate(path)
    assert result.exit_code == 0 and "ordered in time" in result.output


def test_ambiguous_day_month_dates_ask_the_user(tmp_path):
    path = _write(tmp_path, [HEADER, *_rows(4, ("01/02/2024", "02/03/2024", "03/04/2024"))])
    err = _error(path)
    assert "ambiguous day/month order" in str(err) and "visit_order=[...]" in str(err)
    result = _validate(path)
    assert result.exit_code == 2 and "--visit-order ..." in result.output


def test_per_subject_dates_are_not_visit_labels(tmp_path):
    lines = [HEADER]
    for i in range(30):
        for k in range(3):
            lines.append(f"S{i},{'IR' if i % 2 else 'Placebo'},{1 + k * 7:02d}/{1 + i % 12:02d}"
                         f"/2024,{7 - k}")
    path = _write(tmp_path, lines)
    (p,) = _error(path).problems
    assert "holds calendar dates that differ between subjects" in p.message
    assert "at most 3 per subject" in p.message and "dates, first 5:" in p.message
    assert "visit=..." in p.message and len(p.message) < 600  # not the 90 dates
    assert _validate(path).exit_code == 2


# ---- 2. visits before the baseline, warnings, --strict ----------------------------------
def test_visit_before_the_baseline_is_a_problem_unless_named(tmp_path):
    lines = [HEADER, *_rows(6, ("Week 0", "Week 1", "Week 2"))]
    lines[5] = lines[5].replace("Week 1", "Week -1")  # S2's week 1: a typo
    path = _write(tmp_path, lines)
    (p,) = _error(path).problems
    assert p.message.startswith("visit(s) ['Week -1'] come before the baseline visit 'Week 0'")
    assert p.rows == (6,) and p.row_label == "lines" and p.subjects == ("S2",)
    assert "lines 6" in str(p)
    result = _validate(path)
    assert result.exit_code == 2 and "--baseline-visit 'Week 0'" in result.output
    trial = read_trial(path, outcome="pain", baseline_visit="Week 0")
    assert trial.exclusions["reason"].tolist() == ["visit before the baseline visit 'Week 0'"]
    _accounted(trial, len(lines) - 1)


def test_a_sparse_first_visit_is_not_taken_as_the_baseline(tmp_path):
    # visits Week 1..3 (no week 0), two subjects' "Week 3" typed "Week -3"
    lines = [HEADER, *_rows(12, ("Week 1", "Week 2", "Week 3"))]
    lines = [ln.replace("Week 3", "Week -3") if ln.startswith(("S1,", "S2,")) else ln
             for ln in lines]
    path = _write(tmp_path, lines)
    (p,) = _error(path).problems
    assert p.message.startswith("the first visit 'Week -3' (the baseline by default) is "
                                "recorded for only 2 of 12 subjects")
    assert p.rows == (4, 7) and p.subjects == ("S1", "S2")
    result = _validate(path)
    assert result.exit_code == 2 and "--baseline-visit ..." in result.output


def test_many_left_out_is_a_prominent_warning_and_strict_an_error(tmp_path):
    lines = [HEADER, *_rows(12, ("Week 0", "Week 1"))]
    # 10 of 12 subjects lose their post-baseline value
    lines = [ln if not (ln.endswith(("Week 1,6", "Week 1,5")) and int(ln.split(",")[0][1:]) > 2)
             else ln.rsplit(",", 1)[0] + "," for ln in lines]
    path = _write(tmp_path, lines)
    trial = read_trial(path, outcome="pain")
    assert trial.warnings[0].startswith("10 of 12 randomised subjects (83%) are left out")
    _accounted(trial, len(lines) - 1)
    result = _validate(path)
    assert result.exit_code == 0
    assert result.output.splitlines()[1].startswith("WARNING: 10 of 12 randomised subjects")
    strict = _validate(path, "--strict")
    assert strict.exit_code == 2 and "--strict" in strict.output


# ---- 3. covariate types: see test_covariates.py; the CLI option ---------------------------
def test_factor_option_makes_a_numeric_code_categorical(tmp_path):
    lines = ["subject,arm,visit,pain,site"] + [f"{r},{700 + int(r.split(',')[0][1:]) % 3}"
                                                for r in _rows()]
    path = _write(tmp_path, lines)
    assert read_trial(path, outcome="pain", covariates="site").covariate_types == {
        "site": "numeric"}
    trial = read_trial(path, outcome="pain", categorical=["site"])
    assert trial.covariate_types == {"site": "categorical"}
    result = _validate(path, "--factor", "site")
    assert result.exit_code == 0 and "site (categorical)" in result.output


# ---- 4. numeric-looking ids ---------------------------------------------------------------
def test_ids_with_a_trailing_zero_decimal_are_one_subject(tmp_path):
    lines = [HEADER, "1001,IR,Week 0,7", "1001.0,IR,Week 1,5", "1002,Placebo,Week 0,7",
             "1002,Placebo,Week 1,6"]
    path = _write(tmp_path, lines)
    trial = read_trial(path, outcome="pain")
    assert list(trial.subjects["subject"]) == ["1001", "1002"]
    assert len(trial.exclusions) == 0
    assert any("end in '.0' and were read as whole numbers (e.g. '1001.0' -> '1001'); 1 of "
               "them also appear without it" in n for n in trial.notes)
    _accounted(trial, 4)
    assert _validate(path).exit_code == 0


# ---- 5. rows that are not data ------------------------------------------------------------
def test_title_blank_and_footer_rows_are_left_out_with_their_lines(tmp_path):
    body = _rows(4)
    lines = ["Pain study: export of 2024-03-01,,,", HEADER, *body[:5], ",,,", *body[5:],
             "Total rows: 12,,,"]
    path = _write(tmp_path, lines)
    trial = read_trial(path, outcome="pain")
    assert len(trial.subjects) == 4  # the footer is no subject
    notes = "\n".join(trial.notes)
    assert "not data, left out: title row above the header (1) at line(s) 1" in notes
    assert "not data, left out: blank line (1) at line(s) 8" in notes
    assert f"not data, left out: footer row (1) at line(s) {len(lines)}" in notes
    _accounted(trial, len(lines) - 1)
    assert _validate(path).exit_code == 0


def test_summary_row_inside_the_data_is_left_out(tmp_path):
    body = _rows(4)
    lines = [HEADER, *body[:6], "Mean,,,6.5", *body[6:]]
    path = _write(tmp_path, lines)
    trial = read_trial(path, outcome="pain")
    assert "not data, left out: summary row (first cell 'Total', 'Mean', 'N'...) (1) at " \
        "line(s) 8" in trial.notes
    _accounted(trial, len(lines) - 1)


def test_excel_title_rows_are_left_out_with_sheet_rows(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Pain study"])
    ws.append([])
    for line in [HEADER, *_rows(4)]:
        ws.append([float(c) if c.isdigit() else c for c in line.split(",")])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    trial = read_trial(path, outcome="pain")
    assert len(trial.subjects) == 4
    assert "not data, left out: title row above the header (1) at sheet row(s) 1" in trial.notes
    bad = tmp_path / "bad.xlsx"
    ws.cell(row=5, column=4, value="abc")
    wb.save(bad)
    (p,) = _error(bad).problems
    assert "'abc'" in p.message and "sheet rows 5" in str(p)


# ---- 6. duplicate column names ------------------------------------------------------------
def test_duplicate_column_names_are_a_problem_naming_both_positions(tmp_path):
    path = _write(tmp_path, ["subject,arm,week,pain,pain", *[r + ",1" for r in _rows()]])
    (p,) = _error(path).problems
    assert p.message.startswith("column name 'pain' appears 2 times in the header (columns "
                                "4, 5)")
    assert _validate(path).exit_code == 2


# ---- 7. blank subject id or blank arm -----------------------------------------------------
def test_blank_subject_and_blank_arm_are_data_errors(tmp_path):
    lines = [HEADER, *_rows(4)]
    lines[3] = "," + lines[3].split(",", 1)[1]            # line 4: no subject
    lines[7:10] = [",".join([r.split(",")[0], "", *r.split(",")[2:]]) for r in lines[7:10]]
    path = _write(tmp_path, lines)
    probs = _error(path).problems
    assert [p.message.split(";")[0] for p in probs] == [
        "1 row(s) have a blank subject id", "1 subject(s) have a blank arm on every row"]
    assert probs[0].rows == (4,) and probs[1].rows == (8, 9, 10)
    assert probs[1].subjects == ("S3",)
    assert _validate(path).exit_code == 2


# ---- 8. encodings -------------------------------------------------------------------------
@pytest.mark.parametrize("encoding,bom,note", [
    ("utf-16-le", b"\xff\xfe", "decoded as utf-16 (byte order mark)"),
    ("utf-8", b"\xef\xbb\xbf", None),
    ("cp1252", b"", "decoded as cp1252 (not valid UTF-8)"),
    ("latin-1", b"", None),
])
def test_encodings(tmp_path, encoding, bom, note):
    lines = [HEADER.replace("arm", "bras"), *_rows(4)]
    lines = [ln.replace("IR", "Infrarouge \u00e9t\u00e9") for ln in lines]
    if encoding == "cp1252":
        lines = [ln.replace("Placebo", "Placebo \u2013 sham") for ln in lines]
    if encoding == "latin-1":
        lines = [ln.replace("Placebo", "Placebo \u00ae\x81") for ln in lines]
    path = _write(tmp_path, lines, "t.txt", encoding, bom)
    trial = read_trial(path, outcome="pain", arm="bras")
    assert "Infrarouge \u00e9t\u00e9" in trial.arms
    if note:
        assert note in "\n".join(trial.notes)
    _accounted(trial, len(lines) - 1)


def test_binary_file_names_the_encodings_tried(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00garbage\x00\x01\x02" * 20)
    (p,) = _error(path).problems
    assert "encodings tried:" in p.message and "utf-8, cp1252, latin-1" in p.message
    assert _validate(path).exit_code == 2


# ---- 9. ragged rows -----------------------------------------------------------------------
def test_every_ragged_line_is_listed(tmp_path):
    lines = [HEADER, *_rows(4)]
    lines[2] += ",extra"
    lines[6] = "S3,Placebo,Week 0"
    lines[9] += ",1,2"
    path = _write(tmp_path, lines)
    (p,) = _error(path).problems
    assert p.message.startswith("3 line(s) have a different number of fields than the header "
                                "(4 fields, separated by commas): 3 (5 fields), 7 (3 fields), "
                                "10 (6 fields)")
    assert p.rows == (3, 7, 10)
    assert _validate(path).exit_code == 2


# ---- 10. an empty role column -------------------------------------------------------------
def test_empty_visit_column_is_named(tmp_path):
    lines = [HEADER] + [",".join([*r.split(",")[:2], "", r.split(",")[3]]) for r in _rows(3)]
    path = _write(tmp_path, lines)
    (p,) = _error(path).problems
    assert p.message.startswith("the visit column 'visit' is empty: every one of its 9 values "
                                "is missing")
    assert _validate(path).exit_code == 2


# ---- messages and conveniences ------------------------------------------------------------
def test_stripped_spaces_are_counted(tmp_path):
    lines = [HEADER, *_rows(4)]
    lines[1] = lines[1].replace("Placebo", "Placebo ")
    lines[2] = lines[2].replace("Week 1", "Week 1  ")
    path = _write(tmp_path, lines)
    trial = read_trial(path, outcome="pain")
    assert "leading/trailing spaces stripped from 2 label cell(s) ('arm': 1, 'visit': 1)" \
        in trial.notes
    assert trial.arms == ("Placebo", "IR")


def test_long_lists_are_summarised(tmp_path):
    lines = [HEADER, *_rows(20)]
    lines = [ln if i < 2 or i > 14 else ln + ",x" for i, ln in enumerate(lines)]
    path = _write(tmp_path, lines)
    (p,) = _error(path).problems
    assert "13 lines, first 5: 3 (5 fields), 4 (5 fields), 5 (5 fields), 6 (5 fields), " \
        "7 (5 fields)" in p.message
    assert "... (13 in all)" in str(p)


def test_wide_reports_every_mapping_problem_and_names_the_outcome(tmp_path):
    path = _write(tmp_path, ["id,group,AGE,Week 0,Week 2", "1,IR,50,7,5", "2,Placebo,60,7,6"])
    err = _error(path, format="wide", subject="patient", arm="treatment")
    msgs = [p.message for p in err.problems]
    assert any("'patient' (subject) not found" in m for m in msgs)
    assert any("'treatment' (arm) not found" in m for m in msgs)
    assert any("'AGE'] hold no visit number" in m for m in msgs)
    other = _write(tmp_path, ["Patient ID,Treatment Group,Age,Baseline,Wk 2",
                              "101,Placebo,50,7,6", "102,Active,60,8,5"], "w2.csv")
    msgs = [p.message for p in _error(other, format="wide").problems]
    assert [m.split(":")[0] for m in msgs] == ["no subject column", "no arm column",
                                                "wide format"]
    trial = read_trial(path, format="wide", subject="id", arm="group", outcome="pain",
                       covariates=["AGE"])
    assert trial.outcome == "pain"
    help_text = " ".join(CliRunner().invoke(app, ["validate", "--help"]).output.split())
    assert "in a wide file it names the outcome" in help_text.replace("│ ", "")


def test_xpt_problems_cite_1_based_record_numbers(tmp_path):
    import pyreadstat

    df = pd.DataFrame([r.split(",") for r in _rows(4)], columns=HEADER.split(","))
    df.loc[4, "pain"] = "abc"
    path = tmp_path / "t.xpt"
    pyreadstat.write_xport(df, str(path))
    (p,) = _error(path).problems
    assert p.rows == (5,) and "records 5" in str(p)
