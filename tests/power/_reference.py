"""Saved R outputs for the power tests (CI has no R)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

REF_DIR = Path(__file__).resolve().parents[1] / "reference" / "r"


def load(name: str) -> dict:
    return json.loads((REF_DIR / name).read_text())


def kwargs(args: dict) -> dict:
    """R argument names of the saved cases -> irtrial.power keyword arguments."""
    out = {}
    for k, v in args.items():
        out[k] = np.asarray(v, dtype=float) if isinstance(v, list) else v
    return out
