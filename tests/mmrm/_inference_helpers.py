"""Test-only helpers for the MMRM inference tests: a ModelState built without the engine.

The inference layer reads only a ``ModelState``. These helpers build one from fev_data with
formulaic (treatment coding, first level = reference, as R and the engine) and a covariance
structure (the engine's ``irtrial.mmrm.covariance`` when present, else a tiny linear ``us``),
then polish SAS's printed covariance estimates by Newton steps on our own analytic REML score
and Hessian (``irtrial.mmrm._information``), so that theta is at the REML optimum to full
precision. The criterion value is checked against SAS's printed -2 Res Log Likelihood.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import formulaic
import numpy as np
import pandas as pd

from irtrial.mmrm._information import information
from irtrial.mmrm._types import ModelState, Pattern

REF = Path(__file__).resolve().parents[1] / "reference" / "sas"

FEV_LEVELS = {
    "ARMCD": ["PBO", "TRT"],
    "AVISIT": ["VIS1", "VIS2", "VIS3", "VIS4"],
    "RACE": ["Asian", "Black or African American", "White"],
    "SEX": ["Male", "Female"],
}


@lru_cache(maxsize=1)
def fev_data() -> pd.DataFrame:
    # source: tests/reference/sas/fev_data.csv (mmrm data/fev_data.rda, Apache-2.0)
    df = pd.read_csv(REF / "fev_data.csv")
    for col, levels in FEV_LEVELS.items():
        df[col] = pd.Categorical(df[col], categories=levels)
    return df


class UsLinear:
    """Unstructured covariance in SAS's linear parametrisation UN(i,j), i >= j (row-wise)."""

    name = "us"

    def __init__(self, n_visits: int, n_groups: int = 1):
        self.n_visits = n_visits
        self.n_groups = n_groups
        self._pairs = [(i, j) for i in range(n_visits) for j in range(i + 1)]

    @property
    def n_theta(self) -> int:
        return len(self._pairs) * self.n_groups

    @property
    def param_names(self) -> list[str]:
        return [f"UN({i + 1},{j + 1})" for i, j in self._pairs]

    def _slice(self, theta, group):
        n = len(self._pairs)
        return np.asarray(theta, float)[group * n : (group + 1) * n]

    def sigma(self, theta, group=0):
        s = np.zeros((self.n_visits, self.n_visits))
        for val, (i, j) in zip(self._slice(theta, group), self._pairs, strict=True):
            s[i, j] = s[j, i] = val
        return s

    def dsigma(self, theta, group=0):
        d = np.zeros((self.n_theta, self.n_visits, self.n_visits))
        off = group * len(self._pairs)
        for a, (i, j) in enumerate(self._pairs):
            d[off + a, i, j] = d[off + a, j, i] = 1.0
        return d

    def d2sigma(self, theta, group=0):
        return np.zeros((self.n_theta, self.n_theta, self.n_visits, self.n_visits))


def structure(name: str, n_visits: int):
    """The engine's structure when it exists, else the test-only linear ``us``."""
    try:
        from irtrial.mmrm.covariance import make_covariance
    except ImportError:
        if name != "us":
            raise
        return UsLinear(n_visits)
    return make_covariance(name, n_visits)


@dataclass
class SimpleDesign:
    """Minimal ``Design`` (protocol in ``_types.py``) on formulaic, R-style term names."""

    frame: pd.DataFrame
    formula: str
    subject: str
    visit: str
    visit_levels: list
    column_names: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    term_columns: dict = field(default_factory=dict)
    factors: dict = field(default_factory=dict)
    numerics: dict = field(default_factory=dict)
    _spec: object = None

    def model_matrix(self, frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(self._spec.get_model_matrix(frame), dtype=float)


def build_state(
    data: pd.DataFrame,
    rhs: str,
    response: str,
    cov: str,
    theta0,
    *,
    subject="USUBJID",
    visit="AVISIT",
    method="reml",
    weights: str | None = None,
    newton_steps: int = 8,
) -> ModelState:
    """A fitted ModelState: GLS beta at theta, theta polished to the (RE)ML optimum."""
    frame = data.dropna(subset=[response]).reset_index(drop=True)
    mm = formulaic.model_matrix(rhs, frame)
    spec = mm.model_spec
    X = np.asarray(mm, dtype=float)
    names = list(mm.columns)
    terms, term_columns = [], {}
    for term, idx in spec.term_indices.items():
        name = "(Intercept)" if str(term) == "1" else str(term)
        terms.append(name)
        term_columns[name] = list(idx)
    factors, numerics = {}, {}
    for term in spec.terms:
        for f in term.factors:
            var = str(f)
            if var == "1":
                continue
            if isinstance(frame[var].dtype, pd.CategoricalDtype):
                factors[var] = list(frame[var].cat.categories)
            else:
                numerics[var] = float(frame[var].mean())
    vlevels = list(frame[visit].cat.categories)
    design = SimpleDesign(
        frame=frame, formula=rhs, subject=subject, visit=visit, visit_levels=vlevels,
        column_names=names, terms=terms, term_columns=term_columns, factors=factors,
        numerics=numerics, _spec=spec,
    )
    vcode = frame[visit].cat.codes.to_numpy()
    y = frame[response].to_numpy(float)
    w = frame[weights].to_numpy(float) if weights else np.ones(len(frame))
    subj = frame[subject].astype(str).to_numpy()
    order = {}
    for pos, s in enumerate(subj):
        order.setdefault(s, []).append(pos)
    by_pattern: dict[tuple, list] = {}
    for s, rows in order.items():
        rows = sorted(rows, key=lambda r: vcode[r])
        by_pattern.setdefault(tuple(vcode[rows]), []).append((s, rows))
    patterns = []
    for vis, members in sorted(by_pattern.items()):
        rows = np.array([r for _, r in members])
        patterns.append(Pattern(
            visits=np.array(vis), group=0, X=X[rows], y=y[rows], w=w[rows], rows=rows,
            subjects=np.array([s for s, _ in members], dtype=object),
        ))
    struct = structure(cov, len(vlevels))
    theta = np.asarray(theta0, float)
    state = None
    for _ in range(newton_steps + 1):
        state = _state_at(patterns, struct, theta, method, design, len(frame), len(order))
        if _ == newton_steps:
            break
        info = information(state)
        step = np.linalg.solve(info.hessian, info.gradient)
        theta = theta - step
        if np.max(np.abs(step) / np.maximum(np.abs(theta), 1e-8)) < 1e-12:
            newton_steps = _ + 1
    return state


def _state_at(patterns, struct, theta, method, design, n_obs, n_subjects) -> ModelState:
    p = patterns[0].X.shape[2]
    xtvx = np.zeros((p, p))
    xtvy = np.zeros(p)
    for pat in patterns:
        si = np.linalg.inv(struct.sigma(theta, pat.group)[np.ix_(pat.visits, pat.visits)])
        sw = np.sqrt(pat.w)
        xs = pat.X * sw[:, :, None]
        ys = pat.y * sw
        xtvx += np.einsum("mtp,tu,muq->pq", xs, si, xs)
        xtvy += np.einsum("mtp,tu,mu->p", xs, si, ys)
    beta = np.linalg.solve(xtvx, xtvy)
    return ModelState(
        patterns=tuple(patterns), structure=struct, theta=theta, beta=beta, method=method,
        design=design, n_obs=n_obs, n_subjects=n_subjects,
    )


def neg2_loglik(state: ModelState) -> float:
    """-2 (restricted) log-likelihood, SAS's "-2 Res Log Likelihood" (README formula)."""
    p = state.beta.size
    logdet, quad, n = 0.0, 0.0, 0
    xtvx = np.zeros((p, p))
    for pat in state.patterns:
        s = state.structure.sigma(state.theta, pat.group)[np.ix_(pat.visits, pat.visits)]
        si = np.linalg.inv(s)
        sw = np.sqrt(pat.w)
        xs = pat.X * sw[:, :, None]
        rs = (pat.y - pat.X @ state.beta) * sw
        m, t = pat.y.shape
        n += m * t
        logdet += m * np.linalg.slogdet(s)[1] - np.log(pat.w).sum()
        quad += np.einsum("mt,tu,mu->", rs, si, rs)
        xtvx += np.einsum("mtp,tu,muq->pq", xs, si, xs)
    if state.method == "reml":
        return (n - p) * np.log(2 * np.pi) + logdet + np.linalg.slogdet(xtvx)[1] + quad
    return n * np.log(2 * np.pi) + logdet + quad


def sas_theta_us(cov_parms: list[float], n_visits: int = 4) -> np.ndarray:
    """SAS's UN(i,j) list (row-wise lower triangle) as our theta (same order)."""
    return np.asarray(cov_parms, float)


def un_theta(cov_parms: list[float], sas_order: list[str], our_order: list[str]) -> np.ndarray:
    """SAS UN(i,j) estimates (i, j in SAS's class-level order) as our row-wise theta."""
    n = len(sas_order)
    s = np.zeros((n, n))
    vals = iter(cov_parms)
    for i in range(n):
        for j in range(i + 1):
            s[i, j] = s[j, i] = next(vals)
    pos = [sas_order.index(v) for v in our_order]
    ours = s[np.ix_(pos, pos)]
    return np.array([ours[i, j] for i in range(n) for j in range(i + 1)])


@lru_cache(maxsize=1)
def sas_ref() -> dict:
    # source: tests/reference/sas/inference_fev.json (SAS PROC MIXED outputs of mmrm's design/)
    import json

    return json.loads((REF / "inference_fev.json").read_text())


#: SAS structure name in the design/ file names -> irtrial structure name
SAS_STRUCTURES = {
    "us": "us", "cs": "cs", "csh": "csh", "ar1": "ar1", "arh1": "ar1h",
    "toep": "toep", "toeph": "toeph", "adh": "adh",
}


def sas_state(section: str, key: str, rhs: str = "ARMCD", weights: str | None = None):
    """ModelState at SAS's printed covariance estimates for ``sas_ref()[section][key]``.

    SAS's printed estimates (4-6 significant digits) reproduce SAS's -2 Res Log Likelihood to
    ~1e-9 relative and its SEs to ~1e-5; polishing them to the exact REML optimum moves *away*
    from SAS (SAS stops at its convergence criterion), so they are used as printed.
    """
    ref = sas_ref()[section][key]
    cov = SAS_STRUCTURES[key.removesuffix("_weighted")]
    theta = [c["estimate"] for c in ref["cov_parms"]]
    return build_state(fev_data(), rhs, "FEV1", cov, theta, newton_steps=0, weights=weights), ref


def full_model_state(key: str):
    """The Satterthwaite model ``FEV1 ~ RACE + SEX + ARMCD * AVISIT + us(AVISIT | USUBJID)``."""
    ref = sas_ref()["full_model"][key]
    order = ref["class_order"]["AVISIT"]
    theta = un_theta([c["estimate"] for c in ref["cov_parms"]], order, FEV_LEVELS["AVISIT"])
    weights = "WEIGHT" if key.endswith("weighted") else None
    state = build_state(
        fev_data(), "RACE + SEX + ARMCD * AVISIT", "FEV1", "us", theta, newton_steps=0,
        weights=weights,
    )
    return state, ref
