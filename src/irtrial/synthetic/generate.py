"""Seeded simulation of a trial from a :class:`~irtrial.synthetic.TrialDesign`.

Three levels, from fastest to most convenient:

- :func:`simulate_arrays` returns numpy arrays (subjects x visits outcome matrix with NaN after
  dropout, arm codes, covariates). No pandas; for power simulations that run thousands of times.
- :func:`simulate_frame` returns the long CDISC-like DataFrame (``USUBJID, ARM, AVISIT, AVISITN,
  AVAL`` and the covariates), one row per subject x visit, baseline included, with empty ``AVAL``
  after dropout.
- :func:`simulate_trial` passes that frame through :func:`irtrial.read_trial` and returns a
  validated :class:`~irtrial.trial.Trial`.

Everything is vectorised over subjects (the only Python loop runs over visits, for dropout).
The random stream is consumed in a fixed order (allocation, covariates, outcomes, fixed dropout,
dropout uniforms), always the same amount whatever the parameters, so that two designs that
differ only in, say, the dropout hazard share their other draws (common random numbers).
``seed`` may be an int, a :class:`numpy.random.SeedSequence` (spawn one per replicate for
parallel runs) or a :class:`numpy.random.Generator`.

Model: see :mod:`irtrial.synthetic.design`. In SAS the same data would come from a DATA step
with ``RAND('NORMAL')`` and ``CALL VNORMAL``; in R from ``MASS::mvrnorm`` (as mmrm's
``data-raw/`` generators do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from irtrial.synthetic.design import Covariate, TrialDesign

if TYPE_CHECKING:
    from irtrial.trial import Trial

__all__ = [
    "SimulatedArrays",
    "simulate_arrays",
    "simulate_frame",
    "simulate_trial",
    "trial_mapping",
]

SeedLike = int | np.random.SeedSequence | np.random.Generator | None

#: CDISC-like column names of the simulated long frame
SUBJECT_COL, ARM_COL, VALUE_COL = "USUBJID", "ARM", "AVAL"
VISIT_COL, VISITN_COL = "AVISIT", "AVISITN"


@dataclass(frozen=True)
class SimulatedArrays:
    """Simulated trial as arrays.

    Attributes
    ----------
    subject : ndarray of str, shape (n,)
        Subject identifiers, in randomisation-list order.
    arm : ndarray of int, shape (n,)
        Arm code per subject (index into ``design.arms``).
    y : ndarray of float, shape (n, v)
        Outcome per subject and visit; NaN after dropout.
    covariates : dict of str to ndarray
        One array of length n per covariate.
    last_visit : ndarray of int, shape (n,)
        Index of the last visit attended.
    """

    subject: np.ndarray
    arm: np.ndarray
    y: np.ndarray
    covariates: dict[str, np.ndarray]
    last_visit: np.ndarray


def _draw_covariate(cov: Covariate, rng: np.random.Generator, n: int) -> np.ndarray:
    """Draw n values; always consumes a fixed-size block of the stream for numeric ones."""
    if cov.distribution == "categorical":
        idx = rng.choice(len(cov.levels), size=n, p=np.asarray(cov.probs))
        return np.asarray(cov.levels, dtype=object)[idx]
    if cov.distribution == "gamma":
        lo = cov.bounds[0]
        m = cov.mean - lo
        shape, scale = (m / cov.sd) ** 2, cov.sd**2 / m
        x = lo + rng.gamma(shape, scale, size=n)
        if cov.bounds[1] is not None:
            x = np.minimum(x, cov.bounds[1])
    else:
        x = rng.normal(cov.mean, cov.sd, size=n)
        if cov.bounds is not None:  # truncate by redrawing (rarely more than a few rounds)
            lo = cov.bounds[0]
            hi = np.inf if cov.bounds[1] is None else cov.bounds[1]
            bad = (x < lo) | (x > hi)
            for _ in range(100):
                if not bad.any():
                    break
                x[bad] = rng.normal(cov.mean, cov.sd, size=int(bad.sum()))
                bad = (x < lo) | (x > hi)
            x = np.clip(x, lo, hi)
    if cov.decimals is not None:
        x = np.round(x, cov.decimals)
        if cov.bounds is not None and cov.distribution == "gamma":
            # keep "over lo" strictly true after rounding
            x = np.maximum(x, cov.bounds[0] + 10.0 ** (-cov.decimals))
        if cov.decimals == 0:
            x = x.astype(np.int64)
    return x


def _covariate_effect(cov: Covariate, x: np.ndarray) -> np.ndarray:
    if cov.distribution == "categorical":
        eff = np.atleast_1d(np.asarray(cov.effect, dtype=float))
        if eff.size == 1:
            return np.zeros(x.size)
        lookup = dict(zip(cov.levels, eff, strict=True))
        return np.array([lookup[v] for v in x], dtype=float)
    return float(cov.effect) * (x.astype(float) - cov.mean)


def _factor(cov: np.ndarray) -> np.ndarray:
    """A matrix L with L @ L.T == cov (Cholesky, or eigen for semi-definite matrices)."""
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(cov)
        return v * np.sqrt(np.clip(w, 0.0, None))


def simulate_arrays(design: TrialDesign, seed: SeedLike = None) -> SimulatedArrays:
    """Simulate one trial from ``design`` as numpy arrays.

    Parameters
    ----------
    design : TrialDesign
        The design (arms, visits, means, covariance, dropout, covariates, scale).
    seed : int, SeedSequence or Generator, optional
        Seed of :func:`numpy.random.default_rng`. The same seed gives the same arrays.

    Returns
    -------
    SimulatedArrays

    Examples
    --------
    >>> from irtrial.synthetic import TrialDesign
    >>> d = TrialDesign(arms=("Placebo", "Active"), n_per_arm=(3, 3), visits=(0, 1),
    ...                 means=((5, 5), (5, 3)), scale=(0, 10))
    >>> sim = simulate_arrays(d, seed=1)
    >>> sim.y.shape
    (6, 2)
    """
    rng = np.random.default_rng(seed)
    n, v = design.n_subjects, design.n_visits
    width = len(str(n))
    subject = np.array([f"{design.subject_prefix}{i:0{width}d}" for i in range(1, n + 1)])
    arm = rng.permutation(np.repeat(np.arange(len(design.arms)), design.n_per_arm))

    covariates = {c.name: _draw_covariate(c, rng, n) for c in design.covariates}
    shift = np.zeros(n)
    for c in design.covariates:
        shift += _covariate_effect(c, covariates[c.name])

    dev = rng.standard_normal((n, v)) @ _factor(design.covariance_matrix()).T
    if design.match_means:
        for a, n_a in enumerate(design.n_per_arm):
            rows = arm == a
            dev[rows] = (dev[rows] - dev[rows].mean(axis=0)) * np.sqrt(n_a / (n_a - 1))
            shift[rows] -= shift[rows].mean()
    y = design.means_array()[arm] + dev + shift[:, None]
    if design.scale is not None:
        y = np.clip(np.rint(y), *design.scale)

    y, last = _apply_dropout(design, rng, arm, y)
    return SimulatedArrays(subject=subject, arm=arm, y=y, covariates=covariates, last_visit=last)


def _apply_dropout(
    design: TrialDesign, rng: np.random.Generator, arm: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n, v = y.shape
    drops = design.dropouts()
    last = np.full(n, v - 1)
    for a, d in enumerate(drops):  # exact counts first: chosen at random within the arm
        members = np.flatnonzero(arm == a)
        chosen = rng.choice(members, size=d.fixed_n, replace=False) if d.fixed_n else []
        last[chosen] = np.minimum(last[chosen], d.fixed_after)
    hazard = np.array([d.hazards(v - 1) for d in drops])[arm]  # n x (v-1)
    slope = np.array([d.mar_slope for d in drops])[arm]
    grand = float(design.means_array().mean())
    center = np.array([grand if d.mar_center is None else d.mar_center for d in drops])[arm]
    u = rng.random((n, v - 1))
    with np.errstate(divide="ignore"):
        base_logit = np.log(hazard) - np.log1p(-hazard)
    for j in range(1, v):
        active = last >= j
        logit = base_logit[:, j - 1] + slope * (y[:, j - 1] - center)
        p = np.where(hazard[:, j - 1] > 0, 1.0 / (1.0 + np.exp(-logit)), 0.0)
        leave = active & (u[:, j - 1] < p)
        last[leave] = j - 1
    y = np.where(np.arange(v)[None, :] > last[:, None], np.nan, y)
    return y, last


def simulate_frame(design: TrialDesign, seed: SeedLike = None) -> pd.DataFrame:
    """Simulate one trial from ``design`` as a long, CDISC-like DataFrame.

    Parameters
    ----------
    design : TrialDesign
    seed : int, SeedSequence or Generator, optional

    Returns
    -------
    pandas.DataFrame
        One row per subject x visit (baseline included), sorted by subject and visit:
        ``USUBJID`` (str), ``ARM`` (str), ``AVISIT`` (visit label), ``AVISITN`` (visit number),
        ``AVAL`` (outcome; ``Int64`` on an integer scale, missing after dropout), then one column
        per covariate.

    Examples
    --------
    >>> from irtrial.synthetic import TrialDesign
    >>> d = TrialDesign(arms=("Placebo", "Active"), n_per_arm=(2, 2), visits=(0, 1, 2),
    ...                 means=((6, 6, 6), (6, 4, 3)), scale=(0, 10))
    >>> df = simulate_frame(d, seed=3)
    >>> list(df.columns), len(df)
    (['USUBJID', 'ARM', 'AVISIT', 'AVISITN', 'AVAL'], 12)
    """
    sim = simulate_arrays(design, seed)
    n, v = sim.y.shape
    visits = np.asarray(design.visits)
    visitn = visits.astype(int) if np.all(visits == np.round(visits)) else visits
    aval = sim.y.ravel()
    frame: dict[str, Any] = {
        SUBJECT_COL: np.repeat(sim.subject, v),
        ARM_COL: np.repeat(np.asarray(design.arms, dtype=object)[sim.arm], v),
        VISIT_COL: np.tile(np.asarray(design.visit_labels, dtype=object), n),
        VISITN_COL: np.tile(visitn, n),
        VALUE_COL: pd.array(aval, dtype="Int64") if design.scale is not None else aval,
    }
    for name, values in sim.covariates.items():
        frame[name] = np.repeat(values, v)
    return pd.DataFrame(frame)


def simulate_trial(design: TrialDesign, seed: SeedLike = None, **read_trial_kwargs: Any) -> Trial:
    """Simulate one trial and return it validated, as :func:`irtrial.read_trial` would.

    Parameters
    ----------
    design : TrialDesign
    seed : int, SeedSequence or Generator, optional
    **read_trial_kwargs
        Override the mapping passed to :func:`irtrial.read_trial` (by default: subject
        ``USUBJID``, arm ``ARM``, visit ``AVISIT`` numbered by ``AVISITN``, outcome ``AVAL``,
        baseline visit the first visit,
        control the first arm, the arms in the design's order (``arm_order=design.arms``),
        every covariate, and the design's scale as the outcome range).

    Returns
    -------
    Trial

    Examples
    --------
    >>> from irtrial.synthetic import ir_wrap_design
    >>> trial = simulate_trial(ir_wrap_design(), seed=2006)
    >>> trial.arms
    ('Placebo', 'IR')
    """
    from irtrial.trial import read_trial

    kwargs = trial_mapping(design)
    kwargs.update(read_trial_kwargs)
    return read_trial(simulate_frame(design, seed), **kwargs)


def trial_mapping(design: TrialDesign) -> dict[str, Any]:
    """The :func:`irtrial.read_trial` arguments that map a simulated frame to a Trial."""
    mapping: dict[str, Any] = {
        "subject": SUBJECT_COL,
        "arm": ARM_COL,
        "visit": VISIT_COL,
        "outcome": VALUE_COL,
        "visit_num": VISITN_COL,
        "baseline_visit": design.visit_labels[0],
        "control": design.arms[0],
        "arm_order": tuple(design.arms),
        "covariates": tuple(c.name for c in design.covariates),
    }
    if design.scale is not None:
        mapping["outcome_range"] = tuple(design.scale)
    return mapping
