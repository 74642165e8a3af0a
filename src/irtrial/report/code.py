"""SAS and R code that reproduce the report's primary analysis, generated from the fit used.

Nothing here is fixed text: the response, covariates (and which are factors, with their levels),
the arm order (control first), the visit order, the covariance structure actually used (after
the plan's fallbacks), the estimation method, the df method, the covariance of the estimates
and the confidence level all come from the :class:`~irtrial.plan.PrimaryFit` and the plan.

The code reads the analysis data set the report writes (:func:`analysis_data`: one row per
analysed subject and post-baseline visit, with ``visitn`` the visit's position), so it starts
from exactly the numbers irtrial fitted.

=======================  ===============================  =========================================
irtrial                  SAS PROC MIXED                   R mmrm
=======================  ===============================  =========================================
df kenward-roger         ``DDFM=KR``                      ``method = "Kenward-Roger"``, ``vcov =
                                                          "Kenward-Roger-Linear"`` for UN, CS, TOEP
                                                          (SAS's parameters are linear in Sigma, so
                                                          SAS's KR has no second-order term);
                                                          ``"Kenward-Roger"`` otherwise (close, not
                                                          identical: R's own parametrisation)
df kenward-roger-linear  ``DDFM=KR(FIRSTORDER)``          ``method = "Kenward-Roger", vcov =
                                                          "Kenward-Roger-Linear"``
satterthwaite            ``DDFM=SATTERTHWAITE``           ``method = "Satterthwaite"``
between-within           ``DDFM=BW``                      ``method = "Between-Within"``
residual                 ``DDFM=RESIDUAL``                ``method = "Residual"``
vcov empirical           ``EMPIRICAL``                    ``vcov = "Empirical"``
=======================  ===============================  =========================================

The ``nlme::gls`` + ``emmeans`` version (for R without mmrm) reproduces the estimates and the
model-based (unadjusted) standard errors; gls has no Kenward-Roger adjustment.

References
----------
1. SAS/STAT User's Guide: The MIXED Procedure (MODEL / DDFM=, REPEATED / TYPE=, LSMEANS).
2. Sabanes Bove D et al. mmrm: Mixed Models for Repeated Measures, R package; vignette
   "Kenward-Roger" (KR-linear reproduces SAS for the unstructured covariance).
3. Lenth R. emmeans: Estimated Marginal Means, R package.

Examples
--------
>>> from irtrial.synthetic import ir_wrap_trial
>>> from irtrial.plan import StudyPlan, fit_primary
>>> trial = ir_wrap_trial()
>>> plan = StudyPlan.from_options(df="KR(FIRSTORDER)", conf_level=0.9)
>>> fit = fit_primary(trial, plan)
>>> code = r_code(fit, plan, trial)
>>> 'vcov = "Kenward-Roger-Linear"' in code, "level = 0.9)" in code
(True, True)
>>> print([line for line in sas_code(fit, plan, trial).splitlines() if "DDFM" in line][0])
  MODEL change = baseline arm visit arm*visit / DDFM=KR(FIRSTORDER) SOLUTION CL ALPHA=0.1;
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from irtrial import columns as C
from irtrial.plan._names import COVARIANCE_R, DF_R, DF_SAS
from irtrial.plan.primary import level_label

if TYPE_CHECKING:
    from irtrial.plan import PrimaryFit, StudyPlan
    from irtrial.trial import Trial

__all__ = ["analysis_data", "sas_code", "r_code", "r_gls_code", "r_code_gls", "code_files",
           "write_code",
           "DATA_FILE", "R_VCOV"]

#: name of the analysis data set next to the code
DATA_FILE = "analysis_data.csv"
#: irtrial's covariance of beta-hat -> R mmrm ``vcov =``
R_VCOV = {"asymptotic": "Asymptotic", "kenward-roger": "Kenward-Roger",
          "kenward-roger-linear": "Kenward-Roger-Linear", "empirical": "Empirical"}
#: structures whose SAS parameters are linear in Sigma: SAS's KR = KR(FIRSTORDER) there
_LINEAR_IN_SIGMA = {"us", "cs", "toep"}
_SAS_TYPE = {"us": "UN", "cs": "CS", "csh": "CSH", "ar1": "AR(1)", "ar1h": "ARH(1)",
             "toep": "TOEP", "toeph": "TOEPH", "adh": "ANTE(1)"}
_GLS = {  # structure -> (correlation, heterogeneous variances)
    "us": ("corSymm(form = ~ visitn | subject)", True),
    "cs": ("corCompSymm(form = ~ visitn | subject)", False),
    "csh": ("corCompSymm(form = ~ visitn | subject)", True),
    "ar1": ("corAR1(form = ~ visitn | subject)", False),
    "ar1h": ("corAR1(form = ~ visitn | subject)", True),
}


def _covariates(fit: PrimaryFit) -> list[str]:
    return list(fit.covariate_types)


def analysis_data(fit: PrimaryFit, trial: Trial) -> pd.DataFrame:
    """The data the primary model was fitted on, as the generated code reads it.

    Columns ``subject, arm, visit, visitn`` (the visit's position, 1, 2, ...), ``baseline``,
    the response (``change`` or ``value``) and the model's covariates; one row per analysed
    subject and post-baseline visit (a missing response is an empty cell, as in the fit).
    """
    response = fit.formula.split("~")[0].strip()
    data = trial.data
    visits = [str(v) for v in fit.factor_levels.get(C.VISIT, trial.visits)]
    out = pd.DataFrame({
        "subject": data[C.SUBJECT].astype(str).to_numpy(),
        "arm": data[C.ARM].astype(str).to_numpy(),
        "visit": data[C.VISIT].astype(str).to_numpy(),
    })
    out["visitn"] = out["visit"].map({v: i + 1 for i, v in enumerate(visits)}).astype(int)
    out["baseline"] = data[C.BASELINE].to_numpy(dtype=float)
    out[response] = data[response].to_numpy(dtype=float)
    for name in _covariates(fit):
        col = data[name]
        if fit.covariate_types[name] == "categorical":
            out[name] = [level_label(v) for v in col]
        else:
            out[name] = col.to_numpy(dtype=float)
    return out


def _r_string(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _sas_string(text: str) -> str:
    return '"' + str(text).replace('"', '""') + '"'


def _r_name(name: str) -> str:
    import re

    return name if re.match(r"^[A-Za-z.][A-Za-z0-9._]*$", name) else f"`{name}`"


def _number(x: float) -> str:
    return f"{x:.4f}".replace("-0.0000", "0.0000")


def _summary_lines(fit: PrimaryFit, plan: StudyPlan) -> list[str]:
    """The report's primary result, as comments to compare the output with."""
    rows = fit.primary
    lines = []
    for r in rows.itertuples(index=False):
        lines.append(f"{r.arm} - {fit.control} at {fit.primary_visit}: estimate "
                     f"{_number(r.estimate)}, SE {_number(r.std_error)}, df {r.df:.2f}, "
                     f"{plan.primary.conf_percent} CI [{_number(r.ci_lower)}, "
                     f"{_number(r.ci_upper)}]")
    return lines


def _header(fit: PrimaryFit, plan: StudyPlan, comment: str, what: str) -> list[str]:
    title = plan.title or "the trial"
    lines = [
        f"Primary analysis of {title}: {what}.",
        "Generated by irtrial from the fit in the report (not fixed text).",
        f"Model: {fit.formula}",
        f"Covariance: {fit.reason}",
        "The report's result at the primary visit:",
        *("  " + s for s in _summary_lines(fit, plan)),
    ]
    return [f"{comment} {line}".rstrip() for line in lines]


def sas_code(fit: PrimaryFit, plan: StudyPlan, trial: Trial,
             data_file: str = DATA_FILE) -> str:
    """SAS PROC MIXED code reproducing the primary MMRM (see the module docstring)."""
    res = fit.result
    response = fit.formula.split("~")[0].strip()
    covs = _covariates(fit)
    factors = [c for c in covs if fit.covariate_types[c] == "categorical"]
    inter = [t.replace(":", "*") for t in plan.primary.interactions]
    alpha = f"{1 - res.conf_level:.10g}"
    cov = fit.covariance
    out = ["/*", *(" " + line for line in _header(fit, plan, "", "SAS PROC MIXED")), "*/", ""]
    if cov not in _SAS_TYPE:
        out += [f"/* NOTE: the {fit.covariance_sas} structure has no SAS TYPE= equivalent; "
                "ANTE(1) is the nearest (heterogeneous variances). */", ""]
    out += [
        f"PROC IMPORT DATAFILE={_sas_string(data_file)} OUT=adata DBMS=CSV REPLACE;",
        "  GUESSINGROWS=MAX;",
        "RUN;",
        "",
        "/* visitn (1, 2, ...) orders the visits for the covariance matrix */",
        f"PROC MIXED DATA=adata METHOD={res.method.upper()}"
        + (" EMPIRICAL" if res.vcov == "empirical" else "") + ";",
        "  CLASS subject arm visit visitn" + "".join(f" {f}" for f in factors) + ";",
        f"  MODEL {response} = baseline" + "".join(f" {c}" for c in covs)
        + " arm visit arm*visit" + "".join(f" {t}" for t in inter)
        + f" / DDFM={DF_SAS[res.df]} SOLUTION CL ALPHA={alpha};",
        f"  REPEATED visitn / SUBJECT=subject TYPE={_SAS_TYPE.get(cov, 'ANTE(1)')} R RCORR;",
        f"  LSMEANS arm*visit / DIFF CL ALPHA={alpha};",
        "  ODS OUTPUT LSMeans=lsmeans Diffs=diffs Tests3=type3 CovParms=covparms;",
        "RUN;",
    ]
    ctl = _sas_string(fit.control)
    out += [
        "",
        f"/* Treatment differences at each visit: each active arm minus {fit.control} */",
        "DATA differences;",
        "  SET diffs;",
        "  LENGTH _s $200;",
        "  IF visit = _visit;",
        f"  IF _arm = {ctl} AND arm NE {ctl} THEN OUTPUT;",
        f"  ELSE IF arm = {ctl} AND _arm NE {ctl} THEN DO;  /* turn control - active round */",
        "    Estimate = -Estimate; tValue = -tValue;",
        "    _t = Lower; Lower = -Upper; Upper = -_t;",
        "    _s = arm; arm = _arm; _arm = _s;",
        "    OUTPUT;",
        "  END;",
        "  DROP _t _s;",
        "RUN;",
        "",
        "PROC PRINT DATA=differences; RUN;",
    ]
    return "\n".join(out) + "\n"


def _r_levels(fit: PrimaryFit, trial: Trial) -> list[str]:
    lines = ["d$subject <- factor(d$subject)"]
    for name in (C.ARM, C.VISIT, *[c for c in _covariates(fit)
                                   if fit.covariate_types[c] == "categorical"]):
        levels = fit.factor_levels.get(name)
        if levels is None:
            continue
        shown = ", ".join(_r_string(v) for v in levels)
        col = f"d${_r_name(name)}" if _r_name(name) == name else f"d[[{_r_string(name)}]]"
        lines.append(f"{col} <- factor({col}, levels = c({shown}))")
    return lines


def _rhs(fit: PrimaryFit, plan: StudyPlan) -> str:
    return fit.formula.split("~", 1)[1].strip()


def _r_read(data_file: str) -> list[str]:
    return [f"d <- read.csv({_r_string(data_file)}, na.strings = c(\"\", \"NA\"), "
            "stringsAsFactors = FALSE, check.names = FALSE)"]


def _r_diffs(fit: PrimaryFit, conf: float, mode: str = "") -> list[str]:
    arms = list(fit.factor_levels.get(C.ARM, (fit.control,)))
    ref = arms.index(fit.control) + 1 if fit.control in arms else 1
    where = "the first level" if ref == 1 else f"level {ref}"
    return [
        f"emm <- emmeans(fit, ~ arm | visit{mode})",
        f"# each active arm minus {fit.control} ({where}), at every visit",
        f'diffs <- contrast(emm, method = "trt.vs.ctrl", ref = {ref}, adjust = "none")',
        f"res <- as.data.frame(summary(diffs, infer = c(TRUE, TRUE), level = {conf:.10g}))",
        "print(res)",
    ]


def r_code(fit: PrimaryFit, plan: StudyPlan, trial: Trial, data_file: str = DATA_FILE) -> str:
    """R code (``mmrm::mmrm`` + ``emmeans``) reproducing the primary MMRM."""
    res = fit.result
    response = fit.formula.split("~")[0].strip()
    cov = fit.covariance
    vcov = res.vcov
    note = []
    if res.df == "kenward-roger" and vcov == "kenward-roger":
        if cov in _LINEAR_IN_SIGMA:
            vcov = "kenward-roger-linear"
            note = [f"# SAS DDFM=KR on {fit.covariance_sas}: its parameters are linear in the "
                    "covariance matrix, so the", "# adjustment has no second-order term: "
                    "R mmrm's \"Kenward-Roger-Linear\" reproduces it exactly."]
        else:
            note = [f"# NOTE: R mmrm's full Kenward-Roger uses its own parametrisation of "
                    f"{fit.covariance_sas}; its SEs", "# can differ slightly (typically "
                    "sub-percent) from SAS DDFM=KR and the report. Pre-specify",
                    "# df = \"KR(FIRSTORDER)\" to match R exactly (vcov = "
                    "\"Kenward-Roger-Linear\")."]
    lines = [*_header(fit, plan, "#", "R mmrm::mmrm + emmeans"), "",
             "library(mmrm)", "library(emmeans)", "", *_r_read(data_file),
             *_r_levels(fit, trial), "", *note,
             f"fit <- mmrm({response} ~ {_rhs(fit, plan)} + "
             f"{COVARIANCE_R[cov]}(visit | subject),",
             f"            data = d, reml = {'TRUE' if res.method == 'reml' else 'FALSE'}, "
             f"method = {_r_string(DF_R[res.df])},",
             f"            vcov = {_r_string(R_VCOV[vcov])},",
             "            # converge as tightly as irtrial (R's default L-BFGS-B can stop "
             "short of the",
             "            # REML maximum, moving the 5th significant digit)",
             '            optimizer = "BFGS", optimizer_control = list(reltol = 1e-14, '
             'maxit = 10000))',
             "print(summary(fit))", "", *_r_diffs(fit, res.conf_level)]
    return "\n".join(lines) + "\n"


def r_gls_code(fit: PrimaryFit, plan: StudyPlan, trial: Trial,
               data_file: str = DATA_FILE) -> str:
    """R code (``nlme::gls`` + ``emmeans``) for the same model, for R without mmrm.

    It reproduces the estimates and the model-based standard errors; ``gls`` has no
    Kenward-Roger adjustment, so with a KR df method its SEs and df differ from the report.
    """
    res = fit.result
    response = fit.formula.split("~")[0].strip()
    cov = fit.covariance
    v = len(fit.factor_levels.get(C.VISIT, trial.visits))
    if cov in _GLS:
        corr, hetero = _GLS[cov]
    elif cov in ("toep", "toeph"):
        corr, hetero = f"corARMA(form = ~ visitn | subject, p = {v - 1})", cov == "toeph"
    else:
        corr, hetero = None, True
    lines = [*_header(fit, plan, "#", "R nlme::gls + emmeans (without mmrm)"), "",
             "# gls reproduces the estimates and the model-based (unadjusted) standard errors;",
             "# it has no Kenward-Roger adjustment (use the mmrm code for the report's SEs and "
             "df)."]
    if res.df != "satterthwaite":
        lines += ["# The df are emmeans' df.error for gls (observations - fixed effects - "
                  "covariance", f"# parameters), not the report's {DF_SAS[res.df]} df."]
    else:
        lines += ["# The df are emmeans' numerical (appx-)Satterthwaite for gls, in nlme's "
                  "parametrisation:", "# they can differ from the report's by several percent "
                  "(the mmrm code matches them)."]
    if corr is None:
        lines += [f"# NOTE: {fit.covariance_sas} has no nlme correlation structure; use the "
                  "mmrm code."]
        return "\n".join(lines) + "\n"
    if cov in ("toep", "toeph"):
        lines += [f"# corARMA(p = {v - 1}) spans every Toeplitz correlation over {v} visits "
                  "(the same model as TOEP, another parametrisation)."]
    weights = ",\n           weights = varIdent(form = ~ 1 | visit)" if hetero else ""
    mode = ', mode = "satterthwaite"' if res.df == "satterthwaite" else ', mode = "df.error"'
    if res.df == "satterthwaite":
        lines += ["set.seed(1)  # emmeans' appx-satterthwaite perturbs the parameters at random"]
    lines += ["", "library(nlme)", "library(emmeans)", "", *_r_read(data_file),
              *_r_levels(fit, trial), "",
              f"fit <- gls({response} ~ {_rhs(fit, plan)}, data = d,",
              f"           correlation = {corr}{weights},",
              f"           method = {_r_string(res.method.upper())}, na.action = na.omit)",
              "print(summary(fit))", "", *_r_diffs(fit, res.conf_level, mode)]
    return "\n".join(lines) + "\n"


#: the same function under the name the report's code section looks up
r_code_gls = r_gls_code


def code_files(fit: PrimaryFit, plan: StudyPlan, trial: Trial) -> dict[str, str]:
    """File name -> content: the analysis data (CSV text), SAS, R (mmrm) and R (gls) code."""
    data = analysis_data(fit, trial).to_csv(index=False, lineterminator="\n")
    return {DATA_FILE: data, "primary_mmrm.sas": sas_code(fit, plan, trial),
            "primary_mmrm.R": r_code(fit, plan, trial),
            "primary_gls.R": r_gls_code(fit, plan, trial)}


def write_code(out: str | Path, fit: PrimaryFit, plan: StudyPlan, trial: Trial) -> list[Path]:
    """Write :func:`code_files` into the folder ``out`` (created); return the paths."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in code_files(fit, plan, trial).items():
        path = folder / name
        path.write_text(text, encoding="utf-8", newline="\n")
        paths.append(path)
    return paths
