"""Spellings of the plan's choices: SAS, R ``mmrm`` and irtrial's own names, in one place.

A plan may write a covariance structure or a df method as SAS does (``TYPE=ARH(1)``,
``DDFM=KR(FIRSTORDER)``) or as irtrial does (``"ar1h"``, ``"kenward-roger-linear"``); the plan
keeps irtrial's name and every output shows the SAS spelling.

Examples
--------
>>> covariance_name("ARH(1)"), COVARIANCE_SAS["ar1h"]
('ar1h', 'ARH(1)')
>>> df_name("KR(FIRSTORDER)")
'kenward-roger-linear'
"""

from __future__ import annotations

__all__ = [
    "COVARIANCE_SAS",
    "COVARIANCE_R",
    "DF_SAS",
    "DF_R",
    "METHODS",
    "SUPPORTIVE_ANALYSES",
    "MULTIPLICITY_METHODS",
    "MULTIPLICITY_FAMILIES",
    "ICE_STRATEGIES",
    "covariance_name",
    "df_name",
    "vcov_name",
]

#: irtrial name -> SAS ``TYPE=``
COVARIANCE_SAS: dict[str, str] = {
    "us": "UN", "cs": "CS", "csh": "CSH", "ar1": "AR(1)", "ar1h": "ARH(1)",
    "toep": "TOEP", "toeph": "TOEPH", "ad": "ANTE(1) homogeneous", "adh": "ANTE(1)",
}
#: irtrial name -> R mmrm covariance function
COVARIANCE_R: dict[str, str] = {
    "us": "us", "cs": "cs", "csh": "csh", "ar1": "ar1", "ar1h": "ar1h",
    "toep": "toep", "toeph": "toeph", "ad": "ad", "adh": "adh",
}
_COVARIANCE_ALIASES = {
    "un": "us", "unstructured": "us", "ar(1)": "ar1", "arh(1)": "ar1h", "ante(1)": "adh",
    "ante(1) homogeneous": "ad",
}

#: irtrial df name -> SAS ``DDFM=``
DF_SAS: dict[str, str] = {
    "kenward-roger": "KR", "kenward-roger-linear": "KR(FIRSTORDER)",
    "satterthwaite": "SATTERTHWAITE", "between-within": "BW", "residual": "RESIDUAL",
}
#: irtrial df name -> R mmrm ``method =``
DF_R: dict[str, str] = {
    "kenward-roger": "Kenward-Roger", "kenward-roger-linear": "Kenward-Roger",
    "satterthwaite": "Satterthwaite", "between-within": "Between-Within",
    "residual": "Residual",
}
_DF_ALIASES = {
    "kr": "kenward-roger", "kenwardroger": "kenward-roger",
    "kr(firstorder)": "kenward-roger-linear", "kr-linear": "kenward-roger-linear",
    "kr(linear)": "kenward-roger-linear", "kenwardroger(firstorder)": "kenward-roger-linear",
    "kenwardroger(linear)": "kenward-roger-linear",
    "satterth": "satterthwaite", "satterthwaite": "satterthwaite", "sat": "satterthwaite",
    "bw": "between-within", "betwithin": "between-within", "resid": "residual",
    "res": "residual",
}
_VCOV = ("asymptotic", "kenward-roger", "kenward-roger-linear", "empirical")

#: estimation methods (SAS ``METHOD=``)
METHODS = ("reml", "ml")

#: supportive analyses a plan may list (functions of :mod:`irtrial.analysis`)
SUPPORTIVE_ANALYSES = ("ancova", "welch", "mann_whitney", "within_arm", "effect_sizes",
                       "mixed_anova")

MULTIPLICITY_METHODS = ("none", "bonferroni", "holm", "hochberg", "fixed-sequence", "dunnett")
#: what the adjustment runs over: the active arms against the control at the primary visit,
#: the visits of each arm, or every arm x visit
MULTIPLICITY_FAMILIES = ("arms", "visits", "arms x visits")

#: ICH E9(R1) strategies for intercurrent events
ICE_STRATEGIES = ("treatment policy", "hypothetical", "composite", "while on treatment",
                  "principal stratum")


def _key(name: object) -> str:
    return " ".join(str(name).strip().lower().replace("_", "-").split())


def covariance_name(name: object) -> str | None:
    """irtrial's name of a covariance structure written as in SAS or irtrial; None if unknown.

    The spellings the engine accepts (:data:`irtrial.mmrm.options.COVARIANCE_NAMES`) and a few
    more (``"unstructured"``).
    """
    from irtrial.mmrm.options import COVARIANCE_NAMES

    key = _key(name)
    key = _COVARIANCE_ALIASES.get(key, COVARIANCE_NAMES.get(key.replace(" ", ""), key))
    return key if key in COVARIANCE_SAS else None


def df_name(name: object) -> str | None:
    """irtrial's name of a df method written as in SAS (``KR``, ``KR(FIRSTORDER)``) or irtrial."""
    key = _key(name).replace(" ", "")
    key = _DF_ALIASES.get(key, key)
    return key if key in DF_SAS else None


def vcov_name(name: object) -> str | None:
    """irtrial's name of a fixed-effects covariance (``asymptotic``, ``empirical``...)."""
    key = _key(name).replace(" ", "")
    key = {"kr": "kenward-roger", "kr(firstorder)": "kenward-roger-linear",
           "kr(linear)": "kenward-roger-linear", "model": "asymptotic",
           "model-based": "asymptotic", "sandwich": "empirical"}.get(key, key)
    return key if key in _VCOV else None
