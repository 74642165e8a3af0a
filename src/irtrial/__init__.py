"""irtrial: statistics for randomised placebo-controlled trials with repeated measurements.

The public API is listed in ``__all__``; everything else is internal. Names are imported on
first use (PEP 562), so ``import irtrial`` and the command line start quickly and a command
loads only what it uses (numpy, pandas and scipy come with the first analysis).

Examples
--------
>>> import irtrial
>>> irtrial.read_trial.__module__
'irtrial.trial.load'
>>> "mmrm" in dir(irtrial)
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from irtrial.errors import (
    ConvergenceError,
    InsufficientDataError,
    IrtrialError,
    IrtrialWarning,
    ModelSpecError,
    PlanValidationError,
    SingularDesignError,
    TrialValidationError,
)

__version__ = "0.1.0"

#: public name -> the module that defines it (a subpackage: the name is the module itself;
#: ``irtrial.mmrm``, ``irtrial.power`` and ``irtrial.report`` are callable packages)
_LAZY = {
    # foundation
    "Trial": "irtrial.trial", "TrialSchema": "irtrial.trial", "read_trial": "irtrial.trial",
    "TrialDesign": "irtrial.synthetic", "ir_wrap_trial": "irtrial.synthetic",
    "simulate_trial": "irtrial.synthetic",
    # the MMRM
    "mmrm": "irtrial.mmrm", "MMRMResult": "irtrial.mmrm", "FitControl": "irtrial.mmrm",
    # comparisons and responders
    **dict.fromkeys(
        ("ComparisonResult", "ancova", "effect_sizes", "mann_whitney", "mixed_anova",
         "welch_test", "within_arm", "ResponderCurve", "ResponderDefinition",
         "ResponderResult", "adjust_p_values", "compare_proportions",
         "number_needed_to_treat", "responder_analysis", "responder_curve", "responders"),
        "irtrial.analysis"),
    # power, the study plan, sensitivity analyses, the report
    "power": "irtrial.power",
    "PrimaryFit": "irtrial.plan", "StudyPlan": "irtrial.plan", "fit_primary": "irtrial.plan",
    "read_plan": "irtrial.plan",
    "SensitivityResult": "irtrial.sensitivity", "reference_based": "irtrial.sensitivity",
    "tipping_point": "irtrial.sensitivity",
    "report": "irtrial.report",
}

__all__ = [
    "__version__",
    "ConvergenceError",
    "InsufficientDataError",
    "IrtrialError",
    "IrtrialWarning",
    "ModelSpecError",
    "PlanValidationError",
    "SingularDesignError",
    "TrialValidationError",
    # imported on first use (see _LAZY)
    "mmrm", "MMRMResult", "FitControl", "Trial", "TrialSchema", "read_trial", "TrialDesign",
    "ir_wrap_trial", "simulate_trial", "ComparisonResult", "ancova", "effect_sizes",
    "mann_whitney", "mixed_anova", "welch_test", "within_arm", "ResponderCurve",
    "ResponderDefinition", "ResponderResult", "adjust_p_values", "compare_proportions",
    "number_needed_to_treat", "responder_analysis", "responder_curve", "responders", "power",
    "PrimaryFit", "StudyPlan", "fit_primary", "read_plan", "SensitivityResult",
    "reference_based", "tipping_point", "report",
]


def __getattr__(name: str):
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'irtrial' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if module_name == f"irtrial.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from irtrial import mmrm, power, report
    from irtrial.analysis import (
        ComparisonResult,
        ResponderCurve,
        ResponderDefinition,
        ResponderResult,
        adjust_p_values,
        ancova,
        compare_proportions,
        effect_sizes,
        mann_whitney,
        mixed_anova,
        number_needed_to_treat,
        responder_analysis,
        responder_curve,
        responders,
        welch_test,
        within_arm,
    )
    from irtrial.mmrm import FitControl, MMRMResult
    from irtrial.plan import PrimaryFit, StudyPlan, fit_primary, read_plan
    from irtrial.sensitivity import SensitivityResult, reference_based, tipping_point
    from irtrial.synthetic import TrialDesign, ir_wrap_trial, simulate_trial
    from irtrial.trial import Trial, TrialSchema, read_trial
