"""Section 11: SAS and R code that reproduce the primary analysis, generated from the fit
(:mod:`irtrial.report.code`)."""

from __future__ import annotations

from irtrial.report.analyses import attempt
from irtrial.report.sections import Section, SectionOutput

__all__ = ["SECTION"]

#: the section body (Jinja2), see the contract in :mod:`irtrial.report.sections`
TEMPLATE = "sections/code.j2"
#: folder of the output where the code and the analysis data it reads are written
CODE_DIR = "code"


def build(inputs) -> SectionOutput | None:
    import importlib.util

    if not inputs.primary.ok or importlib.util.find_spec("irtrial.report.code") is None:
        return None
    from irtrial.report import code

    pf, plan, trial = inputs.primary.result, inputs.plan, inputs.trial
    items, errors, results = [], [], {}
    for key, title, name in (("sas", "SAS (PROC MIXED)", "sas_code"),
                             ("r", "R (mmrm and emmeans)", "r_code"),
                             ("r_gls", "R without mmrm (nlme::gls and emmeans)", "r_code_gls")):
        fn = getattr(code, name, None)
        if fn is None:
            continue
        run = attempt(lambda fn=fn: fn(pf, plan, trial))
        if run.ok:
            items.append({"title": title, "text": str(run.result)})
            results[key] = str(run.result)
        else:
            errors.append(f"{title}: {run.error}")
    files = {}
    run = attempt(lambda: code.code_files(pf, plan, trial))
    if run.ok:
        files = {f"{CODE_DIR}/{name}": text for name, text in run.result.items()}
    else:
        errors.append(f"code files: {run.error}")
    context = {"code": items, "errors": errors, "folder": CODE_DIR,
               "files": [name.split("/", 1)[1] for name in files],
               "data_file": code.DATA_FILE}
    return SectionOutput(context=context, results=results, files=files)


SECTION = Section("code", "SAS and R code", 110, build, TEMPLATE)
