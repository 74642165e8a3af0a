"""Power designs from TOML files, from a fitted trial, and the shipped IR-wrap example.

A design file has a ``[design]`` table (the fields of :class:`~irtrial.synthetic.TrialDesign`;
``[design.dropout]`` for every arm or ``[design.dropout.<arm>]`` per arm; ``[[design.
covariates]]``), an optional ``[analysis]`` table (``type = "mmrm" | "ancova" | "responder"``
and that analysis' options) and an optional ``[power]`` table (``target``, ``n_sim``,
``seed``, ``alpha``, ``n_grid``). ``design = "ir-wrap"`` at the top level names the shipped
example instead of a ``[design]`` table::

    [design]
    arms = ["Placebo", "Active"]
    n_per_arm = [30, 30]
    visits = [0, 1, 2, 3]          # the first is baseline
    means = [[10, 10, 10, 10], [10, 9.6, 9.3, 9.1]]
    subject_sd = 1.5               # or covariance = [[...], ...] (visits x visits)
    residual_sd = 1.0
    ar1 = 0.5
    [design.dropout]
    hazard = 0.1                   # per post-baseline visit: one number or a list
    # or: retention = [0.95, 0.9, 0.85]  (fraction observed at each post-baseline visit)
    [analysis]
    type = "mmrm"
    covariance = "us"
    df = "satterthwaite"
    [power]
    target = 0.9
    n_sim = 1000
    seed = 1
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from irtrial.errors import ModelSpecError
from irtrial.synthetic import Covariate, Dropout, TrialDesign, ir_wrap_design

__all__ = ["PowerSpec", "ir_wrap_power_design", "read_design"]

_POWER_KEYS = {"target", "n_sim", "seed", "alpha", "n_grid"}
_ANALYSES = {"mmrm", "ancova", "responder"}


@dataclass(frozen=True)
class PowerSpec:
    """A design file read: the design, the analysis and its options, the power settings."""

    design: TrialDesign
    analysis: str = "mmrm"
    analysis_options: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    source: str = ""


def ir_wrap_power_design() -> TrialDesign:
    """The IR-wrap design (Gale 2006 replica) made fit for power: sampling variation on
    (``match_means=False``) and the one placebo dropout after baseline as a hazard of 1/19.

    Examples
    --------
    >>> d = ir_wrap_power_design()
    >>> d.n_per_arm, d.match_means
    ((19, 21), False)
    """
    d = ir_wrap_design()
    return replace(d, match_means=False,
                   dropout={"Placebo": Dropout(hazard=(1 / 19,) + (0.0,) * (d.n_visits - 2))})


def _dropout(spec: dict) -> Dropout:
    spec = _tuples(spec)
    if "retention" in spec:
        return Dropout.from_retention(spec.pop("retention"), **spec)
    return Dropout(**spec)


def _design(table: dict, problems: list[str]) -> TrialDesign | None:
    t = dict(table)
    drop = t.pop("dropout", None)
    covs = t.pop("covariates", [])
    try:
        if isinstance(drop, dict):
            if drop and all(isinstance(v, dict) for v in drop.values()):
                t["dropout"] = {arm: _dropout(v) for arm, v in drop.items()}
            else:
                t["dropout"] = _dropout(drop)
    except (TypeError, ModelSpecError) as exc:
        problems.append(f"[design.dropout]: {exc}".replace("__init__() ", ""))
        return None
    try:
        t["covariates"] = tuple(Covariate(**_tuples(c)) for c in covs)
        return TrialDesign(**_tuples(t))
    except TypeError as exc:
        problems.append(f"[design]: {exc}".replace("__init__() ", ""))
    except ModelSpecError as exc:
        problems.append(f"[design]: {exc}")
    return None


def _tuples(d: dict) -> dict:
    def conv(v):
        return tuple(conv(x) for x in v) if isinstance(v, list) else v
    return {k: conv(v) for k, v in d.items()}


def read_design(path: str | Path) -> PowerSpec:
    """Read a power design file (TOML, see the module docstring).

    Raises
    ------
    ModelSpecError
        Listing every problem (unknown keys, invalid design values).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.toml"
    >>> _ = p.write_text('design = "ir-wrap"\\n[power]\\nn_sim = 50\\n')
    >>> spec = read_design(p)
    >>> spec.design.arms, spec.settings["n_sim"]
    (('Placebo', 'IR'), 50)
    """
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelSpecError(f"design file {str(path)!r} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ModelSpecError(f"{path}: not valid TOML: {exc}") from None
    problems: list[str] = []
    unknown = set(doc) - {"design", "analysis", "power"}
    if unknown:
        problems.append(f"unknown top-level keys {sorted(unknown)} (design, analysis, power)")
    spec_d = doc.get("design")
    design = None
    if isinstance(spec_d, str):
        if spec_d.lower().replace("_", "-") != "ir-wrap":
            problems.append(f"design = {spec_d!r}: the only named design is 'ir-wrap'")
        else:
            design = ir_wrap_power_design()
    elif isinstance(spec_d, dict):
        design = _design(spec_d, problems)
    else:
        problems.append("a [design] table (or design = \"ir-wrap\") is required")
    analysis = dict(doc.get("analysis", {}))
    kind = str(analysis.pop("type", "mmrm")).lower()
    if kind not in _ANALYSES:
        problems.append(f"[analysis] type = {kind!r} is not one of {sorted(_ANALYSES)}")
    settings: dict[str, Any] = dict(doc.get("power", {}))
    bad = set(settings) - _POWER_KEYS
    if bad:
        problems.append(f"[power]: unknown keys {sorted(bad)} (allowed: {sorted(_POWER_KEYS)})")
    if problems:
        raise ModelSpecError(f"{path}: invalid power design:\n"
                             + "\n".join(f"  - {p}" for p in problems))
    return PowerSpec(design=design, analysis=kind, analysis_options=analysis,
                     settings=settings, source=str(path))
