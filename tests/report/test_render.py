"""The HTML report: one self-contained file with every section, and its results.json."""

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
                  "Exclusions log", "Outcome by visit", "Primary analysis: MMRM",
                  "Supportive analyses at the last visit", "Responders (IMMPACT)", "Provenance"):
        assert f"{title}</h2>" in html
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S).group(0)
    assert re.findall(r'href="#(\w+)"', toc) == [s.id for s in SECTIONS]


def test_self_contained(html):
    assert "<style>" in html and "th.num" in html  # CSS inline
    assert html.count("<svg") == 3  # mean +/- CI, LS means, responder curve: inline
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


def _section(html: str, sid: str) -> str:
    return re.search(rf'<section id="{sid}">.*?</section>', html, re.S).group(0)


def test_primary_estimate_in_html_is_the_library_contrast(trial, html):
    import irtrial

    con = irtrial.mmrm(trial).contrasts("arm", control=trial.control, by="visit")
    last = con[con["visit"] == trial.visits[-1]].iloc[0]
    primary = _section(html, "primary")
    shown = re.search(r'<strong class="estimate">([^<]+)</strong> \(95% CI ([^ ]+) to ([^)]+)\),'
                      r' p ([^,]+),', primary)
    assert shown is not None
    est, lo, hi = (float(x) for x in shown.groups()[:3])
    # format-aware: what is shown is the library's number rounded to 2 decimals
    for text, value in ((est, last["estimate"]), (lo, last["ci_lower"]), (hi, last["ci_upper"])):
        assert text == round(value, 2) and abs(text - value) <= 0.005
    assert last["p_value"] < 0.001 and shown.group(4) == "&lt; 0.001"
    assert "Primary estimate, Week 6" in primary
    # the highlighted row of the contrast table is the last visit
    row = re.search(r'<tr class="primary">(.*?)</tr>', primary).group(1)
    assert "<td>Week 6</td>" in row and f">{last['estimate']:.2f}<" in row


def test_primary_section_shows_model_code_lsmeans_and_covariance(trial, html):
    import irtrial

    primary = _section(html, "primary")
    assert "PROC MIXED" in primary and "TYPE=UN" in primary and "DDFM=KR" in primary
    assert "mmrm::mmrm(" in primary and "us(visit | subject)" in primary
    assert 'method = &#34;Kenward-Roger&#34;' in primary or 'method = "Kenward-Roger"' in primary
    assert "Estimand (ICH E9(R1))" in primary and "hypothetical strategy" in primary
    assert "<svg" in primary and "Figure 2. MMRM LS mean change" in primary
    fit = irtrial.mmrm(trial)
    lsm = fit.lsmeans("arm", by="visit").iloc[-1]
    assert f"{lsm['estimate']:.2f} ({lsm['std_error']:.2f})" in primary
    assert "Covariance" in primary and "Correlation" in primary
    assert f">{fit.covariance.iloc[5, 5]:.2f}<" in primary


def test_supportive_and_responder_sections(trial, html):
    import irtrial

    sup = _section(html, "supportive")
    assert "MMRM primary estimate repeated" in sup
    for label in ("ANCOVA", "Welch t-test", "Mann-Whitney U test", "Hedges&#39; g"):
        assert label in sup
    w = irtrial.welch_test(trial).table.iloc[0]
    assert f"{w['ci_lower']:.2f} to {w['ci_upper']:.2f}" in sup
    resp = _section(html, "responders")
    assert "Dropout rule:" in resp and "non-responders" in resp
    assert "19/21 (90.5%)" in resp and "NNTB 1.7 (95% CI NNTB 1.3 to 3.4)" in resp
    assert "<svg" in resp and "Figure 3. Cumulative responder curve at Week 6" in resp


def _strict_json(path):
    import json

    def no_nan(name):
        raise AssertionError(f"{name} in results.json")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=no_nan)


def test_results_json_has_the_documented_keys_and_library_numbers(trial, tmp_path):
    import numpy as np

    import irtrial

    write_report(trial, tmp_path, now=NOW)
    res = _strict_json(tmp_path / "results.json")
    assert set(res) == {"schema", "irtrial_version", "generated", "source", "input_sha256",
                        "conf_level", "primary", "supportive", "responders"}
    assert res["schema"] == "irtrial.report.results/1"
    assert res["generated"] == "2026-01-02T03:04:05+00:00"
    p = res["primary"]
    assert p["error"] is None and p["df_method"] == "kenward-roger" and p["covariance"] == "us"
    fit = irtrial.mmrm(trial)
    con = fit.contrasts("arm", control=trial.control, by="visit")
    cols = ["estimate", "std_error", "df", "p_value", "ci_lower", "ci_upper"]
    np.testing.assert_allclose([[r[c] for c in cols] for r in p["contrasts"]],
                               con[cols].to_numpy(), rtol=1e-10)
    assert [r["visit"] for r in p["estimate"]] == ["Week 6"]
    assert p["estimate"][0] == p["contrasts"][-1]
    lsm = fit.lsmeans("arm", by="visit")
    np.testing.assert_allclose([r["estimate"] for r in p["lsmeans"]], lsm["estimate"],
                               rtol=1e-10)
    np.testing.assert_allclose(p["covariance_matrix"]["matrix"], fit.covariance.to_numpy(),
                               rtol=1e-10)
    sup = {r["key"]: r for r in res["supportive"]["rows"]}
    assert list(sup) == ["mmrm", "ancova", "welch", "mann_whitney", "hedges_g"]
    assert res["supportive"]["errors"] == {}
    np.testing.assert_allclose(sup["ancova"]["estimate"],
                               irtrial.ancova(trial).table["estimate"].iloc[0], rtol=1e-12)
    np.testing.assert_allclose(sup["welch"]["p_value"],
                               irtrial.welch_test(trial).table["p_value"].iloc[0], rtol=1e-12)
    assert (sup["welch"]["n_active"], sup["welch"]["n_control"]) == (21, 18)
    r = res["responders"]
    assert r["missing"] == "non-responder" and r["error"] is None
    assert [x["definition"] for x in r["rows"]] == ["reduction >= 30%", "reduction >= 50%",
                                                  "reduction >= 2 points"]
    rates = irtrial.responder_analysis(trial).rates
    assert r["rows"][0]["percent_active"] == rates["percent"].iloc[1]
    assert r["rows"][0]["nnt_label"] == "NNTB 1.7 (95% CI NNTB 1.3 to 3.4)"
    curve = irtrial.responder_curve(trial).curve
    assert [x["percent"] for x in r["curve"]] == curve["percent"].tolist()


def test_failed_mmrm_still_renders_with_its_message(small_trial, tmp_path):
    import irtrial

    with pytest.raises(irtrial.InsufficientDataError) as exc:
        irtrial.mmrm(small_trial)
    path = write_report(small_trial, tmp_path, now=NOW)
    page = path.read_text(encoding="utf-8")
    primary = _section(page, "primary")
    assert "The MMRM could not be fitted." in primary
    assert f"InsufficientDataError: {exc.value}" in primary
    assert "<svg" not in primary and "Primary estimate" not in primary
    # the other analyses are still shown, and figures are renumbered
    assert "Welch t-test" in _section(page, "supportive")
    assert "MMRM primary estimate repeated" not in _section(page, "supportive")
    assert "Figure 2. Cumulative responder curve" in _section(page, "responders")
    res = _strict_json(tmp_path / "results.json")
    assert res["primary"]["error"] == f"InsufficientDataError: {exc.value}"
    assert res["primary"]["contrasts"] == [] and res["primary"]["estimate"] == []
    assert [r["key"] for r in res["supportive"]["rows"]][0] == "ancova"


def test_covariates_not_in_the_models_are_said_to_be_unadjusted(trial, html):
    # the study table lists "Covariates: AGE, SEX" (read with --covariate) while every model
    # of the report adjusts for the baseline only; the page used to leave that unsaid
    assert "The covariates read with the data (AGE, SEX) are shown for information only" in html
    assert "change ~ baseline + AGE + SEX + arm * visit" in html
    import dataclasses

    page = render_html(dataclasses.replace(trial, covariates=()), now=NOW)
    assert "shown for information only" not in page
