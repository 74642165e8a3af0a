r"""From a simulation design to the inputs of the analytic formulas.

The analysis ``change ~ baseline + arm * visit`` conditions on the baseline, so the analytic
MMRM power (Lu, Luo & Chen 2008) uses the covariance of the post-baseline visits *given the
baseline*, :math:`\Sigma_{pp} - \Sigma_{p0}\Sigma_{0p}/\Sigma_{00}`, the baseline-adjusted effect
of :func:`irtrial.power.analyses.true_effect`, and the retention implied by the dropout model
(:math:`r_j = (1 - f[j > j_f])\prod_{k \le j}(1 - h_k)` for MCAR hazards :math:`h_k` and
``fixed_n`` leavers :math:`f` after visit :math:`j_f`).
"""

from __future__ import annotations

import numpy as np

from irtrial.power.analyses import total_covariance, true_effect
from irtrial.synthetic import TrialDesign

__all__ = ["analytic_inputs", "retention"]


def retention(design: TrialDesign) -> np.ndarray:
    """Arms x post-baseline visits: expected fraction still observed (MCAR part of dropout)."""
    j = design.n_visits - 1
    out = []
    for n_arm, d in zip(design.n_per_arm, design.dropouts(), strict=True):
        r = np.cumprod(1.0 - d.hazards(j))
        if d.fixed_n:
            r = r * np.where(np.arange(1, j + 1) > d.fixed_after, 1 - d.fixed_n / n_arm, 1.0)
        out.append(r)
    return np.array(out)


def analytic_inputs(design: TrialDesign, arm: int = 1) -> dict:
    """Keyword arguments of :func:`irtrial.power.mmrm` for the design's last-visit contrast,
    plus ``notes`` (a list of approximations that apply). The small-sample ``test="t"`` is
    used, with ``df_lost=3`` (arm, intercept and baseline at the last visit).

    Examples
    --------
    >>> from irtrial.synthetic import TrialDesign
    >>> d = TrialDesign(("P", "A"), (30, 30), (0, 1, 2), ((5, 5, 5), (5, 4.5, 4)), ar1=0.5)
    >>> sorted(k for k in analytic_inputs(d) if k != "notes")
    ['delta', 'df_lost', 'ratio', 'retention', 'retention_control', 'sigma', 'test']
    """
    s = total_covariance(design)
    cond = s[1:, 1:] - np.outer(s[1:, 0], s[0, 1:]) / s[0, 0] if s[0, 0] > 0 else s[1:, 1:]
    ret = retention(design)
    notes = []
    if any(d.mar_slope for d in design.dropouts()):
        notes.append("analytic power uses the MCAR hazards only; the MAR dropout slope is "
                     "ignored (the simulation includes it)")
    if design.scale is not None:
        notes.append("analytic power ignores rounding and clipping to the outcome scale")
    if any(c.distribution == "normal" and c.bounds is not None for c in design.covariates):
        notes.append("truncated covariates are treated as untruncated (their variance)")
    return {"delta": true_effect(design, arm), "sigma": cond, "retention": ret[arm],
            "retention_control": ret[0], "ratio": design.n_per_arm[arm] / design.n_per_arm[0],
            "test": "t", "df_lost": 3, "notes": notes}
