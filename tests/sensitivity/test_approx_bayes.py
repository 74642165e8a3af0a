"""Approximate Bayesian MI against R rbmi's method_approxbayes within a stated Monte Carlo
tolerance.

R: 1,000 imputations (tests/reference/r/rbmi_approxbayes.R), here 200. The pooled estimate of
each side has Monte Carlo SD sqrt(B / M) (B: between-imputation variance, saved by the script),
so the two may differ by 4 sqrt(B / M_R + B / M_py). The total variance T = W + (1 + 1/M) B has
Monte Carlo SD ~ (1 + 1/M) B sqrt(2 / (M - 1)), i.e. the SE sqrt(T) ~ that / (2 sqrt(T)); the
SEs may differ by 4 times the combined SD plus 1e-4 relative.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from irtrial.sensitivity import reference_based

REF = Path(__file__).parents[1] / "reference" / "r" / "rbmi_approxbayes.json"
M = 200


@pytest.fixture(scope="module")
def ours(antidepressant):
    return reference_based(antidepressant, strategy=["MAR", "JR"], method="approximate-bayes",
                           n_samples=M, seed=2024, keep_imputed=False)


@pytest.mark.parametrize("strategy", ["MAR", "JR"])
def test_matches_rbmi_within_monte_carlo_error(ours, strategy):
    # source: tests/reference/r/rbmi_approxbayes.R
    ref = json.loads(REF.read_text())
    m_r = ref["n_samples"]
    pool = pd.DataFrame(ref["strategies"][strategy]).set_index("parameter")
    tab = ours.table[ours.table.strategy == strategy]
    lsm = ours.lsmeans[ours.lsmeans.strategy == strategy]
    rows = [(f"trt_{r.visit}", r) for _, r in tab.iterrows()]
    rows += [(f"lsm_{'ref' if r.arm == 'PLACEBO' else 'alt'}_{r.visit}", r)
             for _, r in lsm.iterrows()]
    for name, r in rows:
        q = pool.loc[name]
        b = q.var_between
        tol_est = 4 * np.sqrt(b / m_r + b / M) + 1e-8
        assert abs(r.estimate - q.est) <= tol_est, (name, r.estimate, q.est, tol_est)
        t = q.se**2
        sd_t = np.sqrt(((1 + 1 / m_r) * b) ** 2 * 2 / (m_r - 1)
                       + ((1 + 1 / M) * b) ** 2 * 2 / (M - 1))
        tol_se = 4 * sd_t / (2 * np.sqrt(t)) + 1e-4 * q.se
        assert abs(r.std_error - q.se) <= tol_se, (name, r.std_error, q.se, tol_se)
        if b == 0:  # no missing values at the first visit: exact, df = complete-data df
            assert r.df == pytest.approx(q.df, rel=1e-6)
