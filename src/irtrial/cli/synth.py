"""``irtrial synth``: write the synthetic infrared-wrap replica (Gale 2006) to a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from irtrial.cli._common import DebugOpt, abort, console, user_errors

__all__ = ["synth", "DEFAULT_OUT"]

#: where ``irtrial synth`` writes by default (relative to the working directory)
DEFAULT_OUT = Path("data/synthetic/ir_wrap_trial.csv")


def synth(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output CSV file.")] = DEFAULT_OUT,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (2006 gives the shipped file).")
                    ] = 2006,
    check: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 if the file differs from what would be written.")
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Write the synthetic replica of the infrared-wrap trial (Gale 2006) as CSV.

    With the default seed the file is byte for byte data/synthetic/ir_wrap_trial.csv. The data
    are synthetic: same design and group means as the paper, invented patient-level values.
    """
    from irtrial.synthetic import (
        frame_to_csv_text,
        ir_wrap_design,
        ir_wrap_frame,
        write_ir_wrap_csv,
    )

    with user_errors(debug):
        if check:
            expected = frame_to_csv_text(ir_wrap_frame(seed)).encode("utf-8")
            if out.is_file() and out.read_bytes() == expected:
                console.print(f"{out} is up to date (seed {seed})", markup=False)
                return
            abort(f"{out} differs from the generator's output (seed {seed}); "
                  "run `irtrial synth` to regenerate it", 1)
        path = write_ir_wrap_csv(out, seed=seed)
        d = ir_wrap_design()
        console.print(f"wrote {path}: {d.n_subjects} subjects x {d.n_visits} visits "
                      f"({d.n_subjects * d.n_visits} rows), seed {seed}", markup=False)
