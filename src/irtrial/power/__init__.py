"""Power and sample size: analytic formulas and simulation of any irtrial analysis.

Analytic (each solves for whichever of ``n`` and ``power`` is missing): :func:`ttest`,
:func:`ancova`, :func:`proportions`, :func:`mmrm` (Lu, Luo & Chen 2008).

>>> from irtrial import power
>>> power.ttest(delta=1, sd=1, power=0.9).n_required
(23, 23)
"""

from __future__ import annotations

from irtrial.power.analytic import ancova, ttest
from irtrial.power.longitudinal import inflation_factor, mmrm
from irtrial.power.proportions import proportions
from irtrial.power.result import PowerResult

__all__ = ["PowerResult", "ancova", "inflation_factor", "mmrm", "proportions", "ttest"]
