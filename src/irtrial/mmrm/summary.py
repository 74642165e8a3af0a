"""The summary of a fitted MMRM, laid out as SAS PROC MIXED prints it.

:func:`mmrm_summary` (what ``MMRMResult.summary()`` returns) is a :class:`irtrial.summary.Summary`:
"Model Information" lines, then the tables ``fit_statistics``, ``covariance_parameters``,
``coefficients`` ("Solution for Fixed Effects") and ``type3`` ("Type 3 Tests of Fixed
Effects"), each a DataFrame attribute, and notes (rows dropped, aliased columns, how the visit
order was chosen).

Examples
--------
>>> import irtrial
>>> from irtrial.synthetic import ir_wrap_trial
>>> s = irtrial.mmrm(ir_wrap_trial(), df="kenward-roger").summary()
>>> s.fit_statistics.round(2).values.tolist()[0]
['-2 Res Log Likelihood', 640.35]
>>> print(s.as_text().splitlines()[0])
MMRM (mixed model for repeated measures), change ~ baseline + arm * visit
"""

from __future__ import annotations

import pandas as pd

from irtrial.summary import Summary

__all__ = ["mmrm_summary", "summary_notes", "SAS_COVARIANCE", "SAS_DDFM"]

#: irtrial covariance name -> SAS TYPE= (None: no SAS equivalent)
SAS_COVARIANCE = {
    "us": "UN", "cs": "CS", "csh": "CSH", "ar1": "AR(1)", "ar1h": "ARH(1)", "toep": "TOEP",
    "toeph": "TOEPH", "ad": None, "adh": "ANTE(1)",
}

#: irtrial df name -> SAS DDFM=
SAS_DDFM = {
    "kenward-roger": "KR", "kenward-roger-linear": "KR(FIRSTORDER)",
    "satterthwaite": "SATTERTHWAITE", "between-within": "BETWITHIN", "residual": "RESIDUAL",
}

_HEADINGS = {
    "fit_statistics": "Fit Statistics",
    "covariance_parameters": "Covariance Parameter Estimates",
    "coefficients": "Solution for Fixed Effects",
    "type3": "Type 3 Tests of Fixed Effects",
    "exclusions": "Observations Not Used",
}


def summary_notes(fit) -> list[str]:
    """The notes of a fit: rows not used, aliased columns, the inferred visit order."""
    notes = []
    for r in fit.exclusions.itertuples():
        notes.append(f"{r.n_rows} row(s) of {r.n_subjects} subject(s) not used: {r.reason} "
                     f"({r.column})")
    if fit.aliased:
        notes.append("aliased design columns dropped (non-estimable functions are NaN): "
                     + ", ".join(fit.aliased))
    order = getattr(fit.design, "visit_order_note", None)
    if order:
        notes.append(order)
    return notes


def mmrm_summary(fit) -> Summary:
    """The :class:`~irtrial.summary.Summary` of an :class:`~irtrial.mmrm.MMRMResult`."""
    o = fit.options
    d = fit.design
    sas_cov = SAS_COVARIANCE.get(o.covariance)
    cov = o.covariance + (f" (SAS TYPE={sas_cov})" if sas_cov else "")
    if fit.group:
        cov += f", by {fit.group}"
    df = o.df + f" (SAS DDFM={SAS_DDFM[o.df]})" + (" [default]" if o.df_default else "")
    vcov = o.vcov + (" [default]" if o.vcov_default else "")
    info = [
        ("Dependent variable", d.response),
        ("Subject, visit", f"{d.subject}, {d.visit}"),
        ("Visits (in order)", ", ".join(map(str, d.visit_levels))),
        ("Covariance structure", cov),
        ("Estimation method", o.method.upper()),
        ("Fixed effects SE method", vcov),
        ("Degrees of freedom method", df),
        ("Confidence level", f"{o.conf_level:g}"),
    ]
    if fit.weights:
        info.append(("Weights", fit.weights))
    info += [
        ("Subjects / observations used", f"{fit.n_subjects} / {fit.n_obs}"),
        ("Rows not used", str(fit.n_dropped)),
        ("Convergence", f"converged ({fit.optimizer}, {fit.n_iterations} iterations)"),
    ]
    label = "Res " if o.method == "reml" else ""
    fit_stats = pd.DataFrame({
        "statistic": [f"-2 {label}Log Likelihood", "AIC (Smaller is Better)",
                      "AICC (Smaller is Better)", "BIC (Smaller is Better)"],
        "value": [-2.0 * fit.loglik, fit.aic, fit.aicc, fit.bic],
    })
    tables = {
        "fit_statistics": fit_stats,
        "covariance_parameters": (fit.covariance_parameters if fit.group
                                  else fit.covariance_parameters.drop(columns="group")),
        "coefficients": fit.coefficients,
        "type3": fit.type3(),
    }
    return Summary(
        title=f"MMRM (mixed model for repeated measures), {fit.formula}",
        info=tuple(info),
        tables=tables,
        notes=tuple(summary_notes(fit)),
        headings=_HEADINGS,
    )
