"""Between-within df (SAS DDFM=BW, R mmrm "Between-Within").

# source: R mmrm vignette "between_within" (FEV1 ~ RACE + SEX + ARMCD * AVISIT on fev_data:
#   197 subjects, 537 observations -> between df 197 - (1 + 4) = 192, within 537 - (197 + 6) = 334)
# source: tests/reference/sas/inference_fev.json "empirical" (design/Robust: DF 195 = 197 - 2 for
#   the between-subject treatment contrast of FEV1 ~ ARMCD)
"""

from __future__ import annotations

import numpy as np
from _inference_helpers import full_model_state, sas_ref, sas_state

from irtrial.mmrm import testing
from irtrial.mmrm.df import between_within


def test_coefficient_df_follow_the_vignette():
    state, _ = full_model_state("satterthwaite")
    dfs = dict(zip(state.design.column_names, between_within.coefficient_df(state), strict=True))
    assert dfs["Intercept"] == 334
    for col in ("RACE[T.White]", "RACE[T.Black or African American]", "SEX[T.Female]",
                "ARMCD[T.TRT]"):
        assert dfs[col] == 192
    for col in ("AVISIT[T.VIS2]", "ARMCD[T.TRT]:AVISIT[T.VIS4]"):
        assert dfs[col] == 334


def test_contrast_takes_the_minimum_over_its_coefficients():
    state, _ = full_model_state("satterthwaite")
    L = np.zeros((1, state.beta.size))
    L[0, state.design.column_names.index("ARMCD[T.TRT]")] = 1.0
    L[0, state.design.column_names.index("ARMCD[T.TRT]:AVISIT[T.VIS2]")] = 1.0
    assert testing.contrast_table(state, L, None, df="between-within").df[0] == 192


def test_between_subject_contrast_matches_sas():
    state, _ = sas_state("empirical", "us")
    df = between_within.df_1d(state, np.array([[0.0, 1.0]]), None)[0]
    assert df == sas_ref()["empirical"]["us"]["diff_TRT_PBO"]["DF"] == 195
