"""The CONSORT diagram: counts from the trial, drawn as escaped SVG."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pandas as pd

from irtrial.analysis.descriptives import dropout_table
from irtrial.report.consort import consort_counts, consort_frame, consort_svg


def test_counts_of_the_replica(trial):
    c = consort_counts(trial)
    assert c["randomised"] == 40
    assert c["arms"]["Placebo"] == {"allocated": 19, "excluded": {"no post-baseline value": 1},
                                    "discontinued": {}, "analysed": 18, "completed": 18}
    assert c["arms"]["IR"]["analysed"] == 21


def test_discontinued_by_visit_counts_last_values(three_arm):
    c = consort_counts(three_arm)
    flow = dropout_table(three_arm)
    data = three_arm.data
    for arm in three_arm.arms:
        mine = data[(data["arm"] == arm) & data["value"].notna()]
        last = mine.groupby("subject", observed=True)["visit_num"].max()
        final = max(three_arm.visit_numbers[v] for v in three_arm.visits)
        assert sum(c["arms"][arm]["discontinued"].values()) == int((last < final).sum())
        assert c["arms"][arm]["completed"] == int((last == final).sum())
        f = flow[flow["arm"] == arm]
        assert (f["n_observed"] + f["n_missing"]).nunique() == 1


def test_svg_is_well_formed_and_escapes_text(trial):
    odd = trial.subjects.assign(arm=trial.subjects["arm"].astype(str).replace(
        {"IR": "<script>alert(1)</script>"}))
    t = dataclasses.replace(trial, subjects=odd, arms=("Placebo", "<script>alert(1)</script>"),
                            data=trial.data.assign(arm=trial.data["arm"].astype(str).replace(
                                {"IR": "<script>alert(1)</script>"})))
    svg = consort_svg(t)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = ET.fromstring(svg)
    texts = ["".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Allocated to" in texts and "<script>alert(1)</script>" in texts
    assert len(list(root.iter("{http://www.w3.org/2000/svg}rect"))) == 1 + 4 * 2


def test_frame(trial):
    f = consort_frame(consort_counts(trial))
    assert isinstance(f, pd.DataFrame)
    assert f.set_index("Stage").loc["Analysed"].tolist() == [18, 21]


def test_a_long_exclusions_log_shows_its_first_rows_and_points_to_the_csv():
    import pandas as pd

    from irtrial.report.render import _environment
    from irtrial.report.tables import as_rows

    def page(n):
        log = pd.DataFrame({"Subject": [f"S{i:03d}" for i in range(n)], "Arm": "A",
                            "Reason": "no post-baseline value", "Rows": "1"})
        fig = {"name": "consort", "caption": "c", "number": 1, "svg": "<svg></svg>"}
        return _environment().get_template("sections/consort.j2").render(
            s={}, tables={"exclusions": as_rows(log)}, figures={"consort": type("F", (), fig)})

    short, long = page(60), page(100)
    assert "S059" in short and "tables/consort_exclusions.csv" not in short
    assert "S049" in long and "S050" not in long
    assert "100 subjects or groups" in long and "tables/consort_exclusions.csv" in long
