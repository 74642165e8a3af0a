"""One-off extraction of the SAS / R reference numbers the MMRM engine tests use.

Run once (by hand) with the mmrm reference folder (openpharma/mmrm design/ @
ec290b2695b25057b31bc98e27c39d3f498cd0d6, Apache-2.0) at SRC; it writes ``mmrm_engine.json``
next to this file. The tests read only the JSON and the CSVs copied here, never SRC.

    python tests/reference/sas/extract_engine_reference.py /path/to/mmrm-reference
"""

import json
import re
import sys
from pathlib import Path

SRC = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("mmrm-reference")
OUT = Path(__file__).with_name("mmrm_engine.json")

KEYS = (
    [
        f"design/SAS/sas_{s}_{m}.txt"
        for s in ("ar1", "ar1h", "cs", "csh", "adh", "toeph")
        for m in ("ml", "reml")
    ]
    + [f"design/SAS/sas_toep_{m}.rtf" for m in ("ml", "reml")]
    + [
        f"design/SAS/sas_group_{s}_{m}.txt"
        for s in ("ar1", "ar1h", "cs", "csh", "adh", "toeph")
        for m in ("ml", "reml")
    ]
    + [
        "design/SAS/sas_log.txt",
        "design/SAS/sas_log_reml.txt",
        "design/SAS/sas_log_simple.txt",
        "design/SAS/sas_log_simple_reml.txt",
        "design/SAS/sas_coef_ci_ml_un.txt",
        "design/SAS/sas_coef_ci_reml_un.txt",
        "design/SAS/sas_coef_ci_ml_ar1.txt",
        "design/SAS/sas_coef_ci_reml_ar1.txt",
        "design/SAS/sas_weighted.txt",
        "design/SAS/sas_weighted_mmrm_ml.rtf",
        "design/SAS/sas_weighted_mmrm_reml.rtf",
    ]
)


def _sas(entry):
    run = entry["runs"][0]
    t = run["tables"]
    info = dict(t["Model Information"])
    return {
        "model": entry["model"],
        "estimation_method": info.get("Estimation Method"),
        "class_level_order": run["class_level_order"],
        "neg2loglik": run["final_neg2loglik_from_iteration_history"],
        "fit_statistics": t["Fit Statistics"],
        "covariance_parameters": [
            {
                "cov_parm": c.get("Cov Parm", c.get("Parm")),
                "group": c.get("Group"),
                "estimate": c["Estimate"],
                "lower": c.get("Lower"),
                "upper": c.get("Upper"),
            }
            for c in t["Covariance Parameter Estimates"]
        ],
        "fixed_effects": [
            {k: v for k, v in c.items() if k not in ("tValue", "Probt", "Alpha")}
            for c in t["Solution for Fixed Effects"]
            if c["StdErr"] is not None
        ],
    }


def _r_ad(path):
    text = path.read_text()
    theta = [float(x) for x in re.search(r"theta_est\s*\n\[1\]([^\n]+)", text).group(1).split()]
    dev = float(re.search(r"deviance\(result\)\s*\n\[1\]\s*([\d.]+)", text).group(1))
    coef = re.search(r"\(Intercept\)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", text)
    block = text.split("Covariance estimate:")[1].splitlines()[2:6]
    cov = [[float(x) for x in line.split()[1:]] for line in block]
    return {
        "source": f"sas_outputs/R/{path.name} (R mmrm; SAS has no homogeneous ante-dependence)",
        "theta_est": theta,
        "deviance": dev,
        "intercept": {"Estimate": float(coef.group(1)), "StdErr": float(coef.group(2))},
        "covariance": cov,
    }


def main():
    outputs = json.loads((SRC / "sas_outputs.json").read_text())["outputs"]
    ref = {
        "source": "openpharma/mmrm design/ @ ec290b2695b25057b31bc98e27c39d3f498cd0d6 "
        "(Apache-2.0), parsed SAS PROC MIXED listings",
        "sas": {k.split("/")[-1]: _sas(outputs[k]) for k in KEYS},
        "r_mmrm_ad": {
            m: _r_ad(SRC / "sas_outputs" / "R" / f"mmrm_ad_{m}.txt") for m in ("ml", "reml")
        },
    }
    OUT.write_text(json.dumps(ref, indent=1))


if __name__ == "__main__":
    main()
