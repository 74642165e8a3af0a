"""The HTML report: one self-contained file with every section of the data summary."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from irtrial.report import SECTIONS, render_html, write_report

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def html(trial):
    return render_html(trial, now=NOW, command="irtrial report x.csv")


def test_write_report_creates_report_html(trial, tmp_path):
    path = write_report(trial, tmp_path / "out")
    assert path == tmp_path / "out" / "report.html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_every_section_is_present_in_order(html):
    positions = [html.index(f'<section id="{s.id}">') for s in SECTIONS]
    assert positions == sorted(positions)
    for title in ("Study and data", "Arms and numbers analysed", "Participant flow (CONSORT)",
                  "Exclusions log", "Outcome by visit", "Provenance"):
        assert f"{title}</h2>" in html


def test_self_contained(html):
    assert "<style>" in html and "th.num" in html  # CSS inline
    assert html.count("<svg") == 1  # the figure, inline
    assert not re.search(r'<link[^>]+stylesheet|<script[^>]+src=|<img[^>]+src="(?!data:)', html)


def test_contents(html):
    assert "ir_wrap_trial.csv" in html
    assert '<td class="num">19</td><td class="num">21</td><td class="num">40</td>' in html
    assert "IRW-14" in html and "no post-baseline value" in html
    assert "3.00 (1.41)" in html  # IR week 6 mean (SD)
    assert "Figure 1. Mean AVAL by visit" in html
    assert "irtrial report x.csv" in html
    assert "2026-01-02 03:04:05" in html


def test_input_sha256_recorded(html):
    import hashlib
    from pathlib import Path

    csv = Path(__file__).resolve().parents[2] / "data" / "synthetic" / "ir_wrap_trial.csv"
    assert hashlib.sha256(csv.read_bytes()).hexdigest() in html


def test_text_is_escaped(trial):
    import dataclasses

    odd = dataclasses.replace(trial, source="<b>x</b>.csv")
    page = render_html(odd, now=NOW)
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;.csv" in page


def test_no_exclusions_says_so(trial):
    import dataclasses

    clean = dataclasses.replace(trial, exclusions=trial.exclusions.iloc[0:0])
    assert "No subject or row was excluded." in render_html(clean, now=NOW)


def test_arms_section_snapshot(html):
    # Snapshot (reviewed by eye in the rendered page): a change to this fragment must be
    # deliberate; regenerate tests/report/snapshots/arms_section.html when it is.
    from pathlib import Path

    snapshot = Path(__file__).parent / "snapshots" / "arms_section.html"
    fragment = re.search(r'<section id="arms">.*?</section>', html, re.S).group(0)
    assert fragment + "\n" == snapshot.read_text(encoding="utf-8")
