"""Power and sample size: analytic formulas and simulation of any irtrial analysis.

Analytic (each solves for whichever of ``n`` and ``power`` is missing): :func:`ttest`,
:func:`ancova`, :func:`proportions`, :func:`mmrm` (Lu, Luo & Chen 2008). Simulation:
:func:`simulate` (power of any analysis, with Monte Carlo error, bias, coverage, failures)
and :func:`sample_size` (a smoothed simulated power curve solved for a target), on joblib
workers or an existing Dask cluster (``scheduler="tcp://..."``).

>>> from irtrial import power
>>> power.ttest(delta=1, sd=1, power=0.9).n_required
(23, 23)
"""

from __future__ import annotations

from irtrial.power.analyses import (
    AncovaAnalysis,
    MMRMAnalysis,
    ResponderAnalysis,
    TrialAnalysis,
    true_effect,
)
from irtrial.power.analytic import ancova, ttest
from irtrial.power.design_inputs import analytic_inputs
from irtrial.power.longitudinal import inflation_factor, mmrm
from irtrial.power.proportions import proportions
from irtrial.power.result import PowerResult
from irtrial.power.simulate import SampleSizeResult, SimulationResult, sample_size, simulate

__all__ = [
    "AncovaAnalysis",
    "MMRMAnalysis",
    "PowerResult",
    "ResponderAnalysis",
    "SampleSizeResult",
    "SimulationResult",
    "TrialAnalysis",
    "analytic_inputs",
    "ancova",
    "inflation_factor",
    "mmrm",
    "proportions",
    "sample_size",
    "simulate",
    "true_effect",
    "ttest",
]
