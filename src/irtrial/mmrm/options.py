"""The MMRM's options, resolved once: spellings mapped, defaults applied, every problem listed.

:func:`resolve_options` is the one place where the covariance structure, the estimation method,
the denominator degrees of freedom, the covariance of beta-hat and the confidence level are
validated, lower-cased, mapped from their SAS and R spellings and defaulted. The fit stores the
resulting :class:`MMRMOptions` on its result; the inference layer (``testing``, ``lsmeans``)
reads the resolved names and never re-defaults them.

Accepted spellings (any case, spaces ignored):

=====================  ===========================================================
irtrial name           also accepted
=====================  ===========================================================
covariance ``us``      ``UN`` (SAS ``TYPE=UN``)
``cs`` / ``csh``       ``CS`` / ``CSH``
``ar1`` / ``ar1h``     ``AR(1)`` / ``ARH(1)``
``toep`` / ``toeph``   ``TOEP`` / ``TOEPH``
``adh``                ``ANTE(1)`` (``ad``, homogeneous ante-dependence, has no SAS name)
df ``kenward-roger``   ``KR``, ``KENWARDROGER`` (SAS ``DDFM=KR``), R ``"Kenward-Roger"``
``kenward-roger-linear``  ``KR(LINEAR)``, ``KR(FIRSTORDER)``, ``KENWARDROGER(FIRSTORDER)``
``satterthwaite``      ``SATTERTH``, ``SATTERTHWAITE``, ``SAT``
``between-within``     ``BW``, ``BETWITHIN``
``residual``           ``RESIDUAL``, ``RES``
vcov ``asymptotic``    ``MODEL``, ``MODEL-BASED`` (SAS's default covariance)
``kenward-roger``...   as the df names (the KR-adjusted covariance)
``empirical``          ``EMPIRICAL`` (SAS ``EMPIRICAL``), R ``"Empirical"``
method ``reml``/``ml``  ``REML``, ``ML``
=====================  ===========================================================

Defaults, as SAS: ``df=None`` is between-within with ``vcov="empirical"``, Kenward-Roger under
REML (the recommended primary analysis) and Satterthwaite under ML, where Kenward-Roger is not
defined. ``vcov=None`` is the KR-adjusted covariance for the two Kenward-Roger df methods, else
the asymptotic (model-based) one. The result says which values were defaults
(:attr:`MMRMOptions.df_default`, :attr:`MMRMOptions.vcov_default`).

Examples
--------
>>> o = resolve_options("UN", "REML", "KR(FIRSTORDER)", None, 0.95)
>>> o.covariance, o.method, o.df, o.vcov
('us', 'reml', 'kenward-roger-linear', 'kenward-roger-linear')
>>> resolve_options("ARH(1)", "ml", None, None, 0.9).describe()
'covariance ar1h, ML, df satterthwaite (default under ML), vcov asymptotic (default), 90% CIs'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from irtrial.errors import ModelSpecError
from irtrial.mmrm._types import DF_METHODS, VCOV_METHODS

__all__ = ["MMRMOptions", "resolve_options", "resolve_inference", "vcov_name", "COVARIANCE_NAMES"]

#: covariance spellings -> irtrial name (keys normalised: lower case, no spaces)
COVARIANCE_NAMES = {
    **{k: k for k in ("us", "cs", "csh", "ar1", "ar1h", "toep", "toeph", "ad", "adh")},
    "un": "us",
    "ar(1)": "ar1",
    "arh(1)": "ar1h",
    "ante(1)": "adh",
}

#: SAS / R spellings of Kenward-Roger, the same for the df method and the vcov
_KR_SPELLINGS = {
    "kr": "kenward-roger",
    "kenwardroger": "kenward-roger",
    "kr(linear)": "kenward-roger-linear",
    "kr(firstorder)": "kenward-roger-linear",
    "kenwardroger(firstorder)": "kenward-roger-linear",
    "kenwardroger(linear)": "kenward-roger-linear",
}

_DF_NAMES = {
    **{k: k for k in DF_METHODS},
    **_KR_SPELLINGS,
    "satterth": "satterthwaite",
    "sat": "satterthwaite",
    "bw": "between-within",
    "betwithin": "between-within",
    "res": "residual",
}

_VCOV_NAMES = {
    **{k: k for k in VCOV_METHODS},
    "model": "asymptotic",
    "model-based": "asymptotic",
    **_KR_SPELLINGS,
}

_KR = ("kenward-roger", "kenward-roger-linear")
_MODEL_BASED_DF = ("satterthwaite", *_KR)


def _key(value) -> str:
    return re.sub(r"\s+", "", str(value)).lower().replace("_", "-")


@dataclass(frozen=True)
class MMRMOptions:
    """The resolved options of an MMRM fit (see :func:`resolve_options`).

    Attributes
    ----------
    covariance : str
        One of ``irtrial.mmrm.COVARIANCE_TYPES`` (``"us"``, ``"cs"``, ...).
    method : {"reml", "ml"}
    df : str
        One of ``DF_METHODS``: the denominator df of every test and interval.
    vcov : str
        One of ``VCOV_METHODS``: the covariance of beta-hat every SE uses (never None).
    conf_level : float
    df_default, vcov_default : bool
        Whether ``df`` / ``vcov`` were chosen by default rather than given.
    """

    covariance: str
    method: str
    df: str
    vcov: str
    conf_level: float
    df_default: bool = False
    vcov_default: bool = False

    def describe(self) -> str:
        """One line for summaries, saying which values are defaults."""
        df = self.df
        if self.df_default:
            why = ("with vcov empirical" if self.vcov == "empirical"
                   else f"under {self.method.upper()}")
            df += f" (default {why})"
        vcov = self.vcov + (" (default)" if self.vcov_default else "")
        level = f"{100 * self.conf_level:g}% CIs"
        return (f"covariance {self.covariance}, {self.method.upper()}, df {df}, vcov {vcov}, "
                f"{level}")


def _default_df(method: str, vcov: str | None) -> str:
    if vcov == "empirical":
        return "between-within"
    return "kenward-roger" if method == "reml" else "satterthwaite"


def _default_vcov(df: str) -> str:
    return df if df in _KR else "asymptotic"


def _inference_problems(method, df, vcov, df_given) -> list[str]:
    problems = []
    if method == "ml" and (df in _KR or vcov in _KR):
        problems.append(
            "Kenward-Roger needs method='reml' (a REML fit, as in SAS and R mmrm); use "
            "df='satterthwaite' with method='ml'"
        )
    if vcov == "empirical" and df in _MODEL_BASED_DF:
        problems.append(
            f"df={df_given!r} is not available with vcov='empirical'; use "
            "df='between-within' (SAS's default with EMPIRICAL) or df='residual'"
        )
    return problems


def _lookup(kind, value, names, choices, problems):
    key = _key(value)
    if key in names:
        return names[key]
    problems.append(f"{kind}={value!r} is not one of " + ", ".join(map(repr, choices))
                    + " (or a SAS spelling such as " + _SAS_EXAMPLES[kind] + ")")
    return None


_SAS_EXAMPLES = {
    "covariance": "'UN', 'AR(1)', 'ANTE(1)'",
    "method": "'REML'",
    "df": "'KR', 'KR(FIRSTORDER)', 'SATTERTH', 'BW'",
    "vcov": "'EMPIRICAL', 'KR'",
}


def resolve_options(covariance="us", method="reml", df=None, vcov=None,
                    conf_level=0.95) -> MMRMOptions:
    """Validate, normalise and default the options of an MMRM fit.

    Parameters
    ----------
    covariance : str
        Residual covariance structure, irtrial/R mmrm name or SAS ``TYPE=`` spelling.
    method : str
        ``"reml"`` or ``"ml"`` (any case).
    df : str or None
        Denominator df method (irtrial, R mmrm or SAS ``DDFM=`` spelling); None for the default.
    vcov : str or None
        Covariance of beta-hat; None for the df method's default.
    conf_level : float
        Strictly between 0 and 1.

    Returns
    -------
    MMRMOptions

    Raises
    ------
    ModelSpecError
        Listing every problem at once (unknown names, a bad conf_level, Kenward-Roger with ML,
        a model-based df with the empirical covariance).

    Examples
    --------
    >>> resolve_options("ANTE(1)", "reml", "bw", "EMPIRICAL").df
    'between-within'
    >>> resolve_options("un", "ml", "KR", None)
    Traceback (most recent call last):
    ...
    irtrial.errors.ModelSpecError: invalid MMRM options: Kenward-Roger needs method='reml' ...
    """
    problems: list[str] = []
    cov = _lookup("covariance", covariance, COVARIANCE_NAMES,
                  tuple(dict.fromkeys(COVARIANCE_NAMES.values())), problems)
    meth = _lookup("method", method, {"reml": "reml", "ml": "ml"}, ("reml", "ml"), problems)
    vc = None if vcov is None else _lookup("vcov", vcov, _VCOV_NAMES, VCOV_METHODS, problems)
    dfm = None if df is None else _lookup("df", df, _DF_NAMES, DF_METHODS, problems)
    if isinstance(conf_level, bool) or not (isinstance(conf_level, float | int)
                                            and 0 < conf_level < 1):
        problems.append(f"conf_level={conf_level!r} must be a number between 0 and 1")
    if meth is not None and (vcov is None or vc is not None) and (df is None or dfm is not None):
        if dfm is None:
            dfm = _default_df(meth, vc)
        if vc is None:
            vc = _default_vcov(dfm)
        problems += _inference_problems(meth, dfm, vc, df if df is not None else dfm)
    if problems:
        raise ModelSpecError("invalid MMRM options: " + "; ".join(problems))
    return MMRMOptions(
        covariance=cov, method=meth, df=dfm, vcov=vc, conf_level=float(conf_level),
        df_default=df is None, vcov_default=vcov is None,
    )


def resolve_inference(method: str, df, vcov=None) -> tuple[str, str]:
    """The (df, vcov) pair the inference functions use, resolved as :func:`resolve_options` does.

    For the low-level functions of :mod:`irtrial.mmrm.testing` and :mod:`irtrial.mmrm.lsmeans`
    called directly with a df name (a fitted result passes its already resolved
    :class:`MMRMOptions`).

    Examples
    --------
    >>> resolve_inference("reml", "KR")
    ('kenward-roger', 'kenward-roger')
    """
    problems: list[str] = []
    dfm = _lookup("df", df, _DF_NAMES, DF_METHODS, problems)
    vc = None if vcov is None else _lookup("vcov", vcov, _VCOV_NAMES, VCOV_METHODS, problems)
    if dfm is not None and (vcov is None or vc is not None):
        vc = _default_vcov(dfm) if vc is None else vc
        problems += _inference_problems(method, dfm, vc, df)
    if problems:
        raise ModelSpecError("invalid inference options: " + "; ".join(problems))
    return dfm, vc


def vcov_name(vcov) -> str:
    """The irtrial name of a covariance of beta-hat given in any accepted spelling.

    Examples
    --------
    >>> vcov_name("KR(FIRSTORDER)")
    'kenward-roger-linear'
    """
    problems: list[str] = []
    name = _lookup("vcov", vcov, _VCOV_NAMES, VCOV_METHODS, problems)
    if problems:
        raise ModelSpecError(problems[0])
    return name
