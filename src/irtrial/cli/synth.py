"""``irtrial synth``: write the synthetic infrared-wrap replica (Gale 2006) to a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from irtrial.cli._common import DebugOpt, console, user_errors

__all__ = ["synth", "DEFAULT_OUT"]

#: where ``irtrial synth`` writes by default (relative to the working directory)
DEFAULT_OUT = Path("data/synthetic/ir_wrap_trial.csv")


def synth(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output CSV file.")] = DEFAULT_OUT,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (2006 gives the shipped file).")
                    ] = 2006,
    debug: DebugOpt = False,
) -> None:
    """Write the synthetic replica of the infrared-wrap trial (Gale 2006) as CSV.

    With the default seed the file is byte for byte data/synthetic/ir_wrap_trial.csv. The data
    are synthetic: same design and group means as the paper, invented patient-level values.
    """
    from irtrial.synthetic import ir_wrap_design, write_ir_wrap_csv

    with user_errors(debug):
        path = write_ir_wrap_csv(out, seed=seed)
        d = ir_wrap_design()
        console.print(f"wrote {path}: {d.n_subjects} subjects x {d.n_visits} visits "
                      f"({d.n_subjects * d.n_visits} rows), seed {seed}", markup=False)
