r"""The prepared MMRM: design built once, then fitted, refitted and subset cheaply.

``MMRM(data, formula, ...)`` reads the data once: the design matrix of *every* row (including
rows whose response is missing, so that a new outcome vector may fill them), the subject, visit
and group codes and the observation weights. Then

- :meth:`MMRM.fit` returns the full :class:`~irtrial.mmrm.MMRMResult` (``irtrial.mmrm(...)``
  is ``MMRM(...).fit()``);
- :meth:`MMRM.refit` fits a new outcome vector, a bootstrap or jackknife sample of subjects or
  new covariate values from the stored arrays and returns only the numbers a simulation needs
  (:class:`RefitResult`: theta, beta, convergence and the contrasts of interest with their SE,
  df, t, p and CI) -- no DataFrame is read or built;
- :meth:`MMRM.subset` gives the model of a subset of subjects, for a full result.

This is the statsmodels / scikit-learn split between a model and its fit. SAS has no equivalent
(each PROC MIXED call re-reads the data; ``BY`` groups are the nearest); in R,
``mmrm::mmrm()`` then ``stats::update()`` / ``simulate()`` play these roles.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import special

from irtrial.errors import (
    ConvergenceError,
    InsufficientDataError,
    ModelSpecError,
    SingularDesignError,
)
from irtrial.mmrm._threads import single_blas_thread
from irtrial.mmrm._types import ModelState
from irtrial.mmrm.control import FitControl
from irtrial.mmrm.covariance import make_covariance
from irtrial.mmrm.design import PreparedData, _parse_formula, make_patterns, prepare
from irtrial.mmrm.fit import optimize_theta
from irtrial.mmrm.likelihood import Likelihood
from irtrial.mmrm.options import resolve_inference, resolve_options
from irtrial.mmrm.result import MMRMResult

__all__ = ["MMRM", "RefitResult", "TRIAL_FORMULA"]

#: the default model on an ``irtrial.Trial``: change from baseline, baseline-adjusted
TRIAL_FORMULA = "change ~ baseline + arm * visit"

_HETERO_VISITS = {"us", "csh", "ar1h", "toeph", "adh"}


# ---- options and input ------------------------------------------------------------------------
def _resolve_options(covariance, method, df, vcov, conf_level, control):
    """The resolved options (:func:`irtrial.mmrm.options.resolve_options`) and the control;
    one ModelSpecError listing every problem."""
    if control is not None and not isinstance(control, FitControl):
        try:
            resolve_options(covariance, method, df, vcov, conf_level)
        except ModelSpecError as exc:
            raise ModelSpecError(f"{exc}; control must be an irtrial.mmrm.FitControl") from None
        raise ModelSpecError("invalid MMRM options: control must be an irtrial.mmrm.FitControl")
    return resolve_options(covariance, method, df, vcov, conf_level), control or FitControl()


def _resolve_data(data, formula, subject, visit):
    if not isinstance(data, pd.DataFrame) and hasattr(data, "data") and hasattr(data, "arms"):
        formula = formula or TRIAL_FORMULA
        subject = subject or "subject"
        visit = visit or "visit"
        data = data.data
    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(
            f"mmrm takes a Trial or a long DataFrame, not a {type(data).__name__}"
            + (f" ({data!r}): read the file first with irtrial.read_trial(...)"
               if isinstance(data, str | os.PathLike) else ""))
    if formula is None or subject is None or visit is None:
        raise ModelSpecError("formula, subject and visit are required for a DataFrame")
    return data, formula, subject, visit


def _check_information(prepared, structure, covariance) -> None:
    """Enough subjects and observations for the covariance structure; raise otherwise."""
    problems = []
    p = prepared.X.shape[1]
    n_obs = len(prepared.y)
    k = structure.n_theta
    if n_obs - p < k:
        problems.append(
            f"{n_obs} observations and {p} fixed effects leave too few residual degrees of "
            f"freedom for the {k} covariance parameters of {covariance!r}"
        )
    levels = prepared.design.visit_levels
    for g, gl in enumerate(prepared.group_levels):
        sel = prepared.group_codes == g
        counts = np.bincount(prepared.visit_codes[sel], minlength=len(levels))
        label = "" if gl is None else f" in group {gl!r}"
        if covariance in _HETERO_VISITS:
            few = [str(levels[i]) for i in np.flatnonzero(counts < 2)]
            if few:
                problems.append(
                    f"visit(s) {', '.join(few)}{label} have fewer than 2 subjects with data: "
                    f"the per-visit variances of {covariance!r} are not estimable"
                )
        if covariance == "us":
            v = len(levels)
            obs = np.zeros((int(prepared.subject_codes.max()) + 1, v), dtype=bool)
            obs[prepared.subject_codes[sel], prepared.visit_codes[sel]] = True
            subj = obs[obs.any(axis=1)]
            pair = subj.T.astype(int) @ subj.astype(int)
            iu = np.argwhere(np.triu(pair == 0, 1))
            if len(iu):
                shown = ", ".join(f"({levels[a]}, {levels[b]})" for a, b in iu[:10])
                problems.append(
                    f"no subject{label} is observed at both visits of the pairs {shown}: their "
                    "unstructured covariance is not estimable; use a structured covariance"
                )
            if len(subj) <= v:
                problems.append(
                    f"{len(subj)} subjects{label} are too few for an unstructured covariance "
                    f"over {v} visits (more than {v} needed)"
                )
    if problems:
        raise InsufficientDataError("; ".join(problems))


# ---- patterns from row arrays (vectorised) ------------------------------------------------------


# ---- the fast-path result -----------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class RefitResult:
    """The numbers of one refit (:meth:`MMRM.refit`): small, picklable, no DataFrame.

    Attributes
    ----------
    theta : (k,) array
        Covariance parameters (reporting parametrisation), NaN when not converged.
    beta : (p,) array
        Fixed effects.
    converged : bool
    n_iterations : int
    loglik : float
        Maximised (restricted) log-likelihood.
    n_subjects, n_obs : int
        Subjects and observations used.
    labels : tuple of str
        One per contrast row.
    estimate, std_error, df, statistic, p_value, ci_lower, ci_upper : (q,) arrays
        The contrasts ``L beta``: t tests with the model's df method and vcov.
    df_method : str
    message : str
        Why the fit failed (empty when converged).
    """

    theta: np.ndarray
    beta: np.ndarray
    converged: bool
    n_iterations: int
    loglik: float
    n_subjects: int
    n_obs: int
    labels: tuple[str, ...]
    estimate: np.ndarray
    std_error: np.ndarray
    df: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    df_method: str = ""
    message: str = ""
    state: ModelState | None = field(default=None, repr=False)

    def as_dict(self) -> dict:
        """The contrast rows as a dict of lists (one entry per row), plus convergence."""
        return {
            "label": list(self.labels),
            "estimate": self.estimate.tolist(),
            "std_error": self.std_error.tolist(),
            "df": self.df.tolist(),
            "statistic": self.statistic.tolist(),
            "p_value": self.p_value.tolist(),
            "ci_lower": self.ci_lower.tolist(),
            "ci_upper": self.ci_upper.tolist(),
            "converged": self.converged,
            "n_iterations": self.n_iterations,
        }


def _failed_refit(k, p, q, labels, df_method, message, n_sub, n_obs) -> RefitResult:
    nan_q = np.full(q, np.nan)
    return RefitResult(
        theta=np.full(k, np.nan), beta=np.full(p, np.nan), converged=False, n_iterations=0,
        loglik=np.nan, n_subjects=n_sub, n_obs=n_obs, labels=labels, estimate=nan_q,
        std_error=nan_q, df=nan_q, statistic=nan_q, p_value=nan_q, ci_lower=nan_q,
        ci_upper=nan_q, df_method=df_method, message=message,
    )


# ---- the model ----------------------------------------------------------------------------------
class MMRM:
    r"""A mixed model for repeated measures, prepared once for fitting and refitting.

    Parameters
    ----------
    data : DataFrame or irtrial.Trial
        Long data, one row per subject and visit (rows with a missing response are kept as
        places a new outcome vector may fill). For a ``Trial`` the defaults are
        ``formula="change ~ baseline + arm * visit"``, ``subject="subject"``,
        ``visit="visit"``.
    formula : str
        Fixed effects, R style (``"FEV1 ~ RACE + SEX + ARMCD * AVISIT"``).
    subject, visit : str
        Subject and visit columns.
    covariance, method, df, vcov, group, weights, conf_level, control, visit_num
        As :func:`irtrial.mmrm.mmrm`.

    Attributes
    ----------
    n_rows : int
        Rows of the model (rows with a missing covariate, subject, visit, group or weight are
        dropped and counted in :attr:`exclusions`; rows with a missing response are kept).
    y : (n_rows,) array
        The data's response in model row order (NaN = missing).
    X : (n_rows, p) array
        Fixed-effects design of every model row.
    subjects : (S,) array
        Subject labels; :attr:`subject_codes` (n_rows,) index them.
    visit_codes : (n_rows,) int array
        Index into :attr:`visit_levels`.
    rows : (n_rows,) int array
        Positions of the model rows in ``data``.

    Notes
    -----
    The model is :math:`y_i = X_i\beta + e_i`, :math:`e_i \sim N(0, \Sigma_i)` with
    :math:`\Sigma_i` the sub-block of the (v, v) matrix for the visits subject i has (REML or
    ML, as :func:`irtrial.mmrm.mmrm`). The design is built once with formulaic; refits work on
    the stored arrays, grouped by missing-data pattern (never an N x N matrix).

    SAS: ``PROC MIXED; CLASS ...; MODEL ... / DDFM=...; REPEATED visit / SUBJECT=id TYPE=UN;``
    (re-run per data set). R: ``fit <- mmrm::mmrm(...)``; ``update(fit, data = new)``.

    References
    ----------
    1. Mallinckrodt CH et al. Recommendations for the primary analysis of continuous
       endpoints in longitudinal clinical trials. Drug Inf J 2008;42:303-319.
    2. Sabanes Bove D et al. mmrm: Mixed Models for Repeated Measures (R package).
    3. Seabold S, Perktold J. statsmodels (2010): the model / results split.

    Examples
    --------
    >>> import irtrial, numpy as np
    >>> from irtrial.synthetic import ir_wrap_trial
    >>> model = irtrial.mmrm.MMRM(ir_wrap_trial(), df="satterthwaite")
    >>> fit = model.fit()
    >>> r = model.refit()                       # the same data, fast path
    >>> bool(np.isclose(r.estimate[0], fit.contrasts("arm", by="visit").estimate.iloc[-1]))
    True
    >>> r.labels
    ('IR - Placebo at Week 6',)
    >>> jack = model.refit(subjects=np.arange(model.n_subjects) != 0)   # leave subject 0 out
    >>> jack.n_subjects
    38
    """

    def __init__(
        self,
        data,
        formula: str | None = None,
        *,
        subject: str | None = None,
        visit: str | None = None,
        covariance: str = "us",
        method: str = "reml",
        df: str | None = None,
        vcov: str | None = None,
        group: str | None = None,
        weights: str | None = None,
        conf_level: float = 0.95,
        control: FitControl | None = None,
        visit_num: str | None = None,
    ):
        data, formula, subject, visit = _resolve_data(data, formula, subject, visit)
        self.options, self.control = _resolve_options(covariance, method, df, vcov, conf_level,
                                                      control)
        o = self.options
        self.covariance, self.method, self.df, self.vcov = o.covariance, o.method, o.df, o.vcov
        self.conf_level = o.conf_level
        self.data = data
        self.formula = formula
        self.subject = subject
        self.visit = visit
        self.group = group
        self.weights = weights
        self.visit_num = visit_num
        self._contrasts: dict = {}
        self._covariate_maps: dict = {}
        self._fitted_theta = None
        self._full_cache = None
        response_vars, _ = _parse_formula(formula)
        self.response = response_vars[0] if len(response_vars) == 1 else None
        self._observed = None
        resp_all_missing = (
            self.response in data.columns and bool(data[self.response].isna().all())
        )
        if not resp_all_missing:
            self._observed = prepare(data, formula, subject, visit, group, weights,
                                     self.control.accept_singular, visit_num=self.visit_num)
        else:
            self._full  # noqa: B018 - prepare now, so that bad input fails here

    # ---- the full-row arrays (lazy) --------------------------------------------------------------
    @property
    def _full(self) -> SimpleNamespace:
        if self._full_cache is None:
            self._full_cache = self._prepare_full()
        return self._full_cache

    def _prepare_full(self) -> SimpleNamespace:
        data, resp = self.data, self.response
        # the response column carries each row's position, so the kept rows are known exactly
        frame = data.assign(**{resp: np.arange(len(data), dtype=float)})
        full: PreparedData = prepare(frame, self.formula, self.subject, self.visit, self.group,
                                     self.weights, self.control.accept_singular,
                                     visit_num=self.visit_num)
        rows = full.y.astype(np.int64)
        y = pd.to_numeric(data[resp], errors="coerce").to_numpy(dtype=float)[rows]
        design = full.design
        design_frame = design.frame.copy()
        design_frame[resp] = y
        order = np.lexsort((full.visit_codes, full.subject_codes))
        counts = np.bincount(full.subject_codes, minlength=len(full.subjects))
        return SimpleNamespace(
            prepared=full,
            design=design,
            frame=design_frame,
            X=full.X,
            y=y,
            w=full.w,
            rows=rows,
            subject_codes=full.subject_codes,
            subjects=full.subjects,
            visit_codes=full.visit_codes,
            group_codes=full.group_codes,
            group_levels=full.group_levels,
            order=order,
            counts=counts,
            starts=np.concatenate([[0], np.cumsum(counts)[:-1]]),
            structure=make_covariance(self.covariance, len(design.visit_levels),
                                      len(full.group_levels)),
        )

    @property
    def n_rows(self) -> int:
        return len(self._full.y)

    @property
    def y(self) -> np.ndarray:
        return self._full.y.copy()

    @property
    def X(self) -> np.ndarray:
        return self._full.X

    @property
    def rows(self) -> np.ndarray:
        return self._full.rows

    @property
    def subjects(self) -> np.ndarray:
        return self._full.subjects

    @property
    def n_subjects(self) -> int:
        return len(self._full.subjects)

    @property
    def subject_codes(self) -> np.ndarray:
        return self._full.subject_codes

    @property
    def visit_codes(self) -> np.ndarray:
        return self._full.visit_codes

    @property
    def group_codes(self) -> np.ndarray:
        return self._full.group_codes

    @property
    def visit_levels(self) -> list:
        return list(self._full.design.visit_levels)

    @property
    def column_names(self) -> list[str]:
        return list(self._full.design.column_names)

    @property
    def design(self):
        """The design of the data's analysed rows (as the fit's ``result.design``)."""
        return (self._observed or self._full.prepared).design

    @property
    def exclusions(self) -> pd.DataFrame:
        """Rows dropped from the model (missing subject, visit, covariate, group, weight)."""
        return self._full.prepared.exclusions

    def __repr__(self) -> str:
        return (f"<MMRM {self.formula!r} covariance={self.covariance!r} method={self.method!r} "
                f"df={self.df!r} n_rows={self.n_rows} n_subjects={self.n_subjects}>")

    # ---- full fits -------------------------------------------------------------------------------
    def _check_y(self, y) -> np.ndarray:
        y = np.asarray(y, dtype=float).reshape(-1)
        if y.shape != (self.n_rows,):
            raise ModelSpecError(
                f"y has {y.size} values; the model has {self.n_rows} rows (model.rows gives "
                "their positions in the data; NaN marks a missing response)")
        return y

    def _prepared_with(self, y: np.ndarray) -> PreparedData:
        """The analysis data with the response replaced at the model rows (exact re-read)."""
        resp = pd.to_numeric(self.data[self.response], errors="coerce").to_numpy(dtype=float)
        resp = resp.copy()
        resp[self._full.rows] = y
        frame = self.data.assign(**{self.response: resp})
        return prepare(frame, self.formula, self.subject, self.visit, self.group, self.weights,
                       self.control.accept_singular, visit_num=self.visit_num)

    def fit(self, y=None) -> MMRMResult:
        """Fit the model to the data's response, or to a new response vector ``y``.

        Parameters
        ----------
        y : (n_rows,) array_like, optional
            A response per model row (order of :attr:`rows`), NaN for missing. None: the data's.

        Returns
        -------
        MMRMResult
            Identical to ``irtrial.mmrm(...)`` on the data with that response.

        Examples
        --------
        >>> import irtrial
        >>> from irtrial.synthetic import ir_wrap_trial
        >>> model = irtrial.mmrm.MMRM(ir_wrap_trial(), df="satterthwaite")
        >>> shifted = model.fit(model.y + 1.0)       # every response shifted by 1
        >>> b = shifted.coefficients.estimate - model.fit().coefficients.estimate
        >>> round(float(b.iloc[0]), 6)
        1.0
        """
        if y is None:
            if self._observed is None:
                raise InsufficientDataError(
                    f"the response {self.response!r} is missing in every row: pass y= to fit")
            prepared = self._observed
        else:
            prepared = self._prepared_with(self._check_y(y))
        result = self._fit_prepared(prepared)
        if y is None:
            self._fitted_theta = result.theta.copy()
        return result

    def _fit_prepared(self, prepared: PreparedData) -> MMRMResult:
        covariance = self.covariance
        v = len(prepared.design.visit_levels)
        structure = make_covariance(covariance, v, len(prepared.group_levels))
        _check_information(prepared, structure, covariance)
        patterns = prepared.patterns()
        lik = Likelihood(patterns, structure, self.method)
        with single_blas_thread():
            outcome = optimize_theta(lik, self.control)
        ev = outcome.evaluation
        n_subjects = int(sum(len(p.subjects) for p in patterns))
        state = ModelState(
            patterns=patterns,
            structure=structure,
            theta=outcome.theta,
            beta=ev.beta,
            method=self.method,
            design=prepared.design,
            n_obs=lik.n_obs,
            n_subjects=n_subjects,
        )
        return _make_result(self, prepared, state, outcome, lik)

    # ---- subsets ---------------------------------------------------------------------------------
    def _subject_index(self, subjects) -> np.ndarray:
        s = np.asarray(subjects)
        n = self.n_subjects
        if s.dtype == bool:
            if s.shape != (n,):
                raise ModelSpecError(
                    f"a boolean subjects= mask needs {n} values (one per model subject)")
            return np.flatnonzero(s)
        if not np.issubdtype(s.dtype, np.integer):
            raise ModelSpecError("subjects= takes integer indices into model.subjects (repeats "
                                 "allowed) or a boolean mask")
        s = s.reshape(-1).astype(np.int64)
        if len(s) and (s.min() < -n or s.max() >= n):
            raise ModelSpecError(f"subjects= indices must lie in 0..{n - 1}")
        return np.where(s < 0, s + n, s)

    def _select_rows(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Model rows of the chosen subjects (each occurrence a new subject) and new codes."""
        f = self._full
        cnt = f.counts[idx]
        total = int(cnt.sum())
        new_codes = np.repeat(np.arange(len(idx)), cnt)
        offs = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        rows = f.order[np.repeat(f.starts[idx], cnt) + offs]
        return rows, new_codes

    def subset(self, subjects) -> MMRM:
        """The model of a subset of subjects (a bootstrap or jackknife sample).

        Parameters
        ----------
        subjects : int array (repeats allowed) or bool mask over :attr:`subjects`
            A repeated subject is a new subject: its later copies are renamed
            ``"<id>#2"``, ``"<id>#3"``, ...

        Returns
        -------
        MMRM
            With the same options, on the chosen subjects' rows of the data.

        Examples
        --------
        >>> import irtrial, numpy as np
        >>> from irtrial.synthetic import ir_wrap_trial
        >>> model = irtrial.mmrm.MMRM(ir_wrap_trial(), df="satterthwaite")
        >>> model.subset(np.arange(model.n_subjects) < 30).fit().n_subjects
        30
        """
        idx = self._subject_index(subjects)
        sub_col = self.data[self.subject].astype(str).to_numpy()
        pos_by_subject = pd.Series(np.arange(len(sub_col))).groupby(sub_col).indices
        parts, names = [], []
        seen: dict = {}
        for k in idx:
            label = str(self.subjects[k])
            seen[label] = seen.get(label, 0) + 1
            pos = pos_by_subject[label]
            parts.append(pos)
            names.append(np.full(len(pos), label if seen[label] == 1
                                 else f"{label}#{seen[label]}", dtype=object))
        pos = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        frame = self.data.iloc[pos].reset_index(drop=True)
        frame[self.subject] = np.concatenate(names) if names else []
        return MMRM(
            frame, self.formula, subject=self.subject, visit=self.visit,
            covariance=self.covariance, method=self.method, df=self.df, vcov=self.vcov,
            group=self.group, weights=self.weights, conf_level=self.conf_level,
            control=self.control, visit_num=self.visit_num,
        )

    # ---- contrasts -------------------------------------------------------------------------------
    def _default_contrast_spec(self):
        d = self.design
        for name in d.factors:
            if name == self.visit:
                continue
            if f"{name}:{self.visit}" in d.term_columns or f"{self.visit}:{name}" in \
                    d.term_columns:
                return (name, d.factors[name][0], d.visit_levels[-1])
        return None

    def contrast_matrix(self, spec=None) -> tuple[np.ndarray, tuple[str, ...]]:
        """The contrast rows ``L`` (q, p) and their labels for a spec, built once and cached.

        Parameters
        ----------
        spec : None, (q, p) array, or (factor, control, visit) tuple
            None: every other level of the arm factor minus its control (first level) at the
            last visit, when the formula has ``arm * visit`` (else no contrast). A tuple
            ``("arm", "Placebo", "Week 6")`` gives the LS-mean differences of the factor's
            levels against ``control`` at that visit (visit None: averaged over visits), with
            equal weights and covariates at their means over the data's analysed rows (SAS
            ``LSMEANS / DIFF``).

        Examples
        --------
        >>> import irtrial
        >>> from irtrial.synthetic import ir_wrap_trial
        >>> model = irtrial.mmrm.MMRM(ir_wrap_trial())
        >>> L, labels = model.contrast_matrix(("arm", "Placebo", "Week 3"))
        >>> L.shape, labels
        ((1, 13), ('IR - Placebo at Week 3',))
        """
        if spec is None:
            spec = self._default_contrast_spec()
            if spec is None:
                return np.zeros((0, len(self.column_names))), ()
        if isinstance(spec, tuple) and len(spec) in (2, 3) and isinstance(spec[0], str):
            key = spec if len(spec) == 3 else (*spec, None)
            if key not in self._contrasts:
                self._contrasts[key] = self._lsmeans_difference(*key)
            return self._contrasts[key]
        L = np.atleast_2d(np.asarray(spec, dtype=float))
        p = len(self.column_names)
        if L.shape[1] != p:
            raise ModelSpecError(f"contrast L has {L.shape[1]} columns; the model has {p}: "
                                 + ", ".join(self.column_names))
        return L, tuple(f"L{i + 1}" for i in range(L.shape[0]))

    def _lsmeans_difference(self, factor, control, at):
        from irtrial.mmrm.lsmeans import lsmeans_matrix

        d = self.design
        if factor not in d.factors:
            raise ModelSpecError(f"{factor!r} is not a factor of the model: {list(d.factors)}")
        levels = d.factors[factor]
        if control not in levels:
            raise ModelSpecError(f"control {control!r} is not a level of {factor!r}: {levels}")
        by = None
        if at is not None:
            if at not in d.visit_levels:
                raise ModelSpecError(f"visit {at!r} is not one of {d.visit_levels}")
            by = self.visit
        keys, L = lsmeans_matrix(SimpleNamespace(design=d), factor, by)
        sel = np.ones(len(keys), dtype=bool) if by is None else (keys[by] == at).to_numpy()
        ctrl = L[sel & (keys[factor] == control).to_numpy()][0]
        rows, labels = [], []
        for lvl in levels:
            if lvl == control:
                continue
            rows.append(L[sel & (keys[factor] == lvl).to_numpy()][0] - ctrl)
            labels.append(f"{lvl} - {control}" + ("" if at is None else f" at {at}"))
        return np.vstack(rows), tuple(labels)

    # ---- covariates ------------------------------------------------------------------------------
    def _covariate_map(self, name: str):
        """(columns, X at 0, slope) so that X[:, columns] = X0 + value * slope for ``name``."""
        if name in self._covariate_maps:
            return self._covariate_maps[name]
        d = self._full.design
        if name not in d.numerics:
            raise ModelSpecError(f"covariates=: {name!r} is not a numeric covariate of the "
                                 f"model (numeric: {list(d.numerics)})")
        frame = self._full.frame
        xs = []
        for value in (0.0, 1.0, 2.0):
            f2 = frame.copy()
            f2[name] = value
            xs.append(np.asarray(d.model_matrix(f2), dtype=float))
        x0, x1, x2 = xs
        slope = x1 - x0
        if not np.allclose(x2, x0 + 2 * slope, rtol=1e-12, atol=1e-12):
            raise ModelSpecError(f"covariates=: the design is not linear in {name!r} (e.g. a "
                                 "transform in the formula); refit through fit(data) instead")
        cols = np.flatnonzero(np.any(slope != 0, axis=0))
        out = (cols, x0[:, cols], slope[:, cols])
        self._covariate_maps[name] = out
        return out

    def _x_with(self, covariates: dict) -> np.ndarray:
        x = self._full.X.copy()
        n, s = self.n_rows, self.n_subjects
        for name, values in covariates.items():
            vals = np.asarray(values, dtype=float).reshape(-1)
            if vals.shape == (s,) and s != n:
                vals = vals[self._full.subject_codes]
            if vals.shape != (n,) or not np.all(np.isfinite(vals)):
                raise ModelSpecError(f"covariates[{name!r}] needs {n} finite values (one per "
                                     f"model row) or {s} (one per subject)")
            cols, x0, slope = self._covariate_map(name)
            x[:, cols] = x0 + vals[:, None] * slope
        return x

    # ---- the fast path ---------------------------------------------------------------------------
    def refit(self, y=None, *, subjects=None, covariates=None, contrast=None, start=None,
              df: str | None = None, keep_state: bool = False) -> RefitResult:
        r"""Refit from the stored arrays and return the contrasts of interest (fast path).

        Parameters
        ----------
        y : (n_rows,) array_like, optional
            A new response per model row (NaN = missing: patterns regroup). None: the data's.
        subjects : int array or bool mask, optional
            Subjects to use, indices into :attr:`subjects` (repeats allowed: each copy counts as
            a new subject, as a bootstrap needs) or a boolean mask (jackknife).
        covariates : dict, optional
            ``{"baseline": values}``: new values of a numeric covariate, one per model row or
            one per subject; the columns of X involving it are recomputed.
        contrast : None, (q, p) array or (factor, control, visit) tuple
            See :meth:`contrast_matrix` (default: active arms minus control at the last visit).
        start : None, "fit" or (k,) array
            Starting theta: None computes moment starting values from these data (as a fresh
            fit does, so that the result equals ``irtrial.mmrm`` on them to 1e-10); ``"fit"``
            warm-starts from the data's fitted theta (fewer iterations, same optimum to the
            convergence tolerance); an array is used as given.
        df : str, optional
            df method of the contrasts (default: the model's), one of ``"satterthwaite"``,
            ``"residual"``, ``"between-within"``, ``"kenward-roger"``,
            ``"kenward-roger-linear"``.
        keep_state : bool
            Keep the fitted :class:`ModelState` on the result (for debugging; costs memory).

        Returns
        -------
        RefitResult
            theta, beta, converged, n_iterations, loglik and per contrast row: estimate,
            std_error, df, statistic, p_value, ci_lower, ci_upper. A fit that does not converge
            (or a singular design) gives ``converged=False`` and NaN, with ``message``.

        Notes
        -----
        The contrast matrix is fixed (built on the data's design): an LS-means difference that
        involves covariate means uses the data's means, not the resample's.

        Examples
        --------
        >>> import irtrial, numpy as np
        >>> from irtrial.synthetic import ir_wrap_trial
        >>> model = irtrial.mmrm.MMRM(ir_wrap_trial(), df="satterthwaite")
        >>> rng = np.random.default_rng(1)
        >>> boot = model.refit(subjects=rng.integers(0, model.n_subjects, model.n_subjects))
        >>> boot.converged, boot.n_subjects
        (True, 39)
        """
        f = self._full
        if df is None:
            df_method, vcov = self.df, self.vcov
        else:
            df_method, vcov = resolve_inference(self.method, df)
        L, labels = self.contrast_matrix(contrast)
        yv = f.y if y is None else self._check_y(y)
        x = f.X if not covariates else self._x_with(covariates)
        if subjects is None:
            rows = np.arange(self.n_rows)
            codes = f.subject_codes
            labels_sub = f.subjects
        else:
            idx = self._subject_index(subjects)
            rows, codes = self._select_rows(idx)
            labels_sub = f.subjects[idx]
        ok = np.isfinite(yv[rows])
        rows, codes = rows[ok], codes[ok]
        k, p, q = f.structure.n_theta, x.shape[1], L.shape[0]
        if len(rows) == 0:
            return _failed_refit(k, p, q, labels, df_method, "no observed response", 0, 0)
        used, codes = np.unique(codes, return_inverse=True)
        n_sub = len(used)
        patterns = make_patterns(
            x[rows], yv[rows], f.w[rows], codes.reshape(-1), labels_sub[used],
            f.visit_codes[rows], f.group_codes[rows], len(f.design.visit_levels),
        )
        control = self.control
        if start is not None:
            theta0 = self._fit_theta() if isinstance(start, str) and start == "fit" else start
            control = _with_start(control, theta0)
        with single_blas_thread():
            try:
                lik = Likelihood(patterns, f.structure, self.method)
                outcome = optimize_theta(lik, control)
            except (ConvergenceError, SingularDesignError, np.linalg.LinAlgError,
                    ValueError) as exc:
                return _failed_refit(k, p, q, labels, df_method, str(exc), n_sub, len(rows))
            ev = outcome.evaluation
            state = ModelState(
                patterns=patterns, structure=f.structure, theta=outcome.theta, beta=ev.beta,
                method=self.method, design=f.design, n_obs=lik.n_obs, n_subjects=n_sub,
            )
            est, se, dfv = _contrast_numbers(state, L, df_method, vcov, ev.xtvx_inv, lik)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = est / se
            # scipy.stats.t.sf / .ppf without their argument checking (the same functions)
            pval = 2.0 * special.stdtr(dfv, -np.abs(t))
            qt = special.stdtrit(dfv, 0.5 + self.conf_level / 2.0)
        return RefitResult(
            theta=outcome.theta, beta=ev.beta, converged=outcome.converged,
            n_iterations=outcome.n_iterations, loglik=-0.5 * ev.value, n_subjects=n_sub,
            n_obs=lik.n_obs, labels=labels, estimate=est, std_error=se, df=dfv, statistic=t,
            p_value=pval, ci_lower=est - qt * se, ci_upper=est + qt * se, df_method=df_method,
            state=state if keep_state else None,
        )

    def _fit_theta(self) -> np.ndarray:
        if self._fitted_theta is None:
            self.fit()
        return self._fitted_theta


def _with_start(control: FitControl, theta0) -> FitControl:
    from dataclasses import replace

    return replace(control, start=tuple(np.asarray(theta0, dtype=float).tolist()))


def _contrast_numbers(state, L, df_method, vcov, xtvx_inv, lik=None):
    """Estimate, SE and df of the rows of L at a fitted state (asymptotic vcov reuses
    (X'V^-1X)^-1 from the last likelihood evaluation)."""
    from irtrial.mmrm.df import df_method as df_module
    from irtrial.mmrm.vcov import beta_vcov

    if L.shape[0] == 0:
        e = np.zeros(0)
        return e, e, e
    vc = vcov or (df_method if df_method.startswith("kenward-roger") else "asymptotic")
    cov = xtvx_inv if vc == "asymptotic" else beta_vcov(state, vc)
    est = L @ state.beta
    se = np.sqrt(np.sum((L @ cov) * L, axis=1))
    if df_method == "satterthwaite":
        dfv = _satterthwaite(state, L, lik)
    else:
        dfv = np.asarray(df_module(df_method).df_1d(state, L, cov), dtype=float)
    return est, se, dfv


def _satterthwaite(state, L, lik=None):
    """Satterthwaite df of the rows of L, as :func:`irtrial.mmrm.df.satterthwaite.rows_df`
    (df = 2 v^2 / g'Ag, g_k = l'Phi P_k Phi l, A = 2 H^-1, H the observed Hessian), from
    :meth:`Likelihood.reml_information` for REML with a linear covariance, else from
    :mod:`irtrial.mmrm._information`."""
    pieces = None
    if lik is not None and lik.reml and lik._dsig_const is not None:
        pieces = lik.reml_information(state.theta)
    if pieces is None:
        from irtrial.mmrm._information import _information

        info = _information(state)  # the caller holds BLAS at one thread
        phi, p_mats, theta_vcov = info.phi, info.p_mats, info.theta_vcov
    else:
        phi, p_mats, hess = pieces
        inv = np.linalg.inv(hess)
        theta_vcov = (inv + inv.T)  # 2 H^-1, symmetrised
    lp = L @ phi  # (q, p)
    k, p = p_mats.shape[0], lp.shape[1]
    pl = (p_mats.reshape(k * p, p) @ lp.T).reshape(k, p, -1)  # P_k Phi l
    grad = np.sum(pl * lp.T[None], axis=1).T  # (q, k)
    v = np.sum(lp * L, axis=1)
    denom = np.sum((grad @ theta_vcov) * grad, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 2.0 * v**2 / denom


def _make_result(model: MMRM, prepared: PreparedData, state: ModelState, outcome,
                 lik: Likelihood) -> MMRMResult:
    ev = outcome.evaluation
    kwargs = dict(
        state=state,
        formula=model.formula,
        covariance_type=model.covariance,
        method=model.method,
        df=model.df,
        vcov=model.vcov,
        group=model.group,
        weights=model.weights,
        conf_level=model.conf_level,
        loglik=-0.5 * ev.value,
        n_obs=lik.n_obs,
        n_subjects=state.n_subjects,
        n_subjects_read=prepared.n_subjects_read,
        n_dropped=int(prepared.exclusions["n_rows"].sum()) if len(prepared.exclusions) else 0,
        exclusions=prepared.exclusions,
        converged=outcome.converged,
        n_iterations=outcome.n_iterations,
        optimizer=outcome.optimizer,
        group_levels=list(prepared.group_levels),
        _xtvx_inv=ev.xtvx_inv,
        _likelihood=lik,
    )
    kwargs["options"] = model.options
    if "_model" in MMRMResult.__dataclass_fields__:
        kwargs["_model"] = model
    return MMRMResult(**kwargs)
