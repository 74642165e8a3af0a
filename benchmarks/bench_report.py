"""Benchmark: the full report (HTML, PDF, results.json, CSV, SVG+PNG figures), end to end.

Cases
-----
1. The 40-patient replica with its plan (``data/synthetic/ir_wrap_plan.toml``), as
   ``irtrial report FILE --plan PLAN --out DIR`` in a fresh process (imports included), and
   ``irtrial.report(trial, plan, out)`` in a warm process. Target: <= 3 s.
2. A simulated 20,000-subject x 10-visit trial (two arms, MAR dropout), as the CLI. Target:
   <= 15 s and <= 1.5 GB peak resident memory (the largest of the report process and its PDF
   child, from ``getrusage(RUSAGE_CHILDREN)``).

Peer, in the same run: R (``nlme::gls`` with the same unstructured model + ``emmeans`` LS-mean
differences by visit) on the same file, analysis only, no report; the ratio irtrial / R is
printed. Each timing is the median of ``--repeat`` runs.

Run: ``env -u PYTHONDONTWRITEBYTECODE .venv/bin/python benchmarks/bench_report.py [--repeat 3]
[--skip-r]``; results go to ``benchmarks/README.md`` by hand. With ``PYTHONDONTWRITEBYTECODE`` set
no ``.pyc`` is written, so every fresh process recompiles irtrial's sources (~1 s more per CLI
call than on a user's machine): the script says so when it is set.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REPLICA = REPO / "data" / "synthetic" / "ir_wrap_trial.csv"
PLAN = REPO / "data" / "synthetic" / "ir_wrap_plan.toml"

R_PEER = r"""
suppressPackageStartupMessages({library(nlme); library(emmeans)})
args <- commandArgs(TRUE)
t0 <- proc.time()[["elapsed"]]
d <- read.csv(args[1])
base <- d[d$AVISITN == 0, c("USUBJID", "AVAL")]; names(base)[2] <- "BASE"
d <- merge(d[d$AVISITN > 0, ], base, by = "USUBJID")
d$CHG <- d$AVAL - d$BASE
d <- d[!is.na(d$CHG), ]
d <- d[order(d$USUBJID, d$AVISITN), ]
d$ARM <- factor(d$ARM); d$ARM <- relevel(d$ARM, ref = args[2])
d$AVISIT <- factor(d$AVISITN); d$VIS <- as.integer(d$AVISIT)
fit <- gls(CHG ~ BASE + ARM * AVISIT, data = d, method = "REML",
           correlation = corSymm(form = ~ VIS | USUBJID), weights = varIdent(form = ~ 1 | AVISIT))
em <- emmeans(fit, pairwise ~ ARM | AVISIT, mode = "df.error")
invisible(summary(em$contrasts))
cat(proc.time()[["elapsed"]] - t0, "\n")
"""


def _run(cmd: list[str]) -> tuple[float, int]:
    """Wall time and peak RSS (MB) of the command and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) // 1024


def _cli(data: Path, plan: Path | None, out: Path, extra: list[str] = ()) -> list[str]:
    cmd = [str(BIN / "irtrial"), "report", str(data), "--out", str(out), *extra]
    if plan is not None:
        cmd += ["--plan", str(plan)]
    return cmd


def _r_peer(data: Path, control: str) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as fh:
        fh.write(R_PEER)
    t = time.perf_counter()
    subprocess.run(["Rscript", fh.name, str(data), control], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def _big_file(path: Path, n: int = 20_000, visits: int = 10) -> Path:
    from irtrial.synthetic import TrialDesign
    from irtrial.synthetic.design import Dropout
    from irtrial.synthetic.generate import simulate_frame

    times = tuple(float(v) for v in range(visits + 1))
    design = TrialDesign(arms=("Placebo", "Active"), n_per_arm=(n // 2, n // 2), visits=times,
                         means=(tuple(6.0 - 0.05 * t for t in times),
                                tuple(6.0 - 0.25 * t for t in times)),
                         subject_sd=1.2, residual_sd=1.0, ar1=0.6, scale=(0, 10),
                         dropout=Dropout(hazard=0.03, mar_slope=0.2))
    simulate_frame(design, seed=1).to_csv(path, index=False)
    return path


def _replica(repeat: int, skip_r: bool, tmp: Path) -> None:
    runs = [_run(_cli(REPLICA, PLAN, tmp / f"r{k}")) for k in range(repeat)]
    wall = statistics.median(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    r_t = None if skip_r else _r_peer(REPLICA, "Placebo")
    ratio = f"{wall / r_t:6.2f}" if r_t else "     -"
    print(f"{'replica 40 subj, CLI, PDF included':44s} {wall:9.2f} {peak:8d} "
          f"{(r_t or float('nan')):7.2f} {ratio}", flush=True)

    import irtrial
    from irtrial.plan import read_plan

    plan = read_plan(PLAN)
    trial = irtrial.read_trial(REPLICA, **plan.read_kwargs())
    irtrial.report(trial, plan, out=tmp / "warm0")  # warm-up: imports, font caches
    for pdf in (True, False):
        times = []
        for k in range(repeat):
            t = time.perf_counter()
            irtrial.report(trial, plan, out=tmp / f"warm{pdf}{k + 1}", pdf=pdf)
            times.append(time.perf_counter() - t)
        name = f"replica 40 subj, in-process (warm), {'PDF' if pdf else 'no PDF'}"
        print(f"{name:44s} {statistics.median(times):9.2f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-r", action="store_true")
    ap.add_argument("--skip-replica", action="store_true")
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--r-big", action="store_true", help="also time R gls on the 20k file")
    args = ap.parse_args()
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set: each CLI run recompiles irtrial's sources; "
              "run with `env -u PYTHONDONTWRITEBYTECODE` to time what a user sees", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench_report_"))
    print(f"{'case':44s} {'median s':>9s} {'peak MB':>8s} {'R s':>7s} {'ratio':>6s}", flush=True)
    if not args.skip_replica:
        _replica(args.repeat, args.skip_r, tmp)
    if not args.skip_big:
        big = _big_file(tmp / "big.csv")
        for pdf in (True, False):
            extra = ["--range", "0", "10"] + ([] if pdf else ["--no-pdf"])
            try:
                runs = [_run(_cli(big, None, tmp / f"b{pdf}{k}", extra))
                        for k in range(max(1, args.repeat - 2))]
            except subprocess.CalledProcessError as err:  # e.g. no --no-pdf option
                print(f"20k without PDF: {err.stderr.decode(errors='replace')[-200:]}")
                continue
            wall = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            # nlme::gls took 75 s on 1,000 subjects x 10 visits (bench_mmrm.py): on 20,000 it
            # would run for hours, so the big case has an R peer only on request
            r_t = _r_peer(big, "Placebo") if args.r_big and pdf else None
            ratio = f"{wall / r_t:6.2f}" if r_t else "     -"
            name = f"20,000 subj x 10 visits, CLI, {'PDF included' if pdf else 'no PDF'}"
            print(f"{name:44s} {wall:9.2f} {peak:8d} {(r_t or float('nan')):7.2f} {ratio}",
                  flush=True)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
