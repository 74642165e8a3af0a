"""Speed of the simulated power (issue 11), side by side with R mmrm in the same run.

Usage: ``.venv/bin/python benchmarks/bench_power.py [--n-sim 1000] [--search-n-sim 2000]
[--jobs 1 2] [--r-reps 100] [--no-r] [--out benchmarks/results_power.md]``

1. 1,000 replicates of the IR-wrap design (40 patients, 6 post-baseline visits, NRS 0-10, us
   covariance, Satterthwaite last-visit contrast) with 1 and 2 joblib workers: replicates per
   second (the worker pool is started before timing; its start-up is reported apart), and a
   check that both give bit-identical replicate tables.
2. A sample-size search: 8 control-arm sizes x 2,000 replicates on 2 workers.
3. R: the same design simulated and fitted with ``mmrm::mmrm`` (us, Satterthwaite) for
   ``--r-reps`` replicates (``benchmarks/bench_power_peer.R``); the ratio is R's seconds per
   replicate over irtrial's (single worker and 2 workers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from irtrial import power
from irtrial.power.analyses import total_covariance
from irtrial.power.designs import ir_wrap_power_design

HERE = Path(__file__).resolve().parent


def _r_peer(design, reps: int, timeout: float) -> dict | None:
    d = {"means": design.means_array().tolist(),
         "covariance": total_covariance(design).tolist(),
         "n_per_arm": list(design.n_per_arm),
         "hazard": [list(x.hazards(design.n_visits - 1)) for x in design.dropouts()],
         "scale": list(design.scale) if design.scale else None}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(d, fh)
    env = dict(os.environ, R_LIBS=os.environ.get("R_LIBS", "/work/rlib"))
    try:
        out = subprocess.run(["Rscript", str(HERE / "bench_power_peer.R"), fh.name, str(reps)],
                             capture_output=True, text=True, timeout=timeout, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"R peer not run: {exc}")
        return None
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode or not lines:
        print("R peer failed:", out.stderr[-500:])
        return None
    return json.loads(lines[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-sim", type=int, default=1000)
    ap.add_argument("--search-n-sim", type=int, default=2000)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--r-reps", type=int, default=100)
    ap.add_argument("--cpu-n-sim", type=int, default=250,
                    help="replicates of the search grid timed in one process (CPU per fit)")
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--r-timeout", type=float, default=900)
    ap.add_argument("--out", type=Path, default=HERE / "results_power.md")
    a = ap.parse_args()
    design = ir_wrap_power_design()
    rows, tables = [], {}
    t0 = time.perf_counter()
    power.simulate(design, n_sim=4, seed=0, n_jobs=max(a.jobs))  # start the worker pool
    startup = time.perf_counter() - t0
    cpu = {}
    for j in a.jobs:
        c0 = time.process_time()
        res = power.simulate(design, n_sim=a.n_sim, seed=1, n_jobs=j)
        if j == 1:
            cpu["simulate"] = (time.process_time() - c0) / a.n_sim
        tables[j] = res.replicates.drop(columns="message").to_numpy(dtype=float)
        rows.append((f"{a.n_sim} replicates, IR-wrap, us + Satterthwaite", j, res.elapsed,
                     a.n_sim / res.elapsed, res.power, res.failure_rate))
        print(rows[-1])
    same = all(np.array_equal(tables[a.jobs[0]], t, equal_nan=True) for t in tables.values())
    t1 = time.perf_counter()
    ss = power.sample_size(design, 0.9, n_sim=a.search_n_sim, seed=2, n_jobs=max(a.jobs))
    search = time.perf_counter() - t1
    grid = ss.simulation.table["n"].tolist()
    print(ss)
    if a.cpu_n_sim:  # CPU per fit on the search grid, one process (depends little on the load)
        c0 = time.process_time()
        power.simulate(design, n=grid, n_sim=a.cpu_n_sim, seed=2, n_jobs=1)
        cpu["search"] = (time.process_time() - c0) / (a.cpu_n_sim * len(grid))
    r = None if a.no_r else _r_peer(design, a.r_reps, a.r_timeout)
    per = {j: el / a.n_sim for _, j, el, *_ in rows}
    lines = [
        "# Simulated power: irtrial vs R mmrm (benchmarks/bench_power.py)",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end: other "
        f"jobs were running), Python {platform.python_version()}.",
        "",
        "| task | workers | seconds | replicates/s | power | failure rate |",
        "|:--|--:|--:|--:|--:|--:|",
    ]
    lines += [f"| {t} | {j} | {el:.2f} | {rate:.0f} | {pw:.3f} | {fr:.3f} |"
              for t, j, el, rate, pw, fr in rows]
    lines += [f"| sample-size search, {len(grid)} n x {a.search_n_sim} replicates "
              f"(n = {grid[0]}-{grid[-1]}) | {max(a.jobs)} | {search:.1f} | "
              f"{len(grid) * a.search_n_sim / search:.0f} fits/s | n = {ss.n_exact:.2f} "
              f"(95% CI {ss.n_ci[0]:.2f}-{ss.n_ci[1]:.2f}) | "
              f"{ss.simulation.table['failure_rate'].mean():.3f} |"]
    lines += ["", f"joblib worker pool start-up (not in the times above): {startup:.1f} s. "
              f"Replicate tables with {a.jobs} workers bit-identical: {same}.",
              f"Analytic (Lu-Luo-Chen, t version) n for 90%: "
              f"{ss.analytic.n:.2f}" if ss.analytic is not None else ""]
    if cpu:
        label = {"simulate": "IR-wrap n = " + "/".join(map(str, design.n_per_arm)),
                 "search": f"search grid n = {grid[0]}-{grid[-1]}, replicates "
                           f"0-{a.cpu_n_sim - 1}"}
        lines += ["", "CPU time per fit in one process (`time.process_time`, simulating the "
                  "trial included): "
                  + "; ".join(f"{label[k]}: {v * 1000:.2f} ms" for k, v in cpu.items()) + "."]
    if r is not None:
        lines += ["", f"R mmrm {a.r_reps} replicates of the same design: {r['seconds']:.1f} s, "
                  f"{r['seconds_per_replicate'] * 1000:.0f} ms per replicate (power "
                  f"{r['power']:.3f}), i.e. {r['seconds_per_replicate'] * a.n_sim:.0f} s for "
                  f"{a.n_sim}. Ratio R / irtrial per replicate: "
                  + ", ".join(f"{r['seconds_per_replicate'] / per[j]:.0f}x with {j} "
                              f"worker(s)" for j in a.jobs) + "."]
    text = "\n".join(lines) + "\n"
    a.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
