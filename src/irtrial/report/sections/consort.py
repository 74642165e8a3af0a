"""Section 2: the CONSORT flow diagram (SVG boxes and arrows) and the exclusions log."""

from __future__ import annotations

import pandas as pd

from irtrial import columns as C
from irtrial.report.consort import consort_counts, consort_frame, consort_svg
from irtrial.report.sections import FigureOut, Section, SectionOutput

__all__ = ["SECTION"]

#: the section body (Jinja2), see the contract in :mod:`irtrial.report.sections`
TEMPLATE = "sections/consort.j2"


def build(inputs) -> SectionOutput:
    trial = inputs.trial
    counts = consort_counts(trial, inputs.visit)
    svg = consort_svg(trial, inputs.visit, counts=counts)
    ex = trial.exclusions
    log = pd.DataFrame({
        "Subject": ["(rows)" if s is None or s != s else str(s) for s in ex[C.SUBJECT]],
        "Arm": ["" if a is None or a != a else str(a) for a in ex[C.ARM]],
        "Reason": ex["reason"].astype(str).to_numpy(),
        "Rows": [str(int(v)) for v in ex["n_rows"]],
    })
    caption = ("Participant flow (CONSORT). Discontinued: analysed subjects whose last value "
               f"is at the visit shown, before {counts['last_visit']}.")
    results = {**counts, "exclusions": [
        {"subject": None if s is None or s != s else str(s),
         "arm": None if a is None or a != a else str(a), "reason": str(r), "n_rows": int(k)}
        for s, a, r, k in zip(ex[C.SUBJECT], ex[C.ARM], ex["reason"], ex["n_rows"], strict=True)]}
    return SectionOutput(results=results, tables={"flow": consort_frame(counts),
                                                  "exclusions": log},
                         figures=(FigureOut("consort", caption, svg=svg),))


SECTION = Section("consort", "Participant flow (CONSORT)", 20, build, TEMPLATE)
