"""Tests for irtrial.report.code: the generated SAS and R code, checked against R's output.

The references are the generated scripts themselves, run with R (with a JSON writer appended):
# source: tests/reference/r/report_code_ir_wrap.R      (mmrm 0.3.18 + emmeans)
# source: tests/reference/r/report_code_ir_wrap_gls.R  (nlme::gls + emmeans)
Both read tests/reference/r/report_code_ir_wrap.csv, the analysis data set the report writes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import irtrial
from irtrial.mmrm.lsmeans import contrasts_table
from irtrial.plan import StudyPlan, fit_primary, read_plan
from irtrial.report.code import analysis_data, r_code, r_gls_code, sas_code, write_code

REPO = Path(__file__).resolve().parents[2]
REF = REPO / "tests" / "reference" / "r"
PLAN = REPO / "data" / "synthetic" / "ir_wrap_plan.toml"
CSV = REPO / "data" / "synthetic" / "ir_wrap_trial.csv"
MARKER = "\n# ---- reference output:"


@pytest.fixture(scope="module")
def replica():
    plan = read_plan(PLAN)
    trial = irtrial.read_trial(CSV, **plan.read_kwargs())
    return fit_primary(trial, plan), plan, trial


def reference(name: str) -> tuple[str, list[dict]]:
    script = (REF / f"{name}.R").read_text()
    out = json.loads((REF / f"{name}.json").read_text())
    return script, out["contrasts"]


def test_generator_still_produces_the_reference_scripts_and_data(replica):
    fit, plan, trial = replica
    data = "report_code_ir_wrap.csv"
    for name, generate in (("report_code_ir_wrap", r_code),
                           ("report_code_ir_wrap_gls", r_gls_code)):
        script, _ = reference(name)
        generated, marker, _ = script.partition(MARKER)
        assert marker, name
        assert generate(fit, plan, trial, data_file=data) == generated, name
    csv = analysis_data(fit, trial).to_csv(index=False, lineterminator="\n")
    assert csv == (REF / data).read_text()


def test_generated_mmrm_code_reproduces_the_primary_contrasts(replica):
    # source: tests/reference/r/report_code_ir_wrap.R
    fit, _, _ = replica
    _, rows = reference("report_code_ir_wrap")
    ours = fit.contrasts
    assert [r["visit"] for r in rows] == list(ours.visit.astype(str))
    assert all(r["contrast"] == "IR - Placebo" for r in rows)
    for key, col, rtol in (("estimate", "estimate", 1e-4), ("SE", "std_error", 1e-4),
                           ("lower.CL", "ci_lower", 1e-4), ("upper.CL", "ci_upper", 1e-4),
                           ("t.ratio", "statistic", 1e-4), ("df", "df", 1e-3),
                           ("p.value", "p_value", 1e-3)):
        np.testing.assert_allclose(ours[col], [r[key] for r in rows], rtol=rtol, err_msg=key)


def test_generated_gls_code_reproduces_estimates_and_model_based_se(replica):
    # source: tests/reference/r/report_code_ir_wrap_gls.R
    fit, _, trial = replica
    _, rows = reference("report_code_ir_wrap_gls")
    res = fit.result
    unadjusted = contrasts_table(res.state, "arm", trial.control, "visit", weights="equal",
                                 df="residual", vcov="asymptotic", conf_level=0.95)
    np.testing.assert_allclose(unadjusted.estimate, [r["estimate"] for r in rows], rtol=1e-4)
    np.testing.assert_allclose(unadjusted.std_error, [r["SE"] for r in rows], rtol=1e-4)
    # the KR-adjusted SE of the report is larger than gls's: the code says gls cannot give it
    assert (fit.contrasts.std_error.to_numpy() > unadjusted.std_error.to_numpy()).all()
    assert "no Kenward-Roger adjustment" in r_gls_code(fit, *replica[1:])


def test_code_follows_the_fit_used_and_the_plan(replica):
    _, _, trial = replica
    plan = StudyPlan.from_options(covariates=["AGE", "SEX"], factors=["SEX"],
                                  covariance=["TOEPH"], df="KR", conf_level=0.9,
                                  arm_order=["Placebo", "IR"])
    trial2 = irtrial.read_trial(CSV, **plan.read_kwargs())
    fit = fit_primary(trial2, plan)
    r = r_code(fit, plan, trial2)
    assert "toeph(visit | subject)" in r
    assert 'method = "Kenward-Roger"' in r and 'vcov = "Kenward-Roger"' in r
    assert "R mmrm's full Kenward-Roger uses its own parametrisation of TOEPH" in r
    assert 'd$SEX <- factor(d$SEX, levels = c("F", "M"))' in r
    assert 'd$arm <- factor(d$arm, levels = c("Placebo", "IR"))' in r
    assert "level = 0.9)" in r
    sas = sas_code(fit, plan, trial2)
    assert "  CLASS subject arm visit visitn SEX;" in sas
    assert "  MODEL change = baseline AGE SEX arm visit arm*visit / DDFM=KR SOLUTION CL " \
           "ALPHA=0.1;" in sas
    assert "  REPEATED visitn / SUBJECT=subject TYPE=TOEPH R RCORR;" in sas
    assert "  LSMEANS arm*visit / DIFF CL ALPHA=0.1;" in sas
    gls = r_gls_code(fit, plan, trial2)
    assert "corARMA(form = ~ visitn | subject, p = 5)" in gls and "varIdent" in gls


def test_kr_on_unstructured_is_kr_linear_in_r_and_satterthwaite_maps_too(replica):
    fit, plan, trial = replica
    assert 'vcov = "Kenward-Roger-Linear"' in r_code(fit, plan, trial)
    sat = StudyPlan.from_options(covariance="AR(1)", df="satterthwaite", method="ML")
    fit2 = fit_primary(trial, sat)
    r = r_code(fit2, sat, trial)
    assert "ar1(visit | subject)" in r and 'method = "Satterthwaite"' in r
    assert "reml = FALSE" in r and 'vcov = "Asymptotic"' in r
    sas = sas_code(fit2, sat, trial)
    assert "METHOD=ML;" in sas and "DDFM=SATTERTHWAITE" in sas and "TYPE=AR(1)" in sas


def test_write_code_writes_the_data_and_three_scripts(replica, tmp_path):
    paths = write_code(tmp_path / "code", *replica)
    assert sorted(p.name for p in paths) == ["analysis_data.csv", "primary_gls.R",
                                             "primary_mmrm.R", "primary_mmrm.sas"]
    assert 'read.csv("analysis_data.csv"' in (tmp_path / "code" / "primary_mmrm.R").read_text()


@pytest.fixture(scope="module")
def adas():
    # the new user: an ADaM file, the site group declared a factor and put in the
    # model; here with a heterogeneous Toeplitz covariance, KR(FIRSTORDER) and 90% CIs
    plan = StudyPlan.from_options(covariates=["SITEGR1"], factors=["SITEGR1"],
                                  covariance="TOEPH", df="KR(FIRSTORDER)", conf_level=0.9,
                                  title="CDISC pilot ADAS-Cog")
    trial = irtrial.read_trial(REPO / "tests" / "reference" / "data" / "adadas_actot.xpt",
                               **plan.read_kwargs())
    return fit_primary(trial, plan), plan, trial


def test_adam_site_factor_toeph_code_is_the_reference_script(adas):
    fit, plan, trial = adas
    script, _ = reference("report_code_adas")
    generated, marker, _ = script.partition(MARKER)
    assert marker and r_code(fit, plan, trial, data_file="report_code_adas.csv") == generated
    csv = analysis_data(fit, trial).to_csv(index=False, lineterminator="\n")
    assert csv == (REF / "report_code_adas.csv").read_text()
    assert "toeph(visit | subject)" in generated and "level = 0.9)" in generated
    assert "SITEGR1 <- factor(d$SITEGR1, levels = c(\"701\"" in generated


def test_adam_site_factor_toeph_matches_r_mmrm(adas):
    # source: tests/reference/r/report_code_adas.R (mmrm 0.3.18, KR-linear, 90% CIs)
    fit, _, _ = adas
    out = json.loads((REF / "report_code_adas.json").read_text())
    assert out["loglik"] == pytest.approx(fit.result.loglik, rel=1e-8)
    ref = {(r["contrast"], r["visit"]): r for r in out["contrasts"]}
    ours = fit.contrasts
    assert len(ref) == len(ours) == 6
    for row in ours.itertuples(index=False):
        r = ref[(f"{row.arm} - Placebo", str(row.visit))]
        for key, value, rtol in (("estimate", row.estimate, 1e-4), ("SE", row.std_error, 1e-4),
                                 ("lower.CL", row.ci_lower, 1e-4),
                                 ("upper.CL", row.ci_upper, 1e-4), ("df", row.df, 1e-3),
                                 ("p.value", row.p_value, 1e-3)):
            assert value == pytest.approx(r[key], rel=rtol), (key, row.arm, row.visit)


def test_numeric_column_declared_a_factor_has_the_same_levels_in_data_and_code(replica):
    import dataclasses

    _, _, trial = replica
    data = trial.data.assign(SITE=(trial.data.AGE > 50).astype(float) + 1)
    with_site = dataclasses.replace(trial, data=data, covariates=(*trial.covariates, "SITE"))
    plan = StudyPlan.from_options(covariates=["SITE"], factors=["SITE"], covariance="CS")
    fit = fit_primary(with_site, plan)
    assert 'factor(d$SITE, levels = c("1", "2"))' in r_code(fit, plan, with_site)
    assert set(analysis_data(fit, with_site).SITE) == {"1", "2"}


#: other df / vcov / method mappings, each a generated script run with R mmrm
# source: tests/reference/r/report_code_ir_wrap_empirical.R (ARH(1), BW df, empirical vcov)
# source: tests/reference/r/report_code_ir_wrap_ml.R (TOEPH, ML, Satterthwaite, 80% CIs)
VARIANTS = {
    "report_code_ir_wrap_empirical": dict(covariance="ARH(1)", df="BW", vcov="empirical"),
    "report_code_ir_wrap_ml": dict(covariance="TOEPH", df="SATTERTHWAITE", method="ML",
                                   conf_level=0.8),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_df_vcov_and_method_mappings_match_r_mmrm(name):
    plan = StudyPlan.from_options(covariates=["AGE"], outcome_range=(0, 10), **VARIANTS[name])
    trial = irtrial.read_trial(CSV, **plan.read_kwargs())
    fit = fit_primary(trial, plan)
    script, _ = reference(name)
    generated = script.partition(MARKER)[0]
    assert r_code(fit, plan, trial, data_file="report_code_ir_wrap_age.csv") == generated
    assert analysis_data(fit, trial).to_csv(index=False, lineterminator="\n") == (
        REF / "report_code_ir_wrap_age.csv").read_text()
    out = json.loads((REF / f"{name}.json").read_text())
    assert out["loglik"] == pytest.approx(fit.result.loglik, rel=1e-8)
    rows = out["contrasts"]
    ours = fit.contrasts
    for key, col, rtol in (("estimate", "estimate", 1e-4), ("SE", "std_error", 1e-4),
                           ("lower.CL", "ci_lower", 1e-4), ("upper.CL", "ci_upper", 1e-4),
                           ("df", "df", 1e-3), ("p.value", "p_value", 1e-3)):
        np.testing.assert_allclose(ours[col], [r[key] for r in rows], rtol=rtol, err_msg=key)
