"""Section 8: responders by the plan's definitions: rates per arm, then the risk difference
with its Newcombe and Miettinen-Nurminen intervals, the risk ratio, the odds ratio and the
number needed to treat, in two tables whose cells never wrap."""

from __future__ import annotations

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.report.format import DASH, ci_label, fmt, fmt_ci, fmt_n_pct, fmt_p
from irtrial.report.sections import Section, SectionOutput

__all__ = ["SECTION", "responder_rows"]

#: the section body (Jinja2), see the contract in :mod:`irtrial.report.sections`
TEMPLATE = "sections/responders.j2"


def responder_rows(result) -> pd.DataFrame:
    """One tidy row per visit x definition x active arm with every measure the section shows."""
    t = result.table.assign(**{C.VISIT: result.table[C.VISIT].astype(str),
                               C.ARM: result.table[C.ARM].astype(str)})
    rates = result.rates.assign(**{C.VISIT: result.rates[C.VISIT].astype(str),
                                   C.ARM: result.rates[C.ARM].astype(str)})
    rate = rates.set_index([C.VISIT, "definition", C.ARM])
    nnt = result.nnt.assign(**{C.VISIT: result.nnt[C.VISIT].astype(str),
                               C.ARM: result.nnt[C.ARM].astype(str)}).set_index(
        [C.VISIT, "definition", C.ARM])

    def pick(g, measure, method):
        r = g[(g["measure"] == measure) & (g["method"] == method)]
        return r.iloc[0] if len(r) else None

    rows = []
    for (v, d, a), g in t.groupby([C.VISIT, "definition", C.ARM], sort=False):
        ctl = str(g["control"].iloc[0])
        nc, mn = pick(g, "risk_difference", "newcombe"), pick(g, "risk_difference",
                                                              "miettinen_nurminen")
        rr, orr = pick(g, "risk_ratio", "katz_log"), pick(g, "odds_ratio", "woolf_logit")
        fis = pick(g, "fisher_exact", "two_sided")
        ra, rc = rate.loc[(v, d, a)], rate.loc[(v, d, ctl)]
        k = nnt.loc[(v, d, a)] if (v, d, a) in nnt.index else None

        def val(r, col):
            return float(r[col]) if r is not None else np.nan

        note = nc.get("note") if nc is not None else None
        rows.append({
            C.VISIT: v, "definition": d, C.ARM: a, "control": ctl,
            "responders_active": int(ra["n_responders"]), "n_active": int(ra["n"]),
            "responders_control": int(rc["n_responders"]), "n_control": int(rc["n"]),
            "risk_difference": val(nc, C.ESTIMATE),
            "newcombe_lower": val(nc, C.CI_LOWER), "newcombe_upper": val(nc, C.CI_UPPER),
            "mn_lower": val(mn, C.CI_LOWER), "mn_upper": val(mn, C.CI_UPPER),
            "mn_p_value": val(mn, C.P_VALUE),
            "risk_ratio": val(rr, C.ESTIMATE), "rr_lower": val(rr, C.CI_LOWER),
            "rr_upper": val(rr, C.CI_UPPER),
            "odds_ratio": val(orr, C.ESTIMATE), "or_lower": val(orr, C.CI_LOWER),
            "or_upper": val(orr, C.CI_UPPER),
            "nnt": float(k["nnt"]) if k is not None else np.nan,
            "nnt_kind": str(k["nnt_kind"]) if k is not None else None,
            "nnt_lower": float(k[C.CI_LOWER]) if k is not None else np.nan,
            "nnt_upper": float(k[C.CI_UPPER]) if k is not None else np.nan,
            "nnt_crosses_zero": bool(k["crosses_zero"]) if k is not None else None,
            "nnt_label": str(k["label"]) if k is not None else None,
            "fisher_p_value": val(fis, C.P_VALUE),
            "note": note if isinstance(note, str) and note else None,
        })
    return pd.DataFrame(rows)


def _ratio(est, lo, hi) -> str:
    if not np.isfinite(est):
        return DASH
    d = 2 if est < 10 else 1
    return f"{fmt(est, d)} {fmt_ci(lo, hi, d)}"


def _nnt_ci(r) -> str:
    lo, hi = r["nnt_lower"], r["nnt_upper"]
    if not r.get("nnt_crosses_zero"):
        return fmt_ci(lo, hi, 1) if np.isfinite(lo) and np.isfinite(hi) else DASH

    def one(v):
        return "\u221e" if not np.isfinite(v) else fmt(v, 1)

    return f"NNTB {one(lo)} to \u221e to NNTH {one(hi)}"  # the interval passes through infinity


def _definition_text(d) -> str:
    return str(d).replace(">=", "\u2265").replace("<=", "\u2264")


def build(inputs) -> SectionOutput | None:
    from irtrial.report.render import records

    run = inputs.responders
    plan = inputs.plan.responders
    if run is None:
        return None
    level = inputs.conf_level
    defs = "; ".join(_definition_text(d.label) for d in plan.definitions)
    source = {"plan": "as pre-specified in the plan",
              "immpact": "IMMPACT's definitions for a 0-10 pain scale (Dworkin 2008)"}.get(
        plan.source, plan.source)
    ctx = {"lead": f"Responders at {inputs.visit(inputs.responder_visit)}: {defs} ({source}). "
                   f"Improvement is measured as "
                   f"{'a decrease' if inputs.lower_is_better else 'an increase'} from baseline.",
           "error": run.error, "ci": ci_label(level), "control": inputs.trial.control}
    if not run.ok:
        return SectionOutput(context=ctx, results={"error": run.error})
    res = run.result
    rows = responder_rows(res)
    multi = len(inputs.trial.active_arms) > 1
    rates = []
    for d in dict.fromkeys(res.rates["definition"]):
        r = res.rates[res.rates["definition"] == d]
        rates.append({"Definition": _definition_text(d), **{
            f"{a}": fmt_n_pct(x["n_responders"], x["n"]) for a, x in
            zip(r[C.ARM].astype(str), r.to_dict("records"), strict=True)}})
    effects, ratios = [], []
    ci = ci_label(level)
    for _, r in rows.iterrows():
        row = {"Definition": _definition_text(r["definition"])}
        if multi:
            row["Arm"] = r[C.ARM]
        other = dict(row)
        if not np.isfinite(r["risk_difference"]):
            row["RD (% points)"] = other["RR"] = "not computable"
            effects.append(row)
            ratios.append(other)
            continue
        row.update({
            "RD (% points)": fmt(100 * r["risk_difference"], 1),
            f"Newcombe {ci}": fmt_ci(100 * r["newcombe_lower"], 100 * r["newcombe_upper"], 1),
            f"Miettinen-Nurminen {ci}": fmt_ci(100 * r["mn_lower"], 100 * r["mn_upper"], 1),
            "p (Fisher)": fmt_p(r["fisher_p_value"]),
        })
        other.update({
            f"RR [{ci}]": _ratio(r["risk_ratio"], r["rr_lower"], r["rr_upper"]),
            f"OR [{ci}]": _ratio(r["odds_ratio"], r["or_lower"], r["or_upper"]),
            "NNT": (f"{r['nnt_kind']} {fmt(r['nnt'], 1)}" if np.isfinite(r["nnt"]) else DASH),
            f"NNT {ci}": _nnt_ci(r),
        })
        effects.append(row)
        ratios.append(other)
    effects_df = pd.DataFrame(effects).fillna("")
    ratios_df = pd.DataFrame(ratios).fillna("")
    rule = ("A subject without a value at the visit counts as a non-responder; the "
            "denominator is every randomised subject with a baseline value."
            if res.missing == "non-responder" else
            "Subjects without a value at the visit are left out of the denominator.")
    ctx.update({"rule": rule,
                "notes": [n.replace(" (see responses.status)", "") for n in res.notes
                          if not n.startswith("missing =")] + list(run.warnings)})
    results = {"visit": inputs.responder_visit, "missing": res.missing, "source": plan.source,
               "definitions": [{"label": d.label, "kind": d.kind, "threshold": d.threshold}
                               for d in plan.definitions],
               "rates": records(res.rates), "rows": records(rows)}
    return SectionOutput(context=ctx, results=results,
                         tables={"rates": pd.DataFrame(rates), "effects": effects_df,
                                 "ratios": ratios_df})


SECTION = Section("responders", "Responders", 80, build, TEMPLATE)
