"""Small hand-made trials for the comparison tests (ties, a baseline of 0, three arms)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).parents[2]
SYNTHETIC = ROOT / "data" / "synthetic" / "ir_wrap_trial.csv"


def toy_frame(seed: int = 1, zero_baseline: bool = True) -> pd.DataFrame:
    """Three arms (Placebo 5, Low 5, High 6), weeks 0-2, integer-ish NRS values; subject L0
    has a baseline of 0 (percent change undefined) when ``zero_baseline``."""
    rng = np.random.default_rng(seed)
    rows = []
    for arm, n, eff in [("Placebo", 5, -0.5), ("Low", 5, -1.5), ("High", 6, -3.0)]:
        for i in range(n):
            subject = f"{arm[0]}{i}"
            base = 0.0 if (zero_baseline and subject == "L0") else float(rng.integers(4, 9))
            for v in range(3):
                value = base if v == 0 else max(0.0, round(base + eff * v / 2 + rng.normal(), 1))
                rows.append(
                    {
                        "USUBJID": subject,
                        "ARM": arm,
                        "AVISIT": f"Week {v}",
                        "AVISITN": v,
                        "AVAL": value,
                    }
                )
    return pd.DataFrame(rows)


def synthetic_change(variable: str = "change") -> dict[str, np.ndarray]:
    """Change (or percent change) at the last week of the synthetic replica, per arm, computed
    directly from the CSV (independently of read_trial)."""
    d = pd.read_csv(SYNTHETIC)
    base = d.loc[d["AVISITN"] == d["AVISITN"].min()].set_index("USUBJID")["AVAL"]
    last = d.loc[(d["AVISITN"] == d["AVISITN"].max()) & d["AVAL"].notna()].copy()
    last["change"] = last["AVAL"] - last["USUBJID"].map(base)
    last["pct_change"] = 100 * last["change"] / last["USUBJID"].map(base)
    return {a: g[variable].dropna().to_numpy() for a, g in last.groupby("ARM")}
