"""The shipped synthetic replica of the infrared-wrap trial (Gale, Rothbart & Li 2006).

The individual data of the trial are not public. :func:`ir_wrap_design` encodes what the paper
reports (40 randomised, 21 IR and 19 placebo, one placebo dropout after baseline, pain NRS 0-10
at weeks 0-6, IR 6.9 -> 3.0 and placebo 7.4 -> 6.0, chronic pain of over six years, 6.5 years on
average) plus plausible, *invented* patient-level variation: a random intercept and slope, AR(1)
residuals, age, sex and pain duration. :func:`ir_wrap_trial` simulates it;
``data/synthetic/ir_wrap_trial.csv`` is :func:`ir_wrap_frame` with the default seed, written by
:func:`write_ir_wrap_csv` (``irtrial synth``), byte for byte.

References
----------
.. [1] Gale GD, Rothbart PJ, Li Y. Infrared therapy for chronic low back pain: a randomized,
   controlled trial. Pain Res Manag 2006;11(3):193-196. doi:10.1155/2006/876920
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from irtrial.synthetic.design import Covariate, Dropout, TrialDesign
from irtrial.synthetic.generate import simulate_frame, simulate_trial

if TYPE_CHECKING:
    from irtrial.trial import Trial

__all__ = [
    "IR_WRAP_SEED",
    "ir_wrap_design",
    "ir_wrap_frame",
    "ir_wrap_trial",
    "frame_to_csv_text",
    "write_ir_wrap_csv",
    "shipped_csv_path",
    "load_ir_wrap_frame",
]

#: default seed of the shipped replica (the year of publication)
IR_WRAP_SEED = 2006

#: file name of the shipped replica under ``data/synthetic/``
IR_WRAP_CSV = "ir_wrap_trial.csv"

# Published endpoints (Gale 2006) joined by an exponential approach, k = 0.35 per week:
# m(t) = end + (start - end) * (exp(-k t) - exp(-6 k)) / (1 - exp(-6 k)), rounded to 0.01.
_PLACEBO_MEANS = (7.40, 6.93, 6.60, 6.36, 6.20, 6.08, 6.00)
_IR_MEANS = (6.90, 5.59, 4.66, 4.01, 3.55, 3.23, 3.00)


def ir_wrap_design() -> TrialDesign:
    """The design of the Gale 2006 infrared-wrap trial, as a :class:`TrialDesign`.

    Arms ``("Placebo", "IR")`` with 19 and 21 randomised; visits weeks 0-6 (``"Week 0"`` is
    baseline); NRS 0-10 integers. Between subjects: random intercept SD 1.3 and slope SD 0.2
    NRS/week (correlation -0.2); within: residual SD 1.0 with AR(1) correlation 0.5, which
    gives correlations of about 0.8 between consecutive weeks and 0.6 between weeks 0 and 6.
    One placebo subject, chosen at random, leaves after baseline. ``match_means`` is on, so the
    sample means follow the published ones closely. Covariates (invented, documented in
    ``data/synthetic/README.md``): ``AGE`` (years, normal 50 +/- 11, 25-80), ``SEX``
    (``F`` 55%, ``M``) and ``PAINDUR`` (years of pain: over 6, mean 6.5, right-skewed).

    Returns
    -------
    TrialDesign

    Examples
    --------
    >>> d = ir_wrap_design()
    >>> d.arms, d.n_per_arm, d.scale
    (('Placebo', 'IR'), (19, 21), (0, 10))
    """
    return TrialDesign(
        arms=("Placebo", "IR"),
        n_per_arm=(19, 21),
        visits=(0, 1, 2, 3, 4, 5, 6),
        means=(_PLACEBO_MEANS, _IR_MEANS),
        subject_sd=1.3,
        slope_sd=0.2,
        intercept_slope_corr=-0.2,
        residual_sd=1.0,
        ar1=0.5,
        dropout={"Placebo": Dropout(fixed_n=1, fixed_after=0)},
        covariates=(
            Covariate("AGE", "normal", mean=50, sd=11, bounds=(25, 80), decimals=0, effect=0.01),
            Covariate("SEX", "categorical", levels=("F", "M"), probs=(0.55, 0.45)),
            Covariate("PAINDUR", "gamma", mean=6.5, sd=0.4, bounds=(6, 12), decimals=1,
                      effect=0.3),
        ),
        scale=(0, 10),
        match_means=True,
        subject_prefix="IRW-",
    )


def ir_wrap_frame(seed: int = IR_WRAP_SEED) -> pd.DataFrame:
    """The replica as a long CDISC-like DataFrame (see :func:`~irtrial.synthetic.simulate_frame`).

    Examples
    --------
    >>> df = ir_wrap_frame()
    >>> df.shape
    (280, 8)
    >>> df.groupby("ARM")["USUBJID"].nunique().to_dict()
    {'IR': 21, 'Placebo': 19}
    """
    return simulate_frame(ir_wrap_design(), seed)


def ir_wrap_trial(seed: int = IR_WRAP_SEED) -> Trial:
    """The replica as a validated :class:`~irtrial.trial.Trial` (21 IR vs 18 placebo analysed).

    Parameters
    ----------
    seed : int
        Seed; the default 2006 gives the shipped ``data/synthetic/ir_wrap_trial.csv``.

    Examples
    --------
    >>> trial = ir_wrap_trial()
    >>> trial.n_by_arm().to_dict()
    {'Placebo': 18, 'IR': 21}
    """
    return simulate_trial(ir_wrap_design(), seed)


def frame_to_csv_text(frame: pd.DataFrame) -> str:
    """Deterministic CSV text: comma separated, ``\\n`` line ends, empty cells for missing."""
    return frame.to_csv(index=False, lineterminator="\n")


def write_ir_wrap_csv(path: str | Path, seed: int = IR_WRAP_SEED) -> Path:
    """Write the replica to ``path`` (creating folders); returns the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_ir_wrap_csv(pathlib.Path(tempfile.mkdtemp()) / "ir.csv")
    >>> p.read_text().splitlines()[0]
    'USUBJID,ARM,AVISIT,AVISITN,AVAL,AGE,SEX,PAINDUR'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(frame_to_csv_text(ir_wrap_frame(seed)))
    return path


def shipped_csv_path() -> Path | None:
    """Path of ``data/synthetic/ir_wrap_trial.csv`` in a source checkout, or ``None``."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "data" / "synthetic" / IR_WRAP_CSV
        if candidate.is_file():
            return candidate
    return None


def load_ir_wrap_frame() -> pd.DataFrame:
    """Read the shipped CSV (or, outside a source checkout, regenerate the identical frame).

    Examples
    --------
    >>> int(load_ir_wrap_frame()["AVAL"].max()) <= 10
    True
    """
    path = shipped_csv_path()
    if path is None:
        return ir_wrap_frame()
    return pd.read_csv(path, dtype={"AVAL": "Int64"})
