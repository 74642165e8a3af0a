"""CDISC ADaM BDS: detected and mapped without arguments; PARAMCD filter."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from irtrial.errors import TrialValidationError
from irtrial.trial import read_trial
from irtrial.trial.adam import is_adam, resolve_schema
from irtrial.trial.model import TrialSchema

from .conftest import make_long


def make_adam(params=("PAIN", "PAINMOV")) -> pd.DataFrame:
    parts = []
    for k, code in enumerate(params):
        df = make_long(weeks=(0, 1, 2, 10), seed=10 + k)
        df = df.rename(columns={"subject": "USUBJID", "arm": "TRTP", "visit": "AVISIT",
                                "pain": "AVAL", "age": "AGE"})
        df["USUBJID"] = "IRW-" + df["USUBJID"]
        df["AVISIT"] = df["AVISIT"].replace("Week 0", "Baseline")
        df["AVISITN"] = df["AVISIT"].map({"Baseline": 0, "Week 1": 1, "Week 2": 2,
                                          "Week 10": 10}).astype(float)
        df["ABLFL"] = np.where(df["AVISITN"] == 0, "Y", "")
        base = df[df.ABLFL == "Y"].set_index("USUBJID")["AVAL"]
        df["BASE"] = df["USUBJID"].map(base)
        df["CHG"] = df["AVAL"] - df["BASE"]
        df["PARAMCD"] = code
        parts.append(df)
    return pd.concat(parts, ignore_index=True)


def test_detect_and_resolve():
    df = make_adam()
    assert is_adam(df)
    s = resolve_schema(df, TrialSchema())
    assert (s.subject, s.arm, s.visit, s.visit_num, s.outcome, s.baseline, s.baseline_flag,
            s.param_column, s.adam) == ("USUBJID", "TRTP", "AVISIT", "AVISITN", "AVAL", "BASE",
                                        "ABLFL", "PARAMCD", True)
    assert not is_adam(make_long())


def test_two_parameters_need_param():
    with pytest.raises(TrialValidationError) as info:
        read_trial(make_adam())
    (p,) = info.value.problems
    assert p.message == ("the file holds 2 parameters in 'PARAMCD': ['PAIN', 'PAINMOV']; "
                         "choose one with param=...")


def test_param_selects_rows_and_values(tmp_path):
    df = make_adam()
    trial = read_trial(df, param="PAIN")
    pain = df[df.PARAMCD == "PAIN"]
    assert trial.schema.adam and trial.outcome == "AVAL"
    assert trial.visits == ("Week 1", "Week 2", "Week 10")
    assert trial.baseline_visit == "Baseline"
    assert trial.control == "Placebo" and trial.arms == ("Placebo", "IR")
    assert trial.row_counts["other_parameters"] == len(df) - len(pain)
    got = trial.data.set_index(["subject", "visit"])["change"]
    want = pain[pain.ABLFL != "Y"].set_index(["USUBJID", "AVISIT"])["CHG"]
    np.testing.assert_allclose(got.loc[want.index].to_numpy(), want.to_numpy(), atol=1e-12)
    with pytest.raises(TrialValidationError, match=r"parameter 'PIAN' not found .*'PAIN'"):
        read_trial(df, param="PIAN")


def test_single_parameter_xpt_without_arguments(tmp_path):
    df = make_adam(params=("PAIN",))
    path = tmp_path / "adpain.xpt"
    pyreadstat.write_xport(df, str(path), table_name="ADPAIN")
    trial = read_trial(path)
    assert trial.n_by_arm().to_dict() == {"Placebo": 3, "IR": 4}
    assert trial.visits == ("Week 1", "Week 2", "Week 10")
    assert trial.visit_numbers["Week 10"] == 10.0


def test_user_arguments_win_over_adam():
    df = make_adam(params=("PAIN",))
    df["TRT01P"] = df["TRTP"].str.upper()
    trial = read_trial(df, arm="TRTP", covariates=["AGE"])
    assert trial.arms == ("Placebo", "IR") and trial.covariates == ("AGE",)


def test_base_missing_falls_back_to_baseline_record():
    df = make_adam(params=("PAIN",))
    first = df.USUBJID.iloc[0]
    df.loc[df.USUBJID == first, "BASE"] = np.nan
    trial = read_trial(df)
    assert len(trial.exclusions) == 0
    got = trial.subjects.set_index("subject").loc[first, "baseline"]
    assert got == df[(df.USUBJID == first) & (df.ABLFL == "Y")]["AVAL"].iloc[0]


def test_baseline_flag_picks_baseline_visit_with_screening_rows():
    df = make_adam(params=("PAIN",))
    scr = df[df.ABLFL == "Y"].assign(AVISIT="Screening", AVISITN=-1.0, ABLFL="")
    trial = read_trial(pd.concat([df, scr], ignore_index=True))
    assert trial.baseline_visit == "Baseline"
    assert trial.exclusions.reason.tolist() == ["visit before the baseline visit 'Baseline'"]
    rc = trial.row_counts
    assert rc["input"] == rc["analysed"] + rc["baseline"] + rc["excluded"] == len(df) + 7


def test_derived_dtype_records_are_recorded_not_analysed():
    df = make_adam(params=("PAIN",))
    locf = df[df.AVISIT == "Week 10"].head(2).assign(DTYPE="LOCF", AVAL=9.0)
    df = pd.concat([df.assign(DTYPE=""), locf], ignore_index=True)
    trial = read_trial(df)
    assert trial.exclusions.to_dict("records") == [
        {"subject": None, "arm": None, "reason": "ADaM derived record (DTYPE LOCF)",
         "n_rows": 2}]
    assert trial.data["value"].max() < 9.0
    rc = trial.row_counts
    assert rc["input"] == rc["analysed"] + rc["baseline"] + rc["excluded"]


def test_mapping_is_noted():
    trial = read_trial(make_adam(params=("PAIN",)))
    assert trial.notes[0] == (
        "columns mapped from CDISC ADaM BDS names: subject='USUBJID', arm='TRTP', "
        "visit='AVISIT', visit_num='AVISITN', outcome='AVAL', baseline='BASE', "
        "baseline_flag='ABLFL', param_column='PARAMCD'")


def test_records_not_flagged_for_analysis_are_recorded():
    df = make_adam(params=("PAIN",)).assign(ANL01FL="Y")
    extra = df[df.AVISIT == "Week 2"].head(3).assign(ANL01FL="", AVAL=0.0)
    trial = read_trial(pd.concat([df, extra], ignore_index=True))
    # named by subject and visit, not only counted (issue 8)
    assert trial.exclusions.to_dict("records") == [
        {"subject": s, "arm": "IR",
         "reason": "ADaM record not flagged for analysis (ANL01FL) at Week 2", "n_rows": 1}
        for s in ("IRW-S01", "IRW-S02", "IRW-S03")]
    assert (trial.data.loc[trial.data.visit == "Week 2", "value"] > 0).all()


# ---- the CDISC pilot ADAS-Cog ADaM: character site group as a factor (issue 8, "done when") ----
# source: tests/reference/r/adas_sitegr1.R -> tests/reference/r/adas_sitegr1.json
# (nlme::gls corSymm + varIdent, REML, emmeans; data tests/reference/data/adadas_actot.xpt)
_REF = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture(scope="module")
def adas():
    return read_trial(_REF / "data" / "adadas_actot.xpt", covariates=["SITEGR1"])


def test_adas_reading_sitegr1_categorical_trtpn_order_param_label(adas):
    assert adas.covariate_types == {"SITEGR1": "categorical"}
    assert list(adas.data["SITEGR1"].cat.categories) == [
        "701", "703", "704", "705", "708", "709", "710", "713", "716", "718", "900"]
    assert adas.arms == ("Placebo", "Xanomeline Low Dose", "Xanomeline High Dose")
    assert "arms in TRTPN order: Placebo, Xanomeline Low Dose, Xanomeline High Dose; the " \
        "control goes first" in adas.notes
    assert adas.outcome == "Adas-Cog(11) Subscore"
    # every record accounted for: 540 analysed + 235 baselines + 265 excluded (222 LOCF
    # records, 24 second records in a visit window named by subject and visit, 19 subjects)
    rc = adas.row_counts
    assert (rc["input"], rc["analysed"], rc["baseline"], rc["excluded"]) == (1040, 540, 235, 265)
    ex = adas.exclusions
    dup = ex[ex["reason"].str.startswith("ADaM record not flagged for analysis (ANL01FL)")]
    assert len(dup) == 24 and dup["subject"].notna().all() and dup["n_rows"].sum() == 24
    row = dup[dup["subject"] == "01-701-1294"]
    assert row["reason"].tolist() == ["ADaM record not flagged for analysis (ANL01FL) at Week 8"]


def test_adas_mmrm_with_site_factor_matches_r(adas):
    import irtrial

    ref = json.loads((_REF / "r" / "adas_sitegr1.json").read_text())
    fit = irtrial.mmrm(adas, "change ~ baseline + SITEGR1 + arm * visit", df="residual")
    assert fit.n_obs == ref["n_obs"] and fit.n_subjects == ref["n_subjects"]
    lsm = fit.lsmeans("arm", by="visit")
    want = pd.DataFrame(ref["lsmeans"])
    got = lsm.set_index(["arm", "visit"]).loc[list(zip(want["TRTP"], want["AVISIT"],
                                                       strict=True))]
    np.testing.assert_allclose(got["estimate"], want["estimate"], rtol=1e-4)
    np.testing.assert_allclose(got["std_error"], want["std_error"], rtol=1e-4)
    con = fit.contrasts("arm", by="visit")
    want = pd.DataFrame(ref["contrasts"])
    arm = want["contrast"].str.removesuffix(" - Placebo")
    got = con.set_index(["arm", "visit"]).loc[list(zip(arm, want["AVISIT"], strict=True))]
    np.testing.assert_allclose(got["estimate"], want["estimate"], rtol=1e-4)
    np.testing.assert_allclose(got["std_error"], want["std_error"], rtol=1e-4)
    # the Week 24 High dose - Placebo difference differs from the site-as-a-number fit
    numeric = pd.DataFrame(ref["contrasts_site_numeric"])
    assert abs(got["estimate"].iloc[-1] - numeric["estimate"].iloc[-1]) > 0.1


def test_adas_raw_adam_frame_character_site_is_a_factor():
    # the formula of the issue on the ADaM frame itself: SITEGR1 is character, hence a factor
    import irtrial

    ref = json.loads((_REF / "r" / "adas_sitegr1.json").read_text())
    d, _ = pyreadstat.read_xport(str(_REF / "data" / "adadas_actot.xpt"))
    d = d[(d.DTYPE == "") & (d.ANL01FL == "Y") & (d.AVISIT != "Baseline")].copy()
    d["CHG"] = d["AVAL"] - d["BASE"]
    d["TRTP"] = pd.Categorical(d["TRTP"], ["Placebo", "Xanomeline Low Dose",
                                           "Xanomeline High Dose"])
    d["AVISIT"] = pd.Categorical(d["AVISIT"], ["Week 8", "Week 16", "Week 24"])
    fit = irtrial.mmrm(d, "CHG ~ BASE + SITEGR1 + TRTP * AVISIT", subject="USUBJID",
                       visit="AVISIT", df="residual")
    con = fit.contrasts("TRTP", by="AVISIT")
    want = pd.DataFrame(ref["contrasts"])
    np.testing.assert_allclose(con["estimate"], want["estimate"], rtol=1e-4)
    np.testing.assert_allclose(con["std_error"], want["std_error"], rtol=1e-4)


def test_arms_in_trt01pn_order_and_inconsistent_codes_are_a_problem():
    df = make_adam(params=("PAIN",)).rename(columns={"TRTP": "TRT01P"})
    three = df["USUBJID"].isin(["IRW-S01", "IRW-S02"])
    df.loc[three, "TRT01P"] = "Active high"
    df["TRT01PN"] = df["TRT01P"].map({"Placebo": 0.0, "IR": 10.0, "Active high": 20.0})
    trial = read_trial(df)
    assert trial.arms == ("Placebo", "IR", "Active high")  # not A-Z ("Active high", "IR")
    assert "arms in TRT01PN order: Placebo, IR, Active high; the control goes first" \
        in trial.notes
    df.loc[df.index[0], "TRT01PN"] = 99.0
    with pytest.raises(TrialValidationError, match="cannot order the arms by 'TRT01PN': arm"):
        read_trial(df)
    assert read_trial(df, arm_order=["Placebo", "Active high", "IR"]).arms == (
        "Placebo", "Active high", "IR")


def test_adas_site_factor_kenward_roger_matches_r_mmrm(adas):
    # source: tests/reference/r/adas_sitegr1.R (R mmrm 0.3.18, method = "Kenward-Roger",
    # vcov = "Kenward-Roger-Linear" = SAS DDFM=KR for TYPE=UN)
    import irtrial

    ref = json.loads((_REF / "r" / "adas_sitegr1.json").read_text())["mmrm_kenward_roger_linear"]
    fit = irtrial.mmrm(adas, "change ~ baseline + SITEGR1 + arm * visit", df="kenward-roger")
    for table, got in (("lsmeans", fit.lsmeans("arm", by="visit")),
                       ("contrasts", fit.contrasts("arm", by="visit"))):
        want = pd.DataFrame(ref[table])
        arm = want["TRTP"] if "TRTP" in want else want["contrast"].str.removesuffix(
            " - Placebo")
        got = got.set_index(["arm", "visit"]).loc[list(zip(arm, want["AVISIT"], strict=True))]
        np.testing.assert_allclose(got["estimate"], want["estimate"], rtol=1e-4)
        np.testing.assert_allclose(got["std_error"], want["std_error"], rtol=1e-4)
        np.testing.assert_allclose(got["df"], want["df"], rtol=1e-3)
        if "p_value" in want:
            np.testing.assert_allclose(got["p_value"], want["p_value"], rtol=1e-3)
