"""Supportive and secondary analyses that compare each active arm with the control."""

from irtrial.analysis._compare import NOT_COMPUTABLE
from irtrial.analysis.ancova import ancova
from irtrial.analysis.effect_sizes import effect_sizes
from irtrial.analysis.mixed_anova import mixed_anova
from irtrial.analysis.multiplicity import adjust_p_values
from irtrial.analysis.proportions import compare_proportions, number_needed_to_treat
from irtrial.analysis.responder_curve import ResponderCurve, responder_curve
from irtrial.analysis.responders import ResponderDefinition, ResponderResult, responder_analysis
from irtrial.analysis.result import ComparisonResult
from irtrial.analysis.twosample import mann_whitney, welch_test
from irtrial.analysis.within import within_arm

__all__: list[str] = [
    "ComparisonResult",
    "NOT_COMPUTABLE",
    "ancova",
    "effect_sizes",
    "mann_whitney",
    "mixed_anova",
    "welch_test",
    "within_arm",
    # responders, proportions, multiplicity
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

#: short name used in the issue and the docs: ``irtrial.responders(trial)``
responders = responder_analysis
