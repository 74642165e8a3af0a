"""The fitted MMRM against SAS PROC MIXED on fev_data, every covariance structure, REML and ML.

source: tests/reference/sas/mmrm_engine.json (SAS listings from openpharma/mmrm design/SAS @
ec290b2695b25057b31bc98e27c39d3f498cd0d6, extracted by extract_engine_reference.py), and
sas_outputs/R/mmrm_ad_{ml,reml}.txt (R mmrm; SAS has no homogeneous ante-dependence).

Tolerances. -2 log L: rtol 1e-6. Estimates are compared to max(rtol 1e-4, half a unit of the
last digit SAS printed) -- the printed precision is the reference's own. SAS stops iterating at
a relative Hessian criterion g'H^-1g/|f| < 1e-8, i.e. up to ~sqrt(1e-8 |f| / 2) ~ 0.004 standard
errors from the optimum; our optimiser converges further (our -2 log L is never above SAS's), so
the fitted theta may differ from SAS's printed theta by that much: the comparison accepts
|diff| <= 0.005 SE(theta) (and 0.001 SE(beta) for the fixed effects, 3e-4 relative for their
SEs). That this is SAS's convergence and not ours is checked separately: at SAS's printed theta,
our GLS beta and SEs reproduce SAS's to its printed precision.
"""

import numpy as np
import pytest
from _sas_reference import fev_data, reference, sas_fixed, sas_theta, spec
from scipy import stats

import irtrial

KEYS = sorted(reference()["sas"])
_FITS: dict = {}


def _fit(key):
    if key not in _FITS:
        sp = spec(key)
        _FITS[key] = irtrial.mmrm(
            fev_data(sp["orders"]),
            sp["formula"],
            subject="USUBJID",
            visit="AVISIT",
            covariance=sp["covariance"],
            method=sp["method"],
            group=sp["group"],
            weights=sp["weights"],
            df="residual",
        )
    return _FITS[key]


def _close(ours, sas, prec, rtol=1e-4):
    return np.abs(ours - sas) <= np.maximum(rtol * np.abs(sas), prec) + 1e-12


@pytest.mark.parametrize("key", KEYS)
def test_neg2loglik_matches_sas(key):
    fit = _fit(key)
    sas = reference()["sas"][key]["neg2loglik"]
    assert fit.converged
    np.testing.assert_allclose(-2 * fit.loglik, sas, rtol=1e-6)
    assert -2 * fit.loglik <= sas * (1 + 1e-9)  # never a worse optimum than SAS's


@pytest.mark.parametrize("key", KEYS)
def test_covariance_parameters_match_sas(key):
    fit = _fit(key)
    idx, est, prec = sas_theta(key, fit)
    se = fit.covariance_parameters["std_error"].to_numpy()[idx]
    ours = fit.theta[idx]
    ok = _close(ours, est, prec) | (np.abs(ours - est) <= 0.005 * se)
    assert ok.all(), list(zip(fit.state.structure.param_names, ours, est, strict=False))


@pytest.mark.parametrize("key", KEYS)
def test_fixed_effects_and_asymptotic_se_match_sas(key):
    fit = _fit(key)
    se = np.sqrt(np.diag(fit.beta_vcov("asymptotic")))
    for i, b, pb, s, ps in sas_fixed(key, fit):
        assert _close(fit.beta[i], b, pb) or abs(fit.beta[i] - b) <= 1e-3 * se[i], (i, b)
        assert _close(se[i], s, ps, rtol=3e-4), (i, s, se[i])


@pytest.mark.parametrize("key", KEYS)
def test_gls_at_sas_theta_reproduces_sas_beta_and_se(key):
    fit = _fit(key)
    idx, est, prec = sas_theta(key, fit)
    theta = fit.theta.copy()
    theta[idx] = est
    ev = fit._likelihood.evaluate(theta)
    se = np.sqrt(np.diag(ev.xtvx_inv))
    for i, b, pb, s, ps in sas_fixed(key, fit):
        # tolerance: SAS's printed precision of the output plus 1e-4 for the rounding of its
        # printed theta that we plug in
        assert abs(ev.beta[i] - b) <= pb + 1e-4 * abs(b) + 1e-12
        assert abs(se[i] - s) <= ps + 1e-4 * abs(s) + 1e-12
    np.testing.assert_allclose(ev.value, reference()["sas"][key]["neg2loglik"], rtol=1e-6)


_VARIANCE_NAMES = ("Var(", "Residual", "Variance")


@pytest.mark.parametrize(
    "key",
    [
        "sas_log_reml.txt",
        "sas_ar1_reml.txt",
        "sas_adh_ml.txt",
        "sas_group_cs_reml.txt",
        "sas_toep_reml.rtf",
        "sas_toeph_ml.txt",
        "sas_weighted.txt",
    ],
)
def test_covariance_parameter_standard_errors_match_sas_confidence_limits(key):
    # SAS prints no SE here but CL: Wald limits for covariances and correlations, Satterthwaite
    # chi-square limits (nu = 2 Z^2) for variances; both are functions of the SE. The limits are
    # printed to ~5 significant digits and depend on SAS's less converged theta: rtol 1e-3.
    fit = _fit(key)
    idx, _, _ = sas_theta(key, fit)
    cp = fit.covariance_parameters
    z = stats.norm.ppf(0.975)
    for k, c in zip(idx, reference()["sas"][key]["covariance_parameters"], strict=True):
        est, se = cp["estimate"][k], cp["std_error"][k]
        name = c["cov_parm"]
        is_var = name.startswith(_VARIANCE_NAMES) or (
            name.startswith("UN(") and name[3:-1].split(",")[0] == name[3:-1].split(",")[1]
        )
        if is_var:
            nu = 2 * (est / se) ** 2
            np.testing.assert_allclose(nu * est / stats.chi2.ppf(0.975, nu), c["lower"], rtol=1e-3)
            np.testing.assert_allclose(nu * est / stats.chi2.ppf(0.025, nu), c["upper"], rtol=1e-3)
        else:
            np.testing.assert_allclose(se, (c["upper"] - c["lower"]) / (2 * z), rtol=1e-3)


@pytest.mark.parametrize("method", ["ml", "reml"])
def test_homogeneous_ante_dependence_matches_r_mmrm(method):
    # source: sas_outputs/R/mmrm_ad_{method}.txt via mmrm_engine.json; R prints the covariance to
    # 4 decimals, the deviance to 4 decimals, the intercept and SE to 4 significant decimals.
    r = reference()["r_mmrm_ad"][method]
    fit = irtrial.mmrm(
        fev_data(),
        "FEV1 ~ 1",
        subject="USUBJID",
        visit="AVISIT",
        covariance="ad",
        method=method,
        df="residual",
    )
    np.testing.assert_allclose(-2 * fit.loglik, r["deviance"], rtol=1e-6)
    # R's L-BFGS-B stops slightly before the optimum (its -2 log L at its printed theta is
    # ~5e-7 above ours): theta agrees to 0.005 SE (as for SAS above), Sigma to 3e-4 relative.
    t = np.array(r["theta_est"])
    theta_r = np.r_[
        np.exp(2 * t[0]), t[1:] / np.sqrt(1 + t[1:] ** 2)
    ]  # R: log sd, rho/sqrt(1-rho^2)
    se = fit.covariance_parameters["std_error"].to_numpy()
    assert np.all(np.abs(fit.theta - theta_r) <= 0.005 * se)
    assert fit._likelihood.value(theta_r) >= -2 * fit.loglik
    np.testing.assert_allclose(fit.sigma(), np.array(r["covariance"]), atol=5e-5, rtol=3e-4)
    np.testing.assert_allclose(fit.beta[0], r["intercept"]["Estimate"], atol=5e-5, rtol=1e-4)
    se = np.sqrt(fit.beta_vcov("asymptotic")[0, 0])
    np.testing.assert_allclose(se, r["intercept"]["StdErr"], atol=5e-5)


def test_aic_bic_follow_sas_conventions():
    # SAS "Fit Statistics" (printed to 1 decimal): REML counts covariance parameters only, BIC
    # uses all 200 subjects read (3 have no FEV1 at all).
    fit = _fit("sas_log_reml.txt")
    stats_ = dict(reference()["sas"]["sas_log_reml.txt"]["fit_statistics"])
    assert fit.n_subjects == 197 and fit.n_subjects_read == 200
    np.testing.assert_allclose(fit.aic, stats_["AIC (Smaller is Better)"], atol=0.05)
    np.testing.assert_allclose(fit.aicc, stats_["AICC (Smaller is Better)"], atol=0.05)
    np.testing.assert_allclose(fit.bic, stats_["BIC (Smaller is Better)"], atol=0.05)
    ml = _fit("sas_log.txt")  # ML counts the 11 fixed effects too
    stats_ = dict(reference()["sas"]["sas_log.txt"]["fit_statistics"])
    np.testing.assert_allclose(ml.aic, stats_["AIC (Smaller is Better)"], atol=0.05)
    np.testing.assert_allclose(ml.bic, stats_["BIC (Smaller is Better)"], atol=0.05)


@pytest.mark.parametrize("optimizer", ["l-bfgs-b", "bfgs"])
@pytest.mark.parametrize("key", ["sas_log_reml.txt", "sas_adh_reml.txt", "sas_group_csh_ml.txt"])
def test_fallback_optimizers_reach_the_same_optimum(key, optimizer):
    # the scipy fallbacks (unconstrained parametrisation + analytic gradient, Newton polish)
    sp = spec(key)
    fit = irtrial.mmrm(
        fev_data(sp["orders"]),
        sp["formula"],
        subject="USUBJID",
        visit="AVISIT",
        covariance=sp["covariance"],
        method=sp["method"],
        group=sp["group"],
        df="residual",
        control=irtrial.FitControl(optimizers=(optimizer,)),
    )
    assert fit.optimizer == optimizer
    np.testing.assert_allclose(-2 * fit.loglik, -2 * _fit(key).loglik, rtol=1e-10)
    # both stop at a Newton decrement ~1e-11 |f|: theta agrees to 1e-3 of its SE
    se = _fit(key).covariance_parameters["std_error"].to_numpy()
    assert np.all(np.abs(fit.theta - _fit(key).theta) <= 1e-3 * se)


@pytest.mark.parametrize("key", ["sas_coef_ci_reml_un.txt", "sas_coef_ci_reml_ar1.txt",
                                 "sas_log_reml.txt"])
def test_outcome_on_a_large_scale_converges_to_the_scaled_optimum(key):
    # FEV1 in other units (x 1e6): the information matrix is ~1e-24; Newton's absolute
    # eigenvalue floor (1e-20) swamped it, every step shrank 1e4-fold and the fit failed
    # with ConvergenceError. The optimum is equivariant: beta x 1e6, theta x 1e12.
    sp = spec(key)
    data = fev_data(sp["orders"])
    data["FEV1"] = data["FEV1"] * 1e6
    fit = irtrial.mmrm(data, sp["formula"], subject="USUBJID", visit="AVISIT",
                       covariance=sp["covariance"], method=sp["method"], df="residual")
    ref = _fit(key)
    names = ref.state.structure.param_names
    scale = np.array([1.0 if name.startswith("AR(") else 1e12 for name in names])
    np.testing.assert_allclose(fit.beta / 1e6, ref.beta, rtol=1e-4)
    # as in test_covariance_parameters_match_sas: a covariance near 0 may differ by a tiny
    # fraction of its standard error (-2 log L is shifted by n log 1e12, so the stopping
    # rule's relative tolerance is looser)
    se = ref.covariance_parameters["std_error"].to_numpy()
    diff = np.abs(fit.theta / scale - ref.theta)
    assert (diff <= np.maximum(1e-4 * np.abs(ref.theta), 0.005 * se)).all()


@pytest.mark.parametrize(("n_visits", "n_groups"), [(6, 1), (4, 2), (1, 1)])
def test_us_analytic_jacobian_of_the_log_cholesky_map_matches_central_differences(
    n_visits, n_groups
):
    # the L-BFGS-B/BFGS fallback maps the gradient with d theta / d phi; for us it is analytic
    from irtrial.mmrm.covariance.us import Unstructured

    s = Unstructured(n_visits, n_groups)
    rng = np.random.default_rng(20261129)
    phi = rng.normal(scale=0.7, size=s.n_theta)
    jac = s.jacobian_unconstrained(phi)
    k = s.n_theta
    fd = np.empty((k, k))
    for j in range(k):
        h = 1e-6 * max(1.0, abs(phi[j]))
        e = np.zeros(k)
        e[j] = h
        fd[:, j] = (s.from_unconstrained(phi + e) - s.from_unconstrained(phi - e)) / (2 * h)
    assert jac.shape == (k, k)
    np.testing.assert_allclose(jac, fd, rtol=1e-6, atol=1e-6)
    # and the map it differentiates round-trips: theta -> phi -> theta
    theta = s.from_unconstrained(phi)
    np.testing.assert_allclose(s.from_unconstrained(s.to_unconstrained(theta)), theta, rtol=1e-12)


def test_structures_without_an_analytic_jacobian_return_none():
    from irtrial.mmrm.covariance import make_covariance

    s = make_covariance("ar1", 4)
    assert s.jacobian_unconstrained(np.zeros(s.n_theta)) is None


def test_us_fast_valid_agrees_with_the_generic_check():
    from irtrial.mmrm.covariance._base import CovarianceBase
    from irtrial.mmrm.covariance.us import Unstructured

    rng = np.random.default_rng(7)
    for n_visits, n_groups in [(6, 1), (3, 2), (1, 3)]:
        s = Unstructured(n_visits, n_groups)
        seen = set()
        for _ in range(300):
            theta = rng.normal(size=s.n_theta)
            if rng.random() < 0.1:
                theta[rng.integers(s.n_theta)] = np.nan
            ok = s.valid(theta)
            assert ok == CovarianceBase.valid(s, theta)
            seen.add(ok)
        assert seen == {True, False}
