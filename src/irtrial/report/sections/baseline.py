"""Section 3: Table 1, baseline characteristics by arm (no p-values; CONSORT item 15)."""

from __future__ import annotations

from irtrial import columns as C
from irtrial.report.sections import Section, SectionOutput
from irtrial.report.tables import table1

__all__ = ["SECTION"]

#: the section body (Jinja2), see the contract in :mod:`irtrial.report.sections`
TEMPLATE = "sections/baseline.j2"


def _records(frame):
    from irtrial.report.render import records

    return records(frame)


def build(inputs) -> SectionOutput:
    tidy = inputs.baseline_table
    labels = {C.BASELINE: f"Baseline {inputs.endpoint_label}"
                          + (f" ({inputs.units})" if inputs.units else "")}
    t = table1(tidy, inputs.arms, labels)
    heading = t.attrs.pop("heading")
    t.attrs["classes"] = ["group" if h else "sub" for h in heading]
    return SectionOutput(results={"population": "randomised", "rows": _records(tidy)},
                         tables={"table1": t})


SECTION = Section("baseline", "Baseline characteristics (Table 1)", 30, build, TEMPLATE)
