"""Reshape a wide table (one row per subject, one column per visit) to long format.

Examples
--------
>>> import pandas as pd
>>> wide = pd.DataFrame({"id": ["1", "2"], "arm": ["IR", "Placebo"],
...                      "Week 0": [7, 8], "Week 1": [5, 8]})
>>> wide_to_long(wide, "id", ["arm"], ["Week 0", "Week 1"], "pain")
  id      arm   visit  pain
0  1       IR  Week 0     7
1  1       IR  Week 1     5
2  2  Placebo  Week 0     8
3  2  Placebo  Week 1     8
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["wide_to_long", "VISIT_COLUMN"]

#: name of the visit column created from the wide column headers
VISIT_COLUMN = "visit"


def wide_to_long(frame: pd.DataFrame, subject: str, id_columns: Sequence[str],
                 visit_columns: Sequence[str], value_name: str) -> pd.DataFrame:
    """Stack ``visit_columns`` into a ``visit`` label column and a ``value_name`` column.

    Parameters
    ----------
    frame : DataFrame
        One row per subject.
    subject : str
        Subject column.
    id_columns : sequence of str
        Subject-level columns repeated on every row (arm, baseline, covariates).
    visit_columns : sequence of str
        Columns holding the outcome, one per visit, in visit order.
    value_name : str
        Name of the stacked outcome column.

    Returns
    -------
    DataFrame
        One row per subject x visit, subjects in input order, visits in the given order.
    """
    keep = [subject, *[c for c in id_columns if c != subject]]
    n, k = len(frame), len(visit_columns)
    out = frame[keep].iloc[np.repeat(np.arange(n), k)].reset_index(drop=True)
    out[VISIT_COLUMN] = np.tile(np.asarray(visit_columns, dtype=object), n)
    out[value_name] = pd.Series(frame[list(visit_columns)].to_numpy().reshape(-1)).infer_objects()
    return out
