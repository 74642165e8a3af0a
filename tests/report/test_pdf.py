"""The PDF child process: parts laid out as they come, pages numbered across parts, links and
bookmarks between parts, the one-document fallback, and cancelling."""

from __future__ import annotations

import pytest

from irtrial.report.pdf import STYLE, PdfJob

pypdf = pytest.importorskip("pypdf")


def _doc(body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Report</title>'
            f"{head}</head><body><main>{body}</main></body></html>")


def _long(tag: str, n: int) -> str:
    return "".join(f"<p>{tag} paragraph {i} " + "text " * 60 + "</p>" for i in range(n))


def _text(path) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(path).pages]


def test_parts_are_numbered_as_one_document_and_linked(tmp_path):
    job = PdfJob(tmp_path / "r.pdf")
    job.part(_doc('<section id="one"><h2>1. One</h2>' + _long("first", 25) + "</section>"))
    job.part(_doc('<section id="two" class="new-page"><h2>2. Two</h2>' + _long("second", 3)
                  + "</section>"))
    job.end(_doc('<header class="title"><h1>Report</h1></header><nav class="toc"><ol>'
                 '<li><a href="#one">One</a></li><li><a href="#two">Two</a></li></ol></nav>'))
    path = job.result()
    assert job.notes == ()
    pages = _text(path)
    n = len(pages)
    assert n >= 4  # the cover, at least two pages for part one, one for part two
    for i, text in enumerate(pages, 1):
        assert f"Page {i} of {n}" in text
    # the cover comes first and each part starts on a new page
    assert "Report" in pages[0] and "paragraph" not in pages[0]
    assert pages[1].lstrip().startswith("1. One")
    starts = [i for i, t in enumerate(pages) if "2. Two" in t]
    assert starts and "first paragraph" not in pages[starts[0]]
    reader = pypdf.PdfReader(path)
    links = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    assert len(links) == 2 and all("/Dest" in a or "/A" in a for a in links)
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert titles[:1] == ["Report"] and {"1. One", "2. Two"} <= set(_flat(reader.outline))
    assert reader.metadata.title == "Report"


def _flat(outline) -> list[str]:
    out = []
    for o in outline:
        out.extend(_flat(o) if isinstance(o, list) else [o.title])
    return out


def test_a_part_the_frame_cannot_number_is_laid_out_as_one_document(tmp_path):
    """A part with another page size: the pages are laid out again as one document, said."""
    job = PdfJob(tmp_path / "r.pdf", STYLE.read_text(encoding="utf-8"))
    job.part(_doc("<p>A4 part</p>"))
    job.part(_doc("<p>A5 part</p>", head="<style>@page { size: A5 }</style>"))
    job.end(_doc("<h1>Report</h1>"))
    path = job.result()
    assert len(job.notes) == 1 and job.notes[0].startswith("fallback:")
    pages = _text(path)
    assert "A4 part" in "".join(pages) and "A5 part" in "".join(pages)
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_cancel_writes_nothing(tmp_path):
    job = PdfJob(tmp_path / "r.pdf")
    job.part(_doc("<p>x</p>"))
    job.cancel()
    job.cancel()  # a second call is a no-op
    assert job._proc.returncode is not None
    assert not (tmp_path / "r.pdf").exists()
