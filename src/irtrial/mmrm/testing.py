"""Tests of linear hypotheses on the fixed effects: t tests per contrast, joint F, type 3 table.

For a contrast row ``l``: estimate ``l' b``, SE ``sqrt(l' C l)`` with ``C`` the covariance chosen
by ``vcov`` (default: KR-adjusted for the KR df methods, else asymptotic), ``t = est / SE`` on the
df of the chosen method, two-sided p and the ``conf_level`` CI.

Joint test of ``L b = 0`` (q independent rows): ``F = (L b)' (L C L')^-1 (L b) / q`` on
``(q, den_df)``; Kenward-Roger scales it, ``F* = lambda F``.

Type 3 ("Type 3 Tests of Fixed Effects" in SAS): for each term, the hypothesis that its effect,
averaged with equal weights over the levels of the factors it does not contain, is zero. The
rows of ``L`` are built on the reference grid: the term's factors get differences from their
first (reference) level -- SAS's last level with ``ref=`` -- or, when the term's margin without
that factor is absent (a nested term such as ``ARMCD:FEV1_BL`` without ``FEV1_BL``), one row per
level; the other factors are averaged over equally; a numeric covariate in the term is
differenced between 1 and 0 (a slope), one outside the term is held at 0, as SAS's type 3
estimable functions do (with full-rank treatment coding, as R ``car::Anova(type = 3)``/mmrm's
``h_get_contrast`` for the models used here). F is invariant to the choice of rows; SAS's
multi-row Satterthwaite df are not, and match SAS when SAS's reference level (``ref=``, its
last level) is the model's first level, as in SAS programs written to match R.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pandas as pd
from scipy import stats

from irtrial import columns as C
from irtrial.errors import ModelSpecError
from irtrial.mmrm._threads import single_blas_thread
from irtrial.mmrm._types import ModelState
from irtrial.mmrm.df import df_method
from irtrial.mmrm.estimability import (
    estimable_part,
    fitted_columns,
    full_model_matrix,
    is_estimable,
)
from irtrial.mmrm.options import resolve_inference
from irtrial.mmrm.vcov import beta_vcov

__all__ = ["contrast_table", "contrast_estimates", "joint_test", "type3_table", "type3_contrast"]

#: the boolean column added to tables of a fit with aliased columns
ESTIMABLE = "estimable"

def _resolve(state: ModelState, df: str, vcov: str | None):
    """The df method's module and the covariance of beta-hat, the names resolved by
    :func:`irtrial.mmrm.options.resolve_inference` (the fit's options pass through unchanged)."""
    df, vc = resolve_inference(state.method, df, vcov)
    return df_method(df), beta_vcov(state, vc)


def _one_blas_thread(func):
    """Run ``func`` with BLAS limited to one thread (tiny matrices; see ``_threads``)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with single_blas_thread():
            return func(*args, **kwargs)

    return wrapper


@_one_blas_thread
def contrast_table(
    state: ModelState,
    L,
    labels=None,
    *,
    df: str,
    vcov: str | None = None,
    conf_level: float = 0.95,
    estimable=None,
) -> pd.DataFrame:
    """t tests of the rows of ``L`` (SAS ``ESTIMATE``; R ``emmeans::contrast``, mmrm ``df_1d``).

    Parameters
    ----------
    state : ModelState
    L : (q, p) array_like
        Contrast rows over the fixed-effect coefficients (``design.column_names``).
    labels : list of str, optional
        Row labels (default ``contrast 1``, ...).
    df : str
        One of ``DF_METHODS``.
    vcov : str, optional
        One of ``VCOV_METHODS``; default the df method's own (KR-adjusted for the KR methods).
    conf_level : float
    estimable : (q,) bool array, optional
        Which rows are estimable (the LS-means layer checks its rows on the full coding,
        :mod:`irtrial.mmrm.estimability`). When given, the other rows get NaN in every number
        and the table an ``estimable`` column. ``L`` itself is over the fitted (kept) columns
        and is taken as given: with aliased columns dropped, ``L beta`` is then the function
        with the aliased coefficients set to 0, as R's ``coef`` without the NAs.

    Returns
    -------
    DataFrame
        ``term, estimate, std_error, df, statistic, p_value, ci_lower, ci_upper`` (then
        ``estimable`` when ``estimable`` is given).

    Examples
    --------
    >>> import irtrial
    >>> from irtrial.synthetic import ir_wrap_trial
    >>> fit = irtrial.mmrm(ir_wrap_trial(), df="kenward-roger")
    >>> tab = contrast_table(fit.state, [[0, 0, 1] + [0] * 10], ["IR - Placebo, Week 1"],
    ...                      df="kenward-roger")
    >>> tab[["estimate", "std_error", "df"]].round(3).values.tolist()
    [[-1.049, 0.326, 35.518]]
    """
    L = _check_contrast(state, L)
    if not (isinstance(conf_level, float | int) and 0 < conf_level < 1):
        raise ModelSpecError(f"conf_level={conf_level!r} must be a number between 0 and 1")
    est, se, dfs, _ = contrast_estimates(state, L, df=df, vcov=vcov)
    t = est / se
    p = 2.0 * stats.t.sf(np.abs(t), dfs)
    q = stats.t.ppf(0.5 + conf_level / 2.0, dfs)
    labels = list(labels) if labels is not None else [f"contrast {i + 1}" for i in range(len(L))]
    out = pd.DataFrame({
        C.TERM: labels, C.ESTIMATE: est, C.STD_ERROR: se, C.DF: dfs, C.STATISTIC: t,
        C.P_VALUE: p, C.CI_LOWER: est - q * se, C.CI_UPPER: est + q * se,
    })
    if estimable is not None:
        ok = np.asarray(estimable, dtype=bool).reshape(-1)
        if ok.shape != (len(L),):
            raise ModelSpecError(f"estimable has {ok.size} entries for {len(L)} contrast rows")
        out.loc[~ok, [C.ESTIMATE, C.STD_ERROR, C.DF, C.STATISTIC, C.P_VALUE, C.CI_LOWER,
                      C.CI_UPPER]] = np.nan
        out[ESTIMABLE] = ok
    return out


@_one_blas_thread
def contrast_estimates(state: ModelState, L, *, df: str, vcov: str | None = None):
    """(estimates, SEs, df, covariance of beta-hat) of the rows of ``L`` (no table): what
    :func:`contrast_table` reports, plus the covariance for joint or simultaneous inference."""
    L = _check_contrast(state, L)
    method, cov = _resolve(state, df, vcov)
    est = L @ state.beta
    se = np.sqrt(np.einsum("qa,ab,qb->q", L, cov, L))
    dfs = np.asarray(method.df_1d(state, L, cov), dtype=float)
    return est, se, dfs, cov


def _check_contrast(state: ModelState, L) -> np.ndarray:
    L = np.atleast_2d(np.asarray(L, dtype=float))
    problems = []
    if L.ndim != 2 or L.shape[1] != state.beta.size:
        problems.append(f"has shape {L.shape}; the model has {state.beta.size} coefficients")
    elif not np.all(np.isfinite(L)):
        problems.append("contains NaN or infinite values")
    elif not np.any(L):
        problems.append("is all zeros")
    if problems:
        raise ModelSpecError("the contrast matrix L " + "; ".join(problems))
    return L


def _independent_rows(L: np.ndarray, tol: float = 1e-10) -> np.ndarray:
    """Rows spanning the row space of L (kept as given when L has full row rank)."""
    if np.linalg.matrix_rank(L, tol=tol * max(1.0, np.abs(L).max())) == L.shape[0]:
        return L
    _, s, vt = np.linalg.svd(L, full_matrices=False)
    r = int(np.sum(s > tol * s[0]))
    return vt[:r] * s[:r, None]


@_one_blas_thread
def joint_test(state: ModelState, L, *, df: str, vcov: str | None = None) -> dict:
    """Joint F test of ``L b = 0`` (SAS ``CONTRAST``; R mmrm ``df_md``).

    Redundant rows of ``L`` are dropped (``num_df`` is its rank). Kenward-Roger scales F by
    lambda; Satterthwaite uses SAS's eigen-decomposition df.

    Returns
    -------
    dict
        ``num_df, den_df, f_value, p_value``.

    Examples
    --------
    >>> import irtrial
    >>> from irtrial.synthetic import ir_wrap_trial
    >>> fit = irtrial.mmrm(ir_wrap_trial(), df="kenward-roger")
    >>> res = joint_test(fit.state, type3_contrast(fit.state, "arm:visit"), df="kenward-roger")
    >>> res["num_df"], round(res["den_df"], 3), round(res["f_value"], 3)
    (5, 33.0, 1.578)
    """
    L = _independent_rows(_check_contrast(state, L))
    method, cov = _resolve(state, df, vcov)
    q = L.shape[0]
    lb = L @ state.beta
    f = float(lb @ np.linalg.solve(L @ cov @ L.T, lb)) / q
    scale, den = method.df_md(state, L, cov)
    f *= scale
    p = float(stats.f.sf(f, q, den)) if den > 0 else float("nan")
    return {C.NUM_DF: q, C.DEN_DF: float(den), C.F_VALUE: f, C.P_VALUE: p}


def _term_vars(term: str) -> list[str]:
    if term in ("(Intercept)", "Intercept", "1"):
        return []
    return term.split(":")


def _vs_first(n: int) -> np.ndarray:
    """(n-1, n) differences of each level from the first (reference) level."""
    return np.eye(n)[1:] - np.eye(n)[:1]


def _grid(state: ModelState) -> pd.DataFrame:
    """All combinations of the factor levels (product order), numerics at 0."""
    design = state.design
    factors = list(design.factors)
    grid = pd.DataFrame(
        list(itertools.product(*(design.factors[f] for f in factors))), columns=factors
    )
    if grid.empty and not factors:
        grid = pd.DataFrame(index=range(1))
    for name in design.numerics:
        grid[name] = 0.0
    for name, levels in design.factors.items():
        grid[name] = pd.Categorical(grid[name], categories=levels)
    return grid


def type3_contrast(state: ModelState, term: str, _cache: dict | None = None) -> np.ndarray:
    """The (q, p) type 3 hypothesis matrix of ``term`` (a name in ``design.terms``).

    With aliased columns, its estimable part (:func:`irtrial.mmrm.estimability.estimable_part`),
    over the fitted columns; no rows when nothing of it is estimable.
    """
    L = _type3_full(state, term, _cache)
    basis = getattr(state.design, "nonest_basis", None)
    if basis is not None:
        L = estimable_part(L, basis)
    return fitted_columns(state.design, L)


def _type3_full(state: ModelState, term: str, _cache: dict | None = None) -> np.ndarray:
    """The equal-weights type 3 hypothesis of ``term`` over the full coding."""
    design = state.design
    tv = _term_vars(term)
    cache = {} if _cache is None else _cache
    num_in = tuple(n for n in design.numerics if n in tv)

    def x_at(ones: tuple) -> np.ndarray:
        if ones not in cache:
            if "grid" not in cache:
                cache["grid"] = _grid(state)
            g = cache["grid"].copy()
            for name in ones:
                g[name] = 1.0
            cache[ones] = full_model_matrix(design, g)
        return cache[ones]

    # a numeric covariate of the term is differenced between 1 and 0 (its slope); with several,
    # the alternating sum over the corners of the unit cube
    x = 0.0
    for values in itertools.product(*([0, 1] for _ in num_in)):
        sign = np.prod([1.0 if v else -1.0 for v in values]) if num_in else 1.0
        x = x + sign * x_at(tuple(n for n, v in zip(num_in, values, strict=True) if v))
    # factor contrasts on the grid (rows ordered as itertools.product of the factor levels): a
    # factor of the term gets differences from its first level when the term without it is in
    # the model (its margin), else one row per level (as R codes such a factor with indicators)
    present = {frozenset(_term_vars(t)) for t in design.terms}
    if any(t in ("(Intercept)", "Intercept", "1") for t in design.terms):
        present.add(frozenset())
    k = np.ones((1, 1))
    for f, levels in design.factors.items():
        n = len(levels)
        if f not in tv:
            k = np.kron(k, np.full((1, n), 1.0 / n))
        elif frozenset(tv) - {f} in present:
            k = np.kron(k, _vs_first(n))
        else:
            k = np.kron(k, np.eye(n))
    return k @ x


def type3_table(state: ModelState, *, df: str, vcov: str | None = None) -> pd.DataFrame:
    """SAS "Type 3 Tests of Fixed Effects" with the chosen df (R ``car::Anova(type = 3)``).

    Returns
    -------
    DataFrame
        ``term, num_df, den_df, f_value, p_value``, one row per term but the intercept and
        but terms without a hypothesis to test (a factor with a single level, e.g. the visit
        of a trial with one post-baseline visit).

    Notes
    -----
    With aliased columns (``FitControl(accept_singular=True)``, e.g. an arm without data at a
    visit) the table has a boolean column ``estimable``: whether the term's equal-weights
    hypothesis is estimable as a whole. When it is not, the term is tested on its estimable
    part, the largest set of combinations of its rows that is estimable
    (:func:`irtrial.mmrm.estimability.estimable_part`), and ``num_df`` is that part's rank
    (``num_df = 0`` and NaN when nothing is estimable). With empty cells SAS builds its Type 3
    functions differently (Goodnight's general form), so such an F can differ from SAS's;
    a fully estimable term (``estimable`` True) is the same test as without the check.

    Examples
    --------
    >>> import irtrial
    >>> from irtrial.synthetic import ir_wrap_trial
    >>> fit = irtrial.mmrm(ir_wrap_trial(), df="kenward-roger")
    >>> type3_table(fit.state, df="kenward-roger").round(3).values.tolist()[-1]
    ['arm:visit', 5, 33.0, 1.578, 0.194]
    """
    rows = []
    cache: dict = {}
    basis = getattr(state.design, "nonest_basis", None)
    columns = [C.TERM, C.NUM_DF, C.DEN_DF, C.F_VALUE, C.P_VALUE]
    for term in state.design.terms:
        if not _term_vars(term):
            continue
        full = _type3_full(state, term, cache)
        if not np.any(full):
            continue  # no hypothesis to test: the term's factor has one level (e.g. one visit)
        row = {C.TERM: term}
        if basis is not None:
            row[ESTIMABLE] = bool(is_estimable(full, basis).all())
            full = estimable_part(full, basis)
        L = fitted_columns(state.design, full)
        if L.shape[0] == 0 or not np.any(L):
            rows.append({**row, C.NUM_DF: 0, C.DEN_DF: np.nan, C.F_VALUE: np.nan,
                         C.P_VALUE: np.nan})
            continue
        rows.append({**row, **joint_test(state, L, df=df, vcov=vcov)})
    if basis is not None:
        columns.append(ESTIMABLE)
    return pd.DataFrame(rows, columns=columns)
