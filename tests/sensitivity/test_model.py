"""The imputation model against the engine's public prepared model (irtrial.mmrm.MMRM)."""

import numpy as np

from irtrial.mmrm import MMRM, FitControl
from irtrial.sensitivity._data import build_data
from irtrial.sensitivity._model import GRAD_TOL, ImputationModel, default_formula


def test_fit_and_leave_one_out_refit_match_the_engine(intermittent):
    sd = build_data(intermittent)
    formula = default_formula(sd)
    model = ImputationModel(sd, ~np.isnan(sd.y), np.zeros(2, dtype=int), formula)
    engine = MMRM(sd.long_frame(), formula, subject="subject", visit="visit",
                  control=FitControl(grad_tol=GRAD_TOL))
    fit = engine.fit()
    np.testing.assert_allclose(model.full.beta, fit.beta, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(model.full.sigma, fit.sigma(), rtol=1e-6)
    # leave subject S010 out: warm-started refit on both sides
    i = int(np.flatnonzero(sd.subjects == "S010")[0])
    ours = model.fit(np.delete(np.arange(sd.n), i), start=model.full.theta)
    mask = np.asarray(engine.subjects).astype(str) != "S010"
    theirs = engine.refit(subjects=mask, start="fit")
    assert theirs.converged
    np.testing.assert_allclose(ours.beta, theirs.beta, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours.theta, theirs.theta, rtol=1e-6)
