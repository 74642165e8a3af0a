"""The written report: self-contained HTML, the PDF, results.json against its schema, CSV
tables and figures, escaping, and model facts taken from the fit and the plan."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

import irtrial
from irtrial.report import RESULTS_SCHEMA, render_html
from irtrial.report.sections import sections

from .conftest import NOW, keep_artefact


def test_every_output_is_written(rendered):
    out = rendered.out
    for name in ("report.html", "report.pdf", "results.json", "results.schema.json"):
        assert (out / name).is_file(), name
    figs = {p.name for p in (out / "figures").iterdir()}
    for stem in ("trajectories", "mean_ci", "lsmeans", "forest", "responder_curve",
                 "residuals"):
        assert {f"{stem}.svg", f"{stem}.png"} <= figs
    assert "consort.svg" in figs
    tables = {p.name for p in (out / "tables").iterdir()}
    assert {"baseline_table1.csv", "primary_contrasts.csv", "responders_effects.csv",
            "consort_exclusions.csv"} <= tables
    assert not list(out.glob(".*"))  # the PDF's temporary page is removed


def test_sections_in_the_issue_order(html):
    ids = re.findall(r"<section id=\"(\w+)\"", html)
    assert ids == ["study", "consort", "baseline", "outcome", "figures", "primary",
                   "supportive", "responders", "methods", "code", "provenance"]
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S).group(0)
    assert re.findall(r'href="#(\w+)"', toc) == ids


def test_self_contained(html):
    assert "<style>" in html
    assert not re.search(r"<script|<link|<img[^>]+src=\"(?!data:)|@import|url\(http", html)
    assert not re.search(r'(?:src|href)="https?://', html)
    assert html.count("<figure") == 7


def test_results_json_follows_the_shipped_schema(results, rendered):
    import jsonschema

    jsonschema.validate(results, RESULTS_SCHEMA)
    assert json.loads((rendered.out / "results.schema.json").read_text()) == RESULTS_SCHEMA
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**results, "conf_level": 95}, RESULTS_SCHEMA)


def test_csv_cells_are_neutralised(rendered):
    text = (rendered.out / "tables" / "primary_contrasts.csv").read_text(encoding="utf-8")
    assert "Week 6 (primary)" in text and "[-" in text
    for path in (rendered.out / "tables").glob("*.csv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            for cell in line.split(","):
                cell = cell.strip('"')
                assert not (cell[:1] and cell[0] in "=+@" or re.match(r"-[^\d]", cell)), (
                    path.name, cell)


def test_pdf_pages_and_text(rendered, results):
    from pypdf import PdfReader

    reader = PdfReader(rendered.pdf)
    n = len(reader.pages)
    assert 8 <= n <= 20
    text = "\n".join(p.extract_text() for p in reader.pages)
    for needle in ("Participant flow (CONSORT)", "Baseline characteristics (Table 1)",
                   "Primary analysis: MMRM", "Responders", "SAS and R code", "Provenance",
                   f"Page 1 of {n}", f"Page {n} of {n}"):
        assert needle in text, needle
    from irtrial.report.format import fmt_est

    row = next(r for r in results["sections"]["primary"]["contrasts"] if r["primary"])
    assert fmt_est(row["estimate"], row["std_error"]) in text  # the primary estimate
    # figures are vector: no raster image embedded in any page
    assert all(not page.images for page in reader.pages)
    # page 1 is the cover (title, contents); each section that starts a new page does
    pages = [p.extract_text() for p in reader.pages]
    assert "Participant flow" in pages[0] and "Endpoint" not in pages[0]
    starts = {s.title for s in sections() if s.new_page and s.id in results["sections"]}
    assert len(starts) >= 4
    for title in starts:
        page = next(t for t in pages if f". {title}" in t)
        assert page.lstrip().split("\n", 1)[0].endswith(title), (title, page[:80])


def test_pdf_pages_look_right(rendered, tmp_path):
    import shutil
    import subprocess

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")  # installed by `make test`
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", str(rendered.pdf),
                    str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 2
    keep_artefact(pages[0], "report-pdf-page1.png")


def test_script_arm_name_renders_as_text(trial):
    name = "<script>alert(1)</script>"
    swap = {"IR": name}
    data = trial.data.assign(arm=trial.data["arm"].cat.rename_categories(swap))
    subj = trial.subjects.assign(arm=trial.subjects["arm"].cat.rename_categories(swap))
    odd = dataclasses.replace(trial, data=data, subjects=subj, arms=("Placebo", name),
                              exclusions=trial.exclusions)
    page = render_html(odd, now=NOW)
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_conf_level_direction_and_structure_come_from_the_plan(trial):
    from irtrial.plan import StudyPlan

    plan = StudyPlan.from_options(outcome="AVAL", outcome_range=(0, 10), conf_level=0.9,
                                  covariance=["CS"], df="satterthwaite")
    page = render_html(trial, plan, now=NOW)
    assert "90% CI" in page and "95% CI" not in page and "95%" not in page
    assert "CS (compound symmetry)" in page
    assert "Satterthwaite" in page and "Kenward" not in page.split('id="methods"')[0]
    up = render_html(trial, StudyPlan.from_options(outcome="AVAL", higher_is_better=True),
                     now=NOW)
    assert "positive differences favour the active arm" in up
    assert "negative differences favour" not in up


def test_numeric_visits_read_as_weeks(tmp_path):
    import pandas as pd

    rows = []
    for i in range(16):
        arm = "Placebo" if i % 2 else "Drug"
        for w in (0, 4, 8):
            rows.append({"id": f"S{i}", "trt": arm, "week": w,
                         "score": 10 - w * (0.5 if arm == "Drug" else 0.1) + (i % 5) * 0.3
                         + (w == 8) * (i % 3) * 0.2})
    t = irtrial.read_trial(pd.DataFrame(rows), subject="id", arm="trt", visit="week",
                           outcome="score", control="Placebo", baseline_visit="0")
    page = render_html(t, now=NOW)
    mine = re.sub(r'<section id="(methods|code)"[^>]*>.*?</section>', "", page, flags=re.S)
    assert "Week 8" in mine and "at 8" not in mine and "<td>8<" not in mine
    assert [s.id for s in sections()][0] == "study"


def test_code_folder_holds_the_shown_code_and_the_data_it_reads(rendered, trial, plan):
    """The code in the page is the code in ``code/``, and its data file is the analysis data."""
    import pandas as pd

    from irtrial import fit_primary
    from irtrial.report import code

    folder = rendered.out / "code"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["analysis_data.csv", "primary_gls.R", "primary_mmrm.R", "primary_mmrm.sas"]
    assert set(rendered.files) == {folder / n for n in names}
    page = rendered.html.read_text(encoding="utf-8")
    r_text = (folder / "primary_mmrm.R").read_text(encoding="utf-8")
    assert 'read.csv("analysis_data.csv"' in r_text
    assert r_text.splitlines()[-1].replace("&", "&amp;").replace('"', "&#34;") in page
    pf = fit_primary(trial, plan)
    data = pd.read_csv(folder / "analysis_data.csv")
    expected = code.analysis_data(pf, trial)
    assert len(data) == len(expected) == pf.result.n_obs
    # negative values are written as numbers (not neutralised like tables/*.csv)
    assert (data.select_dtypes("number") < 0).any().any()
