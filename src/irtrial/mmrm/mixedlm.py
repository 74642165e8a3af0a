"""Random-intercept / random-slope alternative to the MMRM, fitted by statsmodels ``MixedLM``.

Model
-----
y_ij = x_ij' beta + b_0i + b_1i t_j + e_ij, (b_0i, b_1i) ~ N(0, G), e_ij ~ N(0, sigma^2), so the
implied covariance over the visits is Sigma = Z G Z' + sigma^2 I with Z = [1, t] (random slope)
or Sigma = G_11 J + sigma^2 I (random intercept, which is compound symmetry with a non-negative
covariance: ``irtrial.mmrm(..., covariance="cs")`` gives the same fit when G_11 > 0).

statsmodels estimates (beta, G, sigma^2) by REML or ML, then irtrial polishes the estimate with
its Newton / Fisher-scoring steps on the same criterion (statsmodels' optimiser can stop short:
on fev_data's random-slope model its -2 log L is 9.3 above the optimum nlme::lme finds); the
result is returned as an
:class:`~irtrial.mmrm.MMRMResult` whose covariance structure is the implied Sigma, with
parameters ``Intercept``, (``Intercept:Slope``, ``Slope``), ``Residual`` as SAS's RANDOM
statement prints them (``UN(1,1)``, ``UN(2,1)``, ``UN(2,2)``, ``Residual``).

Degrees of freedom: statsmodels itself gives only z (large-sample) tests and no small-sample
df. The default here is ``df="residual"`` (N - p, SAS ``DDFM=RESIDUAL``), which is
anti-conservative-ish for the between-subject effects of small trials; Satterthwaite and
Kenward-Roger are computed by irtrial's inference layer on the implied Sigma when asked for, but
the primary analysis of a trial should use :func:`irtrial.mmrm` with an unstructured covariance.

SAS: ``PROC MIXED; MODEL y = ... / S; RANDOM INT t / SUBJECT=id TYPE=UN;``.
R: ``lme4::lmer(y ~ ... + (1 + t | id))``, ``nlme::lme(y ~ ..., random = ~ 1 + t | id)``.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np

from irtrial.errors import ConvergenceError, ModelSpecError
from irtrial.mmrm._threads import single_blas_thread
from irtrial.mmrm._types import ModelState
from irtrial.mmrm.control import FitControl
from irtrial.mmrm.design import prepare
from irtrial.mmrm.fit import optimize_theta
from irtrial.mmrm.likelihood import Likelihood
from irtrial.mmrm.options import resolve_options
from irtrial.mmrm.result import MMRMResult

__all__ = ["mixedlm", "RandomEffectsCovariance"]


class RandomEffectsCovariance:
    """Sigma = Z G Z' + sigma^2 I over the visits: linear in theta = (vech(G), sigma^2)."""

    linear = True

    def __init__(self, times: np.ndarray, slope: bool):
        self.times = np.asarray(times, dtype=float)
        self.n_visits = len(self.times)
        self.n_groups = 1
        self.slope = slope
        self.name = "random-slope" if slope else "random-intercept"
        z = (
            np.column_stack([np.ones(self.n_visits), self.times])
            if slope
            else np.ones((self.n_visits, 1))
        )
        q = z.shape[1]
        rows, cols = np.tril_indices(q)
        basis = []
        for a, b in zip(rows, cols, strict=True):
            e = np.zeros((q, q))
            e[a, b] = e[b, a] = 1.0
            basis.append(z @ e @ z.T)
        basis.append(np.eye(self.n_visits))
        self._basis = np.stack(basis)

    @property
    def n_theta(self) -> int:
        return self._basis.shape[0]

    @property
    def param_names(self) -> list[str]:
        return (["Intercept", "Intercept:Slope", "Slope"] if self.slope else ["Intercept"]) + [
            "Residual"
        ]

    def group_slice(self, group: int = 0) -> slice:
        return slice(0, self.n_theta)

    def sigma(self, theta, group: int = 0) -> np.ndarray:
        return np.tensordot(np.asarray(theta, float), self._basis, axes=1)

    def dsigma_group(self, theta, group: int = 0) -> np.ndarray:
        return self._basis.copy()

    def dsigma(self, theta, group: int = 0) -> np.ndarray:
        return self._basis.copy()

    def d2sigma(self, theta, group: int = 0) -> np.ndarray:
        k, v = self.n_theta, self.n_visits
        return np.zeros((k, k, v, v))

    def valid(self, theta) -> bool:
        return bool(np.all(np.isfinite(theta)) and theta[-1] > 0)


def mixedlm(
    data,
    formula: str,
    subject: str,
    visit: str,
    random: str = "intercept",
    time: str | None = None,
    method: str = "reml",
    df: str = "residual",
    vcov: str | None = None,
    conf_level: float = 0.95,
) -> MMRMResult:
    """Fit a random-intercept or random-slope linear mixed model with statsmodels MixedLM.

    Parameters
    ----------
    data : DataFrame
    formula, subject, visit : str
        As in :func:`irtrial.mmrm` (the same design, coding and dropped-row accounting).
    random : {"intercept", "slope"}
    time : str, optional
        Numeric column holding the time of each visit for the random slope (constant within a
        visit); default: the visit's position 0, 1, 2, ...
    method : {"reml", "ml"}
    df : str
        ``"residual"`` by default; see the module notes on df.

    Returns
    -------
    MMRMResult
        ``covariance`` is the implied Sigma over the visits, ``covariance_parameters`` the
        random-effect (co)variances and the residual variance (SEs from irtrial's observed
        Hessian of the criterion), ``optimizer == "statsmodels-mixedlm"``.

    Examples
    --------
    >>> import irtrial, numpy as np, pandas as pd
    >>> from irtrial.mmrm.mixedlm import mixedlm
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame({"id": np.repeat(np.arange(40), 3), "visit": np.tile(["A", "B", "C"], 40)})
    >>> d["y"] = np.repeat(rng.normal(size=40), 3) + rng.normal(size=120)
    >>> fit = mixedlm(d, "y ~ visit", subject="id", visit="visit")
    >>> fit.covariance_parameters["cov_parm"].tolist()
    ['Intercept', 'Residual']
    """
    if random not in ("intercept", "slope"):
        raise ModelSpecError(f"random={random!r} is not one of 'intercept', 'slope'")
    opts = resolve_options("us", method, df, vcov, conf_level)
    method = opts.method
    prepared = prepare(data, formula, subject, visit)
    levels = prepared.design.visit_levels
    v = len(levels)
    if time is None:
        times = np.arange(v, dtype=float)
    else:
        if time not in data.columns:
            raise ModelSpecError(f"time column {time!r} not found in the data")
        tv = data.loc[data[visit].notna() & data[time].notna(), [visit, time]]
        by_visit = tv.groupby(tv[visit].astype(str))[time]
        if (by_visit.nunique() > 1).any():
            raise ModelSpecError(f"time column {time!r} must be constant within each visit")
        lookup = by_visit.first()
        times = np.array([float(lookup[str(lv)]) for lv in levels])
    slope = random == "slope"
    exog_re = (
        np.column_stack([np.ones(len(prepared.y)), times[prepared.visit_codes]])
        if slope
        else np.ones((len(prepared.y), 1))
    )
    from statsmodels.regression.mixed_linear_model import MixedLM  # lazy (import cost)

    model = MixedLM(prepared.y, prepared.X, groups=prepared.subject_codes, exog_re=exog_re)
    res, messages = None, []
    for opt in (None, "lbfgs", "cg", "nm"):  # statsmodels' default first, then its others
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                kw = {} if opt is None else {"method": opt}
                res = model.fit(reml=method == "reml", **kw)
            if res.converged:
                break
            messages.append(f"{opt or 'default'}: not converged")
        except (np.linalg.LinAlgError, ValueError) as exc:
            messages.append(f"{opt or 'default'}: {exc}")
        res = None
    if res is None:
        raise ConvergenceError(
            "statsmodels MixedLM did not converge (" + "; ".join(messages) + "); try "
            "random='intercept' or irtrial.mmrm()"
        )
    g = np.asarray(res.cov_re, dtype=float)
    theta = np.r_[g[np.tril_indices(g.shape[0])], float(res.scale)]
    structure = RandomEffectsCovariance(times, slope)
    patterns = prepared.patterns()
    lik = Likelihood(patterns, structure, method)
    if lik.evaluate(theta, 0) is None:
        raise ConvergenceError("the implied covariance of the MixedLM fit is not positive definite")
    # statsmodels' optimiser can stop well short of the optimum (random slope on fev_data: -2 log L
    # 9.3 above nlme's); polish with irtrial's Newton / Fisher scoring from its estimate
    with single_blas_thread():
        outcome = optimize_theta(lik, FitControl(start=tuple(theta), optimizers=("newton",)))
    theta, ev = outcome.theta, outcome.evaluation
    state = ModelState(
        patterns=patterns,
        structure=structure,
        theta=theta,
        beta=ev.beta,
        method=method,
        design=prepared.design,
        n_obs=lik.n_obs,
        n_subjects=len(prepared.subjects),
    )
    return MMRMResult(
        state=state,
        formula=formula,
        covariance_type=structure.name,
        method=method,
        df=df,
        vcov=vcov,
        group=None,
        weights=None,
        conf_level=float(conf_level),
        loglik=-0.5 * ev.value,
        n_obs=lik.n_obs,
        n_subjects=len(prepared.subjects),
        n_subjects_read=prepared.n_subjects_read,
        n_dropped=int(prepared.exclusions["n_rows"].sum()) if len(prepared.exclusions) else 0,
        exclusions=prepared.exclusions,
        converged=True,
        n_iterations=outcome.n_iterations,
        optimizer="statsmodels-mixedlm+newton",
        group_levels=[None],
        _xtvx_inv=ev.xtvx_inv,
        _likelihood=lik,
        options=replace(opts, covariance=structure.name),
    )
