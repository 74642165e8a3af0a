"""Rubin's rules (Barnard-Rubin df), jackknife and bootstrap pooling."""

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from irtrial.sensitivity.pool import bootstrap, jackknife, rubin

REF = Path(__file__).parents[1] / "reference" / "r"


def test_rubin_by_hand():
    est = np.array([1.0, 1.2, 0.8])
    se = np.array([0.5, 0.5, 0.5])
    r = rubin(est, se, df_com=20)
    w, b, m = 0.25, 0.04, 3
    t = w + (1 + 1 / m) * b
    lam = (1 + 1 / m) * b / t
    nu_obs = 21 / 23 * 20 * (1 - lam)
    nu_old = (m - 1) / lam**2
    df = nu_old * nu_obs / (nu_old + nu_obs)
    assert r["std_error"] == pytest.approx(np.sqrt(t), rel=1e-12)
    assert r["df"] == pytest.approx(df, rel=1e-12)
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(1 / np.sqrt(t), df), rel=1e-12)


def test_rubin_matches_rbmi():
    # source: tests/reference/r/rbmi_approxbayes.R (rbmi:::rubin_rules)
    ref = json.loads((REF / "rbmi_approxbayes.json").read_text())["rubin"]
    for key, df_com in (("finite", 30.0), ("infinite", np.inf)):
        r = rubin(np.array(ref["ests"]), np.array(ref["ses"]), df_com)
        assert r["estimate"] == pytest.approx(ref[key]["est_point"], rel=1e-6)
        assert r["std_error"] ** 2 == pytest.approx(ref[key]["var_t"], rel=1e-6)
        assert r["df"] == pytest.approx(ref[key]["df"], rel=1e-6)


def test_jackknife_se():
    rng = np.random.default_rng(3)
    jack = rng.normal(size=(25, 2))
    r = jackknife(np.array([0.1, 0.2]), jack)
    n = 25
    se = np.sqrt((n - 1) / n * ((jack - jack.mean(0)) ** 2).sum(0))
    np.testing.assert_allclose(r["std_error"], se, rtol=1e-12)
    np.testing.assert_allclose(r["ci_lower"], [0.1, 0.2] - stats.norm.ppf(0.975) * se)
    assert np.isinf(r["df"]).all()


def test_bootstrap_percentile_and_normal():
    boot = np.linspace(-1.0, 3.0, 401)[:, None]
    r = bootstrap(np.array([1.0]), boot, kind="percentile")
    # type-6 quantile of an evenly spaced sample: p (n + 1) -th value
    assert r["ci_lower"][0] == pytest.approx(-1 + 0.025 * 402 * 0.01 - 0.01, abs=1e-9)
    # p-value: twice the fraction of the distribution below 0 (0 is the 101st of 401 values)
    assert r["p_value"][0] == pytest.approx(2 * 101 / 402, abs=1e-9)
    rn = bootstrap(np.array([1.0]), boot, kind="normal")
    assert rn["std_error"][0] == pytest.approx(boot.std(ddof=1))
