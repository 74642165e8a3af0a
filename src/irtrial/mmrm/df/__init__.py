"""Denominator degrees-of-freedom methods, registered by name (SAS ``DDFM=``).

Each method module exposes ``df_1d(state, L, cov) -> (q,) df`` for the rows of ``L`` taken one
at a time, and ``df_md(state, L, cov) -> (f_scale, den_df)`` for the joint F test of all rows
(``f_scale`` is Kenward-Roger's lambda, 1 elsewhere). ``cov`` is the covariance of beta-hat in
use (asymptotic, KR-adjusted or empirical).

=====================  ==========================  ======================================
name                   SAS                         R mmrm ``method=``
=====================  ==========================  ======================================
satterthwaite          DDFM=SATTERTHWAITE          "Satterthwaite"
kenward-roger          DDFM=KR                     "Kenward-Roger" (SAS parametrisation)
kenward-roger-linear   DDFM=KR(FIRSTORDER)         "Kenward-Roger-Linear"
between-within         DDFM=BW                     "Between-Within"
residual               DDFM=RESIDUAL               "Residual"
=====================  ==========================  ======================================

Names are resolved (spellings, defaults, compatibility with the fit) once, by
:func:`irtrial.mmrm.options.resolve_options`; this registry only maps a resolved name to its
module.
"""

from __future__ import annotations

from types import ModuleType

from irtrial.errors import ModelSpecError
from irtrial.mmrm.df import between_within, kenward_roger, residual, satterthwaite

__all__ = ["DF_REGISTRY", "df_method"]

DF_REGISTRY: dict[str, ModuleType] = {
    "satterthwaite": satterthwaite,
    "kenward-roger": kenward_roger,
    "kenward-roger-linear": kenward_roger,
    "between-within": between_within,
    "residual": residual,
}


def df_method(name: str) -> ModuleType:
    """The module implementing the resolved df method ``name`` (one of ``DF_METHODS``)."""
    if name not in DF_REGISTRY:
        raise ModelSpecError(
            f"unknown df method {name!r}; choose one of " + ", ".join(map(repr, DF_REGISTRY))
            + " (irtrial.mmrm.options.resolve_options maps SAS and R spellings)"
        )
    return DF_REGISTRY[name]
