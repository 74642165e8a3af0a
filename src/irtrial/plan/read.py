"""Read and validate a study plan: TOML -> mapping -> :class:`StudyPlan`, every problem at once.

Each problem names its key (``primary.covariance[1]: 'TOEPX' is not a covariance structure;
...``); unknown keys are problems too, with the nearest known key, so a typo never silently
drops a pre-specified choice. The same validation runs on a plan built from command-line
options and on a plan with options applied.

Examples
--------
>>> from irtrial.errors import PlanValidationError
>>> try:
...     StudyPlan.from_mapping({"endpoint": {"direction": "down", "range": [0, 10]},
...                             "primary": {"covariance": ["UN", "TOEPX"], "conf_level": 95}})
... except PlanValidationError as err:
...     print(str(err).splitlines()[0])
...     for problem in err.problems:
...         print(problem.message[:60])
3 problems found in the study plan:
endpoint.direction: 'down' must be "lower" or "higher" (whic
primary.covariance[1]: 'TOEPX' is not a covariance structure
primary.conf_level: 95 must be a number between 0 and 1 (e.g
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from irtrial.errors import PlanValidationError
from irtrial.plan._names import (
    COVARIANCE_SAS,
    DF_SAS,
    ICE_STRATEGIES,
    MULTIPLICITY_FAMILIES,
    MULTIPLICITY_METHODS,
    SUPPORTIVE_ANALYSES,
    covariance_name,
    df_name,
    vcov_name,
)
from irtrial.plan.model import (
    IMMPACT,
    DataMapping,
    Endpoint,
    Estimand,
    IntercurrentEvent,
    Multiplicity,
    PrimaryModel,
    Responders,
    ResponderSpec,
    SensitivityAnalysis,
    StudyPlan,
    Supportive,
)

__all__ = ["read_plan", "plan_from_mapping", "plan_to_dict", "apply_overrides", "read_kwargs",
           "plan_sha256"]

_SECTIONS = ("title", "seed", "data", "endpoint", "estimand", "primary", "supportive",
             "responders", "multiplicity", "sensitivity", "power")
_DATA_STRINGS = ("subject", "arm", "visit", "outcome", "baseline", "control", "visit_num",
                 "baseline_visit", "baseline_flag", "param")
_DATA_LISTS = ("arm_order", "visit_order", "covariates", "categorical", "numeric")
_MISSING_RULES = ("non-responder", "exclude")
_RESPONSES = ("change", "value")
_DIRECTIONS = ("lower", "higher")
_SENS_KEYS = ("method", "strategies", "reference", "deltas", "n_samples")
_ICE_MISSING = re.compile(r"\bmissing\b|\bmissingness\b|\bdrop-?out\b", re.I)
_COV_CHOICES = ", ".join(dict.fromkeys(v.split()[0] for v in COVARIANCE_SAS.values()))


def read_plan(path: str | Path) -> StudyPlan:
    """Read a study plan from a TOML file and validate it.

    Parameters
    ----------
    path : path-like
        The ``study.toml`` (see ``irtrial plan init DATAFILE`` for an annotated template).

    Returns
    -------
    StudyPlan
        With ``source`` the path and ``digest`` the SHA-256 of the file's bytes.

    Raises
    ------
    PlanValidationError
        The file cannot be read, is not TOML, or has problems: each is listed with its key.

    Examples
    --------
    >>> import tempfile, os
    >>> text = '''
    ... [endpoint]
    ... name = "AVAL"
    ... range = [0, 10]
    ... direction = "lower"
    ... [primary]
    ... covariates = ["AGE"]
    ... covariance = ["UN", "CS"]
    ... df = "KR(FIRSTORDER)"
    ... '''
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "study.toml")
    ...     _ = open(p, "w").write(text)
    ...     plan = read_plan(p)
    >>> plan.primary.formula, plan.primary.covariance, plan.primary.df_sas
    ('change ~ baseline + AGE + arm * visit', ('us', 'cs'), 'KR(FIRSTORDER)')
    >>> plan.responders.source
    'immpact'
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise PlanValidationError([f"cannot read the plan file: {err.strerror or err}"],
                                  source=str(path)) from None
    try:
        mapping = tomllib.loads(raw.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise PlanValidationError([f"not valid TOML: {err}"], source=str(path)) from None
    plan = plan_from_mapping(mapping, source=str(path))
    return replace(plan, digest=hashlib.sha256(raw).hexdigest())


def plan_sha256(plan: StudyPlan) -> str:
    """SHA-256 of the plan file, or of the canonical JSON of a plan built from options."""
    if plan.digest:
        return plan.digest
    text = json.dumps(plan_to_dict(plan), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# ----------------------------------------------------------------------------------------
class _Checker:
    """Collects problems, each prefixed by its key."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    def table(self, mapping: Mapping[str, Any], key: str) -> dict[str, Any]:
        value = mapping.get(key, {})
        if not isinstance(value, Mapping):
            self.add(key, f"must be a table ([{key}]), not {_kind(value)}")
            return {}
        return dict(value)

    def unknown(self, table: Mapping[str, Any], allowed: Sequence[str], prefix: str) -> None:
        for k in table:
            if k not in allowed:
                near = difflib.get_close_matches(str(k), allowed, n=1, cutoff=0.6)
                hint = f"; did you mean {near[0]!r}?" if near else (
                    "; known keys: " + ", ".join(allowed))
                self.add(f"{prefix}{k}", "unknown key" + hint)

    def string(self, table: Mapping[str, Any], key: str, prefix: str,
               default: str | None = None, allow_number: bool = False) -> str | None:
        if key not in table or table[key] is None:
            return default
        value = table[key]
        if allow_number and isinstance(value, int | float) and not isinstance(value, bool):
            return f"{value:g}" if isinstance(value, float) else str(value)
        if not isinstance(value, str) or not value.strip():
            self.add(f"{prefix}{key}", f"must be a non-empty string, not {value!r}")
            return default
        return value.strip()

    def strings(self, table: Mapping[str, Any], key: str, prefix: str,
                default: tuple[str, ...] | None = ()) -> tuple[str, ...] | None:
        if key not in table or table[key] is None:
            return default
        value = table[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            self.add(f"{prefix}{key}", f"must be a list of strings, not {_kind(value)}")
            return default
        out: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, int | float) and not isinstance(item, bool):
                item = f"{item:g}"
            if not isinstance(item, str) or not item.strip():
                self.add(f"{prefix}{key}[{i}]", f"must be a non-empty string, not {item!r}")
            elif item.strip() in out:
                self.add(f"{prefix}{key}[{i}]", f"{item!r} is listed twice")
            else:
                out.append(item.strip())
        return tuple(out)

    def number(self, table: Mapping[str, Any], key: str, prefix: str, default: Any,
               low: float | None = None, high: float | None = None, hint: str = "",
               integer: bool = False) -> Any:
        if key not in table:
            return default
        value = table[key]
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if integer:
            ok = ok and float(value).is_integer()
        if ok and ((low is not None and not value > low) or (high is not None and
                                                             not value < high)):
            ok = False
        if not ok:
            what = "an integer" if integer else "a number"
            if low is not None and high is not None:
                what += f" between {low:g} and {high:g}"
            elif low is not None:
                what += f" greater than {low:g}"
            self.add(f"{prefix}{key}", f"{value!r} must be {what}{hint}")
            return default
        return int(value) if integer else float(value)


def _kind(value: object) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "true/false"}.get(
        type(value), type(value).__name__)


def _choice(c: _Checker, table: Mapping[str, Any], key: str, prefix: str, choices: Sequence[str],
            default: str) -> str:
    value = table.get(key, default)
    norm = str(value).strip().lower().replace("_", "-") if isinstance(value, str) else value
    if norm not in choices:
        c.add(f"{prefix}{key}", f"{value!r} must be one of " + ", ".join(map(repr, choices)))
        return default
    return norm


# ----------------------------------------------------------------------------------------
def plan_from_mapping(mapping: Mapping[str, Any], source: str | None = None,
                      defaults: bool = False) -> StudyPlan:
    """Validate ``mapping`` (a parsed TOML plan) into a :class:`StudyPlan`; see the module."""
    c = _Checker()
    notes: list[str] = []
    if not isinstance(mapping, Mapping):
        raise PlanValidationError([f"a plan is a table of sections, not {_kind(mapping)}"],
                                  source=source)
    c.unknown(mapping, _SECTIONS, "")
    title = c.string(mapping, "title", "")
    seed = c.number(mapping, "seed", "", 2006, low=-1, integer=True)
    primary = _primary(c, c.table(mapping, "primary"))
    data = _data(c, c.table(mapping, "data"), primary)
    endpoint = _endpoint(c, c.table(mapping, "endpoint"), data, defaults, notes)
    estimand = _estimand(c, c.table(mapping, "estimand"), endpoint, primary, notes)
    supportive = _supportive(c, c.table(mapping, "supportive"))
    responders = _responders(c, c.table(mapping, "responders"), endpoint, defaults, notes)
    multiplicity = _multiplicity(c, c.table(mapping, "multiplicity"))
    sensitivity = _sensitivity(c, mapping.get("sensitivity", []))
    power = mapping.get("power")
    if power is not None and not isinstance(power, Mapping):
        c.add("power", f"must be a table ([power]), not {_kind(power)}")
        power = None
    outside = [x for x in data.covariates if x not in primary.covariates]
    if outside:
        notes.append("data: " + ", ".join(outside) + (" is" if len(outside) == 1 else " are")
                     + " read (Table 1) but not in the primary model; add to "
                     "primary.covariates (--covariate) to adjust for "
                     + ("it" if len(outside) == 1 else "them"))
    if c.problems:
        def section(problem: str) -> int:
            head = re.split(r"[.\[:]", problem, maxsplit=1)[0]
            return _SECTIONS.index(head) if head in _SECTIONS else -1

        raise PlanValidationError(sorted(c.problems, key=section), source=source)
    return StudyPlan(
        data=data, endpoint=endpoint, estimand=estimand, primary=primary,
        supportive=supportive, responders=responders, multiplicity=multiplicity,
        sensitivity=sensitivity,
        power=None if power is None else MappingProxyType(copy.deepcopy(dict(power))),
        seed=seed, title=title, source=source, notes=tuple(notes))


def _data(c: _Checker, t: dict[str, Any], primary: PrimaryModel) -> DataMapping:
    p = "data."
    c.unknown(t, (*_DATA_STRINGS, *_DATA_LISTS, "format", "sheet", "strict"), p)
    strict = t.get("strict", False)
    if not isinstance(strict, bool):
        c.add(p + "strict", f"{strict!r} must be true or false")
        strict = False
    strings = {k: c.string(t, k, p, allow_number=k in ("control", "baseline_visit"))
               for k in _DATA_STRINGS}
    lists = {k: c.strings(t, k, p, default=None if k.endswith("_order") else ())
             for k in _DATA_LISTS}
    fmt = _choice(c, t, "format", p, ("long", "wide"), "long")
    sheet = t.get("sheet")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, str | int)):
        c.add(p + "sheet", f"must be a sheet name or 0-based number, not {sheet!r}")
        sheet = None
    known = set(lists["covariates"]) | set(primary.covariates)
    for kind in ("categorical", "numeric"):
        for i, name in enumerate(lists[kind]):
            if name not in known:
                c.add(f"{p}{kind}[{i}]", f"{name!r} is not a covariate of the plan; add it to "
                      "data.covariates (read) or primary.covariates (in the model)")
    for i, name in enumerate(lists["numeric"]):
        if name in lists["categorical"]:
            c.add(f"{p}numeric[{i}]", f"{name!r} is also listed in data.categorical")
    return DataMapping(**strings, **lists, format=fmt, sheet=sheet, strict=strict)


def _endpoint(c: _Checker, t: dict[str, Any], data: DataMapping, defaults: bool,
              notes: list[str]) -> Endpoint:
    p = "endpoint."
    c.unknown(t, ("name", "label", "units", "range", "direction"), p)
    name = c.string(t, "name", p, default=data.outcome or "outcome")
    label = c.string(t, "label", p)
    units = c.string(t, "units", p)
    rng = t.get("range")
    if rng is not None:
        ok = (isinstance(rng, list | tuple) and len(rng) == 2
              and all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng)
              and rng[0] < rng[1])
        if not ok:
            c.add(p + "range", f"{rng!r} must be [low, high], two numbers with low < high")
            rng = None
        else:
            rng = (float(rng[0]), float(rng[1]))
    if "direction" not in t:
        if defaults:
            direction = "lower"
            notes.append("endpoint: lower values are taken as better (the command line's "
                         "default; --higher-is-better says otherwise)")
        else:
            c.add(p + "direction", 'missing: say which values are better, "lower" (e.g. pain) '
                  'or "higher" (e.g. function)')
            direction = "lower"
    else:
        value = t["direction"]
        direction = value.strip().lower() if isinstance(value, str) else value
        if direction not in _DIRECTIONS:
            c.add(p + "direction",
                  f'{value!r} must be "lower" or "higher" (which values are better)')
            direction = "lower"
    return Endpoint(name=name, label=label, units=units, range=rng, direction=direction)


def _default_estimand(endpoint: Endpoint, primary: PrimaryModel) -> dict[str, Any]:
    at = f"at {primary.primary_visit}" if primary.primary_visit else "at the last visit"
    what = "change from baseline in " if primary.response == "change" else ""
    return {
        "treatment": "each active arm versus the control arm",
        "population": "randomised subjects with a baseline and at least one post-baseline "
                      "value (full analysis set)",
        "variable": f"{what}{endpoint.label or endpoint.name} {at}",
        "intercurrent_events": [{"event": "discontinuation of study treatment",
                                 "strategy": "hypothetical"}],
        "summary_measure": "difference in least-squares mean "
                           f"{'change' if primary.response == 'change' else 'value'} between "
                           "each active arm and control (MMRM)",
    }


def _estimand(c: _Checker, t: dict[str, Any], endpoint: Endpoint, primary: PrimaryModel,
              notes: list[str]) -> Estimand:
    p = "estimand."
    keys = ("treatment", "population", "variable", "intercurrent_events", "summary_measure")
    c.unknown(t, keys, p)
    default = _default_estimand(endpoint, primary)
    missing = [k for k in keys if k not in t]
    if missing:
        notes.append("estimand: default wording for " + ", ".join(missing)
                     + " (not stated in the plan)")
    text = {k: c.string(t, k, p, default=default[k]) for k in keys if k != "intercurrent_events"}
    ices = t.get("intercurrent_events", default["intercurrent_events"])
    events: list[IntercurrentEvent] = []
    if not isinstance(ices, list):
        c.add(p + "intercurrent_events", "must be a list of {event, strategy} tables")
        ices = []
    for i, ice in enumerate(ices):
        key = f"{p}intercurrent_events[{i}]"
        if not isinstance(ice, Mapping):
            c.add(key, f"must be a table {{event = ..., strategy = ...}}, not {_kind(ice)}")
            continue
        c.unknown(ice, ("event", "strategy"), key + ".")
        event = c.string(ice, "event", key + ".")
        if event is None:
            c.add(key + ".event", "missing: name the event, e.g. \"discontinuation of study "
                  "treatment\" or \"use of rescue medication\"")
        elif _ICE_MISSING.search(event):
            c.add(key + ".event", f"{event!r} is not an intercurrent event (ICH E9(R1)): "
                  "name the event that happens to the patient, e.g. \"discontinuation of "
                  "study treatment\"; missing data are handled by the analysis, not the "
                  "estimand")
        strategy = ice.get("strategy")
        norm = strategy.strip().lower().replace("-", " ") if isinstance(strategy, str) else None
        if norm not in ICE_STRATEGIES:
            c.add(key + ".strategy", f"{strategy!r} must be one of "
                  + ", ".join(map(repr, ICE_STRATEGIES)) + " (ICH E9(R1))")
        if event is not None and norm in ICE_STRATEGIES:
            events.append(IntercurrentEvent(event, norm))
    return Estimand(intercurrent_events=tuple(events), **text)


_FORMULA_SIDES = re.compile(r"^\s*([^~]+?)\s*~\s*(.+?)\s*$")


def _parse_formula(c: _Checker, formula: str, key: str) -> tuple[str, list[str], list[str]]:
    """``change ~ baseline + AGE + arm * visit + baseline:visit`` -> response, covariates,
    interactions; problems for what is not a pre-specifiable MMRM formula."""
    m = _FORMULA_SIDES.match(formula)
    if not m:
        c.add(key, f"{formula!r} must read 'change ~ baseline + covariates + arm * visit'")
        return "change", [], []
    response = m.group(1)
    terms = [t.strip() for t in m.group(2).split("+")]
    if response not in _RESPONSES:
        c.add(key, f"the response {response!r} must be 'change' (change from baseline) or "
              "'value' (the outcome)")
    covariates: list[str] = []
    interactions: list[str] = []
    seen = set()
    for term in terms:
        compact = term.replace(" ", "")
        if compact in ("arm*visit", "visit*arm"):
            seen |= {"arm", "visit", "arm:visit"}
        elif compact in ("arm", "visit", "arm:visit", "visit:arm", "baseline"):
            seen.add(compact.replace("visit:arm", "arm:visit"))
        elif "*" in compact:
            c.add(key, f"write {term!r} as its terms (a + b + a:b)")
        elif ":" in compact:
            interactions.append(compact)
        elif compact:
            covariates.append(compact.strip("`"))
        else:
            c.add(key, f"{formula!r} has an empty term")
    lack = [t for t in ("baseline", "arm", "visit", "arm:visit") if t not in seen]
    if lack:
        c.add(key, f"{formula!r} lacks " + ", ".join(lack) + "; the primary MMRM is "
              "'change ~ baseline + covariates + arm * visit'")
    return response, covariates, interactions


def _primary(c: _Checker, t: dict[str, Any]) -> PrimaryModel:
    p = "primary."
    c.unknown(t, ("formula", "response", "covariates", "interactions", "covariance", "method",
                  "df", "vcov", "conf_level", "primary_visit"), p)
    response = _choice(c, t, "response", p, _RESPONSES, "change")
    covariates = list(c.strings(t, "covariates", p) or ())
    interactions = list(c.strings(t, "interactions", p) or ())
    formula = c.string(t, "formula", p)
    if formula is not None:
        f_resp, f_cov, f_int = _parse_formula(c, formula, p + "formula")
        for name, given, parsed in (("response", [response] if "response" in t else [], [f_resp]),
                                    ("covariates", covariates, f_cov),
                                    ("interactions", interactions, f_int)):
            if given and given != parsed:
                c.add(p + name, f"{given!r} disagrees with primary.formula ({parsed!r}); "
                      "give one of them")
        response, covariates, interactions = f_resp, f_cov, f_int
    for i, name in enumerate(covariates):
        if name in ("baseline", "arm", "visit", "change", "value", "subject"):
            c.add(f"{p}covariates[{i}]", f"{name!r} is a role of the model, not a covariate")
    terms = {"baseline", "arm", "visit", *covariates}
    for i, inter in enumerate(interactions):
        parts = inter.replace(" ", "").split(":")
        bad = [x for x in parts if x.strip("`") not in terms]
        if len(parts) < 2 or bad:
            c.add(f"{p}interactions[{i}]", f"{inter!r} must join terms of the model with ':' "
                  "(e.g. 'baseline:visit')" + (f"; unknown: {', '.join(bad)}" if bad else ""))
    cov_raw = t.get("covariance", None)
    covariance: list[str] = []
    if cov_raw is not None:
        items = [cov_raw] if isinstance(cov_raw, str) else cov_raw
        if not isinstance(items, list | tuple) or not items:
            c.add(p + "covariance", "must be a structure or a fallback order, e.g. "
                  '["UN", "TOEPH", "ARH(1)", "CS"]')
            items = []
        for i, item in enumerate(items):
            key = p + "covariance" + ("" if isinstance(cov_raw, str) else f"[{i}]")
            name = covariance_name(item) if isinstance(item, str) else None
            if name is None:
                c.add(key, f"{item!r} is not a covariance structure; choose from {_COV_CHOICES}")
            elif name in covariance:
                c.add(key, f"{item!r} is listed twice")
            else:
                covariance.append(name)
    method = _choice(c, t, "method", p, ("reml", "ml"), "reml")
    df = "kenward-roger"
    if "df" in t:
        df = df_name(t["df"]) if isinstance(t["df"], str) else None
        if df is None:
            c.add(p + "df", f"{t['df']!r} is not a df method; choose from KR, KR(FIRSTORDER), "
                  "SATTERTHWAITE, BW, RESIDUAL")
            df = "kenward-roger"
    elif method == "ml":
        df = "satterthwaite"
    vcov = None
    if t.get("vcov") is not None:
        vcov = vcov_name(t["vcov"]) if isinstance(t["vcov"], str) else None
        if vcov is None:
            c.add(p + "vcov", f"{t['vcov']!r} must be one of 'asymptotic', 'kenward-roger', "
                  "'kenward-roger-linear', 'empirical'")
    if method == "ml" and "kenward-roger" in (df, str(vcov).removesuffix("-linear")):
        c.add(p + "df", "Kenward-Roger needs method = \"REML\"; with ML use SATTERTHWAITE")
    kr = ("kenward-roger", "kenward-roger-linear")
    if vcov is not None and (vcov in kr) != (df in kr):
        c.add(p + "vcov", f"{vcov!r} with df = {DF_SAS[df]!r}: the Kenward-Roger df and "
              "covariance go together (SAS DDFM=KR adjusts both; R mmrm requires it); leave "
              "vcov out to use the df method's own")
    if vcov == "empirical" and df in ("satterthwaite", "kenward-roger", "kenward-roger-linear"):
        c.add(p + "vcov", f"'empirical' goes with df = \"BW\" or \"RESIDUAL\", not {df!r}")
    conf = c.number(t, "conf_level", p, 0.95, low=0, high=1, hint=" (e.g. 0.95)")
    visit = c.string(t, "primary_visit", p, allow_number=True)
    kwargs = {"covariance": tuple(covariance)} if covariance else {}
    return PrimaryModel(response=response, covariates=tuple(covariates),
                        interactions=tuple(interactions), method=method, df=df, vcov=vcov,
                        conf_level=conf, primary_visit=visit, **kwargs)


def _supportive(c: _Checker, t: dict[str, Any]) -> Supportive:
    p = "supportive."
    c.unknown(t, ("analyses", "visit"), p)
    analyses = c.strings(t, "analyses", p, default=None)
    if analyses is not None:
        for i, name in enumerate(analyses):
            if name not in SUPPORTIVE_ANALYSES:
                c.add(f"{p}analyses[{i}]", f"{name!r} is not a supportive analysis; choose from "
                      + ", ".join(SUPPORTIVE_ANALYSES))
        analyses = tuple(a for a in analyses if a in SUPPORTIVE_ANALYSES)
    visit = c.string(t, "visit", p, allow_number=True)
    return Supportive(visit=visit) if analyses is None else Supportive(analyses, visit)


def _immpact(endpoint: Endpoint) -> tuple[ResponderSpec, ...]:
    return tuple(ResponderSpec(_responder_label(kind, thr, endpoint), kind, thr)
                 for kind, thr in IMMPACT)


def _responder_label(kind: str, threshold: float, endpoint: Endpoint) -> str:
    word = "reduction" if endpoint.lower_is_better else "increase"
    unit = "%" if kind == "relative" else (" " + (endpoint.units or "points"))
    return f"{word} >= {threshold:g}{unit}"


def _responders(c: _Checker, t: dict[str, Any], endpoint: Endpoint, defaults: bool,
                notes: list[str]) -> Responders:
    p = "responders."
    c.unknown(t, ("definitions", "visit", "missing"), p)
    visit = c.string(t, "visit", p, allow_number=True)
    missing = _choice(c, t, "missing", p, _MISSING_RULES, "non-responder")
    raw = t.get("definitions")
    if raw is None:
        if endpoint.is_pain_0_10:
            notes.append("responders: IMMPACT definitions (30%, 50%, 2 points), the default "
                         "for a 0-10 pain scale")
            return Responders(_immpact(endpoint), "immpact", visit, missing)
        if defaults:
            notes.append("responders: no responder analysis (the endpoint is not a 0-10 "
                         "lower-is-better scale, and the plan gives no definitions)")
            return Responders((), "none", visit, missing)
        c.add(p + "definitions", "missing: IMMPACT's 30%/50%/2 points apply to a 0-10 pain "
              "scale only (endpoint.range = [0, 10], direction = \"lower\"); list the "
              "definitions ({label, kind = \"relative\" | \"absolute\", threshold}) or write "
              "definitions = \"none\"")
        return Responders()
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word == "none":
            return Responders((), "none", visit, missing)
        if word == "immpact":
            if not endpoint.is_pain_0_10:
                c.add(p + "definitions", "\"immpact\" applies to a 0-10 pain scale only "
                      "(endpoint.range = [0, 10], direction = \"lower\"); list the definitions "
                      "in the scale's units")
            return Responders(_immpact(endpoint), "immpact", visit, missing)
        c.add(p + "definitions", f"{raw!r} must be \"none\", \"immpact\" or a list of "
              "{label, kind, threshold} tables")
        return Responders()
    if not isinstance(raw, list):
        c.add(p + "definitions", f"must be a list of tables, not {_kind(raw)}")
        return Responders()
    specs: list[ResponderSpec] = []
    for i, d in enumerate(raw):
        key = f"{p}definitions[{i}]"
        if not isinstance(d, Mapping):
            c.add(key, f"must be a table {{label, kind, threshold}}, not {_kind(d)}")
            continue
        c.unknown(d, ("label", "kind", "threshold"), key + ".")
        kind = d.get("kind")
        if kind not in ("relative", "absolute"):
            c.add(key + ".kind", f"{kind!r} must be \"relative\" (percent of baseline) or "
                  "\"absolute\" (scale units)")
            continue
        if "threshold" not in d:
            c.add(key + ".threshold", "missing")
            continue
        high = 100.0001 if kind == "relative" else (
            endpoint.range[1] - endpoint.range[0] + 1e-9 if endpoint.range else None)
        thr = c.number(d, "threshold", key + ".", None, low=0, high=high,
                       hint=" (percent of baseline)" if kind == "relative" else
                       " (units of the scale, at most its range)")
        if thr is None:
            continue
        label = c.string(d, "label", key + ".", default=_responder_label(kind, thr, endpoint))
        if label in [s.label for s in specs]:
            c.add(key + ".label", f"{label!r} is used twice")
            continue
        specs.append(ResponderSpec(label, kind, thr))
    if not specs and not c.problems:
        c.add(p + "definitions", "is empty: list definitions or write definitions = \"none\"")
    return Responders(tuple(specs), "plan", visit, missing)


def _multiplicity(c: _Checker, t: dict[str, Any]) -> Multiplicity:
    p = "multiplicity."
    c.unknown(t, ("method", "family", "order", "alpha"), p)
    method = _choice(c, t, "method", p, MULTIPLICITY_METHODS, "none")
    family = t.get("family", "arms")
    family = family.strip().lower() if isinstance(family, str) else family
    if family not in MULTIPLICITY_FAMILIES:
        c.add(p + "family", f"{t.get('family')!r} must be one of "
              + ", ".join(map(repr, MULTIPLICITY_FAMILIES)))
        family = "arms"
    order = c.strings(t, "order", p) or ()
    alpha = c.number(t, "alpha", p, 0.05, low=0, high=1)
    if method == "fixed-sequence" and not order:
        c.add(p + "order", "a fixed sequence needs its testing order (arm or visit labels)")
    if method != "fixed-sequence" and order:
        c.add(p + "order", f"is used by method = \"fixed-sequence\" only, not {method!r}")
    if method == "dunnett" and family != "arms":
        c.add(p + "family", "Dunnett compares several arms with one control: family = \"arms\"")
    return Multiplicity(method, family, tuple(order), alpha)


def _sensitivity(c: _Checker, raw: Any) -> tuple[SensitivityAnalysis, ...]:
    if not isinstance(raw, list):
        c.add("sensitivity", f"must be a list of tables ([[sensitivity]]), not {_kind(raw)}")
        return ()
    out = []
    for i, t in enumerate(raw):
        key = f"sensitivity[{i}]."
        if not isinstance(t, Mapping):
            c.add(key[:-1], f"must be a table, not {_kind(t)}")
            continue
        method = c.string(t, "method", key)
        if method is None:
            c.add(key + "method", "missing: name the sensitivity method")
        strategies = c.strings(t, "strategies", key) or ()
        reference = c.string(t, "reference", key, allow_number=True)
        deltas = t.get("deltas", [])
        if not isinstance(deltas, list) or not all(
                isinstance(d, int | float) and not isinstance(d, bool) for d in deltas):
            c.add(key + "deltas", f"{deltas!r} must be a list of numbers")
            deltas = []
        n = c.number(t, "n_samples", key, None, low=0, integer=True)
        options = {k: copy.deepcopy(v) for k, v in t.items() if k not in _SENS_KEYS}
        if method is not None:
            out.append(SensitivityAnalysis(method, strategies, reference,
                                           tuple(float(d) for d in deltas), n,
                                           MappingProxyType(options)))
    return tuple(out)


# ----------------------------------------------------------------------------------------
def plan_to_dict(plan: StudyPlan) -> dict[str, Any]:
    """The plan as a TOML-like mapping; :func:`plan_from_mapping` reads it back unchanged."""
    d = plan.data
    data: dict[str, Any] = {k: getattr(d, k) for k in _DATA_STRINGS if getattr(d, k) is not None}
    for k in _DATA_LISTS:
        value = getattr(d, k)
        if value:
            data[k] = list(value)
    data["format"] = d.format
    if d.sheet is not None:
        data["sheet"] = d.sheet
    if d.strict:
        data["strict"] = True
    e = plan.endpoint
    endpoint: dict[str, Any] = {"name": e.name, "direction": e.direction}
    for k in ("label", "units"):
        if getattr(e, k) is not None:
            endpoint[k] = getattr(e, k)
    if e.range is not None:
        endpoint["range"] = list(e.range)
    s = plan.estimand
    estimand = {"treatment": s.treatment, "population": s.population, "variable": s.variable,
                "intercurrent_events": [{"event": i.event, "strategy": i.strategy}
                                        for i in s.intercurrent_events],
                "summary_measure": s.summary_measure}
    m = plan.primary
    primary: dict[str, Any] = {
        "response": m.response, "covariates": list(m.covariates),
        "interactions": list(m.interactions),
        "covariance": [COVARIANCE_SAS[x] for x in m.covariance], "method": m.method.upper(),
        "df": m.df_sas, "conf_level": m.conf_level}
    if m.vcov is not None:
        primary["vcov"] = m.vcov
    if m.primary_visit is not None:
        primary["primary_visit"] = m.primary_visit
    supportive: dict[str, Any] = {"analyses": list(plan.supportive.analyses)}
    if plan.supportive.visit is not None:
        supportive["visit"] = plan.supportive.visit
    r = plan.responders
    responders: dict[str, Any] = {
        "definitions": r.source if r.source in ("none", "immpact") else
        [{"label": x.label, "kind": x.kind, "threshold": x.threshold} for x in r.definitions],
        "missing": r.missing}
    if r.visit is not None:
        responders["visit"] = r.visit
    u = plan.multiplicity
    multiplicity: dict[str, Any] = {"method": u.method, "family": u.family, "alpha": u.alpha}
    if u.order:
        multiplicity["order"] = list(u.order)
    sensitivity = []
    for a in plan.sensitivity:
        table: dict[str, Any] = {"method": a.method, "strategies": list(a.strategies),
                                 "deltas": list(a.deltas)}
        if a.reference is not None:
            table["reference"] = a.reference
        if a.n_samples is not None:
            table["n_samples"] = a.n_samples
        table.update(copy.deepcopy(dict(a.options)))
        sensitivity.append(table)
    out: dict[str, Any] = {}
    if plan.title is not None:
        out["title"] = plan.title
    out.update({"seed": plan.seed, "data": data, "endpoint": endpoint, "estimand": estimand,
                "primary": primary, "supportive": supportive, "responders": responders,
                "multiplicity": multiplicity, "sensitivity": sensitivity})
    if plan.power is not None:
        out["power"] = copy.deepcopy(dict(plan.power))
    return out


_MAPPING_OPTIONS = (*_DATA_STRINGS, "arm_order", "visit_order", "format", "sheet", "strict")


def _add(items: list[str], new: Sequence[str] | str | None) -> list[str]:
    if isinstance(new, str):
        new = [new]
    for x in new or ():
        if x not in items:
            items.append(x)
    return items


def apply_overrides(mapping: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """``mapping`` (a plan as a TOML-like mapping) with command-line ``options`` applied.

    None, empty lists and ``higher_is_better=None`` mean "not given". Unknown option names
    are an error (a bug in the caller, not a user error).
    """
    known = {*_MAPPING_OPTIONS, "outcome_range", "covariates", "factors", "numerics",
             "primary_visit",
             "covariance", "df", "vcov", "method", "conf_level", "higher_is_better", "seed",
             "title"}
    unknown = set(options) - known
    if unknown:
        raise TypeError("unknown plan option(s): " + ", ".join(sorted(unknown)))
    out = copy.deepcopy(dict(mapping))
    given = {k: v for k, v in options.items() if v is not None and v != [] and v != ()}

    def section(name: str) -> dict[str, Any]:
        value = out.setdefault(name, {})
        if not isinstance(value, dict):  # left for validation to report
            value = out[name] = {}
        return value

    data = section("data")
    for k in _MAPPING_OPTIONS:
        if k in given:
            value = given[k]
            data[k] = list(value) if k.endswith("_order") else value
    if "outcome_range" in given:
        section("endpoint")["range"] = list(given["outcome_range"])
    if "outcome" in given:
        endpoint = section("endpoint")
        if endpoint.get("name") in (None, "outcome", mapping.get("data", {}).get("outcome")):
            endpoint["name"] = given["outcome"]
    primary = section("primary")
    if "covariates" in given:
        new = [x for x in ([given["covariates"]] if isinstance(given["covariates"], str)
                           else given["covariates"])]
        if isinstance(primary.get("formula"), str):
            primary["formula"] += "".join(f" + {x}" for x in new
                                          if x not in primary["formula"].split())
        else:
            primary["covariates"] = _add(list(primary.get("covariates", [])), new)
    if "factors" in given:
        factors = [given["factors"]] if isinstance(given["factors"], str) else given["factors"]
        data["categorical"] = _add(list(data.get("categorical", [])), factors)
        data["numeric"] = [x for x in data.get("numeric", []) if x not in factors]
        model = set(primary.get("covariates", []))
        data["covariates"] = _add(list(data.get("covariates", [])),
                                  [f for f in factors if f not in model])
    if "numerics" in given:
        numerics = [given["numerics"]] if isinstance(given["numerics"], str) else \
            given["numerics"]
        data["numeric"] = _add(list(data.get("numeric", [])), numerics)
        data["categorical"] = [x for x in data.get("categorical", []) if x not in numerics]
        model = set(primary.get("covariates", []))
        data["covariates"] = _add(list(data.get("covariates", [])),
                                  [f for f in numerics if f not in model])
    for k in ("primary_visit", "covariance", "df", "vcov", "method", "conf_level"):
        if k in given:
            primary[k] = given[k]
    if given.get("higher_is_better") is not None and "higher_is_better" in options:
        section("endpoint")["direction"] = "higher" if given["higher_is_better"] else "lower"
    for k in ("seed", "title"):
        if k in given:
            out[k] = given[k]
    if "responders" in out and isinstance(out["responders"], dict) and \
            out["responders"].get("definitions") == "immpact" and "higher_is_better" in given:
        # IMMPACT's default follows the (possibly new) direction: re-decide from the scale
        del out["responders"]["definitions"]
    return out


def read_kwargs(plan: StudyPlan) -> dict[str, Any]:
    """Keyword arguments of :func:`irtrial.read_trial` for the plan's data mapping.

    The model's covariates are always read; the declared types (``categorical``, ``numeric``)
    are passed when ``read_trial`` accepts them.
    """
    import inspect

    from irtrial.trial import read_trial

    d = plan.data
    kwargs: dict[str, Any] = {k: getattr(d, k) for k in _DATA_STRINGS
                              if getattr(d, k) is not None}
    covariates = _add(list(d.covariates), list(plan.primary.covariates))
    if covariates:
        kwargs["covariates"] = tuple(covariates)
    for k in ("arm_order", "visit_order"):
        if getattr(d, k) is not None:
            kwargs[k] = tuple(getattr(d, k))
    if plan.endpoint.range is not None:
        kwargs["outcome_range"] = tuple(plan.endpoint.range)
    kwargs["format"] = d.format
    if d.sheet is not None:
        kwargs["sheet"] = d.sheet
    accepted = inspect.signature(read_trial).parameters
    for k in ("categorical", "numeric"):
        if getattr(d, k) and k in accepted:
            kwargs[k] = tuple(getattr(d, k))
    if d.strict and "strict" in accepted:
        kwargs["strict"] = True
    return kwargs
