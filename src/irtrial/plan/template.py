"""``irtrial plan init``: an annotated study plan (TOML) for a data file, to be confirmed.

The template writes out everything that was guessed from the file: which column plays which role
(CDISC ADaM names or common names), the arms in order with the control first, the visits, the
subject-level columns that could be covariates and the type (categorical or numeric) each was
read as. Nothing is left implicit: the user confirms or edits each line, and ``read_plan`` reads
the result back into the same :class:`~irtrial.plan.StudyPlan`.

Examples
--------
>>> import tomllib
>>> from irtrial.plan import StudyPlan
>>> plan = StudyPlan.from_options(outcome="AVAL", covariates=["AGE"], outcome_range=(0, 10))
>>> text = plan_template(plan)
>>> again = StudyPlan.from_mapping(tomllib.loads(text))
>>> again.primary == plan.primary, again.data == plan.data, again.responders.source
(True, True, 'plan')
>>> print(toml_value(["UN", "CS"]), toml_value({"kind": "relative", "threshold": 30.0}))
["UN", "CS"] {kind = "relative", threshold = 30.0}
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from irtrial.plan.model import StudyPlan
    from irtrial.trial import Trial

__all__ = ["plan_template", "toml_value", "candidate_covariates"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
#: ADaM and bookkeeping columns that are never covariates
_NOT_COVARIATE = re.compile(
    r"^(STUDYID|DOMAIN|SUBJID|SITEID_?N|PARAM\w*|AVALC?|CHG|PCHG|BASEC?|BASETYPE|DTYPE|"
    r"AVISITN?|VISITN?U?M?|ATPTN?|A?DTM?|A?DY|\w+DTM?|\w+DY|TRT\w*|ARM\w*|ACTARM\w*|"
    r"\w+FL|\w+FN|CRIT\w*|ANL\d+FL|SRCSEQ|ASEQ)$", re.I)


def toml_value(value: Any) -> str:
    """A Python value as a TOML value (strings, numbers, booleans, lists, inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no TOML value here")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML value for {type(value).__name__}")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def candidate_covariates(frame: pd.DataFrame, trial: Trial) -> list[str]:
    """Columns of the raw ``frame`` that could be subject-level covariates.

    Not a role column of the trial, not an ADaM bookkeeping column (``CHG``, ``PARAMCD``,
    flags, dates, treatment variables...), and constant within each subject.
    """
    s = trial.schema
    roles = {getattr(s, r) for r in ("subject", "arm", "visit", "outcome", "baseline",
                                      "visit_num", "baseline_flag", "param_column")}
    out = []
    subject = frame[s.subject] if s.subject in frame else None
    for col in frame.columns:
        name = str(col)
        if name in roles or _NOT_COVARIATE.match(name) or subject is None:
            continue
        values = frame[col]
        per_subject = values.groupby(subject.astype(str)).nunique(dropna=True)
        if len(per_subject) and int(per_subject.max()) <= 1 and values.notna().any():
            out.append(name)
    return out


def _line(key: str, value: Any, comment: str = "") -> str:
    text = f"{_key(key)} = {toml_value(value)}"
    return f"{text:<40} # {comment}" if comment else text


def plan_template(plan: StudyPlan, trial: Trial | None = None,
                  candidates: Sequence[str] = ()) -> str:
    """The plan as annotated TOML; ``trial`` adds what was found in the data as comments."""
    d = plan.to_dict()
    data, endpoint, estimand, primary = d["data"], d["endpoint"], d["estimand"], d["primary"]
    out = ["# Study plan (statistical analysis plan, pre-specified): irtrial reads it with",
           "#   irtrial report DATAFILE --plan study.toml --out DIR",
           "# Every line below was written out from the data or a default: confirm or edit",
           "# each one before unblinding. Options on the command line override this file.", ""]
    if "title" in d:
        out.append(_line("title", d["title"]))
    else:
        out.append('# title = "..."')
    out += [_line("seed", d["seed"], "seed of every random step (bootstrap, imputation)"), ""]

    out += ["[data]", "# which column plays which role (found in the file: confirm)"]
    role_notes = {"subject": "subject identifier", "arm": "randomised arm",
                  "visit": "visit label", "visit_num": "numeric visit order",
                  "outcome": "the endpoint's values", "baseline": "baseline value column",
                  "baseline_flag": "'Y' on baseline records", "param": "parameter kept"}
    mapping = dict(data)
    if trial is not None:
        s = trial.schema
        wide = mapping.get("format") == "wide"  # visit and outcome are the visit columns
        for role in ("subject", "arm", "visit", "visit_num", "outcome", "baseline",
                     "baseline_flag"):
            if getattr(s, role) is not None and not (
                    wide and role in ("visit", "visit_num", "outcome")):
                mapping.setdefault(role, getattr(s, role))
        mapping.setdefault("control", trial.control)
        mapping.setdefault("arm_order", list(trial.arms))
        if trial.baseline_visit is not None:
            mapping.setdefault("baseline_visit", trial.baseline_visit)
    for role in ("subject", "arm", "visit", "visit_num", "outcome", "baseline", "baseline_flag",
                 "param"):
        if role in mapping:
            out.append(_line(role, mapping[role], role_notes[role]))
    for key, note in (("baseline_visit", "the baseline visit"),
                      ("control", "the control arm"),
                      ("arm_order", "arms in order, control first"),
                      ("visit_order", "visits in order")):
        if key in mapping:
            out.append(_line(key, mapping[key], note))
    if trial is not None:
        out.append(f"# post-baseline visits found: {', '.join(map(str, trial.visits))}")
    out += ["# subject-level covariates read (Table 1), and their types: confirm each type",
            _line("covariates", mapping.get("covariates", [])),
            _line("categorical", mapping.get("categorical", []), "factors (SAS CLASS)"),
            _line("numeric", mapping.get("numeric", []), "one slope each")]
    if candidates:
        out.append("# other subject-level columns in the file: "
                   + ", ".join(c for c in candidates if c not in mapping.get("covariates", []))
                   if set(candidates) - set(mapping.get("covariates", [])) else
                   "# (every subject-level column of the file is listed above)")
    out.append(_line("format", mapping.get("format", "long")))
    if "sheet" in mapping:
        out.append(_line("sheet", mapping["sheet"]))
    if mapping.get("strict"):
        out.append(_line("strict", True))
    out.append("")

    out += ["[endpoint]", _line("name", endpoint["name"], "column of the outcome")]
    out.append(_line("label", endpoint.get("label", endpoint["name"]), "name in the report"))
    out.append(_line("units", endpoint["units"]) if "units" in endpoint else
               '# units = "points"')
    if "range" in endpoint:
        out.append(_line("range", endpoint["range"], "valid range of the scale"))
    else:
        seen = ""
        if trial is not None:
            v = trial.data["value"].dropna()
            seen = f" (values seen: {v.min():g} to {v.max():g})" if len(v) else ""
        out.append(f"# range = [low, high]   # the scale's valid range{seen}: state it")
    out += [_line("direction", endpoint["direction"],
                  'CONFIRM: "lower" or "higher" values are better'), ""]

    out += ["[estimand]", "# ICH E9(R1) attributes; intercurrent events are events such as "
            "discontinuing", "# treatment or taking rescue medication (not 'missing data')"]
    for key in ("treatment", "population", "variable", "summary_measure"):
        out.append(_line(key, estimand[key]))
    out.append("intercurrent_events = [")
    out += [f"  {toml_value(e)}," for e in estimand["intercurrent_events"]]
    out += ["]", "# strategies: treatment policy, hypothetical, composite, while on treatment, "
            "principal stratum", ""]

    covs = " + ".join(primary["covariates"])
    formula = plan.primary.formula
    out += ["[primary]", "# the MMRM: change ~ baseline + covariates + arm * visit; a "
            "covariate enters the model", "# as in a SAS MODEL statement (its type is in "
            "[data])", _line("formula", formula)]
    if not covs:
        out.append("# e.g. formula = \"change ~ baseline + AGE + SEX + arm * visit\"")
    out += [_line("covariance", primary["covariance"], "fallback order: first to converge is "
                  "used"),
            _line("method", primary["method"], "REML or ML"),
            _line("df", primary["df"], "KR, KR(FIRSTORDER), SATTERTHWAITE, BW, RESIDUAL")]
    if "vcov" in primary:
        out.append(_line("vcov", primary["vcov"]))
    out.append(_line("conf_level", primary["conf_level"]))
    visit = primary.get("primary_visit") or (str(trial.visits[-1]) if trial is not None
                                             else None)
    out.append(_line("primary_visit", visit, "the primary time point") if visit else
               '# primary_visit = "..."   # default: the last visit')
    out.append("")

    sup = d["supportive"]
    out += ["[supportive]", "# ancova, welch, mann_whitney, within_arm, effect_sizes, "
            "mixed_anova", _line("analyses", sup["analyses"])]
    if "visit" in sup:
        out.append(_line("visit", sup["visit"]))
    out.append("")

    r = d["responders"]
    out += ["[responders]", "# thresholds in the scale's units: kind = \"relative\" (% of "
            "baseline) or \"absolute\"", "# (IMMPACT's 30%, 50% and 2 points are for 0-10 "
            "pain scales only)"]
    if isinstance(r["definitions"], str) and r["definitions"] == "immpact":
        r = {**r, "definitions": [{"label": s.label, "kind": s.kind, "threshold": s.threshold}
                                  for s in plan.responders.definitions]}
    if isinstance(r["definitions"], str):
        out += [_line("definitions", r["definitions"]),
                '# definitions = [{label = "...", kind = "absolute", threshold = ...}]']
    else:
        out.append("definitions = [")
        out += [f"  {toml_value(x)}," for x in r["definitions"]]
        out.append("]")
    out.append(_line("missing", r["missing"], "non-responder or exclude"))
    if "visit" in r:
        out.append(_line("visit", r["visit"]))
    out.append("")

    m = d["multiplicity"]
    out += ["[multiplicity]", "# none, bonferroni, holm, hochberg, fixed-sequence (with order), "
            "dunnett; family: arms, visits, arms x visits",
            *([f"# {len(trial.active_arms)} active arms against one control: consider "
               "dunnett, holm or hochberg"] if trial is not None and len(trial.active_arms) > 1
              else []),
            _line("method", m["method"]), _line("family", m["family"]),
            _line("alpha", m["alpha"])]
    if "order" in m:
        out.append(_line("order", m["order"]))
    out.append("")
    for table in d["sensitivity"]:
        out.append("[[sensitivity]]")
        out += [_line(k, v) for k, v in table.items()]
        out.append("")
    if not d["sensitivity"]:
        out += ["# missing-data sensitivity analyses (irtrial.reference_based, tipping_point),",
                "# one table each (none is run unless listed here), for example:",
                "# [[sensitivity]]",
                '# method = "conditional-mean"       # or "approximate-bayes" (n_samples = 1000)',
                '# strategies = ["MAR", "JR", "CR", "CIR", "LMCF"]',
                '# lmcf_fallback = "JR"              # LMCF with an ICE at the first visit',
                "# [[sensitivity]]",
                '# method = "conditional-mean"',
                '# strategies = ["MAR", "JR"]',
                "# deltas = [0, 1, 2, 3, 4]          # tipping point: delta added after the ICE",
                ""]
    if "power" in d:
        out.append("[power]")
        out += [_line(k, v) for k, v in d["power"].items() if not isinstance(v, Mapping)]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
