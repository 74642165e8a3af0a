"""From raw records (text-file lines or spreadsheet rows) to a table, leaving nothing unseen.

Real files carry more than a header and data rows: a title above the header, blank lines, a
footer such as ``"Total rows: 60,,,"``, a summary row, a header with one name twice, lines with
more or fewer fields than the header, and encodings other than UTF-8. Each is found here and
either left out *visibly* (:attr:`Records.left_out`, with its line numbers) or reported as a
:class:`~irtrial.errors.Problem`; nothing is dropped or renamed silently.

Row numbers are those the user sees: 1-based file lines for text files (the header is line 1
when it is the first line) and sheet row numbers for Excel.

Examples
--------
>>> text = "Pain study\\nid,arm,visit,pain\\n1,A,Week 0,7\\n\\n1,A,Week 1,5\\nTotal rows: 2,,,\\n"
>>> rec = parse_text(text)
>>> rec.frame.index.tolist(), rec.left_out
([3, 5], [('title row above the header', [1]), ('blank line', [4]), ('footer row', [6])])
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from irtrial.errors import Problem

__all__ = ["Records", "decode", "parse_text", "parse_grid", "duplicate_names", "summarise",
           "ENCODINGS"]

#: encodings tried, in order, for a text file without a byte order mark
ENCODINGS = ("utf-8", "cp1252", "latin-1")

#: first cell of a summary or footer row ("Total", "Mean:", "N = 60", "Source: ...")
_SUMMARY = re.compile(
    r"^\s*(total|totals|sum|mean|average|overall|count|n|source|note|notes|footnote|"
    r"generated|printed|exported|page)\b\s*(rows?|subjects?|patients?)?\s*[:=]?",
    re.IGNORECASE)


#: line breaks of str.splitlines that the csv module does not treat as line ends
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def summarise(items: Sequence[object], noun: str = "values", limit: int = 10,
              first: int = 5) -> str:
    """``"a, b, c"``, or ``"130 values, first 5: a, b, c, d, e"`` for a long list."""
    items = list(items)
    if len(items) <= limit:
        return ", ".join(str(i) for i in items)
    return f"{len(items)} {noun}, first {first}: " + ", ".join(str(i) for i in items[:first])


@dataclass
class Records:
    """A table read from records: the frame and what was left out or is wrong.

    ``frame.index`` holds the row numbers the user sees (``row_label``).
    """

    frame: pd.DataFrame
    row_label: str = "rows"
    left_out: list[tuple[str, list[int]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def n_left_out(self) -> int:
        return sum(len(lines) for _, lines in self.left_out)


def decode(raw: bytes, label: str = "the file") -> tuple[str | None, str, Problem | None]:
    """Decode file bytes: BOMs (UTF-32, UTF-16, UTF-8), then UTF-8, cp1252, latin-1.

    Returns ``(text, encoding, problem)``; ``text`` is None when the bytes are not text.
    """
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
                     (codecs.BOM_UTF8, "utf-8-sig")):
        if raw.startswith(bom):
            try:
                return raw.decode(enc), enc, None
            except UnicodeDecodeError as exc:
                return None, enc, Problem(
                    f"cannot decode {label}: it starts with a {enc.upper()} byte order mark but "
                    f"is not valid {enc.upper()} ({exc.reason} at byte {exc.start}); save it "
                    "again as CSV UTF-8")
    head = raw[:4096]
    if b"\x00" in head:
        # UTF-16 without a byte order mark: every other byte of ASCII text is zero
        even, odd = head[0::2], head[1::2]
        for enc, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
            if zeros and zeros.count(0) > 0.9 * len(zeros):
                try:
                    return raw.decode(enc), enc, None
                except UnicodeDecodeError:
                    pass
        tried = "UTF-32/UTF-16/UTF-8 byte order marks, UTF-16 without one, " + ", ".join(
            ENCODINGS)
        return None, "", Problem(
            f"cannot read {label} as text: it holds NUL bytes (a binary file?); encodings "
            f"tried: {tried}; save it as CSV (UTF-8), or as .xlsx/.xpt with that extension")
    for enc in ENCODINGS:
        try:
            return raw.decode(enc), enc, None
        except UnicodeDecodeError:
            continue
    return None, "", Problem(f"cannot decode {label}; encodings tried: {', '.join(ENCODINGS)}")


def _sniff(lines: list[str]) -> str:
    """The delimiter giving the most lines with the same number (> 1) of fields.

    The header counts like any line, so a decimal comma in a semicolon file does not win.
    """
    body = [ln for ln in lines if ln.strip()][:60]
    best, best_score = ",", (-1.0, 0)
    for d in (",", ";", "\t", "|"):
        try:
            counts = [len(f) for f in csv.reader(body, delimiter=d)]
        except csv.Error:
            continue
        if not counts:
            continue
        mode, n = Counter(counts).most_common(1)[0]
        score = (n / len(counts), mode) if mode > 1 else (-1.0, 0)
        if score > best_score:
            best, best_score = d, score
    return best


def parse_text(text: str) -> Records:
    """Parse delimited text into :class:`Records` (row numbers = 1-based file lines)."""
    text = text.replace("\x00", "")
    lines = text.splitlines()
    delimiter = _sniff(lines)
    if '"' not in text and not _OTHER_BREAKS.search(text):
        # no quotes and only \n, \r, \r\n line ends: one record per line, so the line
        # numbers are the positions in ``lines`` (the same records as the loop below, at C speed)
        clean = _clean_table(text, lines, delimiter)
        if clean is not None:
            return clean
        try:
            records = list(enumerate(csv.reader(lines, delimiter=delimiter,
                                                skipinitialspace=True), 1))
        except csv.Error:
            pass  # the loop below says which line
        else:
            return _from_records(records, "lines", text_cells=True, delimiter=delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        skipinitialspace=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for fields in reader:
            records.append((start, fields))
            start = reader.line_num + 1
    except csv.Error as exc:
        rec = Records(pd.DataFrame(), "lines")
        rec.problems.append(Problem(f"cannot parse line {reader.line_num}: {exc}"))
        return rec
    return _from_records(records, "lines", text_cells=True, delimiter=delimiter)


def _clean_table(text: str, lines: list[str], delimiter: str) -> Records | None:
    """The common case at pandas' C speed: a header on line 1 naming every column, then rows
    with as many fields, none blank, no summary or footer row, no quotes. Returns what
    :func:`_from_records` would (same cells, line numbers, problems), or None when the file is
    not that clean (the caller then goes line by line, which reports every irregular line)."""
    if len(lines) < 2:
        return None
    width = lines[0].count(delimiter) + 1
    if width < 2 or any(ln.count(delimiter) != width - 1 for ln in lines):
        return None
    try:
        grid = pd.read_csv(io.StringIO(text, newline=""), sep=delimiter, header=None,
                           dtype=str, na_filter=False, keep_default_na=False,
                           skipinitialspace=True, skip_blank_lines=False,
                           quoting=csv.QUOTE_NONE, engine="c")
    except (ValueError, pd.errors.ParserError):
        return None
    if grid.shape != (len(lines), width):
        return None
    filled = np.zeros(len(grid), dtype=np.int64)
    for j in range(width):  # non-blank cells per line, stripping each distinct value once
        codes, uniques = pd.factorize(grid[j].to_numpy())
        filled += np.array([bool(u.strip()) for u in uniques], dtype=bool)[codes]
    if filled[0] != width or filled.min() == 0:  # an unnamed column, or a blank line
        return None
    # the footer and summary rules of _from_records: the last line must not be a footer, and
    # no first cell may read like "Total", "Mean", "N = "...
    modes = Counter(filled.tolist()).most_common()
    k_mode = max(c for c, n in modes if n == modes[0][1])
    last = filled[-1]
    if (last <= max(1, k_mode // 3) and last < k_mode) or _SUMMARY.match(
            _first_cell(grid.iloc[-1].tolist())):
        return None
    firsts = pd.unique(grid[0].to_numpy()[1:])
    if any(_SUMMARY.match(c.strip()) for c in firsts):  # covers the summary rule too
        return None
    header = [str(c).strip() for c in grid.iloc[0]]
    frame = grid.iloc[1:].reset_index(drop=True)
    frame.index = pd.Index(np.arange(2, len(lines) + 1), dtype=np.int64)
    frame.columns = header
    rec = Records(frame.astype(object), "lines")
    rec.problems += duplicate_names(header)
    return rec


def parse_grid(grid: pd.DataFrame, first_row: int = 1) -> Records:
    """A spreadsheet grid read without a header (row numbers = sheet rows)."""
    values = grid.to_numpy(dtype=object)
    records = [(first_row + i, list(row)) for i, row in enumerate(values)]
    return _from_records(records, "sheet rows", text_cells=False)


def _empty(cell: object) -> bool:
    if cell is None:
        return True
    if isinstance(cell, float) and math.isnan(cell):
        return True
    return isinstance(cell, str) and cell.strip() == ""


def _filled(fields: Sequence[object]) -> int:
    return sum(not _empty(c) for c in fields)


def _first_cell(fields: Sequence[object]) -> str:
    for c in fields:
        if not _empty(c):
            return str(c).strip()
    return ""


def _from_records(records: list[tuple[int, list]], row_label: str, text_cells: bool,
                  delimiter: str = ",") -> Records:
    word = "line" if row_label == "lines" else "sheet row"
    if text_cells:  # all cells are str: count the non-blank ones at C speed
        counts = [sum(map(bool, map(str.strip, f))) for _, f in records]
    else:
        counts = [_filled(f) for _, f in records]
    nonblank = [i for i, c in enumerate(counts) if c > 0]
    rec = Records(pd.DataFrame(), row_label)
    if not nonblank:
        rec.problems.append(Problem("the file holds no data: every line is blank"))
        return rec
    k = Counter(counts[i] for i in nonblank).most_common()
    k_mode = max(c for c, n in k if n == k[0][1])
    need = min(2, k_mode) if k_mode < 3 else max(2, math.ceil(0.6 * k_mode))
    h = next((i for i in nonblank if counts[i] >= need), nonblank[0])
    title = [records[i][0] for i in nonblank if i < h]
    if title:
        rec.left_out.append(("title row above the header", title))
    header = [("" if _empty(c) else str(c).strip()) for c in records[h][1]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    body = list(range(h + 1, len(records)))
    # footer: trailing rows with few cells or starting with "Total", "Source:"...
    footer = []
    for i in reversed(body):
        if counts[i] == 0:
            continue
        few = counts[i] <= max(1, k_mode // 3) and counts[i] < k_mode
        if few or _SUMMARY.match(_first_cell(records[i][1])):
            footer.append(i)
        else:
            break
    footer_set = set(footer)
    blank = [records[i][0] for i in range(h) if counts[i] == 0]
    summary, ragged, rows, index = [], [], [], []
    for i in body:
        line, fields = records[i]
        if counts[i] == 0:
            blank.append(line)
            continue
        if i in footer_set:
            continue
        first = fields[0] if fields else ""
        if isinstance(first, str) and first[:1].isalpha() and _SUMMARY.match(first):
            summary.append(line)
            continue
        if len(fields) == width:  # the usual row
            rows.append(fields)
            index.append(line)
            continue
        cells = list(fields)
        n = len(cells)
        while len(cells) > width and _empty(cells[-1]):
            cells.pop()
        if len(cells) > width or (text_cells and n < width):
            ragged.append((line, n))
            continue
        cells += [""] * (width - len(cells))
        rows.append(cells)
        index.append(line)
    if blank:
        rec.left_out.append((f"blank {word}", blank))
    if summary:
        rec.left_out.append(("summary row (first cell 'Total', 'Mean', 'N'...)", summary))
    if footer:
        rec.left_out.append(("footer row", sorted(records[i][0] for i in footer)))
    if ragged:
        shown = summarise([f"{ln} ({n} fields)" for ln, n in ragged], f"{word}s")
        sep = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}[delimiter]
        rec.problems.append(Problem(
            f"{len(ragged)} {word}(s) have a different number of fields than the header "
            f"({width} fields, separated by {sep}): {shown}; fix these lines (a value "
            "holding the separator must be quoted)", rows=tuple(ln for ln, _ in ragged),
            row_label=row_label))
    names = [c if c else f"Unnamed: {j + 1}" for j, c in enumerate(header)]
    rec.problems += duplicate_names(names)
    frame = pd.DataFrame(rows, columns=range(width), index=pd.Index(index, dtype=np.int64),
                         dtype=object)
    frame.columns = names
    rec.frame = frame
    return rec


def duplicate_names(names: Sequence[object]) -> list[Problem]:
    """One problem per column name used more than once, naming its positions (1-based)."""
    names = [str(n).strip() for n in names]
    problems = []
    for name, n in Counter(names).items():
        if n > 1:
            where = [str(j + 1) for j, c in enumerate(names) if c == name]
            problems.append(Problem(
                f"column name {name!r} appears {n} times in the header (columns "
                f"{', '.join(where)}); rename the columns so that each name is used once",
                column=name))
    return problems
