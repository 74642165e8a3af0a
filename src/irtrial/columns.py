"""Column names, decided once: the tidy output vocabulary and the canonical trial roles.

Every result table uses the output names; every ``Trial.data`` uses the role names.
Rename here, nowhere else.
"""

from __future__ import annotations

# ---- tidy output vocabulary (broom / mmrm ``tidy`` with identifier-safe names) ----
TERM = "term"
ESTIMATE = "estimate"
STD_ERROR = "std_error"
DF = "df"
STATISTIC = "statistic"
P_VALUE = "p_value"
CI_LOWER = "ci_lower"
CI_UPPER = "ci_upper"
NUM_DF = "num_df"
DEN_DF = "den_df"
F_VALUE = "f_value"
N = "n"

#: the columns of every estimate table, in this order
ESTIMATE_COLUMNS = [ESTIMATE, STD_ERROR, DF, STATISTIC, P_VALUE, CI_LOWER, CI_UPPER]

# ---- canonical roles inside ``Trial.data`` ----
SUBJECT = "subject"
ARM = "arm"
VISIT = "visit"
VISIT_NUM = "visit_num"
VALUE = "value"
BASELINE = "baseline"
CHANGE = "change"
PCT_CHANGE = "pct_change"

# ---- CDISC ADaM BDS names recognised on input ----
ADAM_SUBJECT = "USUBJID"
ADAM_ARMS = ("TRT01P", "TRTP", "ARM", "TRT01A", "TRTA", "ARMCD")
ADAM_VISIT = "AVISIT"
ADAM_VISITN = "AVISITN"
ADAM_VALUE = "AVAL"
ADAM_BASE = "BASE"
ADAM_CHG = "CHG"
ADAM_PCHG = "PCHG"
ADAM_BASELINE_FLAG = "ABLFL"
ADAM_PARAMCD = "PARAMCD"
