"""Section 10: the methods paragraph, generated from the fit and the plan
(:mod:`irtrial.report.methods`)."""

from __future__ import annotations

from irtrial.report.sections import Section, SectionOutput

__all__ = ["SECTION"]

#: the section body (Jinja2), see the contract in :mod:`irtrial.report.sections`
TEMPLATE = "sections/methods.j2"


def build(inputs) -> SectionOutput | None:
    import importlib.util

    if not inputs.primary.ok or importlib.util.find_spec("irtrial.report.methods") is None:
        return None
    from irtrial.report.methods import methods_text

    text = methods_text(inputs.primary.result, inputs.plan, inputs.trial)
    paragraphs = [p.strip() for p in str(text).split("\n\n") if p.strip()]
    return SectionOutput(context={"paragraphs": paragraphs}, results={"text": str(text)})


SECTION = Section("methods", "Statistical methods", 100, build, TEMPLATE, new_page=True)
