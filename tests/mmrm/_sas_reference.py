"""Helpers for the engine's SAS-reference tests: load the data and map SAS names to ours.

source: tests/reference/sas/mmrm_engine.json (extract_engine_reference.py; SAS PROC MIXED
listings from openpharma/mmrm design/ @ ec290b2695b25057b31bc98e27c39d3f498cd0d6, Apache-2.0)
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

REF = Path(__file__).resolve().parents[1] / "reference" / "sas"

FEV_LEVELS = {
    "ARMCD": ["PBO", "TRT"],
    "AVISIT": ["VIS1", "VIS2", "VIS3", "VIS4"],
    "RACE": ["Asian", "Black or African American", "White"],
    "SEX": ["Male", "Female"],
}


@lru_cache(maxsize=1)
def reference() -> dict:
    return json.loads((REF / "mmrm_engine.json").read_text())


@lru_cache(maxsize=1)
def _fev_raw() -> pd.DataFrame:
    # source: tests/reference/sas/fev_data.csv (mmrm data/fev_data.rda, Apache-2.0)
    return pd.read_csv(REF / "fev_data.csv")


def fev_data(orders: dict | None = None) -> pd.DataFrame:
    d = _fev_raw().copy()
    for col, levels in {**FEV_LEVELS, **(orders or {})}.items():
        d[col] = pd.Categorical(d[col], categories=levels)
    return d


def _levels_in_order(value, col):
    if isinstance(value, list):
        return value
    known = FEV_LEVELS[col]
    return sorted(known, key=value.find)


def printed_precision(x: float) -> float:
    """Half a unit in the last digit SAS printed (the reference's own precision)."""
    exp = Decimal(repr(float(x))).normalize().as_tuple().exponent
    return 0.5 * 10.0 ** min(int(exp), 0)


def spec(key: str) -> dict:
    """mmrm() arguments reproducing the SAS run ``key`` with SAS's reference levels."""
    e = reference()["sas"][key]
    m = re.match(r"(.*?)\s*([+~])\s*(\w+)\((.*)\)\s*$", e["model"]["r_formula"])
    fixed, cov, inner = m.group(1), m.group(3), m.group(4)
    if m.group(2) == "~":
        fixed = fixed + " ~ 1"
    fixed_vars = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", fixed.split("~")[1]))
    group = None
    if "/" in inner:
        group = inner.split("|")[1].split("/")[0].strip()
    orders = {}
    for col, order in e["class_level_order"].items():
        if col not in FEV_LEVELS:
            continue
        levels = _levels_in_order(order, col)
        if col in fixed_vars:
            orders[col] = [levels[-1], *levels[:-1]]  # SAS's reference (last) first
        else:
            orders[col] = levels
    method = {"REML": "reml", "ML": "ml"}[e["estimation_method"]]
    return {
        "formula": fixed.strip(),
        "covariance": cov,
        "group": group,
        "weights": e["model"].get("weights"),
        "method": method,
        "orders": orders,
    }


def sas_theta(key: str, fit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(our index, SAS estimate, printed precision) for each SAS covariance parameter."""
    e = reference()["sas"][key]
    s = fit.state.structure
    names = s.param_names
    k1 = s.n_theta // max(s.n_groups, 1)
    visits = [str(v) for v in fit.design.visit_levels]
    sas_visits = _levels_in_order(e["class_level_order"]["AVISIT"], "AVISIT")
    idx, est, prec = [], [], []
    for c in e["covariance_parameters"]:
        name = c["cov_parm"]
        g = 0
        if c["group"]:
            g = [str(x) for x in fit.group_levels].index(c["group"].split()[-1])
        if name.startswith("UN("):
            i, j = (int(x) - 1 for x in name[3:-1].split(","))
            a, b = visits.index(sas_visits[i]), visits.index(sas_visits[j])
            name = f"UN({max(a, b) + 1},{min(a, b) + 1})"
        if name == "Variance":
            name = "Residual"
        k = g * k1 + names[:k1].index(name)
        idx.append(k)
        est.append(c["estimate"])
        prec.append(printed_precision(c["estimate"]))
    return np.array(idx), np.array(est), np.array(prec)


def sas_fixed(key: str, fit) -> list[tuple[int, float, float, float, float]]:
    """(our column, SAS estimate, its precision, SAS StdErr, its precision) per fixed effect."""
    e = reference()["sas"][key]
    ours = [frozenset(n.split(":")) for n in fit.design.column_names]
    out = []
    for row in e["fixed_effects"]:
        if row["Effect"] == "Intercept":
            key_ = frozenset(["(Intercept)"])
        else:
            key_ = frozenset(f"{f}{row[f]}" for f in row["Effect"].split("*"))
        out.append(
            (
                ours.index(key_),
                row["Estimate"],
                printed_precision(row["Estimate"]),
                row["StdErr"],
                printed_precision(row["StdErr"]),
            )
        )
    return out
