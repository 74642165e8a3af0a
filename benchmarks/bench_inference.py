"""Benchmark of the MMRM inference layer on bcva_data (1,000 subjects, 10 visits, 8,605 rows).

Model: ``BCVA_CHG ~ BCVA_BL + RACE + ARMCD * AVISIT + us(AVISIT | USUBJID)``, REML (55 covariance
parameters, 23 fixed effects). Times, as medians of ``--repeat`` runs:

* fit: ``irtrial.mmrm(...)`` (the engine; reported for context);
* satterthwaite: the information of theta + Satterthwaite df on all 23 coefficients;
* kenward-roger: the information + KR-adjusted covariance + KR df on all coefficients;
* lsmeans: LS means and TRT - CTL differences by visit (KR), type 3 table (KR);
* empirical: the sandwich covariance.

Every inference timing starts from a fresh ``ModelState`` copy so that no cached information
is reused. Peers: R mmrm's published times on bcva (fit 3.4 s; with Satterthwaite 3.1 s, with
Kenward-Roger 45 s, per the issue; the mmrm package is not installed here and nlme::gls takes
~164 s on bcva), and, run in the same process when ``Rscript`` exists, R nlme::gls + emmeans
on fev_data (``bench_inference_peer.R``) against ``irtrial.mmrm`` + LS-mean differences.

Small (t x t, p x p) matrix products dominate; a multi-threaded BLAS on a busy machine makes
them several times slower, so the fit and the inference layer limit BLAS to one thread
themselves (``irtrial.mmrm._threads``). ``IRTRIAL_BENCH_BLAS_THREADS=n`` sets the BLAS thread
environment variables for the whole run (otherwise the machine default is used).

Run: ``.venv/bin/python benchmarks/bench_inference.py [--repeat 5]``
"""

from __future__ import annotations

import os

if "IRTRIAL_BENCH_BLAS_THREADS" in os.environ:
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = os.environ["IRTRIAL_BENCH_BLAS_THREADS"]

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import irtrial  # noqa: E402
from irtrial.mmrm import lsmeans, testing, vcov  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "reference" / "sas" / "bcva_data.csv"
FORMULA = "BCVA_CHG ~ BCVA_BL + RACE + ARMCD * AVISIT"


def load() -> pd.DataFrame:
    df = pd.read_csv(DATA)
    df["AVISIT"] = pd.Categorical(df["AVISIT"], categories=sorted(df["AVISIT"].unique()))
    df["ARMCD"] = pd.Categorical(df["ARMCD"], categories=["CTL", "TRT"])
    df["RACE"] = pd.Categorical(df["RACE"], categories=["Asian", "Black", "White"])
    df["USUBJID"] = df["USUBJID"].astype(str)
    return df


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def fev_section(repeat: int) -> list[tuple[str, float]]:
    """fev_data (197 subjects, 4 visits): irtrial vs R nlme::gls + emmeans in the same run."""
    fev = pd.read_csv(DATA.with_name("fev_data.csv")).dropna(subset=["FEV1"])
    fev["ARMCD"] = pd.Categorical(fev["ARMCD"], categories=["PBO", "TRT"])
    fev["SEX"] = pd.Categorical(fev["SEX"], categories=["Male", "Female"])
    rows = []
    for df in ("satterthwaite", "kenward-roger"):
        def run(df=df):
            fit = irtrial.mmrm(fev, "FEV1 ~ RACE + SEX + ARMCD * AVISIT", subject="USUBJID",
                               visit="AVISIT", covariance="us", df=df)
            return fit.contrasts("ARMCD", "PBO", by="AVISIT")

        rows.append((f"fev: irtrial fit + LS-mean diffs ({df})", timed(run, repeat)[0]))
    if shutil.which("Rscript"):
        proc = subprocess.run(
            ["Rscript", str(Path(__file__).with_name("bench_inference_peer.R"))],
            capture_output=True, text=True, cwd=DATA.parents[3],
        )
        if proc.returncode != 0:
            print("R peer failed:", proc.stderr.strip()[-500:])
            return rows
        out = proc.stdout.split()
        rows.append(("fev: R nlme::gls fit (peer)", float(out[0])))
        rows.append(("fev: R emmeans diffs, appx-satterthwaite (peer)", float(out[1])))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    data = load()
    t_fit, fit = timed(
        lambda: irtrial.mmrm(data, FORMULA, subject="USUBJID", visit="AVISIT", covariance="us",
                             df="satterthwaite"),
        max(1, args.repeat // 2),
    )
    state = fit.state
    p = state.beta.size
    eye = np.eye(p)

    def fresh():
        return dataclasses.replace(state)  # new object: the information cache misses

    rows = [("fit (engine, us REML)", t_fit)]
    rows.append(("satterthwaite, all coefficients", timed(
        lambda: testing.contrast_table(fresh(), eye, None, df="satterthwaite"), args.repeat)[0]))
    rows.append(("kenward-roger, all coefficients", timed(
        lambda: testing.contrast_table(fresh(), eye, None, df="kenward-roger"), args.repeat)[0]))

    def ls_all():
        s = fresh()
        lsmeans.lsmeans_table(s, "ARMCD", by="AVISIT", df="kenward-roger")
        lsmeans.contrasts_table(s, "ARMCD", "CTL", by="AVISIT", df="kenward-roger")
        testing.type3_table(s, df="kenward-roger")

    rows.append(("KR: LS means + diffs by visit + type 3", timed(ls_all, args.repeat)[0]))
    rows.append(("empirical sandwich", timed(
        lambda: vcov.beta_vcov(fresh(), "empirical"), args.repeat)[0]))
    n_pat = len(state.patterns)
    print(f"bcva_data: {state.n_subjects} subjects, {state.n_obs} rows, {n_pat} patterns, "
          f"p={p}, k={state.theta.size}; "
          f"BLAS threads env {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}")
    rows += fev_section(args.repeat)
    for name, t in rows:
        print(f"  {name:50s} {t:8.3f} s")
    print("  peer (R mmrm, published): fit 3.4 s; fit + Satterthwaite 3.1 s; + Kenward-Roger 45 s")


if __name__ == "__main__":
    main()
