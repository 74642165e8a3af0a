"""Small trial tables for the loader tests, built in code (no committed data needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def make_long(n_ir: int = 4, n_pbo: int = 3, weeks: tuple[int, ...] = (0, 1, 2, 6),
              seed: int = 1) -> pd.DataFrame:
    """A long NRS table: subjects S01.., arms "IR" / "Placebo", visits "Week k"."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_ir + n_pbo):
        arm = "IR" if i < n_ir else "Placebo"
        base = float(rng.integers(5, 9))
        for w in weeks:
            drop = 0.6 if arm == "IR" else 0.2
            rows.append({"subject": f"S{i + 1:02d}", "arm": arm, "visit": f"Week {w}",
                         "pain": round(max(0.0, base - drop * w + rng.normal(0, 0.5)), 1),
                         "age": 40 + i})
    return pd.DataFrame(rows)


@pytest.fixture
def long_df() -> pd.DataFrame:
    return make_long()
