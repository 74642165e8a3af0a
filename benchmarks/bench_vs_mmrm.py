"""irtrial vs R mmrm in the same run: bcva_data (fit + contrasts by visit) and 20,000 x 10.

(a) bcva_data (1,000 subjects, 10 visits, 8,605 rows; ``tests/reference/sas/bcva_data.csv``):
    ``BCVA_CHG ~ BCVA_BL + RACE + ARMCD * AVISIT``, unstructured covariance, REML.
    irtrial: ``irtrial.mmrm(...)`` from the DataFrame, then ``fit.contrasts("ARMCD",
    by="AVISIT")`` (TRT - CTL at each of the 10 visits with their df), with
    ``df="satterthwaite"`` and with ``df="kenward-roger-linear"`` (SAS KR(FIRSTORDER)).
    R mmrm 0.3.18 (``bench_vs_mmrm.R``): ``mmrm(..., method = "Satterthwaite")`` and
    ``mmrm(..., method = "Kenward-Roger", vcov = "Kenward-Roger-Linear")``, each followed by
    ``df_1d`` of the same 10 contrast rows. The estimates, SEs and df of the contrasts are
    compared (max relative difference).
(b) 20,000 subjects x 10 visits (``bench_engine.big_frame``: the synthetic generator, MAR
    dropout), ``change ~ baseline + arm * visit``, us, REML: irtrial fit + Satterthwaite contrasts
    by visit in a child process (peak memory: ``tracemalloc`` peak and max RSS), R mmrm fit +
    ``df_1d`` of the same contrasts (``--no-big-r`` skips it: it takes minutes).

Times are medians over ``--repeat`` runs (irtrial; R ``--r-repeat``), as CPU time (user +
system: ``time.process_time`` and R ``system.time``) and wall time. The machine is a shared
2-core box: CPU time is the fair measure under load (R and Python both count their own CPU), and
the ratios are read from it; wall times are shown too. BLAS runs on one thread in irtrial's fit
and inference. Run:
``.venv/bin/python benchmarks/bench_vs_mmrm.py [--repeat 5] [--r-repeat 3] [--no-big-r]``;
writes ``benchmarks/results_vs_mmrm.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

import irtrial
from irtrial.mmrm.lsmeans import lsmeans_matrix

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
PEER = ROOT / "bench_vs_mmrm.R"
RLIB = Path("/work/rlib")
BCVA = REPO / "tests" / "reference" / "sas" / "bcva_data.csv"
FORMULA = "BCVA_CHG ~ BCVA_BL + RACE + ARMCD * AVISIT"
BIG_FORMULA = "change ~ baseline + arm * visit"


def _r(args, timeout):
    env = dict(os.environ)
    if RLIB.exists():
        env["R_LIBS"] = str(RLIB)
    try:
        subprocess.run(["Rscript", str(PEER), *args], env=env, check=True, timeout=timeout,
                       capture_output=True, text=True)
        return json.loads(Path(args[-1]).read_text()), ""
    except subprocess.TimeoutExpired:
        return None, f"R mmrm did not finish within {timeout} s"
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        return None, f"R mmrm failed: {getattr(exc, 'stderr', exc)}"


def _visit_contrast_rows(fit, spec, by):
    """(columns, rows) of the spec differences (last level - first) at each level of by."""
    keys, L = lsmeans_matrix(fit.state, spec, by, "equal")
    first, last = fit.design.factors[spec][0], fit.design.factors[spec][-1]
    rows = []
    for v in fit.design.factors[by]:
        sel = (keys[by] == v).to_numpy()
        rows.append(L[sel & (keys[spec] == last).to_numpy()][0]
                    - L[sel & (keys[spec] == first).to_numpy()][0])
    return {"columns": list(fit.design.column_names), "rows": [list(r) for r in rows]}


def _timed(fn):
    w, c = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - w, time.process_time() - c


def bench_bcva(data, df, repeat):
    """Medians of (fit, contrasts) CPU and wall time, and the last contrast table."""
    fits, cons = [], []
    for _ in range(repeat):
        fit, fw, fc = _timed(lambda: irtrial.mmrm(data, FORMULA, subject="USUBJID",
                                                  visit="AVISIT", df=df))
        con, cw, cc = _timed(lambda f=fit: f.contrasts("ARMCD", by="AVISIT"))
        fits.append((fc, fw))
        cons.append((fc + cc, fw + cw))
    f, t = np.median(np.array(fits), axis=0), np.median(np.array(cons), axis=0)
    return dict(fit_cpu=f[0], fit_wall=f[1], total_cpu=t[0], total_wall=t[1], table=con,
                m2loglik=-2 * fit.loglik, fit=fit)


def _big_child():
    from bench_engine import big_frame

    d = big_frame()
    tracemalloc.start()
    fit, fw, fc = _timed(lambda: irtrial.mmrm(d, BIG_FORMULA, subject="subject", visit="visit",
                                              df="satterthwaite"))
    con, cw, cc = _timed(lambda: fit.contrasts("arm", by="visit"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(dict(fit_cpu=fc, fit_wall=fw, con_cpu=cc, con_wall=cw, peak=peak, rss=rss,
                          n_obs=fit.n_obs, n_subjects=fit.n_subjects, m2loglik=-2 * fit.loglik,
                          estimate=con["estimate"].tolist(), std_error=con["std_error"].tolist(),
                          df=con["df"].tolist(), L=_visit_contrast_rows(fit, "arm", "visit"))))


def bench_big(use_r, timeout):
    out = subprocess.run([sys.executable, __file__, "--child-big"], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    peer, note = None, "R mmrm not run (--no-big-r)"
    if use_r:
        sys.path.insert(0, str(ROOT))
        from bench_engine import big_frame

        with tempfile.TemporaryDirectory() as tmp:
            d = big_frame()
            d["visit"] = d["visit"].astype(str)
            d["arm"] = d["arm"].astype(str)
            d.to_csv(Path(tmp) / "big.csv", index=False)
            (Path(tmp) / "L.json").write_text(json.dumps(res["L"]))
            peer, note = _r(["big", str(Path(tmp) / "big.csv"), str(Path(tmp) / "L.json"),
                             str(Path(tmp) / "o.json")], timeout)
    return dict(res=res, peer=peer, note=note)


def _med(runs, key):
    return float(np.median([r[key] for r in runs]))


def _rel(ours, theirs):
    a, b = np.asarray(ours, float), np.asarray(theirs, float)
    return float(np.max(np.abs(a - b) / np.abs(b)))


def report(sat, kr, peer, note, big) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    lines = [
        "# irtrial vs R mmrm, same run",
        "",
        f"`benchmarks/bench_vs_mmrm.py` on {now}, 2-core machine, load average {load:.1f} at "
        "the end (other jobs running). CPU = user + system time of the process (the fair "
        "measure on a shared machine); wall = elapsed. Medians.",
        "",
    ]
    if peer is None:
        lines += [f"R mmrm: {note}", ""]
        return "\n".join(lines)
    rs = {k: (_med(peer[k], "cpu"), _med(peer[k], "elapsed"))
          for k in ("sat_fit", "sat_df", "kr_fit", "kr_df")}
    r_sat_total = (rs["sat_fit"][0] + rs["sat_df"][0], rs["sat_fit"][1] + rs["sat_df"][1])
    r_kr_total = (rs["kr_fit"][0] + rs["kr_df"][0], rs["kr_fit"][1] + rs["kr_df"][1])
    lines += [
        "## bcva_data (1,000 subjects, 10 visits, 8,605 rows; us, REML; TRT - CTL at each "
        "visit)",
        "",
        "| step | irtrial CPU (s) | irtrial wall (s) | R mmrm CPU (s) | R mmrm wall (s) | "
        "ratio (CPU) | ratio (wall) |",
        "|:--|--:|--:|--:|--:|--:|--:|",
    ]

    def row(label, ours_cpu, ours_wall, r_cpu, r_wall):
        lines.append(f"| {label} | {ours_cpu:.3f} | {ours_wall:.3f} | {r_cpu:.2f} | "
                     f"{r_wall:.2f} | {r_cpu / ours_cpu:.1f}x | {r_wall / ours_wall:.1f}x |")

    row("fit (Satterthwaite)", sat["fit_cpu"], sat["fit_wall"], *rs["sat_fit"])
    row("**irtrial fit + Satterthwaite contrasts by visit vs R mmrm fit alone** (target >= "
        "10x)", sat["total_cpu"], sat["total_wall"], *rs["sat_fit"])
    row("fit + Satterthwaite contrasts by visit, both", sat["total_cpu"], sat["total_wall"],
        *r_sat_total)
    row("**fit + KR-linear contrasts by visit, both** (target >= 50x)", kr["total_cpu"],
        kr["total_wall"], *r_kr_total)
    lines += [
        "",
        f"R mmrm {peer['version']} timings: {len(peer['sat_fit'])} run(s) each; irtrial "
        f"{sat['n']} run(s) each (half before, half after R). -2 REML log L: irtrial "
        f"{sat['m2loglik']:.4f}, R mmrm {peer['m2loglik']:.4f}.",
        "Agreement of the 10 contrasts with R mmrm (max relative difference): "
        f"Satterthwaite estimate {_rel(sat['table']['estimate'], peer['sat']['estimate']):.1e},"
        f" SE {_rel(sat['table']['std_error'], peer['sat']['std_error']):.1e}, df "
        f"{_rel(sat['table']['df'], peer['sat']['df']):.1e}; KR-linear estimate "
        f"{_rel(kr['table']['estimate'], peer['kr']['estimate']):.1e}, SE "
        f"{_rel(kr['table']['std_error'], peer['kr']['std_error']):.1e}, df "
        f"{_rel(kr['table']['df'], peer['kr']['df']):.1e}.",
        "",
    ]
    b = big["res"]
    lines += [
        "## 20,000 subjects x 10 visits (us, REML, Satterthwaite)",
        "",
        "| step | irtrial CPU (s) | irtrial wall (s) | R mmrm CPU (s) | R mmrm wall (s) | "
        "ratio (CPU) | ratio (wall) |",
        "|:--|--:|--:|--:|--:|--:|--:|",
    ]
    bp = big["peer"]
    if bp is not None:
        row("fit", b["fit_cpu"], b["fit_wall"], bp["fit"]["cpu"], bp["fit"]["elapsed"])
        row("fit + Satterthwaite contrasts by visit", b["fit_cpu"] + b["con_cpu"],
            b["fit_wall"] + b["con_wall"], bp["fit"]["cpu"] + bp["df"]["cpu"],
            bp["fit"]["elapsed"] + bp["df"]["elapsed"])
    else:
        lines.append(f"| fit | {b['fit_cpu']:.3f} | {b['fit_wall']:.3f} | | | | |")
        lines.append(f"| fit + Satterthwaite contrasts by visit | "
                     f"{b['fit_cpu'] + b['con_cpu']:.3f} | {b['fit_wall'] + b['con_wall']:.3f} "
                     "| | | | |")
    lines += [
        "",
        f"{b['n_subjects']} subjects, {b['n_obs']} observations. Peak memory of the irtrial fit "
        f"+ contrasts: tracemalloc {b['peak'] / 2**20:.0f} MB, process max RSS "
        f"{b['rss'] / 2**20:.0f} MB. "
        + (f"-2 REML log L: irtrial {b['m2loglik']:.4f}, R mmrm {bp['m2loglik']:.4f}; contrasts"
           f" vs R mmrm: estimate {_rel(b['estimate'], bp['sat']['estimate']):.1e}, SE "
           f"{_rel(b['std_error'], bp['sat']['std_error']):.1e}, df "
           f"{_rel(b['df'], bp['sat']['df']):.1e} (max relative difference)."
           if bp is not None else big["note"] + "."),
        "",
    ]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=6)
    ap.add_argument("--r-repeat", type=int, default=3)
    ap.add_argument("--no-big-r", action="store_true")
    ap.add_argument("--r-timeout", type=int, default=1500)
    ap.add_argument("--child-big", action="store_true")
    args = ap.parse_args()
    if args.child_big:
        sys.path.insert(0, str(ROOT))
        _big_child()
        return
    data = pd.read_csv(BCVA)
    half = max(1, args.repeat // 2)
    runs = {df: [bench_bcva(data, df, half)] for df in ("satterthwaite", "kenward-roger-linear")}
    with tempfile.TemporaryDirectory() as tmp:
        lpath = Path(tmp) / "L.json"
        fit = runs["satterthwaite"][0]["fit"]
        lpath.write_text(json.dumps(_visit_contrast_rows(fit, "ARMCD", "AVISIT")))
        data.to_csv(Path(tmp) / "bcva.csv", index=False)
        peer, note = _r(["bcva", str(Path(tmp) / "bcva.csv"), str(lpath), str(args.r_repeat),
                         str(Path(tmp) / "o.json")], args.r_timeout)
    for df in runs:
        runs[df].append(bench_bcva(data, df, half))
    merged = {}
    for df, (a, b) in runs.items():
        merged[df] = {k: (a[k] + b[k]) / 2 if k.endswith(("cpu", "wall")) else b[k] for k in a}
        merged[df]["n"] = 2 * half
    big = bench_big(not args.no_big_r, args.r_timeout)
    text = report(merged["satterthwaite"], merged["kenward-roger-linear"], peer, note, big)
    (ROOT / "results_vs_mmrm.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
