"""Headless Chromium loads report.html: no console error, every figure drawn; a screenshot is
kept as an artefact (reports/test-artefacts/report-screenshot.png)."""

from __future__ import annotations

import shutil

import pytest

from .conftest import keep_artefact

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from pathlib import Path

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        pytest.skip("chromium / chromedriver not installed (make test installs them)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--window-size=1100,1400",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


def test_report_loads_without_errors_and_draws_every_figure(browser, rendered, tmp_path):
    browser.get(rendered.html.as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    sizes = browser.execute_script(
        "return Array.from(document.querySelectorAll('figure svg')).map(s => {"
        "const r = s.getBoundingClientRect(); const b = s.getBBox();"
        "return [r.width, r.height, b.width, b.height, s.querySelectorAll('*').length]; });")
    assert len(sizes) == 7
    for w, h, bw, bh, n in sizes:
        assert w > 200 and h > 100 and bw > 0 and bh > 0 and n > 10
    broken = browser.execute_script(
        "return Array.from(document.images).filter(i => !i.complete || !i.naturalWidth).length")
    assert broken == 0
    # nothing was requested from the network: only the file itself
    entries = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert entries == []
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1100, min(int(height) + 40, 16000))
    shot = tmp_path / "report-screenshot.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 50_000
    keep_artefact(shot, "report-screenshot.png")


def test_script_arm_name_is_shown_as_text_in_the_browser(browser, trial, tmp_path):
    import dataclasses

    from irtrial.report import write_report

    name = "<script>document.title='pwned'</script>"
    swap = {"IR": name}
    odd = dataclasses.replace(
        trial, data=trial.data.assign(arm=trial.data["arm"].cat.rename_categories(swap)),
        subjects=trial.subjects.assign(arm=trial.subjects["arm"].cat.rename_categories(swap)),
        arms=("Placebo", name))
    path = write_report(odd, tmp_path, pdf=False)
    browser.get(path.as_uri())
    assert browser.title != "pwned"
    text = browser.execute_script("return document.getElementById('study').innerText")
    assert name in text
