"""Bayesian MI by data augmentation (Gibbs) against R rbmi's approximate Bayesian MI.

No R peer samples this model (rbmi's method_bayes needs Stan, not installed here), so the
check is against rbmi's method_approxbayes on the same data (tests/reference/r/rbmi_approxbayes.R,
1,000 imputations): both are proper multiple imputation from (approximately) the same
posterior, so the pooled estimates differ by Monte Carlo error plus a small method difference.
Tolerance: 5 combined Monte Carlo SDs (sqrt(B / M) each side; the Gibbs draws are thinned by 5,
their autocorrelation left out of the SD: hence 5, not 4), SEs within 3%.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from irtrial.sensitivity import reference_based
from irtrial.sensitivity.bayes import gibbs_draws  # noqa: F401  (the module under test)

REF = Path(__file__).parents[1] / "reference" / "r" / "rbmi_approxbayes.json"
M = 300


def test_gibbs_matches_rbmi_approximate_bayes(antidepressant):
    # source: tests/reference/r/rbmi_approxbayes.R
    ref = json.loads(REF.read_text())
    res = reference_based(antidepressant, strategy=["MAR", "JR"], method="bayes", n_samples=M,
                          seed=3, keep_imputed=False)
    assert res.resampling == "mcmc" and any("data augmentation" in n for n in res.notes)
    for s in ("MAR", "JR"):
        pool = pd.DataFrame(ref["strategies"][s]).set_index("parameter")
        for _, r in res.table[res.table.strategy == s].iterrows():
            q = pool.loc[f"trt_{r.visit}"]
            tol = 5 * np.sqrt(q.var_between / ref["n_samples"] + q.var_between / M) + 1e-8
            assert abs(r.estimate - q.est) <= tol, (s, r.visit, r.estimate, q.est, tol)
            assert abs(r.std_error / q.se - 1) < 0.03, (s, r.visit, r.std_error, q.se)


def test_same_seed_same_chain(intermittent):
    kw = dict(strategy="CIR", method="bayes", n_samples=5, burn_in=10, thin=2, seed=8)
    a = reference_based(intermittent, **kw)
    b = reference_based(intermittent, **kw)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert set(a.imputed.imputation) == set(range(6))
