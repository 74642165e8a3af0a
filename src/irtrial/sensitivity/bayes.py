r"""Bayesian multiple imputation by data augmentation (Gibbs sampler, Schafer 1997).

The imputation model is the MMRM of :mod:`irtrial.sensitivity._model` with a common
unstructured Sigma: y_i ~ N(X_i beta, Sigma), a flat prior on beta and the Jeffreys prior
p(Sigma) ~ |Sigma|^{-(v+1)/2}. One iteration

1. I-step: draws every missing value of the fit data from y_m | y_o, beta, Sigma (MAR);
2. P-step: Sigma | beta, Y ~ inverse-Wishart(n, sum_i r_i r_i') with r_i = y_i - X_i beta, then
   beta | Sigma, Y ~ N(A^-1 sum_i X_i' Sigma^-1 y_i, A^-1), A = sum_i X_i' Sigma^-1 X_i.

The chain starts at the REML fit; after ``burn_in`` iterations every ``thin``-th (beta, Sigma)
is kept, and each kept draw imputes the data under the strategy like the approximate Bayesian
method. rbmi's ``method_bayes`` samples the same likelihood with Stan (its default prior on
Sigma is a weakly informative inverse Wishart, so results differ slightly in small samples);
SAS: the DIA "five macros" (part1A, MCMC).

References
----------
Schafer JL. Analysis of Incomplete Multivariate Data. Chapman & Hall 1997, ch. 5-6.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from irtrial.sensitivity._model import Fit, ImputationModel
from irtrial.sensitivity.impute import Conditioner, PatternIndex

__all__ = ["gibbs_draws"]


def gibbs_draws(model: ImputationModel, y_fit: np.ndarray, n_samples: int, burn_in: int,
                thin: int, seed) -> list[Fit]:
    """``n_samples`` posterior draws (beta, Sigma) of the imputation model (one chain)."""
    rng = np.random.default_rng(seed)
    x = model.x_own  # (n, v, p): the subjects' own design rows at every visit
    n, v, p = x.shape
    has = ~np.isnan(y_fit).all(axis=1)  # subjects without any fitted value carry no information
    x = x[has]
    y = y_fit[has]
    n_eff = len(y)
    patterns = PatternIndex(np.isnan(y))
    index = np.arange(n_eff)
    beta = model.full.beta.copy()
    sigma = model.full.sigma.copy()
    kept = []
    total = burn_in + n_samples * thin
    for it in range(1, total + 1):
        mu = x @ beta
        z = rng.standard_normal(y.shape)
        yc = Conditioner(sigma, patterns, index, draws=True).apply(y, mu, z)
        r = yc - mu
        sigma = np.atleast_2d(stats.invwishart.rvs(df=n_eff, scale=r.T @ r, random_state=rng))
        sinv = np.linalg.inv(sigma)
        xs = np.einsum("ivp,vw->iwp", x, sinv)
        a = np.einsum("iwp,iwq->pq", xs, x)
        b = np.einsum("iwp,iw->p", xs, yc)
        chol_a = np.linalg.cholesky(a)
        mean = np.linalg.solve(a, b)
        # beta ~ N(mean, A^-1): mean + L^-T z with A = L L'
        beta = mean + np.linalg.solve(chol_a.T, rng.standard_normal(p))
        if it > burn_in and (it - burn_in) % thin == 0:
            kept.append(Fit(beta=beta.copy(), theta=np.full(0, np.nan), sigma=sigma.copy(),
                            n_iterations=it))
    return kept
