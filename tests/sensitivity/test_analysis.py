"""The batched ANCOVA against statsmodels OLS fitted one visit at a time."""

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from irtrial.sensitivity.analysis import AncovaDesign


def test_batched_ancova_matches_ols_per_visit():
    rng = np.random.default_rng(7)
    n = 30
    arm = np.repeat([0, 1, 2], 10)
    base = rng.normal(20, 3, n)
    sex = pd.DataFrame({"sex": pd.Categorical(rng.choice(["F", "M"], n))})
    y = rng.normal(size=(2, n, 3)) + arm[None, :, None] * 0.5 + 0.1 * base[None, :, None]
    out = AncovaDesign(arm, 3, base, sex).fit(np.arange(n), y)
    for s in range(2):
        for v in range(3):
            d = pd.DataFrame({"y": y[s, :, v], "arm": pd.Categorical(arm), "base": base,
                              "sex": sex["sex"]})
            fit = smf.ols("y ~ C(arm) + base + sex", d).fit()
            for a in (1, 2):
                name = f"C(arm)[T.{a}]"
                assert np.isclose(out.effect[s, v, a - 1], fit.params[name], rtol=1e-10)
                assert np.isclose(out.effect_se[s, v, a - 1], fit.bse[name], rtol=1e-10)
            # counterfactual LS mean of arm a: mean prediction with everyone in arm a
            for a in range(3):
                pred = fit.predict(d.assign(arm=pd.Categorical(np.full(n, a), categories=[0, 1,
                                                                                      2])))
                assert np.isclose(out.lsmean[s, v, a], pred.mean(), rtol=1e-10)
    assert (out.effect_df == n - 5).all() and (out.lsmean_df == n - 5).all()
