r"""Conditional normal distributions of unobserved visits given observed ones, per pattern.

For a subject with outcome vector :math:`y = (y_o, y_m)` (observed, missing) distributed
:math:`N(\mu, \Sigma)`,

.. math::

    y_m \mid y_o \sim N\big(\mu_m + \Sigma_{mo}\Sigma_{oo}^{-1}(y_o - \mu_o),\;
    \Sigma_{mm} - \Sigma_{mo}\Sigma_{oo}^{-1}\Sigma_{om}\big).

The mean :math:`\mu` is whatever the caller gives, one row per subject: the subject's own arm
(missing at random), the reference arm (jump to reference), or the mixtures of copy reference and
copy increments from reference (Carpenter, Roger & Kenward 2013), built by the caller. Subjects
that share a covariance group and a set of missing visits share the regression matrix
:math:`\Sigma_{mo}\Sigma_{oo}^{-1}` and the conditional covariance, so the work is one small
solve per missing-data pattern (``np.unique`` over the rows of the missing mask), never an
N x N matrix. A subject with nothing observed gets the marginal :math:`N(\mu, \Sigma)`.

SAS: PROC MI ``MONOTONE REG`` / ``MCMC`` impute from such conditionals (per pattern);
R: ``rbmi`` (``impute``, method ``"jump_to_ref"`` ...) and ``mice``-free ``condMVNorm``.

References
----------
1. Carpenter JR, Roger JH, Kenward MG. Analysis of longitudinal trials with protocol deviation:
   a framework for relevant, accessible assumptions, and inference via multiple imputation.
   J Biopharm Stat 2013;23:1352-1371.
2. Anderson TW. An Introduction to Multivariate Statistical Analysis, 3rd ed., Theorem 2.5.1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from irtrial.errors import ModelSpecError

__all__ = ["ConditionalNormal", "ConditionalBlock", "conditional_normal"]


@dataclass(frozen=True, eq=False)
class ConditionalBlock:
    """The subjects of one missing-data pattern (and covariance group).

    Attributes
    ----------
    rows : (m,) int array
        Subjects (rows of ``y``) in this pattern.
    missing, observed : int arrays
        Visit indices that are unobserved / observed in this pattern.
    group : int
        Covariance group.
    cov : (k, k) array
        Conditional covariance of the ``k`` missing visits given the observed ones.
    chol : (k, k) array
        A lower-triangular factor ``chol @ chol.T == cov`` (eigen-based square root when ``cov``
        is only semi-definite).
    regression : (k, t) array
        ``Sigma_mo Sigma_oo^-1`` (empty when nothing is observed).
    """

    rows: np.ndarray
    missing: np.ndarray
    observed: np.ndarray
    group: int
    cov: np.ndarray
    chol: np.ndarray
    regression: np.ndarray


@dataclass(frozen=True, eq=False)
class ConditionalNormal:
    """Distribution of every subject's unobserved visits given the observed ones.

    Attributes
    ----------
    mean : (n, v) array
        Observed values kept; unobserved cells hold ``E[y_m | y_o]``.
    observed : (n, v) bool array
    blocks : tuple of ConditionalBlock
        One per missing-data pattern with at least one unobserved visit.
    subjects : array or None
        Subject labels of the rows (set by :meth:`MMRMResult.conditional`).
    visits : list or None
        Visit labels of the columns.
    """

    mean: np.ndarray
    observed: np.ndarray
    blocks: tuple[ConditionalBlock, ...]
    subjects: np.ndarray | None = None
    visits: list | None = None
    _block_of: np.ndarray = field(default=None, repr=False)

    @property
    def n_subjects(self) -> int:
        return self.mean.shape[0]

    def cov(self, i: int) -> np.ndarray:
        """(v, v) conditional covariance of subject ``i`` (zero rows/columns where observed)."""
        v = self.mean.shape[1]
        out = np.zeros((v, v))
        b = self._block_of[int(i)]
        if b >= 0:
            blk = self.blocks[b]
            out[np.ix_(blk.missing, blk.missing)] = blk.cov
        return out

    @property
    def sd(self) -> np.ndarray:
        """(n, v) conditional standard deviations (0 where observed)."""
        out = np.zeros_like(self.mean)
        for blk in self.blocks:
            out[np.ix_(blk.rows, blk.missing)] = np.sqrt(np.clip(np.diag(blk.cov), 0, None))
        return out

    def sample(self, seed=None, size: int | None = None) -> np.ndarray:
        """Draws of the complete data: observed values kept, unobserved ones drawn.

        Parameters
        ----------
        seed : int, SeedSequence or Generator, optional
        size : int, optional
            Number of draws; None gives one (n, v) array, an int a (size, n, v) array.

        Returns
        -------
        ndarray
            The random stream is consumed block by block in ``blocks`` order.
        """
        rng = np.random.default_rng(seed)
        k = 1 if size is None else int(size)
        out = np.broadcast_to(self.mean, (k, *self.mean.shape)).copy()
        for blk in self.blocks:
            z = rng.standard_normal((k, len(blk.rows), len(blk.missing)))
            out[:, blk.rows[:, None], blk.missing[None, :]] += z @ blk.chol.T
        return out[0] if size is None else out

    def to_frame(self):
        """Long table ``subject, visit, observed, cond_mean, cond_sd`` (one row per cell)."""
        import pandas as pd

        n, v = self.mean.shape
        subj = self.subjects if self.subjects is not None else np.arange(n)
        vis = self.visits if self.visits is not None else list(range(v))
        return pd.DataFrame(
            {
                "subject": np.repeat(np.asarray(subj, dtype=object), v),
                "visit": np.tile(np.asarray(vis, dtype=object), n),
                "observed": self.observed.reshape(-1),
                "cond_mean": self.mean.reshape(-1),
                "cond_sd": self.sd.reshape(-1),
            }
        )


def _sqrt_factor(cov: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        w, q = np.linalg.eigh(cov)
        return q * np.sqrt(np.clip(w, 0.0, None))


def _pattern_keys(missing: np.ndarray, group: np.ndarray) -> np.ndarray:
    """One integer (or row) key per subject for (group, missing set)."""
    n, v = missing.shape
    if v <= 40:
        bits = np.left_shift(np.int64(1), np.arange(v, dtype=np.int64))
        return missing.astype(np.int64) @ bits + (group.astype(np.int64) << v)
    return np.column_stack([group, missing]).astype(np.int64)


def conditional_normal(y, mean, sigma, *, group=None) -> ConditionalNormal:
    r"""Conditional normal distribution of each subject's missing visits given the observed.

    Parameters
    ----------
    y : (n, v) array_like
        Outcomes, one row per subject and one column per visit; NaN marks an unobserved visit.
    mean : (n, v) array_like
        Mean of each subject's outcome vector (own arm, reference arm, or a mixture: the
        caller builds it). Must be finite.
    sigma : (v, v) or (G, v, v) array_like
        Covariance of a subject's outcome vector, one per covariance group.
    group : (n,) int array_like, optional
        Covariance group code of each subject (required when ``sigma`` has G > 1 groups).

    Returns
    -------
    ConditionalNormal
        ``.mean`` (observed values kept, missing cells E[y_m | y_o]), ``.cov(i)``, ``.sd``,
        ``.blocks`` (per pattern: rows, missing and observed visits, conditional covariance and
        its Cholesky factor) and ``.sample(seed, size)``.

    Notes
    -----
    .. math:: E[y_m \mid y_o] = \mu_m + \Sigma_{mo}\Sigma_{oo}^{-1}(y_o - \mu_o), \quad
              \mathrm{Var}[y_m \mid y_o] = \Sigma_{mm} - \Sigma_{mo}\Sigma_{oo}^{-1}\Sigma_{om}.

    Computed once per distinct (group, missing set), with a Cholesky solve of
    :math:`\Sigma_{oo}`. SAS PROC MI and R ``rbmi`` impute from the same distributions.

    Examples
    --------
    >>> import numpy as np
    >>> sigma = np.array([[4.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 4.0]])
    >>> y = np.array([[1.0, np.nan, np.nan], [0.0, 2.0, 3.0]])
    >>> cn = conditional_normal(y, np.zeros((2, 3)), sigma)
    >>> cn.mean[0].round(4).tolist()
    [1.0, 0.5, 0.25]
    >>> cn.cov(0)[1:, 1:].round(4).tolist()
    [[3.0, 1.5], [1.5, 3.75]]
    >>> cn.sample(seed=1, size=100).shape
    (100, 2, 3)
    """
    y = np.asarray(y, dtype=float)
    mean = np.asarray(mean, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    problems = []
    if y.ndim != 2:
        problems.append(f"y must be (n, v), got shape {y.shape}")
    if mean.shape != y.shape:
        problems.append(f"mean has shape {mean.shape}, y has {y.shape}: give one mean per cell")
    elif not np.all(np.isfinite(mean)):
        problems.append(f"mean has {int((~np.isfinite(mean)).sum())} non-finite value(s)")
    if sigma.ndim == 2:
        sigma = sigma[None]
    v = y.shape[1] if y.ndim == 2 else 0
    if sigma.ndim != 3 or sigma.shape[1:] != (v, v):
        problems.append(f"sigma must be (v, v) or (G, v, v) with v = {v}, got {sigma.shape}")
    n_groups = sigma.shape[0] if sigma.ndim == 3 else 1
    if group is None:
        if n_groups > 1:
            problems.append(f"sigma has {n_groups} groups: give group= (one code per subject)")
        group = np.zeros(y.shape[0] if y.ndim == 2 else 0, dtype=np.int64)
    else:
        group = np.asarray(group)
        if group.shape != (y.shape[0],) or not np.issubdtype(group.dtype, np.integer):
            problems.append("group must be one integer code per row of y")
        elif len(group) and (group.min() < 0 or group.max() >= n_groups):
            problems.append(f"group codes must lie in 0..{n_groups - 1}")
    if problems:
        raise ModelSpecError("conditional_normal: " + "; ".join(problems))

    missing = np.isnan(y)
    cond = np.where(missing, mean, y)
    block_of = np.full(y.shape[0], -1, dtype=np.int64)
    blocks = []
    has_missing = np.flatnonzero(missing.any(axis=1))
    if len(has_missing):
        keys = _pattern_keys(missing[has_missing], group[has_missing])
        if keys.ndim == 1:
            _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        else:
            _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(first) + 1))
        for b, f in enumerate(first):
            rows = has_missing[order[bounds[b] : bounds[b + 1]]]
            mrow = missing[has_missing[f]]
            m_idx = np.flatnonzero(mrow)
            o_idx = np.flatnonzero(~mrow)
            g = int(group[has_missing[f]])
            s_m = sigma[g][m_idx]
            s_mm = s_m[:, m_idx]
            if len(o_idx):
                s_oo = sigma[g][o_idx][:, o_idx]
                try:
                    np.linalg.cholesky(s_oo)
                except np.linalg.LinAlgError as exc:
                    raise ModelSpecError(
                        "conditional_normal: sigma is not positive definite on the observed "
                        f"visits {o_idx.tolist()} (group {g})"
                    ) from exc
                s_mo = s_m[:, o_idx]
                reg = np.linalg.solve(s_oo, s_mo.T).T  # (k, t) Sigma_mo Sigma_oo^-1
                r2 = rows[:, None]
                resid = y[r2, o_idx] - mean[r2, o_idx]
                cond[r2, m_idx] += resid @ reg.T
                cc = s_mm - reg @ s_mo.T
                cc = 0.5 * (cc + cc.T)
            else:
                reg = np.zeros((len(m_idx), 0))
                cc = s_mm.copy()
            block_of[rows] = len(blocks)
            blocks.append(
                ConditionalBlock(
                    rows=rows,
                    missing=m_idx,
                    observed=o_idx,
                    group=g,
                    cov=cc,
                    chol=_sqrt_factor(cc),
                    regression=reg,
                )
            )
    return ConditionalNormal(
        mean=cond, observed=~missing, blocks=tuple(blocks), _block_of=block_of
    )


# ---- from a fitted MMRM -------------------------------------------------------------------------
def _grid(result):
    """(frame of the subject x visit grid, y (S, v), subjects, group codes (S,)) of a fit: the
    model's rows (missing responses included when the fit came from an :class:`MMRM`)."""
    import pandas as pd

    design = result.design
    model = getattr(result, "_model", None)
    if model is not None:
        full = model._full
        frame, sub_codes, subjects = full.frame, full.subject_codes, full.subjects
        vis_codes, grp_codes = full.visit_codes, full.group_codes
    else:
        frame = design.frame
        sub_codes, subjects = pd.factorize(frame[design.subject].astype(str).to_numpy())
        vis_codes = np.asarray(
            pd.Categorical(frame[design.visit], categories=design.visit_levels).codes)
        grp_codes = (np.zeros(len(frame), dtype=np.int64) if result.group is None else np.asarray(
            pd.Categorical(frame[result.group], categories=result.group_levels).codes))
    levels = list(design.visit_levels)
    s, v = len(subjects), len(levels)
    cell = sub_codes * v + vis_codes
    first = np.full(s, -1, dtype=np.int64)
    first[sub_codes[::-1]] = np.arange(len(frame))[::-1]
    src = np.repeat(first, v)
    src[cell] = np.arange(len(frame))
    absent = np.ones(s * v, dtype=bool)
    absent[cell] = False
    if absent.any():
        cols = [c for c in frame.columns if c not in (design.subject, design.visit,
                                                      design.response)]
        grouped = frame[cols].groupby(sub_codes).nunique(dropna=False)
        varying = [c for c in cols if (grouped[c] > 1).any()]
        if varying:
            raise ModelSpecError(
                f"conditional: {', '.join(map(repr, varying))} vary within subjects, so the "
                "visits without a row cannot be filled; give the data a row for every subject "
                "and visit (response NaN)")
    grid = frame.iloc[src].reset_index(drop=True)
    vis = np.tile(np.arange(v), s)
    if design.visit in design.factors:
        grid[design.visit] = pd.Categorical(np.asarray(levels, dtype=object)[vis],
                                            categories=levels)
    else:
        grid[design.visit] = np.asarray(levels)[vis]
    y = np.full(s * v, np.nan)
    y[cell] = frame[design.response].to_numpy(dtype=float)
    groups = np.zeros(s, dtype=np.int64)
    groups[sub_codes] = grp_codes
    return grid, y.reshape(s, v), np.asarray(subjects, dtype=object), groups


def fitted_conditional(result, beta=None, sigma=None, *, at: dict | None = None):
    """:meth:`MMRMResult.conditional`: the conditional distribution over the subject x visit
    grid of a fit, for its (beta, Sigma) or given ones; ``at`` sets factor levels of the mean
    (e.g. ``{"arm": "Placebo"}``: the reference arm's mean, as jump to reference needs)."""
    design = result.design
    beta = result.beta if beta is None else np.asarray(beta, dtype=float)
    if sigma is None:
        sigma = np.stack([result.state.structure.sigma(result.theta, g)
                          for g in range(max(len(result.group_levels), 1))])
    grid, y, subjects, groups = _grid(result)
    if at:
        bad = [k for k in at if k not in design.factors]
        if bad:
            raise ModelSpecError(f"conditional(at=...): {bad} are not factors of the model "
                                 f"({list(design.factors)})")
        grid = grid.copy()
        for name, level in at.items():
            if level not in design.factors[name]:
                raise ModelSpecError(f"conditional(at=...): {level!r} is not a level of "
                                     f"{name!r}: {design.factors[name]}")
            grid[name] = level
    x = np.asarray(design.model_matrix(grid), dtype=float)
    if len(beta) != x.shape[1]:
        raise ModelSpecError(f"beta has {len(beta)} values; the design has {x.shape[1]}")
    mean = (x @ beta).reshape(y.shape)
    out = conditional_normal(y, mean, sigma, group=groups)
    from dataclasses import replace

    return replace(out, subjects=subjects, visits=list(design.visit_levels))


def conditional_mean_frame(result, frame):
    """:meth:`MMRMResult.conditional_mean`: rows of ``frame`` (one or more subjects, response
    NaN where missing) -> ``subject, visit, observed, mean, cond_mean, cond_sd``."""
    import pandas as pd

    d = result.design
    unknown = sorted({str(v) for v in frame[d.visit] if v not in d.visit_levels})
    if unknown:
        raise ModelSpecError(f"conditional_mean: visits {unknown} are not in the model "
                             f"({d.visit_levels})")
    sub_codes, subjects = pd.factorize(frame[d.subject].astype(str).to_numpy())
    vis = np.asarray([d.visit_levels.index(v) for v in frame[d.visit]], dtype=np.int64)
    cells = sub_codes * len(d.visit_levels) + vis
    if len(np.unique(cells)) != len(cells):
        raise ModelSpecError("conditional_mean: a subject has two rows for one visit")
    if result.group is None:
        groups = np.zeros(len(subjects), dtype=np.int64)
    else:
        groups = np.zeros(len(subjects), dtype=np.int64)
        groups[sub_codes] = [result.group_levels.index(g) for g in frame[result.group]]
    mu = np.asarray(d.model_matrix(frame), dtype=float) @ result.beta
    yv = frame[d.response].to_numpy(dtype=float)
    shape = (len(subjects), len(d.visit_levels))
    y = np.full(shape, np.nan).reshape(-1)
    mean = np.zeros(shape).reshape(-1)
    y[cells], mean[cells] = yv, mu
    sigma = np.stack([result.state.structure.sigma(result.theta, g)
                      for g in range(max(len(result.group_levels), 1))])
    cn = conditional_normal(y.reshape(shape), mean.reshape(shape), sigma, group=groups)
    sd = cn.sd.reshape(-1)
    return pd.DataFrame(
        {
            "subject": np.asarray(subjects, dtype=object)[sub_codes],
            "visit": list(frame[d.visit]),
            "observed": ~np.isnan(yv),
            "mean": mu,
            "cond_mean": cn.mean.reshape(-1)[cells],
            "cond_sd": sd[cells],
        }
    )
