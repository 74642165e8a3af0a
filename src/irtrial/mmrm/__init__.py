"""Mixed models for repeated measures (MMRM): ``irtrial.mmrm(data, formula, ...)``.

The engine (``design``, ``covariance``, ``likelihood``, ``fit``) builds a ``ModelState``; the
inference layer (``df``, ``vcov``, ``testing``, ``lsmeans``) reads it. See ``_types.py``.
"""

from __future__ import annotations

import sys
import types

from irtrial.mmrm._api import TRIAL_FORMULA, mmrm
from irtrial.mmrm.conditional import ConditionalNormal, conditional_normal
from irtrial.mmrm.control import FitControl
from irtrial.mmrm.covariance import COVARIANCE_TYPES
from irtrial.mmrm.mixedlm import mixedlm
from irtrial.mmrm.model import MMRM, RefitResult
from irtrial.mmrm.result import MMRMResult

__all__ = [
    "mmrm",
    "mixedlm",
    "MMRM",
    "RefitResult",
    "MMRMResult",
    "FitControl",
    "COVARIANCE_TYPES",
    "TRIAL_FORMULA",
    "conditional_normal",
    "ConditionalNormal",
]


class _CallableModule(types.ModuleType):
    """``irtrial.mmrm`` is both this package and the fitting function: ``irtrial.mmrm(...)``."""

    def __call__(self, *args, **kwargs):
        return mmrm(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
