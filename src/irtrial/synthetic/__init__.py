"""Seeded synthetic trials: a general generator and the shipped infrared-wrap replica.

>>> from irtrial.synthetic import ir_wrap_frame
>>> ir_wrap_frame().groupby("ARM")["USUBJID"].nunique().to_dict()
{'IR': 21, 'Placebo': 19}
"""

from __future__ import annotations

from irtrial.synthetic.datasets import (
    IR_WRAP_SEED,
    frame_to_csv_text,
    ir_wrap_design,
    ir_wrap_frame,
    ir_wrap_trial,
    load_ir_wrap_frame,
    shipped_csv_path,
    write_ir_wrap_csv,
)
from irtrial.synthetic.design import Covariate, Dropout, TrialDesign
from irtrial.synthetic.generate import (
    SimulatedArrays,
    simulate_arrays,
    simulate_frame,
    simulate_trial,
    trial_mapping,
)

__all__ = [
    "Covariate",
    "Dropout",
    "IR_WRAP_SEED",
    "SimulatedArrays",
    "TrialDesign",
    "frame_to_csv_text",
    "ir_wrap_design",
    "ir_wrap_frame",
    "ir_wrap_trial",
    "load_ir_wrap_frame",
    "shipped_csv_path",
    "simulate_arrays",
    "simulate_frame",
    "simulate_trial",
    "trial_mapping",
    "write_ir_wrap_csv",
]
