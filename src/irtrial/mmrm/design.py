"""The MMRM's fixed-effects design: formula -> X with R-style treatment coding, and the patterns.

Factors use treatment (dummy) coding with the *first* level as reference, as R does: a pandas
Categorical keeps its own level order, any other text column is sorted. Column names follow R
(``(Intercept)``, ``ARMCDTRT``, ``ARMCDTRT:AVISITVIS2``), terms are R's term labels.
The formula is parsed by formulaic once; :meth:`MMRMDesign.model_matrix` reuses the fitted coding
for new rows (a reference grid for LS means).

Rows with a missing response, covariate, subject, visit, group or weight are dropped before the
model is built and counted in :attr:`PreparedData.exclusions` with their reason.

Column names with spaces or other characters go in backquotes, as in R:
```` `Pain NRS` ~ baseline + arm * visit ````. ``C(x)`` makes ``x`` a factor (levels sorted, a
Categorical's own order kept): it is the same model as a Categorical column ``x``, with the same
LS means (averaged over the levels of ``x``), type 3 tests and R-style names (``x2``).

Visit order (the covariance index and the order of the tables), as
:func:`irtrial.trial.derive.order_visits` orders visits for ``read_trial``: a Categorical visit
column keeps its own order; with ``visit_num=`` (a numeric column such as ADaM ``AVISITN``) the
visits follow that number; otherwise the numbers inside the labels order them ("Week 8" before
"Week 16"), and labels without a number are sorted as text. The inferred order is stated in
:attr:`MMRMDesign.visit_order_note`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from formulaic import Formula, ModelSpec, model_matrix

from irtrial.errors import (
    InsufficientDataError,
    ModelSpecError,
    Problem,
    SingularDesignError,
    TrialValidationError,
)
from irtrial.mmrm._types import Pattern
from irtrial.mmrm.estimability import null_basis
from irtrial.trial.derive import order_visits

__all__ = ["MMRMDesign", "PreparedData", "prepare", "make_patterns"]

EXCLUSION_COLUMNS = ["reason", "column", "n_rows", "n_subjects", "subjects"]


@dataclass(frozen=True, eq=False)
class MMRMDesign:
    """The fixed-effects design (implements the ``Design`` protocol of ``irtrial.mmrm._types``).

    Attributes
    ----------
    frame : DataFrame
        The analysis rows (copied), factors as Categorical in model level order.
    formula : str
    subject, visit : str
    visit_levels : list
    column_names : list of str
        R-style names of the columns of X (aliased columns removed when ``accept_singular``).
    terms : list of str
        R-style term labels in model order.
    term_columns : dict of str -> list of int
    factors : dict of str -> list
    numerics : dict of str -> float
        Numeric covariates and their means over the analysis rows.
    response : str
    aliased : list of str
        Columns dropped because they were linearly dependent on earlier ones.
    nonest_basis : (p_full, k) array or None
        Orthonormal basis of the null space of the *full* X (aliased columns included), for
        the estimability check of :mod:`irtrial.mmrm.estimability`; None when nothing is
        aliased.
    visit_order_note : str or None
        How the visit order was inferred (numbers in the labels, ``visit_num=``, text order);
        None when the visit column carried its order (a Categorical) or is numeric.
    """

    frame: pd.DataFrame
    formula: str
    subject: str
    visit: str
    visit_levels: list
    column_names: list[str]
    terms: list[str]
    term_columns: dict[str, list[int]]
    factors: dict[str, list]
    numerics: dict[str, float]
    response: str
    aliased: list[str] = field(default_factory=list)
    nonest_basis: np.ndarray | None = None
    visit_order_note: str | None = None
    _spec: ModelSpec | None = None
    _keep: np.ndarray | None = None

    def model_matrix(self, frame: pd.DataFrame, full: bool = False) -> np.ndarray:
        """X rows for new data (e.g. a reference grid), with the fitted coding.

        Factor columns of ``frame`` may be plain strings: they are coded with the fitted levels.
        ``full=True`` keeps the aliased columns (the coding ``nonest_basis`` refers to).
        """
        new = frame.copy()
        for name, levels in self.factors.items():
            if name in new.columns:
                new[name] = pd.Categorical(new[name], categories=levels)
        mm = self._spec.get_model_matrix(new, na_action="ignore")
        x = np.asarray(mm, dtype=float)
        return x[:, self._keep] if self._keep is not None and not full else x

    def drop_aliased(self, x_full: np.ndarray) -> np.ndarray:
        """The fitted (kept) columns of rows written over the full coding."""
        return x_full[..., self._keep] if self._keep is not None else x_full


@dataclass(frozen=True)
class PreparedData:
    """Validated analysis data: the design plus the per-row arrays the likelihood needs."""

    design: MMRMDesign
    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    subject_codes: np.ndarray
    subjects: np.ndarray
    visit_codes: np.ndarray
    group_codes: np.ndarray
    group_levels: list
    exclusions: pd.DataFrame
    n_subjects_read: int

    def patterns(self) -> tuple:
        """The missing-data patterns of these data (see :func:`make_patterns`)."""
        return make_patterns(
            self.X,
            self.y,
            self.w,
            self.subject_codes,
            self.subjects,
            self.visit_codes,
            self.group_codes,
            len(self.design.visit_levels),
        )


#: an R mmrm covariance term such as ``us(visit | subject)`` written into the formula
_COVARIANCE_TERM = re.compile(r"\b(us|cs|csh|ar1|ar1h|toep|toeph|ad|adh)\s*\([^)]*\|[^)]*\)")


#: ``C(x)`` / ``C(`x y`)`` without options, and any call of C
_C_SIMPLE = re.compile(r"(?<![\w.`])C\(\s*(`[^`]+`|[A-Za-z_][\w.]*)\s*\)")
_C_CALL = re.compile(r"(?<![\w.`])C\(")
_BACKQUOTED = re.compile(r"`([^`]+)`")


def _factor_variables(factor) -> list[str]:
    """The data variables a formulaic factor reads (backquoted names allowed)."""
    from formulaic.transforms import TRANSFORMS
    from formulaic.utils.variables import get_expression_variables

    method = getattr(factor.eval_method, "value", str(factor.eval_method))
    if method == "literal":
        return []
    if method == "lookup":
        return [str(factor.expr)]
    names: dict[str, str] = {}

    def sub(m):
        key = f"_bq{len(names)}_"
        names[key] = m.group(1)
        return key

    expr = _BACKQUOTED.sub(sub, str(factor.expr))
    out = []
    for var in get_expression_variables(expr, {}):
        if "value" in getattr(var, "roles", ("value",)) and var.root not in TRANSFORMS:
            root = str(var.root)
            if root in ("np", "numpy", "math"):
                continue
            out.append(names.get(root, root))
    return out


@lru_cache(maxsize=64)
def _formula_parts(formula: str) -> tuple[list[str], list[str], str, tuple[str, ...]]:
    """(response variables, right-hand-side variables, the formula with ``C(x)`` written as
    ``x``, the variables given as ``C(x)``)."""
    if not isinstance(formula, str) or "~" not in formula:
        raise ModelSpecError(f"formula {formula!r} has no response: write 'response ~ terms', "
                             "e.g. 'change ~ baseline + arm * visit'")
    cov_term = _COVARIANCE_TERM.search(formula)
    if cov_term:
        raise ModelSpecError(
            f"formula {formula!r}: the covariance term {cov_term.group(0)!r} (R mmrm syntax) "
            f"does not go in the formula; pass covariance={cov_term.group(1)!r}, "
            "visit=... and subject=... instead")
    c_vars: list[str] = []

    def strip_c(m):
        c_vars.append(m.group(1).strip("`"))
        return m.group(1)

    internal = _C_SIMPLE.sub(strip_c, formula)
    if _C_CALL.search(internal):
        raise ModelSpecError(
            f"formula {formula!r}: C(...) with options (levels, contrasts) is not supported; "
            "make the column a pandas Categorical with its levels in the order you want (the "
            "first is the reference) and write its name, or write C(name)")
    try:
        f = Formula(internal)
        lhs_factors = [fac for t in f.lhs for fac in t.factors]
        lhs = list(dict.fromkeys(v for fac in lhs_factors for v in _factor_variables(fac)))
        rhs = list(dict.fromkeys(v for t in f.rhs for fac in t.factors
                                 for v in _factor_variables(fac)))
    except Exception as exc:  # formulaic raises several parser errors
        raise ModelSpecError(f"cannot parse formula {formula!r}: {exc}") from exc
    transformed = [str(fac.expr) for fac in lhs_factors
                   if getattr(fac.eval_method, "value", "") != "lookup"]
    if transformed:
        raise ModelSpecError(
            f"formula {formula!r}: the response {transformed[0]!r} is a transformation; add "
            "the transformed response to the data as a column and use its name")
    return sorted(lhs), sorted(rhs), internal, tuple(dict.fromkeys(c_vars))


def _parse_formula(formula: str) -> tuple[list[str], list[str]]:
    """(response variables, right-hand-side variables) of ``formula``."""
    lhs, rhs, _, _ = _formula_parts(formula)
    return lhs, rhs


@lru_cache(maxsize=64)
def _rhs(formula: str):
    return Formula(formula).rhs


def _visit_order(frame: pd.DataFrame, visit: str, visit_num: str | None):
    """The visit column as an ordered Categorical and a note saying how the order was
    inferred; (None, None) when the column keeps its own order (Categorical, numeric)."""
    col = frame[visit]
    if isinstance(col.dtype, pd.CategoricalDtype) and visit_num is None:
        return None, None
    if visit_num is None and pd.api.types.is_numeric_dtype(col):
        return None, None
    ok = col.notna().to_numpy()
    labels = col[ok].astype(str)
    if visit_num is not None:
        nums = pd.to_numeric(frame[visit_num], errors="coerce")[ok]
        per = pd.DataFrame({"v": labels.to_numpy(), "n": nums.to_numpy()}).dropna()
        counts = per.groupby("v")["n"].nunique()
        several = sorted(counts.index[counts > 1])
        none = sorted(set(labels) - set(per["v"]))
        problems = []
        if several:
            problems.append(f"visits {several} have more than one {visit_num!r} value")
        if none:
            problems.append(f"visits {none} have no numeric {visit_num!r} value")
        if problems:
            raise ModelSpecError(f"visit_num={visit_num!r} cannot order the visits: "
                                 + "; ".join(problems))
        mapping = per.groupby("v")["n"].first().to_dict()
        order, _, probs = order_visits(list(mapping), visit_num=mapping)
        if probs:
            raise ModelSpecError(f"visit_num={visit_num!r}: " + "; ".join(p.message
                                                                         for p in probs))
        how = f"by {visit_num!r}"
    else:
        order, _, probs = order_visits(list(pd.unique(labels)))
        if probs:
            order = sorted(set(labels))
            why = probs[0].message.split(";")[0]
            cat = pd.Series(pd.Categorical(col.where(~ok, col.astype(str)), categories=order),
                            index=frame.index)
            return cat, (f"visit order sorted as text: {', '.join(order)} ({why}; pass a "
                         "pandas Categorical or visit_num= to set the order)")
        how = "by the numbers in the visit labels"
    cat = pd.Series(pd.Categorical(col.where(~ok, col.astype(str)), categories=order),
                    index=frame.index)
    return cat, f"visit order {how}: {', '.join(order)}"


def _recipe(columns: list[str], factors: dict[str, list], numerics) -> list | None:
    """Each column of X as a product of (variable, level-or-None) parts, or None if a column is
    not a plain product of factor indicators and numeric variables (then formulaic is used)."""
    out = []
    for col in columns:
        if col == "Intercept":
            out.append(())
            continue
        parts = []
        for part in col.split(":"):
            found = None
            if part in numerics:
                found = (part, None)
            else:
                for name, levels in factors.items():
                    for k, lvl in enumerate(levels):
                        if part in (f"{name}[T.{lvl}]", f"{name}[{lvl}]"):
                            found = (name, k)
            if found is None:
                return None
            parts.append(found)
        out.append(tuple(parts))
    return out


# (formula, factor levels, numeric names) -> (formulaic ModelSpec, column names, recipe)
_SPEC_CACHE: dict = {}


def _build_x(formula: str, frame: pd.DataFrame, factors: dict, numerics: dict):
    key = (
        formula,
        tuple((k, tuple(v)) for k, v in factors.items()),
        tuple(sorted(numerics)),
    )
    cached = _SPEC_CACHE.get(key)
    if cached is not None and cached[2] is not None:
        spec, columns, recipe = cached
        n = len(frame)
        codes = {name: frame[name].cat.codes.to_numpy() for name in factors}
        nums = {name: frame[name].to_numpy(dtype=float) for name in numerics}
        masks: dict = {}
        x = np.empty((n, len(recipe)))
        for j, parts in enumerate(recipe):
            mask, val = None, None
            for name, lvl in parts:
                if lvl is None:
                    val = nums[name] if val is None else val * nums[name]
                    continue
                if (name, lvl) not in masks:
                    masks[(name, lvl)] = codes[name] == lvl
                mask = masks[(name, lvl)] if mask is None else mask & masks[(name, lvl)]
            if mask is None:
                x[:, j] = 1.0 if val is None else val
            elif val is None:
                x[:, j] = mask
            else:
                x[:, j] = np.where(mask, val, 0.0)
        return spec, columns, x
    try:
        x_df = model_matrix(_rhs(formula), frame, na_action="raise")
    except Exception as exc:
        raise ModelSpecError(f"cannot build the design of {formula!r}: {exc}") from exc
    columns = list(x_df.columns)
    spec = x_df.model_spec
    if len(_SPEC_CACHE) > 256:
        _SPEC_CACHE.clear()
    _SPEC_CACHE[key] = (spec, columns, _recipe(columns, factors, numerics))
    return spec, columns, np.asarray(x_df, dtype=float)


def _r_name(col: str, factors: dict[str, list]) -> str:
    if col == "Intercept":
        return "(Intercept)"
    parts = []
    for part in col.split(":"):
        for name, levels in factors.items():
            for lvl in levels:
                for pre in (f"{name}[T.{lvl}]", f"{name}[{lvl}]"):
                    if part == pre:
                        part = f"{name}{lvl}"
        parts.append(part)
    return ":".join(parts)


def _categorical(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.remove_unused_categories()
    if pd.api.types.is_numeric_dtype(s):
        return pd.Series(pd.Categorical(s, categories=sorted(pd.unique(s))), index=s.index)
    values = s.astype(str)
    return pd.Series(pd.Categorical(values, categories=sorted(pd.unique(values))), index=s.index)


def _is_factor(s: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(s) or isinstance(s.dtype, pd.CategoricalDtype)


def _aliased_columns(x: np.ndarray, tol: float = 1e-10) -> list[int]:
    """Columns linearly dependent on earlier ones (R's order: the later column is aliased)."""
    gram = x.T @ x
    kept: list[int] = []
    aliased = []
    for j in range(x.shape[1]):
        gjj = gram[j, j]
        if gjj <= 0:
            aliased.append(j)
            continue
        if kept:
            g_kk = gram[np.ix_(kept, kept)]
            g_kj = gram[kept, j]
            resid = gjj - g_kj @ np.linalg.solve(g_kk, g_kj)
        else:
            resid = gjj
        if resid <= tol * gjj:
            aliased.append(j)
        else:
            kept.append(j)
    return aliased


def prepare(
    data: pd.DataFrame,
    formula: str,
    subject: str,
    visit: str,
    group: str | None = None,
    weights: str | None = None,
    accept_singular: bool = False,
    visit_num: str | None = None,
) -> PreparedData:
    """Validate ``data``, drop incomplete rows (counted), build X, y, weights and codes.

    ``visit_num``: a numeric column ordering the visits (ADaM ``AVISITN``); see the module
    docstring for the visit order otherwise.
    """
    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    response_vars, rhs_vars, internal, c_vars = _formula_parts(formula)
    if len(response_vars) != 1:
        raise ModelSpecError(f"the formula needs one response on the left of '~': {formula!r}")
    response = response_vars[0]
    roles = {"subject": subject, "visit": visit}
    if group is not None:
        roles["group"] = group
    if weights is not None:
        roles["weights"] = weights
    if visit_num is not None:
        roles["visit_num"] = visit_num
    needed = [response, *rhs_vars, *roles.values()]
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        raise ModelSpecError(
            "columns not found in the data: "
            + ", ".join(repr(c) for c in missing)
            + f"; available: {', '.join(map(str, data.columns))}"
        )
    cols = list(dict.fromkeys(needed))
    frame = data.loc[:, cols].copy()
    frame.index = pd.RangeIndex(len(frame))
    n_subjects_read = int(frame[subject].nunique(dropna=True))

    # duplicates subject x visit (among all rows, before dropping: a duplicate is a data error)
    s_codes, _ = pd.factorize(frame[subject])
    v_codes, v_uniq = pd.factorize(frame[visit])
    valid = (s_codes >= 0) & (v_codes >= 0)
    pair = s_codes.astype(np.int64) * (len(v_uniq) + 1) + v_codes
    _, inverse, counts = np.unique(pair, return_inverse=True, return_counts=True)
    dup = pd.Series(valid & (counts[inverse] > 1))
    if dup.any():
        rows = tuple(int(i) for i in np.flatnonzero(dup.to_numpy()))
        subs = tuple(str(s) for s in pd.unique(frame.loc[dup, subject]))
        raise TrialValidationError(
            [
                Problem(
                    f"{len(subs)} subject(s) have more than one row for the same {visit!r}; "
                    "keep one row per subject and visit",
                    column=visit,
                    rows=rows,
                    subjects=subs,
                )
            ]
        )

    # drop incomplete rows, counting each reason (first reason that applies)
    keep = np.ones(len(frame), dtype=bool)
    records = []
    checks = [
        (subject, "missing subject"),
        (visit, "missing visit"),
        (response, "missing response"),
    ]
    checks += [(c, "missing covariate") for c in rhs_vars if c not in (visit,)]
    if group is not None:
        checks.append((group, "missing group"))
    if weights is not None:
        checks.append((weights, "missing weight"))
    for col, reason in checks:
        bad = keep & frame[col].isna().to_numpy()
        if bad.any():
            subs = pd.unique(frame.loc[bad, subject].dropna().astype(str))
            records.append((reason, col, int(bad.sum()), len(subs), tuple(subs)))
            keep &= ~bad
    if weights is not None:
        wv = pd.to_numeric(frame[weights], errors="coerce").to_numpy(dtype=float)
        bad = keep & ~(wv > 0)
        if bad.any():
            subs = pd.unique(frame.loc[bad, subject].astype(str))
            records.append(("weight not positive", weights, int(bad.sum()), len(subs), tuple(subs)))
            keep &= ~bad
    exclusions = pd.DataFrame(records, columns=EXCLUSION_COLUMNS)
    if not keep.all():
        frame = frame.loc[keep].reset_index(drop=True)
    if len(frame) == 0:
        raise InsufficientDataError("no complete rows are left after dropping missing values")

    # visit order (as read_trial), then the factors in model order; C(x) makes x a factor
    visit_cat, visit_note = _visit_order(frame, visit, visit_num)
    if visit_cat is not None:
        frame[visit] = visit_cat
    for c in c_vars:
        frame[c] = _categorical(frame[c])
    factors: dict[str, list] = {}
    numerics: dict[str, float] = {}
    for c in rhs_vars:
        if _is_factor(frame[c]):
            frame[c] = _categorical(frame[c])
            factors[c] = list(frame[c].cat.categories)
        else:
            numerics[c] = float(frame[c].mean())
    if not pd.api.types.is_numeric_dtype(frame[response]):
        raise ModelSpecError(f"the response {response!r} must be numeric")
    if visit in factors:
        visit_levels = factors[visit]
        vcodes = frame[visit].cat.codes.to_numpy()
    else:
        visit_cat = _categorical(frame[visit])
        visit_levels = list(visit_cat.cat.categories)
        vcodes = visit_cat.cat.codes.to_numpy()
        if visit not in numerics:
            frame[visit] = visit_cat

    spec, x_columns, x = _build_x(internal, frame, factors, numerics)
    names = [_r_name(c, factors) for c in x_columns]
    terms_idx = spec.term_indices
    terms = ["(Intercept)" if str(t) == "1" else str(t) for t in terms_idx]
    term_columns = {
        ("(Intercept)" if str(t) == "1" else str(t)): list(ix) for t, ix in terms_idx.items()
    }

    aliased_idx = _aliased_columns(x) if x.shape[1] else []
    keep_cols = None
    aliased_names: list[str] = []
    nonest = None
    if aliased_idx:
        aliased_names = [names[j] for j in aliased_idx]
        if not accept_singular:
            raise SingularDesignError(
                "the fixed-effects design is rank deficient: column(s) "
                + ", ".join(repr(n) for n in aliased_names)
                + " are linear combinations of earlier columns (e.g. an arm without data at a "
                "visit). Simplify the formula, drop the empty cells, or pass "
                "control=irtrial.FitControl(accept_singular=True) to drop the aliased columns as "
                "SAS and R do (non-estimable LS means are then reported as NaN)."
            )
        nonest = null_basis(x.T @ x, aliased_idx)
        keep_cols = np.array([j for j in range(x.shape[1]) if j not in set(aliased_idx)])
        new_pos = {old: new for new, old in enumerate(keep_cols)}
        x = x[:, keep_cols]
        names = [names[j] for j in keep_cols]
        term_columns = {
            t: [new_pos[j] for j in ix if j in new_pos] for t, ix in term_columns.items()
        }
        term_columns = {t: ix for t, ix in term_columns.items() if ix}
        terms = [t for t in terms if t in term_columns]

    subj = frame[subject].astype(str).to_numpy()
    subj_codes, subj_levels = pd.factorize(subj)
    vcodes = np.asarray(vcodes, dtype=np.int64)
    if group is not None:
        gcat = _categorical(frame[group])
        gcodes = np.asarray(gcat.cat.codes, dtype=np.int64)
        glevels = list(gcat.cat.categories)
        # a subject must stay in one group
        per_subject = pd.Series(gcodes).groupby(subj_codes).nunique()
        if (per_subject > 1).any():
            subs = tuple(str(subj_levels[i]) for i in per_subject.index[per_subject > 1])
            raise TrialValidationError(
                [Problem(f"subjects change {group!r} between visits", column=group, subjects=subs)]
            )
    else:
        gcodes = np.zeros(len(frame), dtype=np.int64)
        glevels = [None]
    w = (
        frame[weights].to_numpy(dtype=float)
        if weights is not None
        else np.ones(len(frame), dtype=float)
    )
    design = MMRMDesign(
        frame=frame,
        formula=formula,
        subject=subject,
        visit=visit,
        visit_levels=visit_levels,
        column_names=names,
        terms=terms,
        term_columns=term_columns,
        factors=factors,
        numerics=numerics,
        response=response,
        aliased=aliased_names,
        nonest_basis=nonest,
        visit_order_note=visit_note,
        _spec=spec,
        _keep=keep_cols,
    )
    return PreparedData(
        design=design,
        X=x,
        y=frame[response].to_numpy(dtype=float),
        w=w,
        subject_codes=np.asarray(subj_codes, dtype=np.int64),
        subjects=np.asarray(subj_levels, dtype=object),
        visit_codes=vcodes,
        group_codes=gcodes,
        group_levels=glevels,
        exclusions=exclusions,
        n_subjects_read=n_subjects_read,
    )


def make_patterns(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    subject_codes: np.ndarray,
    subjects: np.ndarray,
    visit_codes: np.ndarray,
    group_codes: np.ndarray,
    n_visits: int,
) -> tuple[Pattern, ...]:
    """Group subjects by (covariance group, set of observed visits), visits sorted.

    Subjects are coded 0..S-1 (``subjects[code]`` is the label; a code without rows gets no
    pattern). Patterns are ordered by group, then size (largest first), then first appearance;
    built without a per-subject loop.
    """
    n_sub = int(subject_codes.max()) + 1
    order = np.lexsort((visit_codes, subject_codes))
    sc = subject_codes[order]
    counts = np.bincount(sc, minlength=n_sub)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    present = counts > 0
    vc = visit_codes[order].astype(np.int64)
    gsub = np.zeros(n_sub, dtype=np.int64)
    gsub[sc] = group_codes[order]
    if n_visits <= 55:
        bits = np.left_shift(np.int64(1), vc)
        keys = np.zeros(n_sub, dtype=np.int64)
        keys[present] = np.add.reduceat(bits, starts[present])
        keys = keys + (gsub << n_visits)
        subs_present = np.flatnonzero(present)
        uniq, first, inverse, cnt = np.unique(
            keys[subs_present], return_index=True, return_inverse=True, return_counts=True
        )
    else:  # pragma: no cover - more than 55 visits
        mask = np.zeros((n_sub, n_visits), dtype=np.int64)
        mask[sc, vc] = 1
        subs_present = np.flatnonzero(present)
        rowsk = np.column_stack([gsub, mask])[subs_present]
        uniq, first, inverse, cnt = np.unique(
            rowsk, axis=0, return_index=True, return_inverse=True, return_counts=True
        )
    inverse = inverse.reshape(-1)
    pat_group = gsub[subs_present[first]]
    pat_order = np.lexsort((first, -cnt, pat_group))
    by_pattern = np.argsort(inverse, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(cnt)])
    out = []
    for k in pat_order:
        subs = subs_present[by_pattern[bounds[k] : bounds[k + 1]]]
        t = int(counts[subs[0]])
        rows = order[starts[subs][:, None] + np.arange(t)[None, :]]
        out.append(
            Pattern(
                visits=visit_codes[rows[0]].astype(np.int64),
                group=int(pat_group[k]),
                X=X[rows],
                y=y[rows],
                w=w[rows],
                rows=rows,
                subjects=subjects[subs],
            )
        )
    return tuple(out)
