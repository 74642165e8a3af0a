r"""The study plan: the pre-specified analysis of a trial, as frozen value objects.

A :class:`StudyPlan` is what the statistical analysis plan (SAP) fixes before the data are
unblinded: how the file maps to the trial's roles, the endpoint and its direction, the estimand
(ICH E9(R1)), the primary MMRM (formula, covariance with its fallback order, estimation method,
df method, confidence level, primary visit), the supportive analyses, the responder definitions,
the multiplicity adjustment, the sensitivity analyses and the seed. It is read from a TOML file
(:func:`irtrial.plan.read_plan`), built from command-line options
(:meth:`StudyPlan.from_options`) or changed by them (:meth:`StudyPlan.with_overrides`); every
path goes through the same validation, which lists every problem with its key.

The primary model is

.. math:: y_{ij} = \mu + \beta_0 b_i + \sum_k \gamma_k z_{ik} + \alpha_{a(i)} + \tau_j
          + (\alpha\tau)_{a(i)j} + \varepsilon_{ij}, \quad
          \varepsilon_i \sim N(0, \Sigma_i),

with :math:`y_{ij}` the change from baseline (or the value) of subject *i* at post-baseline
visit *j*, :math:`b_i` the baseline, :math:`z_{ik}` the pre-specified covariates, and
:math:`\Sigma` the first structure of the fallback order whose fit converges.
SAS: ``PROC MIXED; CLASS arm visit subject; MODEL change = baseline z arm|visit / DDFM=KR;
REPEATED visit / SUBJECT=subject TYPE=UN;``. R: ``mmrm::mmrm(change ~ baseline + z + arm *
visit + us(visit | subject), data, method = "Kenward-Roger", vcov = "Kenward-Roger-Linear")``
(SAS's KR on UN; :mod:`irtrial.report.code` writes the exact code of a fit).

References
----------
1. ICH E9(R1) addendum on estimands and sensitivity analysis in clinical trials, 2019.
2. Dworkin RH et al. Interpreting the clinical importance of treatment outcomes in chronic pain
   clinical trials: IMMPACT recommendations. J Pain 2008;9:105-121.

Examples
--------
>>> plan = StudyPlan.from_options(outcome="AVAL", covariates=["AGE", "SEX"], factors=["SEX"],
...                               outcome_range=(0, 10))
>>> plan.primary.formula
'change ~ baseline + AGE + SEX + arm * visit'
>>> plan.data.categorical, plan.primary.covariance
(('SEX',), ('us', 'toeph', 'ar1h', 'cs'))
>>> [d.label for d in plan.responders.definitions]
['reduction >= 30%', 'reduction >= 50%', 'reduction >= 2 points']
>>> plan.with_overrides(covariance="CS", conf_level=0.9).primary.covariance
('cs',)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from irtrial.plan._names import COVARIANCE_SAS, DF_SAS

__all__ = [
    "DataMapping",
    "Endpoint",
    "IntercurrentEvent",
    "Estimand",
    "PrimaryModel",
    "Supportive",
    "ResponderSpec",
    "Responders",
    "Multiplicity",
    "SensitivityAnalysis",
    "StudyPlan",
    "DEFAULT_COVARIANCE",
    "IMMPACT",
]

#: the default fallback order of the primary model's covariance
DEFAULT_COVARIANCE = ("us", "toeph", "ar1h", "cs")

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def _term(name: str) -> str:
    """A column name as a formula term (backquoted unless it is a plain identifier)."""
    return name if _IDENTIFIER.match(name) else f"`{name}`"


@dataclass(frozen=True)
class DataMapping:
    """Which column of the file plays which role, and the types of the covariates.

    The names are those of :func:`irtrial.read_trial`; None means "detect" (CDISC ADaM names,
    then common names). ``covariates`` are the subject-level columns carried into the trial
    (the model's covariates are always read too); ``categorical`` and ``numeric`` declare
    their types (a covariate in neither takes the type of its column: text is categorical).
    ``strict`` makes read_trial's warnings (many subjects left out) errors.
    """

    subject: str | None = None
    arm: str | None = None
    visit: str | None = None
    outcome: str | None = None
    baseline: str | None = None
    control: str | None = None
    visit_num: str | None = None
    baseline_visit: str | None = None
    baseline_flag: str | None = None
    param: str | None = None
    arm_order: tuple[str, ...] | None = None
    visit_order: tuple[str, ...] | None = None
    covariates: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    format: str = "long"
    sheet: str | int | None = None
    strict: bool = False


@dataclass(frozen=True)
class Endpoint:
    """The endpoint: its column name, label, units, valid range and direction of benefit."""

    name: str = "outcome"
    label: str | None = None
    units: str | None = None
    range: tuple[float, float] | None = None
    direction: str = "lower"

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower"

    @property
    def display(self) -> str:
        """``label (units)``, falling back on the column name."""
        text = self.label or self.name
        return f"{text} ({self.units})" if self.units else text

    @property
    def is_pain_0_10(self) -> bool:
        """A 0-10 scale where lower is better: IMMPACT's responder definitions apply."""
        return (self.range is not None and tuple(map(float, self.range)) == (0.0, 10.0)
                and self.lower_is_better)


@dataclass(frozen=True)
class IntercurrentEvent:
    """An intercurrent event (ICH E9(R1)) and the strategy that handles it."""

    event: str
    strategy: str


@dataclass(frozen=True)
class Estimand:
    """The estimand's attributes in ICH E9(R1) terms."""

    treatment: str
    population: str
    variable: str
    intercurrent_events: tuple[IntercurrentEvent, ...]
    summary_measure: str


@dataclass(frozen=True)
class PrimaryModel:
    """The primary MMRM as pre-specified.

    ``covariance`` is the fallback order (irtrial names, e.g. ``("us", "toeph", "ar1h",
    "cs")``): the first structure whose fit converges is used. ``df`` and ``vcov`` are
    irtrial's names (``"kenward-roger-linear"`` is SAS ``DDFM=KR(FIRSTORDER)``); ``vcov`` None
    means the df method's own. ``primary_visit`` None means the last post-baseline visit.
    """

    response: str = "change"
    covariates: tuple[str, ...] = ()
    interactions: tuple[str, ...] = ()
    covariance: tuple[str, ...] = DEFAULT_COVARIANCE
    method: str = "reml"
    df: str = "kenward-roger"
    vcov: str | None = None
    conf_level: float = 0.95
    primary_visit: str | None = None

    @property
    def formula(self) -> str:
        """The fixed effects, R/formulaic style, on the columns of ``Trial.data``."""
        terms = ["baseline", *map(_term, self.covariates), "arm * visit", *self.interactions]
        return f"{self.response} ~ " + " + ".join(terms)

    @property
    def covariance_sas(self) -> tuple[str, ...]:
        return tuple(COVARIANCE_SAS[c] for c in self.covariance)

    @property
    def df_sas(self) -> str:
        return DF_SAS[self.df]

    @property
    def conf_percent(self) -> str:
        """The confidence level as a percentage without trailing zeros: ``"95%"``, ``"97.5%"``."""
        return f"{100 * self.conf_level:.10g}%"


@dataclass(frozen=True)
class Supportive:
    """Supportive analyses (names of :mod:`irtrial.analysis` functions) and their visit."""

    analyses: tuple[str, ...] = ("ancova", "welch", "mann_whitney", "effect_sizes")
    visit: str | None = None


@dataclass(frozen=True)
class ResponderSpec:
    """One responder definition: an improvement of at least ``threshold``.

    ``kind="relative"``: ``threshold`` percent of the baseline; ``kind="absolute"``:
    ``threshold`` units of the scale. Improvement follows the endpoint's direction.
    """

    label: str
    kind: str
    threshold: float

    def to_definition(self) -> Any:
        """The :class:`irtrial.analysis.ResponderDefinition` of this spec."""
        from irtrial.analysis import ResponderDefinition

        return ResponderDefinition(self.label, "percent" if self.kind == "relative"
                                   else "absolute", self.threshold)


#: IMMPACT's definitions for a 0-10 pain scale (Dworkin 2008): 30%, 50%, 2 points
IMMPACT = (("relative", 30.0), ("relative", 50.0), ("absolute", 2.0))


@dataclass(frozen=True)
class Responders:
    """Responder definitions, where they come from, the visit and the rule for missing values.

    ``source`` is ``"plan"`` (listed in the plan), ``"immpact"`` (IMMPACT's definitions for a
    0-10 pain scale) or ``"none"`` (no responder analysis).
    """

    definitions: tuple[ResponderSpec, ...] = ()
    source: str = "none"
    visit: str | None = None
    missing: str = "non-responder"

    def to_definitions(self) -> list[Any]:
        return [d.to_definition() for d in self.definitions]


@dataclass(frozen=True)
class Multiplicity:
    """The multiplicity adjustment: ``method`` over ``family`` at level ``alpha``.

    ``order`` is the testing order of a fixed sequence (arm labels for the family ``"arms"``,
    visit labels for ``"visits"``).
    """

    method: str = "none"
    family: str = "arms"
    order: tuple[str, ...] = ()
    alpha: float = 0.05


@dataclass(frozen=True)
class SensitivityAnalysis:
    """One sensitivity analysis table of the plan (its schema is the sensitivity module's).

    ``options`` holds the table's other keys as written.
    """

    method: str
    strategies: tuple[str, ...] = ()
    reference: str | None = None
    deltas: tuple[float, ...] = ()
    n_samples: int | None = None
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class StudyPlan:
    """The pre-specified analysis of a trial (see the module docstring).

    Attributes
    ----------
    data, endpoint, estimand, primary, supportive, responders, multiplicity
        The sections.
    sensitivity : tuple of SensitivityAnalysis
    power : mapping or None
        The ``[power]`` table as written (read by :mod:`irtrial.power`).
    seed : int
        Seed of every random step (bootstrap, imputation, simulation).
    title : str or None
    source : str or None
        The plan file, or None for a plan built from options.
    digest : str or None
        SHA-256 of the plan file's bytes (see :attr:`sha256`).
    notes : tuple of str
        Defaults the plan applied and where they came from, for the report.
    """

    data: DataMapping
    endpoint: Endpoint
    estimand: Estimand
    primary: PrimaryModel
    supportive: Supportive = Supportive()
    responders: Responders = Responders()
    multiplicity: Multiplicity = Multiplicity()
    sensitivity: tuple[SensitivityAnalysis, ...] = ()
    power: Mapping[str, Any] | None = None
    seed: int = 2006
    title: str | None = None
    source: str | None = field(default=None, compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)
    digest: str | None = field(default=None, compare=False, repr=False)

    @property
    def sha256(self) -> str:
        """SHA-256 of the plan file, or of the canonical JSON of a plan built from options."""
        from irtrial.plan.read import plan_sha256

        return plan_sha256(self)

    # --- construction -----------------------------------------------------------------
    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], source: str | None = None,
                     defaults: bool = False) -> StudyPlan:
        """Validate a TOML-like mapping; :class:`~irtrial.errors.PlanValidationError` lists
        every problem with its key. ``defaults=True`` fills what a plan file must state
        (direction, responders) with the command line's defaults, recorded in ``notes``."""
        from irtrial.plan.read import plan_from_mapping

        return plan_from_mapping(mapping, source=source, defaults=defaults)

    @classmethod
    def from_options(cls, **options: Any) -> StudyPlan:
        """A plan from command-line options alone (see :meth:`with_overrides` for the names).

        What a plan file must state gets the command line's defaults, each recorded in
        ``notes``: lower is better unless ``higher_is_better=True``; IMMPACT responders on a
        0-10 lower-is-better scale, none otherwise.
        """
        from irtrial.plan.read import apply_overrides

        return cls.from_mapping(apply_overrides({}, options), defaults=True)

    def with_overrides(self, **options: Any) -> StudyPlan:
        """This plan with command-line options applied (options win; None = not given).

        Options: the mapping of :func:`irtrial.read_trial` (``subject``, ``arm``, ``visit``,
        ``outcome``, ``baseline``, ``control``, ``visit_num``, ``visit_order``, ``arm_order``,
        ``baseline_visit``, ``baseline_flag``, ``param``, ``format``, ``sheet``,
        ``outcome_range``), ``covariates`` (added to the data *and* to the primary model and
        the ANCOVA, as in a SAS ``MODEL`` statement), ``factors`` (declared categorical, as in
        a SAS ``CLASS`` statement; a factor not in the model is read for Table 1 only),
        ``numerics`` (declared numeric),
        ``primary_visit``, ``covariance`` (one structure or a fallback order), ``df``,
        ``vcov``, ``method``, ``conf_level``, ``higher_is_better``, ``seed``, ``title``.
        """
        from irtrial.plan.read import apply_overrides

        plan = StudyPlan.from_mapping(apply_overrides(self.to_dict(), options),
                                      source=self.source, defaults=True)
        notes = tuple(dict.fromkeys((*self.notes, *plan.notes)))
        return replace(plan, notes=notes, digest=self.digest if not any(
            v not in (None, [], ()) for v in options.values()) else None)

    # --- output ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The plan as a TOML-like mapping (``from_mapping(plan.to_dict())`` gives it back)."""
        from irtrial.plan.read import plan_to_dict

        return plan_to_dict(self)

    def read_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`irtrial.read_trial` for this plan's data mapping."""
        from irtrial.plan.read import read_kwargs

        return read_kwargs(self)
