"""The section registry: page order, optional sections, the SectionOutput contract."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

import irtrial
from irtrial.report import sections as S
from irtrial.report.analyses import ReportInputs
from irtrial.report.render import build_report


def test_builtin_order_follows_the_issue():
    ids = [s.id for s in S.sections()]
    expected = ["study", "consort", "baseline", "outcome", "figures", "primary", "supportive",
                "responders", "methods", "code", "provenance"]
    assert [i for i in ids if i in expected] == expected
    orders = [s.order for s in S.sections()]
    assert orders == sorted(orders)


def test_a_registered_section_renders_its_context_table_figure_and_results(trial):

    def build(inputs):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        return S.SectionOutput(
            context={"word": "<b>bold?</b>", "n": len(inputs.trial.subjects)},
            results={"n": len(inputs.trial.subjects), "x": float("nan")},
            tables={"t": pd.DataFrame({"A": ["=1+1"], "B": ["2"]})},
            figures=(S.FigureOut("extra_fig", "An extra figure.", fig),))

    tmpl = ('{% from "_macros.j2" import table, figure %}<p id="w">{{ s.word }} {{ s.n }}</p>'
            '{{ table(tables.t) }}{{ figure(figures.extra_fig) }}')
    extra = S.Section("extra", "Extra section", 89, build, tmpl)
    empty = S.Section("empty", "Nothing to show", 91, lambda inputs: None, "never")
    S.register(extra)
    S.register(empty)
    try:
        built = build_report(ReportInputs(trial))
    finally:
        S._REGISTRY.pop("extra")
        S._REGISTRY.pop("empty")
    ids = [r.section.id for r in built.sections]
    assert ids.index("extra") == ids.index("responders") + 1
    assert "empty" not in ids and "Nothing to show" not in built.html
    assert '<p id="w">&lt;b&gt;bold?&lt;/b&gt; 40</p>' in built.html
    assert built.results["sections"]["extra"] == {"n": 40, "x": None}
    assert "extra_t" in built.tables
    fig = next(f for f in built.figures if f.name == "extra_fig")
    assert f"Figure {fig.number}.</strong> An extra figure." in built.html
    assert "Extra section</a>" in built.html  # in the contents
    plt.close("all")


def test_sections_without_content_are_left_out(trial):
    from irtrial.plan import StudyPlan

    # a 0-100 higher-is-better scale: no IMMPACT default, so no responder section
    plan = StudyPlan.from_options(outcome="AVAL", higher_is_better=True)
    built = build_report(ReportInputs(trial, plan))
    ids = [r.section.id for r in built.sections]
    assert "responders" not in ids and "responders" not in built.results["sections"]
    assert "sensitivity" not in ids  # the plan lists no sensitivity analysis


def test_callable_package(trial, tmp_path):
    files = irtrial.report(trial, out=tmp_path, pdf=False)
    assert files.html.exists() and files.pdf is None
    from irtrial.report import report as fn

    assert callable(irtrial.report) and callable(fn)
