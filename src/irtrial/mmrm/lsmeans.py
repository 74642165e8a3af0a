"""Least-squares means of an MMRM and their differences against a control, as SAS prints them.

An LS mean of level ``a`` of ``spec`` (at level ``v`` of ``by``) is ``x' beta`` for the row

* ``weights="equal"`` (SAS default): the average of the model-matrix rows over the full grid of
  the *other* factors of the model, each combination weighted equally; numeric covariates held
  at their mean over the analysis rows (``design.numerics``);
* ``weights="proportional"`` (SAS ``OBSMARGINS``, emmeans ``weights="proportional"``): the
  average of the model-matrix rows of all analysis rows with ``spec`` (and ``by``) set to the
  level, i.e. the other factors weighted by their observed frequencies.

Standard errors use the covariance from :func:`irtrial.mmrm.vcov.beta_vcov`; df come from the
chosen method (:mod:`irtrial.mmrm.df`), one contrast at a time.

Estimability: when the fit dropped aliased columns (``FitControl(accept_singular=True)``, e.g.
an arm without data at a visit), each LS mean and difference is checked on the full coding
(:mod:`irtrial.mmrm.estimability`, emmeans' rule). The tables then carry an extra boolean column
``estimable``; a non-estimable row (SAS "Non-est", emmeans ``nonEst``) has NaN in ``estimate,
std_error, df, statistic, p_value, ci_lower, ci_upper``. Without aliased columns every row is
estimable and the column is absent.

SAS: ``LSMEANS ARMCD*AVISIT / DIFF CL`` (with ``OM`` for proportional weights).
R: ``emmeans::emmeans(fit, ~ ARMCD | AVISIT)``.

See :func:`lsmeans_table` and :func:`contrasts_table` for examples.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.errors import ModelSpecError
from irtrial.mmrm._types import ModelState
from irtrial.mmrm.adjust import adjust_family, check_adjust
from irtrial.mmrm.design import _recipe
from irtrial.mmrm.estimability import full_model_matrix, is_estimable
from irtrial.mmrm.testing import contrast_estimates, contrast_table

__all__ = ["lsmeans_table", "contrasts_table", "lsmeans_matrix", "grid_rows"]


def _with_factor_dtypes(grid: pd.DataFrame, factors: dict[str, list]) -> pd.DataFrame:
    for name, levels in factors.items():
        if name in grid:
            grid[name] = pd.Categorical(grid[name], categories=levels)
    return grid


def grid_rows(
    state: ModelState,
    fixed_list: list[dict[str, object]],
    weights: str = "equal",
    full: bool = False,
) -> np.ndarray:
    """(n, p) averaged model-matrix rows, one per dict of factor levels held fixed.

    One model-matrix evaluation for all rows: the grids of every ``fixed`` are stacked.
    ``full=True``: over the full coding, aliased columns included (for the estimability check).
    """
    design = state.design
    if weights == "equal":
        fast = _equal_rows(design, fixed_list, full)
        if fast is not None:
            return fast
        fixed_names = list(fixed_list[0]) if fixed_list else []
        others = [f for f in design.factors if f not in fixed_names]
        combos = list(itertools.product(*(design.factors[f] for f in others)))
        base = pd.DataFrame(combos, columns=others) if others else pd.DataFrame(index=range(1))
        for name, mean in design.numerics.items():
            base[name] = mean
    elif weights == "proportional":
        base = design.frame
    else:
        raise ModelSpecError(f"weights must be 'equal' or 'proportional', not {weights!r}")
    n = len(base)
    parts = []
    for fixed in fixed_list:
        part = base.copy()
        for name, level in fixed.items():
            part[name] = level
        parts.append(part)
    grid = _with_factor_dtypes(pd.concat(parts, ignore_index=True), design.factors)
    if full:
        x = full_model_matrix(design, grid)
    else:
        x = np.asarray(design.model_matrix(grid), dtype=float)
    return x.reshape(len(fixed_list), n, -1).mean(axis=1)


def _equal_rows(design, fixed_list, full: bool) -> np.ndarray | None:
    """Equal-weights rows without building the grid: every column of X is a product of factor
    indicators and numeric variables of distinct variables, so its average over the full grid
    of the other factors is the product of the factors' averages (1 / n_levels), the fixed
    factors' indicators and the numerics' means. None when a column is not such a product
    (transforms such as ``np.log(x)``; then the grid is built)."""
    spec = getattr(design, "_spec", None)
    if spec is None or not fixed_list:
        return None
    recipe = _recipe(list(spec.column_names), design.factors, design.numerics)
    if recipe is None:
        return None
    n = len(fixed_list)
    codes = {}
    for name in fixed_list[0]:
        levels = design.factors[name]
        try:
            codes[name] = np.array([levels.index(f[name]) for f in fixed_list])
        except ValueError:
            return None
    x = np.empty((n, len(recipe)))
    for j, parts in enumerate(recipe):
        col = np.ones(n)
        names = [name for name, _ in parts]
        if len(set(names)) != len(names):
            return None  # a variable twice in one column: not a product of averages
        for name, lvl in parts:
            if lvl is None:
                col = col * design.numerics[name]
            elif name in codes:
                col = col * (codes[name] == lvl)
            else:
                col = col / len(design.factors[name])
        x[:, j] = col
    drop = getattr(design, "drop_aliased", None)
    return x if full or drop is None else drop(x)


def _check(state: ModelState, spec: str, by: str | None) -> None:
    factors = state.design.factors
    bad = [v for v in (spec, by) if v is not None and v not in factors]
    if bad:
        raise ModelSpecError(
            f"LS means need factors of the model; {', '.join(map(repr, bad))} "
            f"{'is' if len(bad) == 1 else 'are'} not among {list(factors)}"
        )
    if by is not None and by == spec:
        raise ModelSpecError("'by' must differ from the LS-means factor")


def lsmeans_matrix(
    state: ModelState,
    spec: str,
    by: str | None = None,
    weights: str = "equal",
    full: bool = False,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The LS-means grid (columns ``spec``, ``by``) and its (n, p) coefficient matrix
    (``full=True``: over the full coding, aliased columns included)."""
    _check(state, spec, by)
    factors = state.design.factors
    keys = []
    for bl in factors[by] if by is not None else [None]:
        for lvl in factors[spec]:
            keys.append({spec: lvl} if by is None else {spec: lvl, by: bl})
    return pd.DataFrame(keys), grid_rows(state, keys, weights, full)


def _estimable_table(state: ModelState, L_full: np.ndarray, **kwargs) -> pd.DataFrame:
    """contrast_table of rows over the full coding, non-estimable rows as NaN (see module)."""
    design = state.design
    basis = getattr(design, "nonest_basis", None)
    if basis is None:
        return contrast_table(state, L_full, None, **kwargs)
    ok = is_estimable(L_full, basis)
    return contrast_table(state, design.drop_aliased(L_full), None, estimable=ok, **kwargs)


def lsmeans_table(
    state: ModelState,
    spec: str,
    by: str | None = None,
    *,
    weights: str = "equal",
    df: str,
    vcov: str | None = None,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """LS means of ``spec`` (per level of ``by``) (SAS ``LSMEANS spec*by``; R ``emmeans``).

    Parameters
    ----------
    state : ModelState
    spec, by : str
        Factors of the model (``by`` optional).
    weights : {"equal", "proportional"}
        Weights of the other factors' levels (SAS default / SAS ``OBSMARGINS``).
    df, vcov, conf_level
        As :func:`irtrial.mmrm.testing.contrast_table`.

    Returns
    -------
    DataFrame
        ``<spec>, <by>, estimate, std_error, df, statistic, p_value, ci_lower, ci_upper``
        (the t test is against 0).

    Examples
    --------
    >>> import irtrial
    >>> from irtrial.synthetic import ir_wrap_trial
    >>> fit = irtrial.mmrm(ir_wrap_trial(), df="kenward-roger")
    >>> tab = lsmeans_table(fit.state, "arm", by="visit", df="kenward-roger")
    >>> tab.iloc[-1][["arm", "visit"]].tolist(), float(round(tab.iloc[-1]["estimate"], 3))
    (['IR', 'Week 6'], -4.081)
    """
    keys, L = lsmeans_matrix(state, spec, by, weights, full=True)
    tab = _estimable_table(state, L, df=df, vcov=vcov, conf_level=conf_level)
    return pd.concat([keys, tab.drop(columns="term")], axis=1)


def contrasts_table(
    state: ModelState,
    spec: str,
    control,
    by: str | None = None,
    *,
    weights: str = "equal",
    df: str,
    vcov: str | None = None,
    conf_level: float = 0.95,
    adjust: str | None = None,
) -> pd.DataFrame:
    """Each level of ``spec`` other than ``control`` minus ``control`` (per level of ``by``).

    SAS ``LSMEANS spec*by / DIFF=CONTROL('control') CL``; R
    ``contrast(emmeans(fit, ~ spec | by), "trt.vs.ctrl")``. Columns as
    :func:`lsmeans_table`, ``<spec>`` holding the active level and ``control`` the level
    it is compared with (so that a table read on its own says which difference it holds).

    ``adjust`` (``None``, ``"holm"``, ``"bonferroni"``, ``"dunnett"``): multiplicity
    adjustment of the active-vs-control differences within each level of ``by`` (one family
    per visit, as emmeans; see :mod:`irtrial.mmrm.adjust`). As SAS's ``ADJUST=`` output, the
    table keeps the unadjusted ``p_value, ci_lower, ci_upper`` and adds ``p_adjusted,
    ci_lower_adjusted, ci_upper_adjusted`` (simultaneous intervals; Bonferroni's for Holm)
    and ``adjust`` (the method; a family of one contrast is not adjusted).

    Examples
    --------
    >>> import irtrial
    >>> from irtrial.synthetic import ir_wrap_trial
    >>> fit = irtrial.mmrm(ir_wrap_trial(), df="kenward-roger")
    >>> tab = contrasts_table(fit.state, "arm", "Placebo", by="visit", df="kenward-roger")
    >>> tab.iloc[-1][["estimate", "std_error", "df"]].astype(float).round(3).tolist()
    [-2.676, 0.528, 36.263]
    """
    adjust = check_adjust(adjust)
    _check(state, spec, by)
    levels = state.design.factors[spec]
    if control not in levels:
        raise ModelSpecError(f"control {control!r} is not a level of {spec!r}: {levels}")
    keys, L = lsmeans_matrix(state, spec, by, weights, full=True)
    rows, out_keys = [], []
    groups = [None] if by is None else state.design.factors[by]
    for bl in groups:
        sel = np.ones(len(keys), dtype=bool) if by is None else (keys[by] == bl).to_numpy()
        ctrl = L[sel & (keys[spec] == control).to_numpy()][0]
        for lvl in levels:
            if lvl == control:
                continue
            rows.append(L[sel & (keys[spec] == lvl).to_numpy()][0] - ctrl)
            keys_row = {spec: lvl} if by is None else {spec: lvl, by: bl}
            out_keys.append({**keys_row, "control": control})
    L = np.vstack(rows)
    tab = _estimable_table(state, L, df=df, vcov=vcov, conf_level=conf_level)
    out = pd.concat([pd.DataFrame(out_keys), tab.drop(columns="term")], axis=1)
    if adjust is not None:
        family = out[by].to_numpy() if by is not None else np.zeros(len(out))
        out = _adjusted(state, L, out, family, adjust, df=df, vcov=vcov, conf_level=conf_level)
    return out


ADJUSTED_COLUMNS = ["p_adjusted", "ci_lower_adjusted", "ci_upper_adjusted", "adjust"]


def _adjusted(state, L_full, tab, family, method, *, df, vcov, conf_level) -> pd.DataFrame:
    """``tab`` plus the adjusted p-values and simultaneous intervals, one family per value of
    ``family`` (non-estimable rows left out)."""
    ok = tab[C.ESTIMATE].notna().to_numpy()
    p_adj = np.full(len(tab), np.nan)
    lo, hi = p_adj.copy(), p_adj.copy()
    if ok.any():
        L = state.design.drop_aliased(L_full[ok])
        est, se, dfs, cov = contrast_estimates(state, L, df=df, vcov=vcov)
        cov_c = L @ cov @ L.T
        idx = np.flatnonzero(ok)
        fam = pd.factorize(pd.Series(family[ok]))[0]
        for f in np.unique(fam):
            j = np.flatnonzero(fam == f)
            pa, la, ha = adjust_family(est[j], se[j], dfs[j], cov_c[np.ix_(j, j)], method,
                                       conf_level)
            p_adj[idx[j]], lo[idx[j]], hi[idx[j]] = pa, la, ha
    tab = tab.copy()
    tab["p_adjusted"], tab["ci_lower_adjusted"], tab["ci_upper_adjusted"] = p_adj, lo, hi
    tab["adjust"] = method
    return tab
