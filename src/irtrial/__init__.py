"""irtrial: statistics for randomised placebo-controlled trials with repeated measurements.

The public API is listed in ``__all__``; everything else is internal.
"""

from __future__ import annotations

from irtrial.errors import (
    ConvergenceError,
    InsufficientDataError,
    IrtrialError,
    IrtrialWarning,
    ModelSpecError,
    SingularDesignError,
    TrialValidationError,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "ConvergenceError",
    "InsufficientDataError",
    "IrtrialError",
    "IrtrialWarning",
    "ModelSpecError",
    "SingularDesignError",
    "TrialValidationError",
]

# --- foundation (issue 2): add imports and names below this line ---
from irtrial.trial import Trial, TrialSchema, read_trial  # noqa: E402

__all__ += ["Trial", "TrialSchema", "read_trial"]

from irtrial.synthetic import TrialDesign, ir_wrap_trial, simulate_trial  # noqa: E402

__all__ += ["TrialDesign", "ir_wrap_trial", "simulate_trial"]

# --- mmrm (issue 3): add imports and names below this line ---
# ``irtrial.mmrm`` is the package and is callable: irtrial.mmrm(data, formula, ...)
from irtrial import mmrm  # noqa: E402
from irtrial.mmrm import FitControl, MMRMResult  # noqa: E402

__all__ += ["mmrm", "MMRMResult", "FitControl"]

# --- comparisons (issue 4): add imports and names below this line ---
from irtrial.analysis import (  # noqa: E402
    ComparisonResult,
    ancova,
    effect_sizes,
    mann_whitney,
    mixed_anova,
    welch_test,
    within_arm,
)

__all__ += [
    "ComparisonResult",
    "ancova",
    "effect_sizes",
    "mann_whitney",
    "mixed_anova",
    "welch_test",
    "within_arm",
]

from irtrial.analysis import (  # noqa: E402
    ResponderCurve,
    ResponderDefinition,
    ResponderResult,
    adjust_p_values,
    compare_proportions,
    number_needed_to_treat,
    responder_analysis,
    responder_curve,
    responders,
)

__all__ += [
    "ResponderCurve",
    "ResponderDefinition",
    "ResponderResult",
    "adjust_p_values",
    "compare_proportions",
    "number_needed_to_treat",
    "responder_analysis",
    "responder_curve",
    "responders",
]

# --- power (issue 11): analytic and simulation power, ``irtrial.power`` ---
from irtrial import power  # noqa: E402

__all__ += ["power"]

# --- study plan (issue 9): the pre-specified analysis ---
from irtrial.errors import PlanValidationError  # noqa: E402
from irtrial.plan import PrimaryFit, StudyPlan, fit_primary, read_plan  # noqa: E402

__all__ += ["PlanValidationError", "PrimaryFit", "StudyPlan", "fit_primary", "read_plan"]

# --- sensitivity (issue 10): reference-based imputation, tipping point ---
from irtrial.sensitivity import SensitivityResult, reference_based, tipping_point  # noqa: E402

__all__ += ["SensitivityResult", "reference_based", "tipping_point"]

# --- report (issue 9): the callable package ``irtrial.report(trial, plan, out=DIR)`` ---
# imported on first use (it pulls in matplotlib and Jinja2, which the analyses do not need)
__all__ += ["report"]


def __getattr__(name: str):
    if name == "report":
        import importlib

        return importlib.import_module("irtrial.report")
    raise AttributeError(f"module 'irtrial' has no attribute {name!r}")
