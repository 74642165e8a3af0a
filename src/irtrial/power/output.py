"""A small, self-contained HTML page and a JSON file for a power result (the CLI's output).

The JSON holds the analytic answer, the simulated grid (one row per n: power, Monte Carlo SE
and interval, failures, bias, coverage), the smoothed curve and the sample size; the HTML
shows the same with the power-curve figure inline (SVG).
"""

from __future__ import annotations

import html
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["result_dict", "write_outputs"]


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    if isinstance(v, np.ndarray):
        return _clean(v.tolist())
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def result_dict(sample=None, analytic=None, simulation=None, context: dict | None = None
                ) -> dict:
    """The JSON-ready dict of a power run."""
    out: dict[str, Any] = {"context": context or {}}
    if analytic is not None:
        out["analytic"] = {"method": analytic.method, "n": analytic.n,
                           "n_active": analytic.n_active, "n_total": analytic.n_total,
                           "n_required": list(analytic.n_required), "power": analytic.power,
                           "alpha": analytic.alpha, "ratio": analytic.ratio,
                           "parameters": dict(analytic.parameters),
                           "notes": list(analytic.notes)}
    sim = getattr(sample, "simulation", simulation)
    if sim is not None:
        out["simulation"] = {"analysis": sim.analysis, "n_sim": sim.n_sim, "alpha": sim.alpha,
                             "seed": sim.seed, "backend": sim.backend,
                             "seconds": sim.elapsed, "grid": sim.table.to_dict("records"),
                             "notes": list(sim.notes)}
    if sample is not None:
        a, b = sample.curve
        out["sample_size"] = {"target": sample.target, "n": sample.n,
                              "n_active": sample.n_active, "n_total": sample.n_total,
                              "n_exact": sample.n_exact, "n_ci": list(sample.n_ci),
                              "power_at_n": sample.power, "n_grid_first": sample.n_grid_first,
                              "curve": {"form": "power = Phi(a + b * sqrt(n))", "a": a,
                                        "b": b}}
    return _clean(out)


def _svg(fig) -> str:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "irtrial", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _table_html(rows: list[dict], cols: list[str]) -> str:
    def fmt(v):
        if v is None:
            return "–"
        if isinstance(v, float):
            return f"{v:.4g}"
        return html.escape(str(v))
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{fmt(r.get(c))}</td>" for c in cols) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_outputs(out_dir: str | Path, data: dict, figure=None) -> tuple[Path, Path]:
    """Write ``power.json`` and ``power.html`` (with ``figure`` inline) into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jpath, hpath = out / "power.json", out / "power.html"
    jpath.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             "<title>irtrial power</title><style>body{font-family:sans-serif;max-width:60em;"
             "margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
             "padding:2px 6px;text-align:right}</style></head><body><h1>Power and sample size"
             "</h1>"]
    ctx = data.get("context", {})
    if ctx:
        parts.append("<p>" + "<br>".join(f"<b>{html.escape(str(k))}</b>: "
                                          f"{html.escape(str(v))}" for k, v in ctx.items())
                     + "</p>")
    if "sample_size" in data:
        s = data["sample_size"]
        lo, hi = s["n_ci"]
        parts.append(f"<h2>Simulation</h2><p>n per arm for {s['target']:.0%} power: "
                     f"<b>{s['n']}</b> (control), {s['n_active']} (active), total "
                     f"{s['n_total']}; smoothed solution {s['n_exact']:.2f} (95% CI "
                     f"{lo:.1f} to {hi:.1f}).</p>")
    if "analytic" in data:
        a = data["analytic"]
        parts.append(f"<h2>Analytic</h2><p>{html.escape(a['method'])}: n = {a['n']:.2f} "
                     f"(control), {a['n_active']:.2f} (active), power {a['power']:.4f}."
                     "</p><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in a["notes"])
                     + "</ul>")
    if figure is not None:
        parts.append(f"<figure>{_svg(figure)}<figcaption>Power against the control-arm size."
                     "</figcaption></figure>")
    if "simulation" in data:
        sim = data["simulation"]
        parts.append(f"<h2>Simulated grid</h2><p>{html.escape(sim['analysis'])}; "
                     f"{sim['n_sim']} replicates per n, seed {sim['seed']}, "
                     f"{html.escape(sim['backend'])}, {sim['seconds']:.1f} s.</p>")
        cols = ["n", "n_active", "n_total", "power", "mc_se", "ci_lower", "ci_upper",
                "failure_rate", "mean_estimate", "bias", "coverage", "analytic_power"]
        parts.append(_table_html(sim["grid"], cols))
        parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in sim["notes"])
                     + "</ul>")
    parts.append("</body></html>\n")
    hpath.write_text("".join(parts), encoding="utf-8")
    return jpath, hpath
