"""Property test (issue 8): a CSV with a valid header plus random junk rows, odd encodings or
ragged lines never gives a traceback: it reads with every line accounted for, or it raises
:class:`TrialValidationError`."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irtrial import read_trial
from irtrial.errors import TrialValidationError
from irtrial.trial.records import decode, parse_grid, parse_text, summarise

HEADER = "subject,arm,visit,pain"
GOOD = [f"S{i},{'IR' if i % 2 else 'Placebo'},Week {w},{7 - w * (i % 2) - 0.5 * (i % 3)}"
        for i in range(1, 7) for w in (0, 1, 2)]

cell = st.one_of(st.text(alphabet=st.sampled_from(list("abcXYZ019 .-/:;\t|éü€")), max_size=8),
                st.sampled_from(["Total", "NA", "", "Mean:", "S1", "Week 1"]))
junk_row = st.lists(cell, min_size=0, max_size=7).map(",".join)
junk4_row = st.lists(cell, min_size=4, max_size=4).map(",".join)
blank_row = st.sampled_from(["", ",,,", " , , , ", ",,,,,"])
summary_row = st.sampled_from(["Total,,,60", "Mean,,,6.5", "N = 60,,,", "Total rows: 60,,,"])
ragged_row = st.sampled_from(GOOD).map(lambda r: r + ",extra")
short_row = st.sampled_from(GOOD).map(lambda r: r.rsplit(",", 1)[0])
late_row = st.integers(3, 9).map(lambda w: f"S{w % 6 + 1},{'IR' if w % 2 else 'Placebo'},"
                                           f"Week {w},{w % 7}.5")
any_row = st.one_of(blank_row, blank_row, summary_row, late_row, junk4_row, junk_row,
                    ragged_row, short_row)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(any_row, min_size=1, max_size=12),
       title=st.sampled_from(["", "Pain study export,,,", "Study X\n"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]),
       newline=st.sampled_from(["\n", "\r\n"]))
def test_junk_never_gives_a_traceback(tmp_path_factory, rows, title, encoding, newline):
    order = sorted(range(len(GOOD) + len(rows)), key=lambda i: (i * 7919) % 97)
    body = [(GOOD + rows)[i] for i in order]
    text = newline.join([*([title.strip()] if title else []), HEADER, *body]) + newline
    path = tmp_path_factory.mktemp("prop") / "t.csv"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(text.encode(encoding, errors="replace"))
    try:
        trial = read_trial(path, outcome="pain")
    except TrialValidationError as err:
        assert err.problems and all(p.message for p in err.problems)
        return
    rc = trial.row_counts
    n_lines = len(text.splitlines())
    assert rc["input"] == rc["analysed"] + rc["baseline"] + rc["excluded"]
    assert rc["excluded"] == int(trial.exclusions["n_rows"].sum())
    assert rc["input"] + rc.get("not_data", 0) == n_lines - 1  # less the header line


def test_parse_text_keeps_line_numbers_through_quoted_newlines():
    rec = parse_text('id,note,x\n1,"two\nlines",3\n2,b,4\n')
    assert rec.frame.index.tolist() == [2, 4]
    assert rec.frame["note"].tolist() == ["two\nlines", "b"]


def test_parse_grid_sheet_rows_and_trailing_empty_columns():
    grid = pd.DataFrame([[None, None, None], ["id", "x", None], [1, 2, None], [3, 4, None]])
    rec = parse_grid(grid)
    assert list(rec.frame.columns) == ["id", "x"] and rec.frame.index.tolist() == [3, 4]
    assert rec.left_out == [("blank sheet row", [1])]


def test_decode_utf16_without_bom_and_summarise():
    text, enc, problem = decode("id,x\n1,2\n".encode("utf-16-le"))
    assert (text, enc, problem) == ("id,x\n1,2\n", "utf-16-le", None)
    assert summarise(range(130), "values") == "130 values, first 5: 0, 1, 2, 3, 4"
    assert summarise([1, 2]) == "1, 2"


def _line_by_line(text: str):
    import csv

    from irtrial.trial.records import _from_records, _sniff

    lines = text.splitlines()
    d = _sniff(lines)
    records = list(enumerate(csv.reader(lines, delimiter=d, skipinitialspace=True), 1))
    return _from_records(records, "lines", text_cells=True, delimiter=d)


def test_clean_files_take_the_pandas_path_with_the_same_records():
    from irtrial.trial.records import _clean_table

    cases = [
        "id,arm,visit,pain\n1,A,Week 0, 7\n1,A,Week 1,\n2,B,Week 0,5\n",  # blank cell, space
        "id;arm;arm;pain\r\n1;A;x;7,5\r\n2;B;y;6\r\n",  # semicolons, CRLF, duplicate name
        "id,arm,visit,pain\n1,A,Week 0,7\nTotal,,,\n",  # footer: not clean
        "id,arm,visit,pain\n1,A,Week 0,7\n\n2,B,Week 0,5\n",  # blank line: not clean
        "id,arm,visit,pain\nMean,A,Week 0,7\n2,B,Week 0,5\n",  # summary row: not clean
    ]
    for k, text in enumerate(cases):
        lines = text.splitlines()
        from irtrial.trial.records import _sniff

        clean = _clean_table(text, lines, _sniff(lines))
        assert (clean is None) == (k >= 2)
        got, want = parse_text(text), _line_by_line(text)
        pd.testing.assert_frame_equal(got.frame, want.frame)
        assert got.left_out == want.left_out
        assert [p.message for p in got.problems] == [p.message for p in want.problems]
    assert parse_text(cases[0]).frame.loc[2, "pain"] == "7"
    assert parse_text(cases[0]).frame.loc[3, "pain"] == ""
