"""Benchmark of the MMRM engine (the fit) against statsmodels MixedLM and R nlme::gls.

Models (all REML):

* fev: ``FEV1 ~ RACE + SEX + ARMCD * AVISIT``, fev_data (197 subjects with data, 4 visits,
  537 rows), unstructured covariance (10 parameters);
* bcva: ``BCVA_CHG ~ BCVA_BL + RACE + ARMCD * AVISIT``, bcva_data (1,000 subjects, 10 visits,
  8,605 rows), unstructured covariance (55 parameters);
* trial: ``change ~ baseline + arm * visit`` on the 40-patient IR-wrap replica (39 analysed,
  6 visits), unstructured (21 parameters): the power-simulation case.

Timings (median of ``--repeat`` runs, wall clock, in this process):

* irtrial fit: ``irtrial.mmrm(..., df="residual")`` from the DataFrame (design + fit);
* irtrial fit + Satterthwaite: the same, then ``fit.coefficients`` with ``df="satterthwaite"``
  (df on every coefficient, the inference layer's cost included);
* statsmodels: ``smf.mixedlm(formula, data, groups=subject).fit(reml=True)``, a random
  intercept only (statsmodels has no residual covariance structures), complete rows;
* R nlme::gls: ``gls(formula, correlation = corSymm(form = ~ as.integer(visit) | subject),
  weights = varIdent(form = ~ 1 | visit), method = "REML")`` -- the same unstructured model --
  timed inside R with ``system.time`` (median of repeats; bcva once, with a time limit).

Run: ``.venv/bin/python benchmarks/bench_mmrm.py [--repeat 7] [--no-r] [--r-timeout 600]``.
Writes the table to stdout and to ``benchmarks/results_mmrm.md``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd
import statsmodels.formula.api as smf

import irtrial

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference" / "sas"

MODELS = {
    "fev": dict(formula="FEV1 ~ RACE + SEX + ARMCD * AVISIT", subject="USUBJID", visit="AVISIT"),
    "bcva": dict(
        formula="BCVA_CHG ~ BCVA_BL + RACE + ARMCD * AVISIT", subject="USUBJID", visit="AVISIT"
    ),
    "trial": dict(formula="change ~ baseline + arm * visit", subject="subject", visit="visit"),
}


def load(name: str) -> pd.DataFrame:
    if name == "fev":
        d = pd.read_csv(REF / "fev_data.csv")
        d["SEX"] = pd.Categorical(d["SEX"], ["Male", "Female"])
        d["AVISIT"] = pd.Categorical(d["AVISIT"], ["VIS1", "VIS2", "VIS3", "VIS4"])
        return d
    if name == "bcva":
        d = pd.read_csv(REF / "bcva_data.csv")
        d["USUBJID"] = d["USUBJID"].astype(str)
        d["AVISIT"] = pd.Categorical(d["AVISIT"], sorted(d["AVISIT"].unique()))
        return d
    trial = irtrial.read_trial(ROOT / "data" / "synthetic" / "ir_wrap_trial.csv")
    return trial.data


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_irtrial(d, m, repeat):
    irtrial.mmrm(d, **m, df="residual")  # warm-up (imports, formula cache)
    fit = median_time(lambda: irtrial.mmrm(d, **m, df="residual"), repeat)

    def fit_sat():
        f = irtrial.mmrm(d, **m, df="satterthwaite")
        return f.coefficients

    sat = median_time(fit_sat, repeat)
    return fit, sat


def bench_statsmodels(d, m, repeat):
    y = m["formula"].split("~")[0].strip()
    dd = d.dropna(subset=[y]).copy()
    for c in dd.columns:
        if isinstance(dd[c].dtype, pd.CategoricalDtype):
            dd[c] = dd[c].astype(str)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            smf.mixedlm(m["formula"], dd, groups=dd[m["subject"]]).fit(reml=True)

    return median_time(run, max(1, repeat // 2))


R_SCRIPT = r"""
suppressPackageStartupMessages(library(nlme))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], na.strings = c("NA", ""))
form <- as.formula(args[2]); subj <- args[3]; vis <- args[4]; reps <- as.integer(args[5])
y <- all.vars(form)[1]
d <- d[!is.na(d[[y]]), ]
d[[vis]] <- factor(d[[vis]])
d$.subj <- factor(d[[subj]]); d$.vis <- d[[vis]]; d$.t <- as.integer(d$.vis)
times <- numeric(0)
for (i in seq_len(reps)) {
  tm <- system.time(f <- gls(form, data = d, method = "REML",
    correlation = corSymm(form = ~ .t | .subj), weights = varIdent(form = ~ 1 | .vis)))
  times <- c(times, tm[["elapsed"]])
}
cat(sprintf('{"median": %.6f, "neg2loglik": %.8f}\n', median(times), -2 * as.numeric(logLik(f))))
"""


def bench_r(d, m, repeat, timeout):
    if shutil.which("Rscript") is None:
        return None, "Rscript not found"
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "d.csv"
        script = Path(tmp) / "b.R"
        d.to_csv(csv, index=False)
        script.write_text(R_SCRIPT)
        cmd = [
            "Rscript",
            str(script),
            str(csv),
            m["formula"],
            m["subject"],
            m["visit"],
            str(repeat),
        ]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
        except subprocess.TimeoutExpired:
            return None, f"> {timeout} s (timed out)"
        except subprocess.CalledProcessError as exc:
            return None, "failed: " + exc.stderr.strip().splitlines()[-1][:80]
        res = json.loads(out.stdout.strip().splitlines()[-1])
        return res["median"], f"-2 log L {res['neg2loglik']:.4f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--r-timeout", type=float, default=600)
    args = ap.parse_args()
    rows = []
    for name, m in MODELS.items():
        d = load(name)
        fit, sat = bench_irtrial(d, m, args.repeat)
        f = irtrial.mmrm(d, **m, df="residual")
        sm_t = bench_statsmodels(d, m, args.repeat)
        r_t, r_note = (
            (None, "not run")
            if args.no_r
            else bench_r(d, m, 1 if name == "bcva" else args.repeat, args.r_timeout)
        )
        rows.append(
            {
                "data": f"{name} ({f.n_subjects} subj, {len(f.design.visit_levels)} visits)",
                "irtrial fit (s)": fit,
                "irtrial fit + Satterthwaite (s)": sat,
                "statsmodels MixedLM RI (s)": sm_t,
                "R nlme::gls UN (s)": r_t,
                "gls / irtrial fit": (r_t / fit) if r_t else None,
                "MixedLM / irtrial fit": sm_t / fit,
                "irtrial -2 log L": -2 * f.loglik,
                "R note": r_note,
            }
        )
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    md = table.to_markdown(index=False, floatfmt=".4g")
    print(md)
    (Path(__file__).with_name("results_mmrm.md")).write_text(md + "\n")


if __name__ == "__main__":
    main()
