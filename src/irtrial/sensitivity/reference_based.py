"""``irtrial.reference_based``: reference-based multiple imputation and conditional mean."""

from __future__ import annotations

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.errors import IrtrialError, ModelSpecError
from irtrial.sensitivity._data import SensitivityData, as_trial, build_data
from irtrial.sensitivity._engine import Context, StrategyPlan, run_samples
from irtrial.sensitivity._model import ImputationModel, default_formula
from irtrial.sensitivity.analysis import AncovaDesign, MmrmAnalysis
from irtrial.sensitivity.ice import IceSpec, default_ice, ice_from_table
from irtrial.sensitivity.impute import PatternIndex
from irtrial.sensitivity.pool import bootstrap, jackknife, rubin
from irtrial.sensitivity.result import SensitivityResult
from irtrial.sensitivity.strategies import STRATEGIES, strategy_label

__all__ = ["reference_based"]

METHODS = ("conditional-mean", "approximate-bayes", "bayes")
RESAMPLING = ("jackknife", "bootstrap")
ANALYSES = ("ancova", "mmrm")
OUT = [C.ESTIMATE, C.STD_ERROR, C.DF, C.STATISTIC, C.P_VALUE, C.CI_LOWER, C.CI_UPPER]


def _references(reference, arms) -> np.ndarray:
    if reference is None:
        return np.zeros(len(arms), dtype=np.int64)
    if isinstance(reference, str):
        reference = {a: reference for a in arms}
    if not isinstance(reference, dict):
        raise ModelSpecError("reference must be None (the control), an arm name, or a dict "
                             "arm -> reference arm")
    bad = [str(x) for x in list(reference) + list(reference.values()) if str(x) not in arms]
    if bad:
        raise ModelSpecError("unknown arm(s) in reference: " + ", ".join(map(repr, bad))
                             + f"; arms are {', '.join(arms)}")
    ref = np.zeros(len(arms), dtype=np.int64)
    for a, r in reference.items():
        ref[arms.index(str(a))] = arms.index(str(r))
    return ref


def _delta_unit(delta, delta_arms, data: SensitivityData, post: np.ndarray) -> np.ndarray:
    """(n, v) weight of delta: per-visit delta on the imputed values after the ICE."""
    v = len(data.visits)
    if delta is None:
        per_visit = np.ones(v)
    elif isinstance(delta, dict):
        bad = [k for k in delta if str(k) not in data.visits]
        if bad:
            raise ModelSpecError("unknown visit(s) in delta: " + ", ".join(map(repr, bad)))
        per_visit = np.array([float(delta.get(vis, 0.0)) for vis in data.visits])
    elif np.ndim(delta) == 0:
        per_visit = np.full(v, float(delta))
    else:
        per_visit = np.asarray(delta, dtype=float)
        if per_visit.shape != (v,):
            raise ModelSpecError(f"delta per visit needs {v} values (visits "
                                 f"{', '.join(data.visits)}), got {per_visit.shape}")
    if isinstance(delta_arms, str) and delta_arms in ("active", "all"):
        arms_on = set(range(1, len(data.arms))) if delta_arms == "active" else set(
            range(len(data.arms)))
    else:
        names = [delta_arms] if isinstance(delta_arms, str) else list(delta_arms)
        bad = [a for a in names if str(a) not in data.arms]
        if bad:
            raise ModelSpecError("unknown arm(s) in delta_arms: " + ", ".join(map(repr, bad)))
        arms_on = {data.arms.index(str(a)) for a in names}
    on = np.isin(data.arm, list(arms_on))[:, None] & post & np.isnan(data.y)
    return on * per_visit[None, :]


def _plans(strategies, ice: IceSpec, data: SensitivityData, lmcf_fallback, notes) -> list:
    v = len(data.visits)
    plans = []
    for s in strategies:
        label = strategy_label(s)
        per = np.empty(data.n, dtype=object)
        for i in range(data.n):
            per[i] = ice.strategy[i] if ice.strategy[i] is not None else s
        per[ice.ice >= v] = "MAR"
        lmcf0 = np.array([not callable(p) and strategy_label(p) == "LMCF" for p in per]) & (
            ice.ice == 0)
        if lmcf0.any():
            subs = ", ".join(data.subjects[lmcf0])
            if lmcf_fallback is None:
                raise IrtrialError(
                    f"LMCF: {int(lmcf0.sum())} subject(s) have their ICE at the first visit, so "
                    f"there is no mean to carry forward ({subs}). Name a strategy for them with "
                    "lmcf_fallback= (e.g. 'JR' or 'MAR'), or give them another strategy in the "
                    "ICE table."
                )
            fb = strategy_label(lmcf_fallback)
            if fb == "LMCF" or (fb not in STRATEGIES and not callable(lmcf_fallback)):
                raise ModelSpecError(f"lmcf_fallback must be one of MAR, JR, CR, CIR, not "
                                     f"{lmcf_fallback!r}")
            per[lmcf0] = fb
            notes.append(f"{label}: {int(lmcf0.sum())} subject(s) with the ICE at the first "
                         f"visit have no mean to carry forward and are imputed under "
                         f"{fb} (lmcf_fallback): {subs}")
        plans.append((label, per))
    return plans


def _tables(pooled: dict, labels, data, ref_arms, deltas=None):
    """Tidy effect and LS-mean tables from pooled arrays (S, D, v, A-1) / (S, D, v, A)."""
    eff_rows, lsm_rows = [], []
    deltas = [0.0] if deltas is None else list(deltas)
    e = pooled["effect"]
    m = pooled["lsmean"]
    for si, lab in enumerate(labels):
        for di, d in enumerate(deltas):
            for vi, vis in enumerate(data.visits):
                for a in range(1, len(data.arms)):
                    row = {"strategy": lab, "delta": d, C.VISIT: vis, C.ARM: data.arms[a],
                           "control": data.arms[0]}
                    row.update({k: float(e[k][si, di, vi, a - 1]) for k in OUT})
                    eff_rows.append(row)
                for a in range(len(data.arms)):
                    row = {"strategy": lab, "delta": d, C.VISIT: vis, C.ARM: data.arms[a]}
                    row.update({k: float(m[k][si, di, vi, a]) for k in OUT})
                    lsm_rows.append(row)
    return pd.DataFrame(eff_rows), pd.DataFrame(lsm_rows)


def run(data, *, strategy="JR", reference=None, method="conditional-mean",
        resampling="jackknife", n_samples=200, analysis="ancova", delta=None, ice=None,
        seed=None, n_jobs=1, scheduler=None, deltas=None, delta_arms="active",
        lmcf_fallback=None, covariance="us", formula=None, response=C.CHANGE, conf_level=0.95,
        bootstrap_ci="percentile", progress=None, keep_imputed=True, analysis_formula=None,
        burn_in=200, thin=5, **roles):
    """Shared body of :func:`reference_based` and :func:`tipping_point` (``deltas`` grid)."""
    problems = []
    method = str(method).lower().replace("_", "-")
    resampling = str(resampling).lower()
    if method not in METHODS:
        problems.append(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if resampling not in RESAMPLING:
        problems.append(f"resampling must be one of {', '.join(RESAMPLING)}, not {resampling!r}")
    if analysis not in ANALYSES:
        problems.append(f"analysis must be one of {', '.join(ANALYSES)}, not {analysis!r}")
    if bootstrap_ci not in ("percentile", "normal"):
        problems.append("bootstrap_ci must be 'percentile' or 'normal'")
    strategies = [strategy] if isinstance(strategy, str) or callable(strategy) else list(
        strategy)
    labels = [strategy_label(s) for s in strategies]
    for s in strategies:
        if not callable(s) and strategy_label(s) not in STRATEGIES:
            problems.append(f"unknown strategy {s!r}; use {', '.join(STRATEGIES)} or a function "
                            "f(mu_own, mu_ref, ice) -> mu")
    if len(set(labels)) != len(labels):
        problems.append("strategies must have distinct names: " + ", ".join(labels))
    needs_samples = method != "conditional-mean" or resampling == "bootstrap"
    if needs_samples and (not isinstance(n_samples, int | np.integer) or n_samples < 2):
        problems.append(f"n_samples must be an integer >= 2, not {n_samples!r}")
    if problems:
        raise ModelSpecError("invalid sensitivity options: " + "; ".join(problems))

    trial = as_trial(data, **roles)
    sd = build_data(trial, response)
    notes = list(sd.notes)
    v = len(sd.visits)
    ref = _references(reference, sd.arms)
    ice_spec = default_ice(sd.y) if ice is None else ice_from_table(
        ice, sd.subjects, sd.visits, STRATEGIES)
    if ice is None:
        n_ice = int((ice_spec.ice < v).sum())
        notes.append(f"ICE: {n_ice} subject(s) with missing values at the end have an ICE at the "
                     "first visit after their last observed value; intermittent missing values "
                     "are imputed under MAR")
    post = ice_spec.post(v)
    plans_raw = _plans(strategies, ice_spec, sd, lmcf_fallback, notes)
    # observed values after a non-MAR ICE leave the imputation model (as in rbmi)
    formula = formula or default_formula(sd)
    observed = ~np.isnan(sd.y)
    models, masks, plans = [], [], []
    for label, per in plans_raw:
        non_mar = np.array([callable(p) or strategy_label(p) != "MAR" for p in per])
        mask = observed & ~(post & non_mar[:, None])
        same = [j for j, other in enumerate(masks) if np.array_equal(other, mask)]
        if same:
            k = same[0]
        else:
            masks.append(mask)
            models.append(ImputationModel(sd, mask, ref, formula, covariance))
            k = len(models) - 1
        plans.append(StrategyPlan(label=label, per_subject=per, model=k))
    n_removed = int((observed & ~np.logical_and.reduce(masks)).sum())
    if n_removed:
        notes.append(f"{n_removed} observed value(s) after an ICE handled by a non-MAR strategy "
                     "are left out of the imputation model (as in rbmi); they stay in the "
                     "analysis")
    grid = np.asarray([0.0] if deltas is None else deltas, dtype=float)
    unit = _delta_unit(delta, delta_arms, sd, post)
    if delta is not None and deltas is None:
        grid = np.array([1.0])  # the delta pattern itself, once
        notes.append("delta: added to the imputed values after the ICE in the "
                     + (f"{delta_arms} arm(s)" if isinstance(delta_arms, str) else
                        "arms " + ", ".join(map(str, delta_arms))))
    ctx = Context(y=sd.y, ice=ice_spec.ice, arm=sd.arm, models=models, plans=plans,
                  patterns=PatternIndex(np.isnan(sd.y)),
                  ancova=AncovaDesign(sd.arm, len(sd.arms), sd.baseline, sd.covariates),
                  delta_unit=unit, deltas=grid,
                  kind={"approximate-bayes": "approx-bayes", "bayes": "bayes"}.get(
                      method, f"condmean-{resampling}"),
                  keep=bool(keep_imputed) and method != "conditional-mean",
                  analysis=None if analysis == "ancova" else MmrmAnalysis(
                      sd, analysis_formula or formula, covariance))
    if method == "bayes":
        from irtrial.sensitivity.bayes import gibbs_draws

        ctx.bayes_draws = [
            gibbs_draws(m, np.where(mask, sd.y, np.nan), int(n_samples), int(burn_in),
                        int(thin), np.random.SeedSequence(seed, spawn_key=(10**6 + k,)))
            for k, (m, mask) in enumerate(zip(models, masks, strict=True))
        ]
    full = ctx.analyse(np.arange(sd.n), ctx.full_fits(), keep=True)
    if method == "conditional-mean" and resampling == "jackknife":
        n_run = sd.n
    else:
        n_run = int(n_samples)
    samples = run_samples(ctx, n_run, seed, n_jobs=n_jobs, scheduler=scheduler,
                          progress=progress)
    stack = {k: np.stack([s[k] for s in samples]) for k in ("effect", "effect_se", "lsmean",
                                                              "lsmean_se")}
    pooled = {}
    if method != "conditional-mean":
        for k in ("effect", "lsmean"):
            # complete-data df: the full-data analysis's (constant across imputations)
            pooled[k] = rubin(stack[k], stack[k + "_se"], full[k + "_df"], conf_level)
        failures = sum(s.get("failures", 0) for s in samples)
        if failures:
            notes.append(f"{failures} bootstrap sample(s) where the imputation model could not "
                         "be fitted were drawn again")
    elif resampling == "jackknife":
        for k in ("effect", "lsmean"):
            pooled[k] = jackknife(full[k], stack[k], conf_level)
    else:
        for k in ("effect", "lsmean"):
            pooled[k] = bootstrap(full[k], stack[k], conf_level, bootstrap_ci)
    table, lsm = _tables(pooled, labels, sd, ref, grid if deltas is not None else None)
    if deltas is None:
        table = table.drop(columns="delta")
        lsm = lsm.drop(columns="delta")
    imputed = _imputed(sd, labels, full, samples if ctx.keep else None, grid)
    ice_table = _ice_table(sd, ice_spec, plans)
    fit0 = models[0].full
    fit_info = {
        "formula": formula,
        "covariance": covariance,
        "beta": pd.Series(fit0.beta, index=models[0].design.column_names),
        "sigma": pd.DataFrame(fit0.sigma, index=list(sd.visits), columns=list(sd.visits)),
    }
    notes.append(f"imputation model: {formula}, {covariance} covariance common to the arms, "
                 f"REML; references: " + ", ".join(
                     f"{sd.arms[a]} -> {sd.arms[ref[a]]}" for a in range(len(sd.arms))))
    if analysis == "ancova":
        extra = "".join(f" + {c}" for c in sd.covariates.columns)
        notes.append(f"analysis model per visit: {sd.outcome} ~ arm + baseline{extra}")
    notes.append(_method_note(method, resampling, n_run, analysis, bootstrap_ci))
    result = SensitivityResult(
        table=table, lsmeans=lsm, imputed=imputed, ice=ice_table, fit=fit_info, method=method,
        resampling={"conditional-mean": resampling, "approximate-bayes": "bootstrap"}.get(
            method, "mcmc"), analysis=analysis,
        n_samples=n_run, seed=seed, notes=tuple(notes),
        reference={sd.arms[a]: sd.arms[ref[a]] for a in range(len(sd.arms))},
    )
    return result, sd


def _method_note(method, resampling, n_run, analysis, bootstrap_ci) -> str:
    what = ("ANCOVA per visit (the analysis model above, LS means at the mean baseline)"
            if analysis == "ancova" else
            "MMRM on each completed data set (unstructured, REML, Kenward-Roger df)")
    if method == "bayes":
        return (f"Bayesian MI by data augmentation: {n_run} draws of the imputation MMRM "
                "(Gibbs sampler, flat prior on beta, Jeffreys prior on Sigma), one imputation "
                f"each; {what}; pooled by Rubin's rules with Barnard-Rubin df")
    if method == "approximate-bayes":
        return (f"approximate Bayesian MI: {n_run} stratified bootstrap fits of the imputation "
                f"MMRM, one draw each; {what}; pooled by Rubin's rules with Barnard-Rubin df")
    if resampling == "jackknife":
        return (f"conditional mean imputation; {what}; jackknife over {n_run} subjects (leave "
                "one out, refit, re-impute, re-analyse), normal CI and p")
    return (f"conditional mean imputation; {what}; {n_run} stratified bootstrap samples, "
            f"{bootstrap_ci} CI")


def _imputed(sd: SensitivityData, labels, full, samples, grid) -> pd.DataFrame:
    frames = []
    miss = np.isnan(sd.y).reshape(-1)
    base = sd.long_frame()[[C.SUBJECT, C.ARM, C.VISIT]]
    sets = [(0, full["completed"])]
    if samples is not None:
        sets += [(i + 1, s["completed"]) for i, s in enumerate(samples)]
    for imp, comp in sets:
        for si, lab in enumerate(labels):
            f = base.copy()
            f.insert(0, "imputation", imp)
            f.insert(0, "strategy", lab)
            f[sd.outcome] = comp[si].reshape(-1)
            f["imputed"] = miss
            frames.append(f)
    return pd.concat(frames, ignore_index=True)


def _ice_table(sd, ice_spec, plans) -> pd.DataFrame:
    has = ice_spec.ice < len(sd.visits)
    rows = []
    for plan in plans:
        for i in np.flatnonzero(has):
            s = plan.per_subject[i]
            rows.append({"analysis": plan.label, C.SUBJECT: sd.subjects[i],
                         C.ARM: sd.arms[sd.arm[i]], "ice_visit": sd.visits[ice_spec.ice[i]],
                         "strategy": strategy_label(s)})
    return pd.DataFrame(rows, columns=["analysis", C.SUBJECT, C.ARM, "ice_visit", "strategy"])


def reference_based(data, *, strategy="JR", reference=None, method="conditional-mean",
                    resampling="jackknife", n_samples=200, analysis="ancova", delta=None,
                    ice=None, seed=None, n_jobs=1, scheduler=None, delta_arms="active",
                    lmcf_fallback=None, covariance="us", formula=None, response=C.CHANGE,
                    conf_level=0.95, bootstrap_ci="percentile", progress=None,
                    keep_imputed=True, analysis_formula=None, burn_in=200, thin=5,
                    **roles) -> SensitivityResult:
    r"""Reference-based imputation of missing data after intercurrent events (ICH E9(R1)).

    The imputation model is the MMRM ``change ~ baseline * visit + arm * visit`` with an
    unstructured covariance common to the arms (REML), fitted on the observed data. Each
    subject's outcomes are multivariate normal with the mean of the chosen strategy
    (:mod:`irtrial.sensitivity.strategies`: MAR, JR, CR, CIR, LMCF or a function) and
    covariance Sigma; missing values are imputed from y_m | y_o under that distribution
    (:mod:`irtrial.sensitivity.impute`) and every completed data set is analysed by an
    ANCOVA per visit, ``change ~ arm + baseline``, LS means at the mean baseline
    (:mod:`irtrial.sensitivity.analysis`).

    - ``method="conditional-mean"``: impute by the conditional mean (deterministic);
      ``resampling="jackknife"`` (leave each subject out, refit, re-impute, re-analyse;
      SE = sqrt((n-1)/n sum (theta_(i) - mean)^2), normal CI, df inf) or ``"bootstrap"``
      (``n_samples`` samples stratified by arm).
    - ``method="approximate-bayes"``: ``n_samples`` imputations, each from the MMRM fitted on
      a bootstrap sample (stratified by arm) and one draw; Rubin's rules with Barnard-Rubin df
      (:mod:`irtrial.sensitivity.pool`).
    - ``method="bayes"``: ``n_samples`` imputations from posterior draws of the imputation
      model by data augmentation (:mod:`irtrial.sensitivity.bayes`; ``burn_in``, ``thin``),
      Rubin's rules as above.

    Parameters
    ----------
    data : Trial, path or DataFrame
        A path or DataFrame is read with :func:`irtrial.read_trial` and the role keywords
        (``subject=``, ``arm=``, ...). The population is every randomised subject with a
        baseline, those without post-baseline values too (noted).
    strategy : str, callable or list of them
        ``"MAR"``, ``"JR"``, ``"CR"``, ``"CIR"``, ``"LMCF"``, or ``f(mu_own, mu_ref, ice)``.
    reference : None, str or dict
        Reference arm of each arm: None = the control for every arm.
    method : {"conditional-mean", "approximate-bayes", "bayes"}
    resampling : {"jackknife", "bootstrap"}
        For the conditional mean.
    n_samples : int
        Bootstrap samples / imputations.
    analysis : {"ancova", "mmrm"}
        ``"mmrm"``: the MMRM (``analysis_formula``, default the imputation model's formula;
        unstructured, REML, Kenward-Roger df) on each completed data set instead.
    delta : float, sequence (one per visit), dict visit -> delta, optional
        Added to the imputed values after the ICE in ``delta_arms`` (default the active arms).
    ice : DataFrame, optional
        ``subject, visit[, strategy]``: the first visit affected by each subject's ICE (and a
        strategy fixed for that subject). Default: first visit after the last observed value.
    seed : int, optional
        One ``numpy.random.SeedSequence`` child per bootstrap sample / imputation: the same
        seed gives the same numbers at any ``n_jobs`` or on Dask.
    n_jobs : int
        joblib processes (-1: all cores).
    scheduler : str or distributed.Client, optional
        Run on an existing Dask distributed cluster instead (address or client).
    lmcf_fallback : str, optional
        Strategy for subjects whose ICE is at the first visit under LMCF (no mean to carry
        forward). Default None raises an ``IrtrialError`` listing them.
    covariance, formula, response : imputation model (structure, formula, and the response
        imputed and analysed: ``"change"`` from baseline, as rbmi's examples, or ``"value"``).
        (``outcome=`` and the other role keywords go to ``read_trial`` for a path/DataFrame.)
    conf_level : float
    bootstrap_ci : {"percentile", "normal"}
    progress : callable(done, total), optional
    keep_imputed : bool
        Keep every completed data set of the approximate Bayesian method in ``.imputed``.

    Returns
    -------
    SensitivityResult
        ``table`` (strategy, visit, arm, control, estimate, std_error, df, statistic,
        p_value, ci_lower, ci_upper), ``lsmeans``, ``imputed``, ``ice``, ``fit``, ``notes``.

    Notes
    -----
    R: ``rbmi::draws(method = method_condmean(type = "jackknife"))`` /
    ``method_approxbayes(n_samples)``, ``impute(references = c(ACT = "PBO"))``,
    ``analyse(fun = ancova)``, ``pool()``. SAS: the DIA "five macros" (``part1a``-``part3``)
    or ``PROC MI; MNAR MODEL(... / MODELOBS=REF)``.

    References
    ----------
    1. Carpenter JR, Roger JH, Kenward MG. J Biopharm Stat 2013;23:1352-1371.
    2. Wolbers M, Noci A, Delmar P, Gower-Page C, Yiu S, Bartlett JW. Standard and
       reference-based conditional mean imputation. Pharm Stat 2022;21:1246-1257.
    3. Gower-Page C, Noci A, Wolbers M. rbmi: a R package for standard and reference-based
       multiple imputation methods. JOSS 2022;7:4251.

    Examples
    --------
    >>> import irtrial
    >>> res = irtrial.reference_based(irtrial.ir_wrap_trial(), strategy=["MAR", "JR"])
    >>> sorted(res.table["strategy"].unique())
    ['JR', 'MAR']
    >>> bool((res.table["df"] == float("inf")).all())
    True
    """
    result, _ = run(data, strategy=strategy, reference=reference, method=method,
                    resampling=resampling, n_samples=n_samples, analysis=analysis, delta=delta,
                    ice=ice, seed=seed, n_jobs=n_jobs, scheduler=scheduler,
                    delta_arms=delta_arms, lmcf_fallback=lmcf_fallback, covariance=covariance,
                    formula=formula, response=response, conf_level=conf_level,
                    bootstrap_ci=bootstrap_ci, progress=progress, keep_imputed=keep_imputed,
                    analysis_formula=analysis_formula, burn_in=burn_in, thin=thin, **roles)
    return result
