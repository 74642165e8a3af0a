"""Section 4: the observed values and the change from baseline by visit and arm."""

from __future__ import annotations

from irtrial import columns as C
from irtrial.report.format import ci_label
from irtrial.report.sections import Section, SectionOutput
from irtrial.report.tables import visit_table

__all__ = ["SECTION"]

#: the section body (Jinja2), see the contract in :mod:`irtrial.report.sections`
TEMPLATE = "sections/outcome.j2"


def build(inputs) -> SectionOutput:
    from irtrial.report.render import records

    vs = inputs.visit_summary
    tables = {}
    for var in (C.VALUE, C.CHANGE):
        t = visit_table(vs[vs["variable"] == var], inputs.arms, inputs.visit, inputs.conf_level)
        first = t["Visit"].ne(t["Visit"].shift()).tolist()
        t.attrs["classes"] = ["first" if f else "" for f in first]
        t.loc[[not f for f in first], "Visit"] = ""
        tables[var] = t
    return SectionOutput(
        context={"endpoint": inputs.endpoint_label, "ci": ci_label(inputs.conf_level)},
        results={"conf_level": inputs.conf_level, "quantile_type": 7, "rows": records(vs)},
        tables=tables)


SECTION = Section("outcome", "Outcome by visit", 40, build, TEMPLATE)
