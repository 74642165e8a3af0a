"""Residual covariance structures of the MMRM, registered by name.

Each structure implements the ``CovarianceStructure`` contract of ``irtrial.mmrm._types``
(``sigma``, ``dsigma``, ``d2sigma`` in SAS's reporting parametrisation, per group).
Adding a structure means one module plus one line in :data:`COVARIANCE_TYPES`.

======  =====================  ==========================  ==================================
name    SAS ``TYPE=``          parameters per group        R ``mmrm``
======  =====================  ==========================  ==================================
us      UN                     UN(i,j), lower triangle     ``us(AVISIT | USUBJID)``
cs      CS                     CS, Residual                ``cs(...)``
csh     CSH                    Var(1..v), CSH              ``csh(...)``
ar1     AR(1)                  AR(1), Residual             ``ar1(...)``
ar1h    ARH(1)                 Var(1..v), ARH(1)           ``ar1h(...)``
toep    TOEP                   TOEP(2..v), Residual        ``toep(...)``
toeph   TOEPH                  Var(1..v), TOEPH(1..v-1)    ``toeph(...)``
ad      (none)                 Var, Rho(1..v-1)            ``ad(...)``
adh     ANTE(1)                Var(1..v), Rho(1..v-1)      ``adh(...)``
======  =====================  ==========================  ==================================
"""

from __future__ import annotations

from irtrial.errors import ModelSpecError
from irtrial.mmrm.covariance._base import CovarianceBase
from irtrial.mmrm.covariance.ad import AnteDependence, HeterogeneousAnteDependence
from irtrial.mmrm.covariance.ar1 import AR1, HeterogeneousAR1
from irtrial.mmrm.covariance.cs import CompoundSymmetry, HeterogeneousCompoundSymmetry
from irtrial.mmrm.covariance.toep import HeterogeneousToeplitz, Toeplitz
from irtrial.mmrm.covariance.us import Unstructured

__all__ = [
    "COVARIANCE_TYPES",
    "CovarianceBase",
    "make_covariance",
    "Unstructured",
    "CompoundSymmetry",
    "HeterogeneousCompoundSymmetry",
    "AR1",
    "HeterogeneousAR1",
    "Toeplitz",
    "HeterogeneousToeplitz",
    "AnteDependence",
    "HeterogeneousAnteDependence",
]

COVARIANCE_TYPES: dict[str, type[CovarianceBase]] = {
    "us": Unstructured,
    "cs": CompoundSymmetry,
    "csh": HeterogeneousCompoundSymmetry,
    "ar1": AR1,
    "ar1h": HeterogeneousAR1,
    "toep": Toeplitz,
    "toeph": HeterogeneousToeplitz,
    "ad": AnteDependence,
    "adh": HeterogeneousAnteDependence,
}


def make_covariance(name: str, n_visits: int, n_groups: int = 1) -> CovarianceBase:
    """Build the structure ``name`` over ``n_visits`` visits with ``n_groups`` groups.

    Examples
    --------
    >>> s = make_covariance("ar1", 4)
    >>> s.param_names
    ['AR(1)', 'Residual']
    >>> round(float(s.sigma([0.5, 2.0])[0, 2]), 6)
    0.5
    """
    key = str(name).lower()
    if key not in COVARIANCE_TYPES:
        raise ModelSpecError(
            f"unknown covariance structure {name!r}; choose one of "
            + ", ".join(repr(k) for k in COVARIANCE_TYPES)
        )
    return COVARIANCE_TYPES[key](n_visits, n_groups)
