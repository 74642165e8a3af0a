"""Benchmark of the MMRM engine for repeated use (issue 7): refits, conditional means, a big fit.

(a) 1,000 refits of the 40-patient IR-wrap design: outcomes simulated with the synthetic
    generator (``simulate_arrays(ir_wrap_design(), seed)``, one SeedSequence per replicate),
    ``change ~ baseline + arm * visit``, unstructured covariance, REML, the IR - Placebo contrast
    at the last visit with its Satterthwaite df, through ``MMRM.refit`` (new change values and
    new baselines in the stored design). The outcomes are generated first; the generator's own
    time is reported apart. Peer in the same run: R mmrm 0.3.18 (``mmrm()`` +
    ``df_1d()``, the same model and contrast) on the first ``--r-replicates`` replicates, its
    estimates, SEs and df compared with ours; R nlme::gls (``corSymm + varIdent``) on 20.
(b) Conditional means for 150 subjects with dropout, per imputation set: a draw of
    (beta, Sigma) (``draw_parameters``), the mean X beta over the subject x visit grid and
    ``conditional_normal`` (batched by pattern) plus one sample. Peer: the former per-subject
    pandas ``conditional_mean`` (kept here as it was), same run.
(c) 20,000 subjects x 10 visits (generator, MAR dropout), ``irtrial.mmrm`` from the DataFrame
    (design + fit, us, REML) in a child process: wall time and peak memory (``tracemalloc`` peak
    of the fit and the child's max RSS). Peer: R mmrm on the same CSV, same run.

CPU time (``time.process_time``, one process, BLAS on one thread) is the "one core" measure;
wall time is also shown (the machine is shared). Run:
``.venv/bin/python benchmarks/bench_engine.py [--n 1000] [--r-replicates 100] [--no-r]``
(``R_LIBS=/work/rlib`` is set for the R peer when that library exists). Writes
``benchmarks/results_engine.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

import irtrial
from irtrial.mmrm import MMRM, conditional_normal
from irtrial.mmrm._threads import single_blas_thread
from irtrial.synthetic import Dropout, TrialDesign, ir_wrap_design, simulate_arrays

ROOT = Path(__file__).resolve().parent
PEER = ROOT / "bench_engine_peer.R"
RLIB = Path("/work/rlib")


def _r_env():
    env = dict(os.environ)
    if RLIB.exists():
        env["R_LIBS"] = str(RLIB)
    return env


def _run_r(args, timeout):
    if shutil.which("Rscript") is None:
        return None, "Rscript not found"
    try:
        subprocess.run(["Rscript", str(PEER), *args], capture_output=True, text=True,
                       timeout=timeout, check=True, env=_r_env())
    except subprocess.TimeoutExpired:
        return None, f"R timed out after {timeout} s"
    except subprocess.CalledProcessError as exc:
        return None, "R failed: " + exc.stderr[-300:]
    return json.loads(Path(args[-1]).read_text()), ""


# ---- (a) refits ---------------------------------------------------------------------------------
def _template(design: TrialDesign) -> pd.DataFrame:
    visits = [f"Week {w:g}" for w in design.visits[1:]]
    n = design.n_subjects
    arm = np.repeat(np.asarray(design.arms), design.n_per_arm)
    return pd.DataFrame({
        "subject": np.repeat([f"S{i:03d}" for i in range(n)], len(visits)),
        "arm": pd.Categorical(np.repeat(arm, len(visits)), categories=list(design.arms)),
        "visit": pd.Categorical(np.tile(visits, n), categories=visits),
        "visit_num": np.tile(np.asarray(design.visits[1:], float), n),
        # any non-constant baseline: each replicate replaces it (covariates=)
        "baseline": np.repeat(np.linspace(4.0, 8.0, n), len(visits)),
        "change": np.nan,
    })


def _replicates(design, n, seed):
    out = []
    for ss in np.random.SeedSequence(seed).spawn(n):
        sim = simulate_arrays(design, ss)
        order = np.argsort(sim.arm, kind="stable")  # template subjects are sorted by arm
        y = sim.y[order].astype(float)
        out.append(((y[:, 1:] - y[:, :1]).reshape(-1), y[:, 0]))
    return out


def bench_refits(n, r_reps, use_r, timeout):
    design = ir_wrap_design()
    t0 = time.perf_counter()
    reps = _replicates(design, n, 2006)
    gen_s = time.perf_counter() - t0
    model = MMRM(_template(design), "change ~ baseline + arm * visit", subject="subject",
                 visit="visit", df="satterthwaite")
    model.refit(*reps[0][:1], covariates={"baseline": reps[0][1]})  # contrast L, covariate map
    results = {}
    for label, start in (("cold (moment start, = fresh fit)", None),
                         ("warm (start = first replicate's theta)", "first")):
        theta0 = None
        if start == "first":
            theta0 = model.refit(reps[0][0], covariates={"baseline": reps[0][1]}).theta
        c0, w0 = time.process_time(), time.perf_counter()
        with single_blas_thread():
            res = [model.refit(y, covariates={"baseline": b}, start=theta0) for y, b in reps]
        results[label] = dict(cpu=time.process_time() - c0, wall=time.perf_counter() - w0,
                              iters=float(np.mean([r.n_iterations for r in res])),
                              converged=int(sum(r.converged for r in res)), res=res)
    # a fresh irtrial.mmrm per replicate (the public one-call path), for 50 replicates
    tmpl = _template(design)
    c0 = time.process_time()
    for y, b in reps[:50]:
        d = tmpl.assign(change=y, baseline=np.repeat(b, 6))
        irtrial.mmrm(d, "change ~ baseline + arm * visit", subject="subject", visit="visit",
                     df="satterthwaite").contrasts("arm", by="visit")
    public_cpu = (time.process_time() - c0) / 50
    peer, note = None, "R not run (--no-r)"
    if use_r:
        with tempfile.TemporaryDirectory() as tmp:
            rows = []
            for i, (y, b) in enumerate(reps[:r_reps]):
                rows.append(tmpl.assign(change=y, baseline=np.repeat(b, 6), replicate=i))
            long = pd.concat(rows)
            long["visit"] = long["visit"].astype(str)
            long["arm"] = long["arm"].astype(str)
            long.to_csv(Path(tmp) / "reps.csv", index=False)
            L, _ = model.contrast_matrix(None)
            Path(tmp, "L.json").write_text(json.dumps(dict(zip(model.column_names,
                                                               L[0].tolist(), strict=True))))
            peer, note = _run_r(["refits", str(Path(tmp) / "reps.csv"), str(Path(tmp) / "L.json"),
                                 str(Path(tmp) / "out.json")], timeout)
    return dict(gen=gen_s, results=results, public_cpu=public_cpu, peer=peer, note=note,
                r_reps=r_reps, n=n)


# ---- (b) conditional means ---------------------------------------------------------------
def _old_conditional_mean(fit, frame):
    """The former per-subject MMRMResult.conditional_mean (pandas, one subject at a time)."""
    d = fit.design
    vis = [d.visit_levels.index(v) for v in frame[d.visit]]
    s = fit.sigma()[np.ix_(vis, vis)]
    mu = d.model_matrix(frame) @ fit.beta
    y = frame[d.response].to_numpy(dtype=float)
    o = ~np.isnan(y)
    m = ~o
    cm = y.copy()
    if m.any() and o.any():
        k = np.linalg.solve(s[np.ix_(o, o)], s[np.ix_(o, m)]).T
        cm[m] = mu[m] + k @ (y[o] - mu[o])
    return cm


def bench_conditional(n_sets):
    base = ir_wrap_design()
    design = TrialDesign(
        arms=base.arms, n_per_arm=(75, 75), visits=base.visits, means=base.means,
        covariance=base.covariance_matrix(), dropout=Dropout(hazard=0.08, mar_slope=0.3),
    )
    sim = simulate_arrays(design, 150)
    tmpl = _template(design)
    order = np.argsort(sim.arm, kind="stable")
    y = sim.y[order]
    d = tmpl.assign(change=(y[:, 1:] - y[:, :1]).reshape(-1), baseline=np.repeat(y[:, 0], 6))
    fit = MMRM(d, "change ~ baseline + arm * visit", subject="subject", visit="visit",
               df="satterthwaite").fit()
    cn = fit.conditional()
    n_missing = int((~cn.observed).sum())
    draws = fit.draw_parameters(n_sets, seed=1)
    # the subject x visit grid's X, built once (as a sensitivity analysis would)
    grid_x = fit.design.model_matrix(d)  # template rows = the full grid, subject-major
    yy = cn.mean.copy()
    yy[~cn.observed] = np.nan
    seeds = np.random.SeedSequence(7).spawn(n_sets)
    c0, w0 = time.process_time(), time.perf_counter()
    with single_blas_thread():
        for (beta, sigma), ss in zip(draws, seeds, strict=True):
            mean = (grid_x @ beta).reshape(yy.shape)
            conditional_normal(yy, mean, sigma).sample(ss)
    cpu, wall = (time.process_time() - c0) / n_sets, (time.perf_counter() - w0) / n_sets
    # the former per-subject path, on 20 subjects, scaled to 150
    subs = d.subject.unique()[:20]
    c0 = time.process_time()
    for s in subs:
        _old_conditional_mean(fit, d[d.subject == s])
    old = (time.process_time() - c0) / 20 * 150
    return dict(cpu=cpu, wall=wall, old=old, n_missing=n_missing, n_patterns=len(cn.blocks),
                n_sets=n_sets)


# ---- (c) 20,000 x 10 -----------------------------------------------------------------------------
def big_frame(seed=20000) -> pd.DataFrame:
    v = 11  # baseline + 10 post-baseline visits
    t = np.arange(v, dtype=float)
    cov = 4.0 * 0.6 ** np.abs(t[:, None] - t[None, :]) + 1.0 + 0.05 * np.outer(t, t)
    design = TrialDesign(
        arms=("Placebo", "IR"), n_per_arm=(10000, 10000), visits=tuple(t),
        means=(tuple(6 - 0.1 * t), tuple(6 - 0.25 * t)), covariance=tuple(map(tuple, cov)),
        dropout=Dropout(hazard=0.03, mar_slope=0.2),
    )
    sim = simulate_arrays(design, seed)
    n = design.n_subjects
    visits = [f"Week {w:g}" for w in t[1:]]
    y = sim.y
    return pd.DataFrame({
        "subject": np.repeat(sim.subject, v - 1),
        "arm": pd.Categorical(np.repeat(np.asarray(design.arms)[sim.arm], v - 1),
                              categories=list(design.arms)),
        "visit": pd.Categorical(np.tile(visits, n), categories=visits),
        "visit_num": np.tile(t[1:], n),
        "baseline": np.repeat(y[:, 0], v - 1),
        "change": (y[:, 1:] - y[:, :1]).reshape(-1),
    })


def _big_child():
    d = big_frame()
    tracemalloc.start()
    w0, c0 = time.perf_counter(), time.process_time()
    fit = irtrial.mmrm(d, "change ~ baseline + arm * visit", subject="subject", visit="visit",
                       df="satterthwaite")
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    w1 = time.perf_counter()
    fit.contrasts("arm", by="visit")
    contrasts = time.perf_counter() - w1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(dict(wall=wall, cpu=cpu, peak=peak, rss=rss, contrasts=contrasts,
                          n_obs=fit.n_obs, n_subjects=fit.n_subjects,
                          m2loglik=-2 * fit.loglik, iters=fit.n_iterations)))


def bench_big(use_r, timeout):
    out = subprocess.run([sys.executable, __file__, "--child-big"], capture_output=True,
                         text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    peer, note = None, "R not run (--no-r)"
    if use_r:
        with tempfile.TemporaryDirectory() as tmp:
            d = big_frame()
            d["visit"] = d["visit"].astype(str)
            d["arm"] = d["arm"].astype(str)
            d.to_csv(Path(tmp) / "big.csv", index=False)
            peer, note = _run_r(["big", str(Path(tmp) / "big.csv"), str(Path(tmp) / "o.json")],
                                timeout)
    return dict(res=res, peer=peer, note=note)


# ---- report -------------------------------------------------------------------------------------
def _fmt(x, nd=3):
    return f"{x:.{nd}g}" if x < 100 else f"{x:.0f}"


def report(a, b, c) -> str:
    lines = ["# MMRM engine for repeated use (issue 7): `bench_engine.py`", "",
             f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on the shared 2-core "
             f"machine (load average {os.getloadavg()[0]:.1f} at the end). CPU = "
             "`time.process_time` of this process (one core, BLAS on one thread); wall clock "
             "also shown.", ""]
    cold = a["results"]["cold (moment start, = fresh fit)"]
    lines += [f"## (a) {a['n']:,} refits of the 40-patient IR-wrap design (us, REML, "
              "Satterthwaite IR - Placebo at week 6)", "",
              "| path | CPU per replicate (ms) | total CPU (s) | wall (s) | iterations "
              "| converged |",
              "|:--|--:|--:|--:|--:|--:|"]
    for label, r in a["results"].items():
        lines.append(f"| `MMRM.refit`, {label} | {1e3 * r['cpu'] / a['n']:.2f} | "
                     f"{r['cpu']:.2f} | {r['wall']:.2f} | {r['iters']:.2f} | "
                     f"{r['converged']}/{a['n']} |")
    lines.append(f"| `irtrial.mmrm(DataFrame)` + `contrasts()` (public one-call path, 50 "
                 f"replicates) | {1e3 * a['public_cpu']:.1f} | | | | |")
    lines.append(f"| synthetic generator (`simulate_arrays`), not included above | "
                 f"{1e3 * a['gen'] / a['n']:.2f} (wall) | | {a['gen']:.2f} | | |")
    peer = a["peer"]
    ours_ms = 1e3 * cold["cpu"] / a["n"]
    if peer and "mmrm" in peer:
        m = peer["mmrm"]
        per_cpu = 1e3 * m.get("cpu", m["seconds"]) / peer["n"]
        per_wall = 1e3 * m["seconds"] / peer["n"]
        ours = cold["res"][: peer["n"]]
        est = np.array([r.estimate[0] for r in ours])
        se = np.array([r.std_error[0] for r in ours])
        dfv = np.array([r.df[0] for r in ours])
        d_est = np.max(np.abs(est - np.asarray(m["estimate"])))
        r_se = np.max(np.abs(se / np.asarray(m["std_error"]) - 1))
        r_df = np.max(np.abs(dfv / np.asarray(m["df"]) - 1))
        lines.append(f"| R mmrm {m['version']} `mmrm()` + `df_1d()`, {peer['n']} replicates | "
                     f"{per_cpu:.1f} | {m.get('cpu', float('nan')):.1f} | {m['seconds']:.1f} "
                     "| | |")
        g = peer["gls"]
        g_cpu = 1e3 * g.get("cpu", g["seconds"]) / g["n"]
        lines.append(f"| R nlme::gls (corSymm + varIdent), {g['n']} replicates, fit only | "
                     f"{g_cpu:.1f} | {g.get('cpu', float('nan')):.1f} | "
                     f"{g['seconds']:.1f} | | |")
        lines += ["", "Ratio (CPU per replicate): R mmrm / irtrial refit = "
                  f"**{per_cpu / ours_ms:.0f}x** ({per_cpu:.1f} ms vs {ours_ms:.2f} ms; "
                  f"wall clock {per_wall:.1f} ms vs "
                  f"{1e3 * cold['wall'] / a['n']:.2f} ms); nlme::gls / irtrial = "
                  f"{g_cpu / ours_ms:.0f}x. Target: {a['n']:,} refits in at most 3 s on one "
                  f"core: measured **{cold['cpu']:.2f} s CPU**.",
                  f"Agreement with R mmrm on the {peer['n']} replicates: max |estimate "
                  f"difference| {d_est:.1e}, max relative SE difference {r_se:.1e}, max "
                  f"relative df difference {r_df:.1e}."]
    else:
        lines += ["", f"R peer: {a['note']}. Target: {a['n']:,} refits in at most 3 s: "
                  f"measured {cold['cpu']:.2f} s CPU."]
    lines += ["", "## (b) Conditional means, 150 subjects with dropout (per imputation set)", "",
              f"{b['n_missing']} missing cells in {b['n_patterns']} missing-data patterns; each "
              "set: (beta, Sigma) drawn by `draw_parameters` (not timed), mean X beta over the "
              "150 x 6 grid, `conditional_normal` and one sample.", "",
              "| path | CPU per imputation set (ms) | wall (ms) |", "|:--|--:|--:|",
              f"| `conditional_normal` batched by pattern, {b['n_sets']} sets | "
              f"{1e3 * b['cpu']:.3f} | {1e3 * b['wall']:.3f} |",
              f"| former per-subject pandas `conditional_mean` (20 subjects, scaled to 150) | "
              f"{1e3 * b['old']:.1f} | |", "",
              f"Ratio: {b['old'] / b['cpu']:.0f}x. Target: at most 1 ms per set: measured "
              f"**{1e3 * b['cpu']:.3f} ms**.", ""]
    r = c["res"]
    lines += ["## (c) 20,000 subjects x 10 visits", "",
              f"{r['n_obs']:,} observations from {r['n_subjects']:,} subjects (MAR dropout), "
              "`change ~ baseline + arm * visit`, us (55 parameters), REML, in a child process.",
              "", "| step | irtrial | peer |", "|:--|--:|--:|"]
    pm = c["peer"].get("mmrm") if c["peer"] else None
    peer_txt = f"R mmrm {pm['seconds']:.1f} s" if pm else c["note"]
    peer_cpu = f"R mmrm {pm['cpu']:.1f} s" if pm and "cpu" in pm else ""
    lines += [f"| `irtrial.mmrm(DataFrame)` (design + fit), wall | {r['wall']:.2f} s | "
              f"{peer_txt} |",
              f"| same, CPU | {r['cpu']:.2f} s | {peer_cpu} |",
              f"| LS-mean differences by visit, Satterthwaite (after the fit) | "
              f"{r['contrasts']:.2f} s | |",
              f"| peak traced memory of the fit (tracemalloc) | {r['peak'] / 2**20:.0f} MiB | |",
              f"| max RSS of the child process (data generation included) | "
              f"{r['rss'] / 2**20:.0f} MiB | |",
              f"| -2 REML log-likelihood | {r['m2loglik']:.4f} | "
              + (f"{pm['m2loglik']:.4f} |" if pm else "|"), ""]
    if pm:
        lines.append(f"Ratio R mmrm / irtrial: wall **{pm['seconds'] / r['wall']:.0f}x**"
                     + (f", CPU **{pm['cpu'] / r['cpu']:.0f}x**. " if "cpu" in pm else ". "))
    lines.append(f"Targets: fit at most 2 s (measured **{r['wall']:.2f} s** wall), peak memory "
                 f"under 1 GB (measured **{r['rss'] / 2**20:.0f} MiB** max RSS).")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--r-replicates", type=int, default=100)
    ap.add_argument("--sets", type=int, default=1000)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--r-timeout", type=int, default=900)
    ap.add_argument("--child-big", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "results_engine.md"))
    args = ap.parse_args()
    if args.child_big:
        _big_child()
        return
    a = bench_refits(args.n, args.r_replicates, not args.no_r, args.r_timeout)
    b = bench_conditional(args.sets)
    c = bench_big(not args.no_r, args.r_timeout)
    text = report(a, b, c)
    print(text)
    Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
