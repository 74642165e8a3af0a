"""Cholesky-scaled residuals of the MMRM against nlme::gls normalized residuals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import irtrial
from irtrial.report.residuals import scaled_residuals

REPO = Path(__file__).resolve().parents[2]
# source: tests/reference/r/scaled_residuals.R
REF = json.loads((REPO / "tests" / "reference" / "r" / "scaled_residuals.json").read_text())


def test_scaled_residuals_match_nlme(trial):
    fit = irtrial.mmrm(trial, "change ~ baseline + arm * visit")
    res = scaled_residuals(fit).set_index(["subject", "visit"])
    ref = {(r["subject"], r["visit"]): r for r in REF["rows"]}
    assert len(res) == len(ref)
    for col in ("fitted", "residual", "scaled"):
        got = np.array([res.loc[k, col] for k in ref])
        want = np.array([r[col] for r in ref.values()])
        # atol 1e-4 (looser than rtol 1e-4 alone): gls stops its REML optimiser at its own
        # tolerance, so the two Sigma-hat agree to ~1e-5 and a scaled residual near 0 (one of
        # 234) differs by 3e-5 in absolute terms.
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4, err_msg=col)


def test_weights_path_equals_unweighted(trial):
    data = trial.data.assign(w=1.0)
    a = scaled_residuals(irtrial.mmrm(data, "change ~ baseline + arm * visit",
                                      subject="subject", visit="visit"))
    data.loc[data.index[::2], "w"] = 2.0
    b = scaled_residuals(irtrial.mmrm(data, "change ~ baseline + arm * visit",
                                      subject="subject", visit="visit", weights="w"))
    assert a.shape == b.shape and np.isfinite(b["scaled"]).all()
