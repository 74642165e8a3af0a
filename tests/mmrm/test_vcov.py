"""Covariance of beta-hat: asymptotic, empirical sandwich (SAS EMPIRICAL), with and without weights.

# source: tests/reference/sas/inference_fev.json, section "empirical"
#   (mmrm design/Robust/empirical_*.txt, *_covb.csv, *_lsmean.csv: FEV1 ~ ARMCD, REML, EMPIRICAL,
#    unweighted and WEIGHT WEIGHT)
"""

from __future__ import annotations

import numpy as np
import pytest
from _inference_helpers import SAS_STRUCTURES, full_model_state, neg2_loglik, sas_ref, sas_state

from irtrial.errors import ModelSpecError
from irtrial.mmrm import testing, vcov

CASES = [s + w for s in SAS_STRUCTURES for w in ("", "_weighted")]


@pytest.fixture(scope="module", params=CASES)
def case(request):
    if not request.param.startswith("us"):
        pytest.importorskip("irtrial.mmrm.covariance")
    weights = "WEIGHT" if request.param.endswith("_weighted") else None
    return sas_state("empirical", request.param, weights=weights)


def test_state_reproduces_sas_likelihood(case):
    state, ref = case
    assert neg2_loglik(state) == pytest.approx(ref["neg2_res_loglik"], rel=1e-8)


def test_empirical_covb_matches_sas(case):
    state, ref = case
    # SAS column order: Intercept, ARMCD TRT (PBO is the reference in both codings)
    sas = np.array(ref["covb_intercept_TRT"])
    # 1e-4: SAS's printed covariance parameters carry 4-6 significant digits (AR(1) 0.3904)
    np.testing.assert_allclose(vcov.beta_vcov(state, "empirical"), sas, rtol=1e-4)


def test_empirical_diff_matches_sas_with_between_within_df(case):
    state, ref = case
    sas = ref["diff_TRT_PBO"]
    row = testing.contrast_table(
        state, [[0.0, 1.0]], ["TRT - PBO"], df="between-within", vcov="empirical"
    ).iloc[0]
    assert row.std_error == pytest.approx(sas["StdErr"], rel=1e-4)
    assert row.df == sas["DF"]
    assert row.p_value == pytest.approx(sas["Probt"], rel=1e-3)
    assert row.ci_lower == pytest.approx(sas["Lower"], rel=1e-4)
    assert row.ci_upper == pytest.approx(sas["Upper"], rel=1e-4)


def test_asymptotic_vcov_matches_sas_solution_se():
    # source: "full_model"/"satterthwaite" (design/SAS/sas_log_reml.txt, model-based SEs)
    state, ref = full_model_state("satterthwaite")
    se = np.sqrt(np.diag(vcov.beta_vcov(state, "asymptotic")))
    sas = {(r["Effect"], r.get("ARMCD"), r.get("AVISIT")): r["StdErr"] for r in ref["solution"]}
    # intercept and ARMCD TRT (same coding: reference PBO, VIS1, Asian, Male); 4 decimals printed
    assert se[0] == pytest.approx(sas[("Intercept", None, None)], abs=5e-5)
    col = state.design.column_names.index("ARMCD[T.TRT]")
    assert se[col] == pytest.approx(sas[("ARMCD", "TRT", None)], abs=5e-5)


def test_unknown_vcov_is_a_clear_error():
    state, _ = sas_state("kenward_roger", "us")
    with pytest.raises(ModelSpecError, match="unknown vcov"):
        vcov.beta_vcov(state, "sandwich")


def test_empirical_with_satterthwaite_df_is_refused():
    state, _ = sas_state("kenward_roger", "us")
    with pytest.raises(ModelSpecError, match="not available with vcov='empirical'"):
        testing.contrast_table(state, [[0.0, 1.0]], None, df="satterthwaite", vcov="empirical")


def test_reference_file_has_all_cases():
    assert set(sas_ref()["empirical"]) == set(CASES)
