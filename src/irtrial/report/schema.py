"""The JSON Schema (draft 2020-12) of ``results.json``, shipped with the package.

``results.json`` holds every number of the report, unrounded: a header (``schema``,
``irtrial_version``, ``generated``, ``title``, ``conf_level``) and ``sections``, one block per
section shown, keyed by the section id (see :mod:`irtrial.report.sections`). A number that is
not available is ``null``. The schema below fixes the blocks of the built-in sections; a block
of a section added later (``sensitivity``, ``power``) must be an object. The report writes the
schema next to the results as ``results.schema.json``.

Examples
--------
>>> RESULTS_SCHEMA["properties"]["schema"]["const"] == SCHEMA_ID
True
>>> sorted(RESULTS_SCHEMA["properties"]["sections"]["properties"])[:3]
['baseline', 'code', 'consort']
"""

from __future__ import annotations

__all__ = ["RESULTS_SCHEMA", "SCHEMA_ID"]

#: identifier of the layout (bumped when it changes incompatibly)
SCHEMA_ID = "irtrial.report.results/2"

_NUM = {"type": ["number", "null"]}
_INT = {"type": "integer", "minimum": 0}
_STR = {"type": ["string", "null"]}


def _rows(required: list[str], numbers: list[str] = ()) -> dict:
    props = {k: _NUM for k in numbers}
    return {"type": "array", "items": {"type": "object", "required": required,
                                       "properties": props}}


_ESTIMATES = ["estimate", "std_error", "df", "statistic", "p_value", "ci_lower", "ci_upper"]
_MATRIX = {"type": "object", "required": ["visits", "matrix"], "properties": {
    "visits": {"type": "array", "items": {"type": "string"}},
    "matrix": {"type": "array", "items": {"type": "array", "items": _NUM}}}}

_SECTIONS = {
    "study": {"type": "object", "required": ["endpoint", "direction", "arms", "control",
                                             "visits", "primary_visit", "n_randomised",
                                             "n_analysed", "estimand"],
              "properties": {
                  "direction": {"enum": ["lower", "higher"]},
                  "arms": {"type": "array", "items": {"type": "string"}, "minItems": 2},
                  "n_randomised": {"type": "object", "additionalProperties": _INT},
                  "n_analysed": {"type": "object", "additionalProperties": _INT},
                  "estimand": {"type": "object", "required": [
                      "treatment", "population", "variable", "summary_measure",
                      "intercurrent_events"]}}},
    "consort": {"type": "object", "required": ["randomised", "arms", "exclusions"],
                "properties": {"randomised": _INT, "arms": {
                    "type": "object", "additionalProperties": {
                        "type": "object",
                        "required": ["allocated", "excluded", "discontinued", "analysed",
                                     "completed"],
                        "properties": {"allocated": _INT, "analysed": _INT,
                                       "completed": _INT}}}}},
    "baseline": {"type": "object", "required": ["rows"], "properties": {
        "rows": _rows(["variable", "type", "arm", "n"],
                      ["mean", "sd", "median", "q1", "q3", "min", "max", "percent"])}},
    "outcome": {"type": "object", "required": ["conf_level", "rows"], "properties": {
        "rows": _rows(["variable", "visit", "arm", "n"],
                      ["mean", "sd", "median", "q1", "q3", "ci_lower", "ci_upper"])}},
    "figures": {"type": "object", "required": ["figures"], "properties": {
        "figures": {"type": "array", "items": {"type": "string"}},
        "forest": _rows(["group", "label"], ["estimate", "ci_lower", "ci_upper"])}},
    "primary": {"type": "object", "required": ["error"], "properties": {
        "error": _STR,
        "formula": {"type": "string"}, "covariance": {"type": "string"},
        "covariance_sas": {"type": "string"}, "covariance_reason": {"type": "string"},
        "df_method": {"type": "string"}, "conf_level": {"type": "number"},
        "converged": {"type": "boolean"}, "n_subjects": _INT, "n_obs": _INT,
        "contrasts": _rows(["arm", "visit", "primary", *_ESTIMATES], _ESTIMATES),
        "lsmeans": _rows(["arm", "visit", *_ESTIMATES], _ESTIMATES),
        "type3": _rows(["term", "num_df", "den_df", "f_value", "p_value"],
                       ["num_df", "den_df", "f_value", "p_value"]),
        "covariance_matrix": _MATRIX, "correlation_matrix": _MATRIX}},
    "supportive": {"type": "object", "required": ["visit", "rows", "multiplicity"],
                   "properties": {
                       "rows": _rows(["key", "analysis", "arm", "estimate", "ci_lower",
                                      "ci_upper", "p_value"],
                                     ["estimate", "std_error", "ci_lower", "ci_upper",
                                      "p_value"]),
                       "multiplicity": {"type": "object",
                                        "required": ["method", "family", "alpha", "rows"]}}},
    "responders": {"type": "object", "properties": {
        "rows": _rows(["definition", "arm", "risk_difference", "newcombe_lower",
                       "newcombe_upper", "mn_lower", "mn_upper", "risk_ratio", "odds_ratio",
                       "nnt"],
                      ["risk_difference", "newcombe_lower", "newcombe_upper", "mn_lower",
                       "mn_upper", "risk_ratio", "rr_lower", "rr_upper", "odds_ratio",
                       "or_lower", "or_upper", "nnt", "nnt_lower", "nnt_upper",
                       "fisher_p_value"]),
        "rates": _rows(["definition", "arm", "n_responders", "n"], ["percent"])}},
    "methods": {"type": "object", "required": ["text"]},
    "code": {"type": "object", "additionalProperties": {"type": "string"}},
    "provenance": {"type": "object", "required": ["versions", "input_sha256", "plan_sha256",
                                                  "command", "seed", "generated"],
                   "properties": {
                       "input_sha256": {"type": ["string", "null"],
                                        "pattern": "^[0-9a-f]{64}$"},
                       "plan_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                       "seed": {"type": "integer"}}},
}

#: the JSON Schema of ``results.json``
RESULTS_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://irtrial.invalid/schemas/results-2.json",
    "title": "irtrial report results",
    "type": "object",
    "required": ["schema", "irtrial_version", "generated", "conf_level", "sections"],
    "properties": {
        "schema": {"const": SCHEMA_ID},
        "irtrial_version": {"type": "string"},
        "generated": {"type": "string"},
        "title": {"type": "string"},
        "conf_level": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "sections": {"type": "object", "required": ["study", "primary", "provenance"],
                     "properties": _SECTIONS,
                     "additionalProperties": {"type": "object"}},
    },
    "additionalProperties": False,
}
