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
"""

from __future__ import annotations

from types import ModuleType

from irtrial.errors import ModelSpecError
from irtrial.mmrm.df import between_within, kenward_roger, residual, satterthwaite

__all__ = ["DF_REGISTRY", "df_method", "default_vcov"]

DF_REGISTRY: dict[str, ModuleType] = {
    "satterthwaite": satterthwaite,
    "kenward-roger": kenward_roger,
    "kenward-roger-linear": kenward_roger,
    "between-within": between_within,
    "residual": residual,
}

_DEFAULT_VCOV = {
    "kenward-roger": "kenward-roger",
    "kenward-roger-linear": "kenward-roger-linear",
}


def df_method(name: str) -> ModuleType:
    """The module implementing df method ``name``; a clear error for an unknown name."""
    key = str(name).lower()
    if key not in DF_REGISTRY:
        raise ModelSpecError(
            f"unknown df method {name!r}; choose one of " + ", ".join(map(repr, DF_REGISTRY))
        )
    return DF_REGISTRY[key]


def default_vcov(df: str) -> str:
    """The covariance a df method uses by default (KR-adjusted for the KR methods)."""
    return _DEFAULT_VCOV.get(str(df).lower(), "asymptotic")
