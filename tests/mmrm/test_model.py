"""The prepared model: MMRM(...).fit() is irtrial.mmrm(...); refit/subset equal fresh fits.

The references here are fresh fits through ``irtrial.mmrm`` on the modified data (itself tested
against SAS in test_fit.py / test_result.py; source: tests/reference/sas/mmrm_engine.json):
the fast path must reproduce them to 1e-10.
"""

import numpy as np
import pandas as pd
import pytest
from _sas_reference import fev_data

import irtrial
from irtrial.errors import InsufficientDataError, ModelSpecError
from irtrial.mmrm import MMRM, RefitResult
from irtrial.synthetic import ir_wrap_trial

FORMULA = "FEV1 ~ RACE + SEX + ARMCD * AVISIT"
KW = dict(subject="USUBJID", visit="AVISIT", df="satterthwaite")
TIGHT = dict(rtol=1e-10, atol=1e-10)


@pytest.fixture(scope="module")
def model():
    return MMRM(fev_data(), FORMULA, **KW)


def _last_visit_contrast(fit):
    return fit.contrasts("ARMCD", by="AVISIT").iloc[-1]


def _assert_same(r: RefitResult, fit, row):
    assert r.converged
    np.testing.assert_allclose(r.theta, fit.theta, **TIGHT)
    np.testing.assert_allclose(r.beta, fit.beta, **TIGHT)
    assert r.n_subjects == fit.n_subjects and r.n_obs == fit.n_obs
    np.testing.assert_allclose(r.loglik, fit.loglik, rtol=1e-12)
    for col in ("estimate", "std_error", "df", "statistic", "p_value", "ci_lower", "ci_upper"):
        np.testing.assert_allclose(getattr(r, col)[0], row[col], rtol=1e-9, atol=1e-12,
                                   err_msg=col)


def test_fit_is_irtrial_mmrm(model):
    a = model.fit()
    b = irtrial.mmrm(fev_data(), FORMULA, **KW)
    np.testing.assert_array_equal(a.theta, b.theta)
    np.testing.assert_array_equal(a.beta, b.beta)
    assert a.n_dropped == b.n_dropped == 263
    pd.testing.assert_frame_equal(a.exclusions, b.exclusions)


def test_model_keeps_rows_with_a_missing_response(model):
    assert model.n_rows == 800 and np.isnan(model.y).sum() == 263
    assert model.X.shape == (800, len(model.column_names))
    assert model.n_subjects == 200  # 3 subjects have no observed FEV1 at all
    np.testing.assert_array_equal(model.rows, np.arange(800))
    assert len(model.exclusions) == 0


def test_refit_of_the_data_equals_the_fit(model):
    fit = model.fit()
    r = model.refit(contrast=("ARMCD", "PBO", "VIS4"))
    assert r.labels == ("TRT - PBO at VIS4",)
    _assert_same(r, fit, _last_visit_contrast(fit))
    # the default contrast is the same one (ARMCD * AVISIT in the formula)
    np.testing.assert_array_equal(model.refit().estimate, r.estimate)


def test_refit_new_y_with_new_missing_cells_equals_a_fresh_fit(model):
    rng = np.random.default_rng(7)
    y = model.y + rng.normal(0, 2, model.n_rows)
    y[rng.random(model.n_rows) < 0.1] = np.nan
    y[np.flatnonzero(np.isnan(model.y))[:20]] = 40.0  # fill some missing cells
    frame = fev_data()
    frame.loc[model.rows, "FEV1"] = y
    fresh = irtrial.mmrm(frame, FORMULA, **KW)
    _assert_same(model.refit(y), fresh, _last_visit_contrast(fresh))
    again = model.fit(y)
    np.testing.assert_allclose(again.beta, fresh.beta, **TIGHT)
    pd.testing.assert_frame_equal(again.exclusions, fresh.exclusions)


def test_jackknife_refit_equals_a_fresh_fit_without_the_subject(model):
    for k in (0, 57):
        keep = np.arange(model.n_subjects) != k
        d = fev_data()
        fresh = irtrial.mmrm(d[d.USUBJID != model.subjects[k]], FORMULA, **KW)
        _assert_same(model.refit(subjects=keep), fresh, _last_visit_contrast(fresh))


def test_bootstrap_refit_counts_a_repeat_as_a_new_subject(model):
    rng = np.random.default_rng(3)
    idx = rng.integers(0, model.n_subjects, model.n_subjects)
    assert len(np.unique(idx)) < len(idx)
    sub = model.subset(idx)
    fresh = sub.fit()
    d = sub.data
    assert d.USUBJID.nunique() == len(idx)  # repeats renamed "<id>#2", ...
    _assert_same(model.refit(subjects=idx), fresh, _last_visit_contrast(fresh))


def test_refit_other_df_methods_match_the_fresh_fit():
    d = fev_data()
    for df in ("residual", "between-within", "kenward-roger"):
        model = MMRM(d, FORMULA, subject="USUBJID", visit="AVISIT", df=df)
        fit = model.fit()
        _assert_same(model.refit(), fit, _last_visit_contrast(fit))
    kr = MMRM(d, FORMULA, subject="USUBJID", visit="AVISIT", df="kenward-roger")
    sat = kr.refit(df="SATTERTH")
    assert sat.df_method == "satterthwaite"
    fit = irtrial.mmrm(d, FORMULA, **KW)
    np.testing.assert_allclose(sat.df[0], _last_visit_contrast(fit)["df"], rtol=1e-9)


def test_refit_with_new_covariate_values_equals_a_fresh_fit():
    trial = ir_wrap_trial()
    model = MMRM(trial, df="satterthwaite")
    rng = np.random.default_rng(11)
    new_base = rng.normal(6, 1.5, model.n_subjects)
    d = trial.data.copy()
    d["baseline"] = new_base[model.subject_codes]
    fresh = irtrial.mmrm(d, "change ~ baseline + arm * visit", subject="subject", visit="visit",
                         df="satterthwaite")
    row = fresh.contrasts("arm", by="visit").iloc[-1]
    _assert_same(model.refit(covariates={"baseline": new_base}), fresh, row)
    per_row = model.refit(covariates={"baseline": new_base[model.subject_codes]})
    np.testing.assert_array_equal(per_row.beta, model.refit(covariates={"baseline": new_base}).beta)


def test_warm_start_reaches_the_same_optimum_in_fewer_iterations(model):
    cold = model.refit()
    warm = model.refit(start="fit")
    assert warm.n_iterations <= cold.n_iterations
    np.testing.assert_allclose(warm.theta, cold.theta, rtol=1e-6)
    np.testing.assert_allclose(warm.estimate, cold.estimate, rtol=1e-7)


def test_a_template_without_responses_refits_simulated_outcomes():
    d = fev_data()
    template = d.assign(FEV1=np.nan)
    model = MMRM(template, FORMULA, **KW)
    with pytest.raises(InsufficientDataError, match="pass y="):
        model.fit()
    full = MMRM(d, FORMULA, **KW)
    np.testing.assert_allclose(model.refit(full.y).beta, full.fit().beta, **TIGHT)


def test_failed_refits_are_reported_not_raised(model):
    r = model.refit(np.full(model.n_rows, np.nan))
    assert not r.converged and np.isnan(r.estimate).all() and r.message
    y = model.y.copy()
    y[model.visit_codes == 3] = np.nan  # no data at VIS4: singular design
    bad = model.refit(y)
    assert not bad.converged and np.isnan(bad.beta).all()


def test_bad_arguments_are_clear_errors(model):
    with pytest.raises(ModelSpecError, match="800 rows"):
        model.refit(np.zeros(5))
    with pytest.raises(ModelSpecError, match="0..199"):
        model.refit(subjects=[0, 200])
    with pytest.raises(ModelSpecError, match="one per model subject"):
        model.refit(subjects=np.ones(3, dtype=bool))
    with pytest.raises(ModelSpecError, match="not a numeric covariate"):
        model.refit(covariates={"RACE": np.zeros(800)})
    with pytest.raises(ModelSpecError, match="columns"):
        model.refit(contrast=np.ones((1, 3)))
    with pytest.raises(ModelSpecError, match="not a level"):
        model.contrast_matrix(("ARMCD", "XYZ", "VIS4"))


@pytest.mark.parametrize("kw", [dict(group="ARMCD"), dict(weights="W"), dict(covariance="ar1h")])
def test_refit_of_grouped_weighted_and_structured_models_equals_fresh_fits(kw):
    d = fev_data().assign(W=np.random.default_rng(2).uniform(0.5, 2.0, 800))
    model = MMRM(d, FORMULA, **KW, **kw)
    jack = np.arange(model.n_subjects) != 5
    fresh = irtrial.mmrm(d[d.USUBJID != model.subjects[5]], FORMULA, **KW, **kw)
    r = model.refit(subjects=jack)
    np.testing.assert_allclose(r.theta, fresh.theta, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(r.beta, fresh.beta, rtol=1e-9, atol=1e-10)
    row = _last_visit_contrast(fresh)
    np.testing.assert_allclose([r.estimate[0], r.std_error[0], r.df[0]],
                               [row["estimate"], row["std_error"], row["df"]], rtol=1e-8)
