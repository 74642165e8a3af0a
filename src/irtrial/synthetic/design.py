"""The design of a simulated trial: arms, visits, means, covariance, dropout, covariates.

A :class:`TrialDesign` is a validated value object (frozen dataclass). It stores parameters and
nothing else; :func:`irtrial.synthetic.simulate_frame` turns it into data. The same design object
serves the shipped replica (:func:`irtrial.synthetic.ir_wrap_design`), the tests and, later, the
power simulation, which calls the generator thousands of times.

The model
---------
For subject :math:`i` in arm :math:`a` at visit :math:`j` (visit number :math:`t_j`, the first
visit being baseline),

.. math::

    Y^*_{ij} = \\mu_{aj} + b_{0i} + b_{1i} t_j + \\sum_k \\gamma_k (x_{ik} - \\bar x_k) + e_{ij}

with :math:`(b_{0i}, b_{1i}) \\sim N(0, G)` (between-subject: random intercept and slope) and
:math:`e_i \\sim N(0, R)`, :math:`R_{jk} = \\sigma^2 \\rho^{|j-k|}` (within-subject AR(1)).
Alternatively ``covariance`` gives the full visits x visits matrix :math:`\\Sigma` of
:math:`Y^*_i` (unstructured, e.g. taken from a fitted MMRM). On a bounded integer scale the
observed value is :math:`Y_{ij} = \\min(\\max(\\mathrm{round}(Y^*_{ij}), lo), hi)`.

Dropout is monotone: before each post-baseline visit a subject still in the study leaves with
probability :math:`\\mathrm{expit}(\\mathrm{logit}(h_j) + \\beta (y_{i,j-1} - c))`, where
:math:`h_j` is the MCAR hazard and :math:`\\beta` the MAR slope on the last observed value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

__all__ = ["Covariate", "Dropout", "TrialDesign"]


def _err(problems: list[str]) -> None:
    if problems:
        from irtrial.errors import ModelSpecError

        raise ModelSpecError("invalid trial design:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Covariate:
    """A subject-level covariate drawn once per subject.

    Parameters
    ----------
    name : str
        Column name in the simulated data (e.g. ``"AGE"``).
    distribution : {"normal", "gamma", "categorical"}
        ``normal``: mean/sd, truncated to ``bounds`` by redrawing. ``gamma``: a gamma variable
        shifted to start at ``bounds[0]`` with overall mean ``mean`` and standard deviation ``sd``
        (for right-skewed positive quantities such as pain duration). ``categorical``: ``levels``
        drawn with probabilities ``probs``.
    mean, sd : float
        Mean and standard deviation (numeric distributions).
    bounds : (float, float or None), optional
        Lower and upper limits (numeric distributions); an upper limit of None means none.
    decimals : int, optional
        Round numeric values to this many decimals (0 gives integers).
    levels, probs : tuple
        Categories and their probabilities (categorical).
    effect : float or tuple of float
        Effect on the latent outcome at every visit: per unit above ``mean`` for a numeric
        covariate, or one shift per level for a categorical one.

    Examples
    --------
    >>> Covariate("AGE", "normal", mean=50, sd=10, bounds=(18, 80), decimals=0).name
    'AGE'
    """

    name: str
    distribution: Literal["normal", "gamma", "categorical"] = "normal"
    mean: float = 0.0
    sd: float = 1.0
    bounds: tuple[float, float | None] | None = None
    decimals: int | None = None
    levels: tuple[str, ...] = ()
    probs: tuple[float, ...] = ()
    effect: float | tuple[float, ...] = 0.0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "levels", tuple(str(v) for v in self.levels))
        set_(self, "probs", tuple(float(p) for p in self.probs))
        if not isinstance(self.effect, float | int):
            set_(self, "effect", tuple(float(e) for e in self.effect))
        if self.bounds is not None:
            set_(self, "bounds", tuple(self.bounds))
        problems = []
        if self.distribution not in ("normal", "gamma", "categorical"):
            problems.append(f"covariate {self.name!r}: unknown distribution {self.distribution!r}")
        elif self.distribution == "categorical":
            if len(self.levels) < 1 or len(self.levels) != len(self.probs):
                problems.append(f"covariate {self.name!r}: give as many probs as levels")
            elif not np.isclose(sum(self.probs), 1.0) or min(self.probs) < 0:
                problems.append(f"covariate {self.name!r}: probs must be >= 0 and sum to 1")
            if not isinstance(self.effect, float | int) and len(self.effect) != len(self.levels):
                problems.append(f"covariate {self.name!r}: give one effect per level")
        else:
            if not self.sd > 0:
                problems.append(f"covariate {self.name!r}: sd must be > 0")
            if not isinstance(self.effect, float | int):
                problems.append(f"covariate {self.name!r}: a numeric covariate has one effect")
            if self.bounds is not None:
                lo, hi = self.bounds
                if not lo < self.mean < (np.inf if hi is None else hi):
                    problems.append(f"covariate {self.name!r}: mean must lie inside bounds")
            elif self.distribution == "gamma":
                problems.append(f"covariate {self.name!r}: gamma needs bounds (lower = shift)")
        _err(problems)


@dataclass(frozen=True)
class Dropout:
    """Monotone dropout for one arm (or all arms).

    Parameters
    ----------
    hazard : float or tuple of float
        MCAR probability of leaving before each post-baseline visit, given still in the study:
        one number for every visit, or one per post-baseline visit.
    mar_slope : float
        MAR: change in the log-odds of leaving per unit of the last observed value above
        ``mar_center`` (positive: patients with more pain leave more often).
    mar_center : float, optional
        Centre of the MAR term; default is the mean of all design means.
    fixed_n : int
        Exactly this many subjects of the arm, chosen at random, leave after visit index
        ``fixed_after`` (0 = after baseline). Reproduces a reported dropout count.
    fixed_after : int
        Index of the last visit such subjects attend.

    Examples
    --------
    >>> Dropout(hazard=0.05, mar_slope=0.3).hazard
    0.05
    """

    hazard: float | tuple[float, ...] = 0.0
    mar_slope: float = 0.0
    mar_center: float | None = None
    fixed_n: int = 0
    fixed_after: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.hazard, float | int):
            object.__setattr__(self, "hazard", tuple(float(h) for h in self.hazard))
        h = np.atleast_1d(np.asarray(self.hazard, dtype=float))
        problems = []
        if np.any((h < 0) | (h >= 1)) or not np.all(np.isfinite(h)):
            problems.append("dropout hazard must lie in [0, 1)")
        if self.fixed_n < 0 or self.fixed_after < 0:
            problems.append("fixed_n and fixed_after must be >= 0")
        _err(problems)

    @classmethod
    def from_retention(cls, retention: Sequence[float], mar_slope: float = 0.0) -> Dropout:
        """MCAR hazards that keep the fraction ``retention[j]`` of an arm at post-baseline
        visit ``j`` (non-increasing, in (0, 1]): :math:`h_j = 1 - r_j / r_{j-1}`, :math:`r_0 = 1`.

        Examples
        --------
        >>> Dropout.from_retention([0.9, 0.9, 0.72]).hazard
        (0.09999999999999998, 0.0, 0.20000000000000007)
        """
        r = np.asarray(retention, dtype=float)
        if r.ndim != 1 or r.size == 0 or np.any(r <= 0) or np.any(r > 1) \
                or np.any(np.diff(r) > 1e-12):
            _err([f"retention {tuple(r.tolist())} must be fractions in (0, 1], "
                  "non-increasing over the post-baseline visits"])
        prev = np.concatenate([[1.0], r[:-1]])
        return cls(hazard=tuple(np.clip(1.0 - r / prev, 0.0, None).tolist()),
                   mar_slope=mar_slope)

    def hazards(self, n_post: int) -> np.ndarray:
        """Per post-baseline visit MCAR hazards (length ``n_post``)."""
        h = np.atleast_1d(np.asarray(self.hazard, dtype=float))
        if h.size == 1:
            return np.repeat(h, n_post)
        return h


@dataclass(frozen=True)
class TrialDesign:
    """A parallel-group trial with repeated measurements, ready to simulate.

    Parameters
    ----------
    arms : tuple of str
        Arm labels, control first.
    n_per_arm : tuple of int
        Number randomised per arm.
    visits : tuple of float
        Visit numbers (e.g. weeks), the first being baseline.
    means : tuple of tuple of float
        Mean of the latent outcome, one row per arm, one column per visit.
    subject_sd : float
        Between-subject SD of the random intercept.
    slope_sd : float
        Between-subject SD of the random slope per unit of visit number.
    intercept_slope_corr : float
        Correlation of the random intercept and slope.
    residual_sd : float
        Within-subject residual SD.
    ar1 : float
        AR(1) correlation of the residuals between consecutive visits.
    covariance : tuple of tuple of float, optional
        Full visits x visits covariance of a subject's latent outcomes; replaces the four
        parameters above when given (e.g. an unstructured matrix from a fitted MMRM).
    dropout : Dropout or mapping of arm to Dropout
        Dropout model, one for all arms or one per arm (arms not named have none). A mapping
        is stored as a tuple of ``(arm, Dropout)`` pairs so that the design stays hashable.
    covariates : tuple of Covariate
        Subject-level covariates.
    scale : (int, int), optional
        Bounded integer scale: round, then clip to these limits. ``None`` keeps real values.
    visit_labels : tuple of str, optional
        Labels of the visits; default ``"Week 0"``, ``"Week 1"``, ... from ``visits``.
    match_means : bool
        Centre the latent deviations within each arm and visit (and rescale by
        :math:`\\sqrt{n/(n-1)}`) so that the *sample* means of the latent outcome equal
        ``means`` (moment matching). Use it to build a replica of a published table; leave it
        off for power simulations, where sampling variation is the point.
    subject_prefix : str
        Prefix of subject identifiers.

    Examples
    --------
    >>> d = TrialDesign(arms=("Placebo", "Active"), n_per_arm=(20, 20), visits=(0, 1, 2),
    ...                 means=((7, 6.5, 6), (7, 5, 4)))
    >>> d.n_subjects, d.n_visits
    (40, 3)
    >>> d.covariance_matrix().shape
    (3, 3)
    """

    arms: tuple[str, ...]
    n_per_arm: tuple[int, ...]
    visits: tuple[float, ...]
    means: tuple[tuple[float, ...], ...]
    subject_sd: float = 1.0
    slope_sd: float = 0.0
    intercept_slope_corr: float = 0.0
    residual_sd: float = 1.0
    ar1: float = 0.0
    covariance: tuple[tuple[float, ...], ...] | None = None
    dropout: Dropout | Mapping[str, Dropout] | tuple[tuple[str, Dropout], ...] = field(
        default_factory=Dropout)
    covariates: tuple[Covariate, ...] = ()
    scale: tuple[int, int] | None = None
    visit_labels: tuple[str, ...] | None = None
    match_means: bool = False
    subject_prefix: str = "S"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "arms", tuple(str(a) for a in self.arms))
        set_(self, "n_per_arm", tuple(int(n) for n in self.n_per_arm))
        set_(self, "visits", tuple(float(v) for v in self.visits))
        set_(self, "means", tuple(tuple(float(m) for m in row) for row in self.means))
        set_(self, "covariates", tuple(self.covariates))
        if self.scale is not None:
            set_(self, "scale", tuple(self.scale))
        if isinstance(self.dropout, Mapping):  # stored as (arm, Dropout) pairs: hashable
            unknown = sorted(set(self.dropout) - set(self.arms))
            if unknown:
                _err([f"dropout names unknown arms: {unknown}"])
            set_(self, "dropout", tuple((a, self.dropout[a]) for a in self.arms
                                        if a in self.dropout))
        if self.covariance is not None:
            set_(self, "covariance", tuple(tuple(float(c) for c in r) for r in self.covariance))
        if self.visit_labels is None:
            set_(self, "visit_labels", tuple(f"Week {v:g}" for v in self.visits))
        else:
            set_(self, "visit_labels", tuple(str(v) for v in self.visit_labels))
        self._validate()

    def _validate(self) -> None:
        problems: list[str] = []
        k, v = len(self.arms), len(self.visits)
        if k < 1 or len(set(self.arms)) != k:
            problems.append("arms must be distinct and at least one")
        if len(self.n_per_arm) != k or any(n < 1 for n in self.n_per_arm):
            problems.append(f"n_per_arm needs {k} positive counts, got {self.n_per_arm}")
        if v < 2 or np.any(np.diff(self.visits) <= 0):
            problems.append("visits must be at least two, strictly increasing (baseline first)")
        if len(self.means) != k or any(len(row) != v for row in self.means):
            problems.append(f"means must be {k} rows (arms) of {v} values (visits)")
        if len(self.visit_labels) != v or len(set(self.visit_labels)) != v:
            problems.append(f"visit_labels must be {v} distinct labels")
        if min(self.subject_sd, self.slope_sd, self.residual_sd) < 0:
            problems.append("standard deviations must be >= 0")
        if not -1 < self.ar1 < 1 or not -1 <= self.intercept_slope_corr <= 1:
            problems.append("ar1 must lie in (-1, 1) and intercept_slope_corr in [-1, 1]")
        if self.covariance is not None:
            c = np.asarray(self.covariance)
            if c.shape != (v, v) or not np.allclose(c, c.T):
                problems.append(f"covariance must be a symmetric {v} x {v} matrix")
            elif np.linalg.eigvalsh(c).min() < -1e-10:
                problems.append("covariance must be positive semi-definite")
        for arm, d in zip(self.arms, self.dropouts(), strict=False):
            if d.hazards(v - 1).size != v - 1:
                problems.append(f"arm {arm!r}: give one dropout hazard or {v - 1} of them")
            if d.fixed_n and d.fixed_after >= v - 1:
                problems.append(f"arm {arm!r}: fixed_after must be < {v - 1}")
        for arm, n, d in zip(self.arms, self.n_per_arm, self.dropouts(), strict=False):
            if d.fixed_n > n:
                problems.append(f"arm {arm!r}: fixed_n exceeds the arm size")
        if self.scale is not None and not self.scale[0] < self.scale[1]:
            problems.append("scale must be (low, high) with low < high")
        names = [c.name for c in self.covariates]
        if len(set(names)) != len(names):
            problems.append("covariate names must be distinct")
        if self.match_means and min(self.n_per_arm, default=2) < 2:
            problems.append("match_means needs at least 2 subjects per arm")
        _err(problems)

    @property
    def n_subjects(self) -> int:
        """Total number randomised."""
        return sum(self.n_per_arm)

    @property
    def n_visits(self) -> int:
        """Number of visits, baseline included."""
        return len(self.visits)

    def dropouts(self) -> tuple[Dropout, ...]:
        """One :class:`Dropout` per arm, in the order of ``arms``."""
        if isinstance(self.dropout, Dropout):
            return tuple(self.dropout for _ in self.arms)
        by_arm = dict(self.dropout)
        return tuple(by_arm.get(a, Dropout()) for a in self.arms)

    def covariance_matrix(self) -> np.ndarray:
        """Covariance of one subject's latent outcomes across visits (visits x visits).

        Returns ``covariance`` when given, else :math:`Z G Z^T + R` with
        :math:`Z = [1, t]` and AR(1) residuals :math:`R`.
        """
        if self.covariance is not None:
            return np.asarray(self.covariance, dtype=float)
        t = np.asarray(self.visits) - self.visits[0]
        z = np.column_stack([np.ones_like(t), t])
        c01 = self.intercept_slope_corr * self.subject_sd * self.slope_sd
        g = np.array([[self.subject_sd**2, c01], [c01, self.slope_sd**2]])
        lag = np.abs(np.subtract.outer(np.arange(t.size), np.arange(t.size)))
        r = self.residual_sd**2 * self.ar1**lag
        return z @ g @ z.T + r

    def means_array(self) -> np.ndarray:
        """Design means as an arms x visits array."""
        return np.asarray(self.means, dtype=float)

    def with_n(self, n_per_arm: Sequence[int]) -> TrialDesign:
        """A copy with other arm sizes (used by sample-size searches)."""
        from dataclasses import replace

        return replace(self, n_per_arm=tuple(n_per_arm))

    @classmethod
    def from_fit(cls, result, dropout: object = "observed", *, n_per_arm=None,
                 arm: str | None = None, response: str | None = None,
                 visits: Sequence[float] | None = None,
                 scale: tuple[int, int] | None = None) -> TrialDesign:
        """The design a fitted MMRM describes: its means, covariance and observed dropout.

        For ``change ~ baseline + arm * visit`` (or ``value ~ ...``) with baseline :math:`B`
        (mean :math:`m_0`, variance :math:`s_0^2` over the analysed subjects), LS means
        :math:`a_{aj}` at :math:`B = m_0`, baseline slope(s) :math:`\\gamma_j` and
        covariance :math:`\\Sigma` of the post-baseline visits, the outcome
        :math:`Y_j = B\\,[\\text{change}] + a_{aj} + \\gamma_j (B - m_0) + e_j` gives the
        (1 + J) x (1 + J) covariance with :math:`g_j = \\gamma_j + 1` for change
        (:math:`\\gamma_j` for value): :math:`\\mathrm{Var}(B) = s_0^2`,
        :math:`\\mathrm{Cov}(Y_j, B) = g_j s_0^2`, :math:`\\mathrm{Cov}(Y_j, Y_k) = g_j g_k
        s_0^2 + \\Sigma_{jk}`; the arms share the baseline mean (randomisation).

        Parameters
        ----------
        result : irtrial.MMRMResult
            A fitted MMRM with one arm factor crossed with the visit and a numeric
            ``baseline`` covariate (or none: then :math:`\\gamma = 0`).
        dropout : "observed", "none", Dropout or mapping of arm to Dropout
            ``"observed"``: per arm, MCAR hazards reproducing the fraction of analysed subjects
            whose last observed visit is at or after each visit (intermittent gaps count as
            observed until the last visit; subjects without any post-baseline value are not in
            the fit and not counted).
        n_per_arm : tuple of int, optional
            Default: the analysed subjects per arm.
        arm : str, optional
            The arm factor, when the model has several factors crossed with the visit.
        response : {"change", "value"}, optional
            What the model's response is; default ``"change"`` when its name is ``change`` or
            ``CHG``, else ``"value"``.
        visits : sequence of float, optional
            Visit numbers, baseline first; default the numbers in the visit labels, else
            0, 1, ..., J.
        scale : (int, int), optional
            A bounded integer scale for the simulated outcome.

        Returns
        -------
        TrialDesign
            Unstructured ``covariance``, no covariates, ``match_means`` off.

        Examples
        --------
        >>> import irtrial
        >>> fit = irtrial.mmrm(irtrial.ir_wrap_trial(), df="satterthwaite")
        >>> d = TrialDesign.from_fit(fit)
        >>> d.arms, d.n_per_arm, d.n_visits
        (('Placebo', 'IR'), (18, 21), 7)
        """
        return _design_from_fit(cls, result, dropout, n_per_arm, arm, response, visits, scale)


def _design_from_fit(cls, result, dropout, n_per_arm, arm, response, visits, scale):
    """The body of :meth:`TrialDesign.from_fit`."""
    import re

    d = result.design
    frame = d.frame
    problems: list[str] = []
    if getattr(result, "group", None):
        problems.append("from_fit needs one covariance for all subjects (the model has group=)")
    others = [f for f in d.factors if f != d.visit]
    if arm is None:
        if len(others) != 1:
            problems.append(f"say which factor is the arm: arm= one of {others}")
        else:
            arm = others[0]
    elif arm not in others:
        problems.append(f"arm={arm!r} is not a factor of the model: {others}")
    lhs = result.formula.split("~")[0].strip()
    if response is None:
        response = "change" if lhs.lower() in ("change", "chg") else "value"
    if response not in ("change", "value"):
        problems.append(f"response={response!r} must be 'change' or 'value'")
    _err(problems)
    levels = list(d.visit_levels)
    arms = [str(a) for a in d.factors[arm]]
    coefs = result.coefficients.set_index("term")["estimate"]
    has_base = "baseline" in d.numerics
    gamma = np.zeros(len(levels))
    if has_base:
        gamma += float(coefs.get("baseline", 0.0))
        for j, lv in enumerate(levels):
            for name in (f"baseline:{d.visit}{lv}", f"{d.visit}{lv}:baseline"):
                gamma[j] += float(coefs.get(name, 0.0))
    per_subject = frame.drop_duplicates(d.subject)
    if has_base:
        b = per_subject["baseline"].to_numpy(dtype=float)
        m0, s0 = float(b.mean()), float(b.var(ddof=1))
        m_rows = float(d.numerics["baseline"])
    else:
        m0 = s0 = m_rows = 0.0
    ls = result.lsmeans(arm, by=d.visit)
    g = gamma + (1.0 if response == "change" else 0.0)
    means = []
    for a in arms:
        rows = ls[ls[arm].astype(str) == a].set_index(d.visit)["estimate"]
        post = np.array([rows[lv] for lv in levels]) + gamma * (m0 - m_rows)
        if response == "change":
            post = post + m0
        means.append((m0, *post))
    sig = np.asarray(result.sigma(), dtype=float)
    cov = np.empty((len(levels) + 1,) * 2)
    cov[0, 0] = s0
    cov[0, 1:] = cov[1:, 0] = g * s0
    cov[1:, 1:] = np.outer(g, g) * s0 + sig
    subj_arm = per_subject.set_index(d.subject)[arm].astype(str)
    counts = tuple(int((subj_arm == a).sum()) for a in arms)
    if isinstance(dropout, str) and dropout == "observed":
        code = {lv: j + 1 for j, lv in enumerate(levels)}
        last = frame.assign(_j=frame[d.visit].map(code).astype(int)).groupby(d.subject)["_j"].max()
        drop = {}
        for a in arms:
            lj = last[subj_arm[subj_arm == a].index].to_numpy()
            r = np.array([1.0] + [float(np.mean(lj >= j)) for j in range(1, len(levels) + 1)])
            with np.errstate(divide="ignore", invalid="ignore"):
                h = np.clip(1 - r[1:] / r[:-1], 0.0, 0.99)
            drop[a] = Dropout(hazard=tuple(np.nan_to_num(h, nan=0.99)))
        dropout = drop
    elif isinstance(dropout, str) and dropout == "none":
        dropout = Dropout()
    elif isinstance(dropout, str):
        _err([f"dropout={dropout!r} must be 'observed', 'none', a Dropout or a mapping"])
    if visits is None:
        nums = [re.findall(r"-?\d+(?:\.\d+)?", str(lv)) for lv in levels]
        if all(len(x) == 1 for x in nums):
            t = [float(x[0]) for x in nums]
            visits = (0.0, *t) if t[0] > 0 and np.all(np.diff(t) > 0) else None
        visits = visits or tuple(float(i) for i in range(len(levels) + 1))
    return cls(arms=tuple(arms), n_per_arm=tuple(n_per_arm or counts), visits=tuple(visits),
               means=tuple(means), covariance=tuple(map(tuple, cov)), dropout=dropout,
               scale=scale, visit_labels=("Baseline", *map(str, levels)))
