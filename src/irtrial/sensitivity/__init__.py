"""Missing-data sensitivity analyses: reference-based imputation, delta adjustment, tipping point.

``reference_based`` (MAR, JR, CR, CIR, LMCF or a user strategy; conditional mean with jackknife
or bootstrap, approximate Bayesian MI with Rubin's rules) and ``tipping_point`` (delta grid),
matching R rbmi.
"""

from __future__ import annotations

from irtrial.sensitivity.plot import plot_tipping_point
from irtrial.sensitivity.pool import rubin
from irtrial.sensitivity.reference_based import reference_based
from irtrial.sensitivity.result import SensitivityResult, TippingPointResult
from irtrial.sensitivity.strategies import STRATEGIES
from irtrial.sensitivity.tipping_point import tipping_point

__all__ = [
    "reference_based",
    "tipping_point",
    "SensitivityResult",
    "TippingPointResult",
    "STRATEGIES",
    "rubin",
    "plot_tipping_point",
]
