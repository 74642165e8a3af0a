"""The study plan (the SAP's pre-specified analysis) and the primary analysis it drives.

Examples
--------
>>> from irtrial.plan import StudyPlan
>>> StudyPlan.from_options(covariance="TOEPH").primary.covariance_sas
('TOEPH',)
"""

from irtrial.plan.check import check_against_trial
from irtrial.plan.model import (
    DEFAULT_COVARIANCE,
    IMMPACT,
    DataMapping,
    Endpoint,
    Estimand,
    IntercurrentEvent,
    Multiplicity,
    PrimaryModel,
    Responders,
    ResponderSpec,
    SensitivityAnalysis,
    StudyPlan,
    Supportive,
)
from irtrial.plan.primary import CovarianceAttempt, PrimaryFit, fit_primary
from irtrial.plan.read import read_plan

__all__ = [
    "DEFAULT_COVARIANCE",
    "IMMPACT",
    "DataMapping",
    "Endpoint",
    "Estimand",
    "IntercurrentEvent",
    "Multiplicity",
    "PrimaryModel",
    "Responders",
    "ResponderSpec",
    "SensitivityAnalysis",
    "StudyPlan",
    "Supportive",
    "read_plan",
    "check_against_trial",
    "CovarianceAttempt",
    "PrimaryFit",
    "fit_primary",
]
