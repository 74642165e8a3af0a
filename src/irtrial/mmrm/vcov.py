"""Covariance of the fixed-effects estimates beta-hat.

``asymptotic``
    ``Phi = (X' V^-1 X)^-1`` (SAS's model-based "Covariance Matrix for Fixed Effects").
``kenward-roger``, ``kenward-roger-linear``
    The Kenward-Roger adjusted ``Phi_A`` (SAS ``DDFM=KR`` / ``DDFM=KR(FIRSTORDER)``), see
    :mod:`irtrial.mmrm.df.kenward_roger`.
``empirical``
    The sandwich ``Phi (sum_s X_s' V_s^-1 r_s r_s' V_s^-1 X_s) Phi`` over subjects ``s``
    (SAS ``EMPIRICAL``: classical CR0, no small-sample correction; R mmrm ``vcov="Empirical"``).
    With observation weights ``V_s^-1 = W^1/2 Sigma_s^-1 W^1/2``, as SAS ``WEIGHT``.

References: Kenward & Roger 1997 (Biometrics 53:983-997); Liang & Zeger 1986 (sandwich);
SAS/STAT PROC MIXED ``EMPIRICAL``; mmrm vignette "empirical".

Examples
--------
>>> import numpy as np, irtrial
>>> from irtrial.synthetic import ir_wrap_trial
>>> fit = irtrial.mmrm(ir_wrap_trial(), df="kenward-roger")
>>> {v: float(np.sqrt(beta_vcov(fit.state, v)[2, 2]).round(4)) for v in VCOV_METHODS}
{'asymptotic': 0.326, 'kenward-roger': 0.3265, 'kenward-roger-linear': 0.3265, 'empirical': 0.331}
"""

from __future__ import annotations

import numpy as np

from irtrial.errors import ModelSpecError
from irtrial.mmrm._information import get_information, get_light_information
from irtrial.mmrm._types import VCOV_METHODS, ModelState
from irtrial.mmrm.df import kenward_roger

__all__ = ["beta_vcov", "empirical_vcov"]


def empirical_vcov(state: ModelState) -> np.ndarray:
    """Cluster-robust (CR0) sandwich covariance, summed per pattern."""
    info = get_information(state)
    p = info.phi.shape[0]
    meat = np.zeros((p, p))
    for s in info.scores():
        meat += s.T @ s
    out = info.phi @ meat @ info.phi
    return (out + out.T) / 2.0


def beta_vcov(state: ModelState, vcov: str = "asymptotic") -> np.ndarray:
    """(p, p) covariance of beta-hat by method ``vcov`` (one of ``VCOV_METHODS``)."""
    key = str(vcov).lower()
    if key == "asymptotic":
        return get_light_information(state).phi.copy()
    if key == "kenward-roger":
        return kenward_roger.adjusted_vcov(state, linear=False)
    if key == "kenward-roger-linear":
        return kenward_roger.adjusted_vcov(state, linear=True)
    if key == "empirical":
        return empirical_vcov(state)
    choices = ", ".join(map(repr, VCOV_METHODS))
    raise ModelSpecError(f"unknown vcov {vcov!r}; choose one of {choices}")
