"""Section 12: provenance: versions, SHA-256 of the input and of the plan, the command, the seed
and the time."""

from __future__ import annotations

import hashlib
import platform
from pathlib import Path

import pandas as pd

from irtrial.report.sections import Section, SectionOutput

__all__ = ["SECTION", "sha256_file"]

#: the section body (Jinja2), see the contract in :mod:`irtrial.report.sections`
TEMPLATE = "sections/provenance.j2"


def sha256_file(source: str | None) -> str | None:
    """SHA-256 of a file's bytes, or None when ``source`` is not a file."""
    if not source:
        return None
    path = Path(source)
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build(inputs) -> SectionOutput:
    import jinja2
    import matplotlib
    import numpy
    import scipy

    from irtrial import __version__

    trial, plan = inputs.trial, inputs.plan
    versions = {"irtrial": __version__, "python": platform.python_version(),
                "numpy": numpy.__version__, "pandas": pd.__version__,
                "scipy": scipy.__version__, "matplotlib": matplotlib.__version__,
                "jinja2": jinja2.__version__}
    from importlib.metadata import PackageNotFoundError, version

    try:  # the PDF engine's version without importing it (its import takes a second)
        versions["weasyprint"] = version("weasyprint")
    except PackageNotFoundError:  # pragma: no cover - a dependency
        pass
    data_sha = sha256_file(trial.source)
    plan_sha = plan.sha256
    generated = inputs.now.strftime("%Y-%m-%d %H:%M:%S UTC")
    items = [
        ("irtrial", __version__),
        ("Software", ", ".join(f"{k} {v}" for k, v in versions.items() if k != "irtrial")),
        ("Input", trial.source),
        ("Input SHA-256", data_sha or "not a file (data passed in memory)"),
        ("Plan", plan.source or "built from command-line options and defaults"),
        ("Plan SHA-256", plan_sha + ("" if plan.source else " (of the plan's canonical JSON)")),
        ("Command", inputs.command or "irtrial.report(trial, plan, out=...)"),
        ("Seed", str(plan.seed)),
        ("Generated", generated),
    ]
    results = {"versions": versions, "source": trial.source, "input_sha256": data_sha,
               "plan": plan.source, "plan_sha256": plan_sha, "command": inputs.command,
               "seed": int(plan.seed), "generated": inputs.now.isoformat(timespec="seconds")}
    return SectionOutput(results=results, tables={
        "provenance": pd.DataFrame(items, columns=["Item", "Value"])})


SECTION = Section("provenance", "Provenance", 120, build, TEMPLATE)
