"""Map source columns to roles: CDISC ADaM BDS detection, then common column names.

An ADaM BDS table (``USUBJID``, ``AVAL`` and ``AVISIT``/``AVISITN``) is mapped without
arguments: ``USUBJID`` subject; ``TRT01P``/``TRTP``/``ARM`` (first found) arm; ``AVISIT``
visit with ``AVISITN`` as its order; ``AVAL`` outcome; ``BASE`` baseline; ``ABLFL``
baseline flag; ``PARAMCD`` parameter filter. Anything the user names wins.

Examples
--------
>>> import pandas as pd
>>> cols = ["USUBJID", "TRTP", "AVISIT", "AVISITN", "AVAL", "BASE", "ABLFL", "PARAMCD"]
>>> s = resolve_schema(pd.DataFrame(columns=cols), TrialSchema())
>>> s.subject, s.arm, s.visit, s.visit_num, s.outcome, s.baseline, s.adam
('USUBJID', 'TRTP', 'AVISIT', 'AVISITN', 'AVAL', 'BASE', True)
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from irtrial import columns as C
from irtrial.trial.model import TrialSchema

__all__ = ["is_adam", "resolve_schema", "COMMON_NAMES"]

#: names tried (case-insensitively) for each role when the table is not ADaM
COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "subject": ("subject", "subject_id", "subjid", "usubjid", "patient", "patient_id", "id"),
    "arm": ("arm", "treatment", "trt", "group", "trtp", "trt01p"),
    "visit": ("visit", "avisit", "week", "timepoint", "time"),
    "outcome": ("value", "aval", "outcome", "score", "response"),
    "visit_num": ("visit_num", "visitnum", "avisitn"),
    "baseline": ("baseline", "base"),
}


def is_adam(frame: pd.DataFrame) -> bool:
    """True when the columns look like a CDISC ADaM BDS data set."""
    cols = set(frame.columns)
    return (C.ADAM_SUBJECT in cols and C.ADAM_VALUE in cols
            and (C.ADAM_VISIT in cols or C.ADAM_VISITN in cols))


def resolve_schema(frame: pd.DataFrame, schema: TrialSchema) -> TrialSchema:
    """Fill the roles the user left as ``None`` from ADaM or common column names.

    Roles that stay ``None`` are reported by validation ("pass subject=...").
    """
    cols = list(frame.columns)
    fill: dict[str, object] = {}
    if is_adam(frame):
        has = set(cols)
        arm = next((a for a in C.ADAM_ARMS if a in has), None)
        visit = C.ADAM_VISIT if C.ADAM_VISIT in has else C.ADAM_VISITN
        fill = {
            "subject": C.ADAM_SUBJECT,
            "arm": arm,
            "visit": visit,
            "visit_num": C.ADAM_VISITN if (C.ADAM_VISITN in has and visit != C.ADAM_VISITN)
            else None,
            "outcome": C.ADAM_VALUE,
            "baseline": C.ADAM_BASE if C.ADAM_BASE in has else None,
            "baseline_flag": C.ADAM_BASELINE_FLAG if C.ADAM_BASELINE_FLAG in has else None,
            "param_column": C.ADAM_PARAMCD if C.ADAM_PARAMCD in has else None,
            "adam": True,
        }
    else:
        lower = {c.lower(): c for c in cols}
        for role, names in COMMON_NAMES.items():
            fill[role] = next((lower[n] for n in names if n in lower), None)
        if C.ADAM_PARAMCD in cols:
            fill["param_column"] = C.ADAM_PARAMCD
    changes = {k: v for k, v in fill.items()
               if getattr(schema, k) in (None, False) and v is not None}
    # a user-given visit_order or visit_num takes over; do not add AVISITN on top of it
    if schema.visit_order is not None:
        changes.pop("visit_num", None)
    # user named the baseline flag / param column explicitly: keep theirs
    taken = {getattr(schema, k) for k in ("subject", "arm", "visit", "outcome", "baseline")}
    for role in ("baseline", "visit_num"):
        if role in changes and changes[role] in taken:
            changes.pop(role)
    return dataclasses.replace(schema, **changes)
