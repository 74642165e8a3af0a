"""The trial data model, loading and validation.

``read_trial`` parses a file or DataFrame, maps columns to roles (CDISC ADaM BDS is detected),
validates everything at once and returns an immutable :class:`Trial`.

Modules
-------
``model``     :class:`Trial` (frozen: data, subjects, exclusions, consort(), summary()) and
              :class:`TrialSchema` (which column plays which role).
``load``      :func:`read_trial`: parse -> map -> validate -> assemble.
``io``        file readers (CSV with sniffed delimiter, Excel, Parquet, XPT, sas7bdat) and
              cell coercion (missing markers, decimal commas).
``adam``      ADaM BDS detection and the default column names.
``wide``      wide (one column per visit) -> long.
``validate``  collect-all checks returning :class:`~irtrial.errors.Problem` lists.
``derive``    visit order, change and percent change from baseline.
``assemble``  NumPy assembly of the validated columns into a :class:`Trial` (internal).

Examples
--------
>>> import pandas as pd
>>> from irtrial.trial import read_trial
>>> df = pd.DataFrame({"subject": ["1", "1", "2", "2"], "arm": ["IR", "IR", "PBO", "PBO"],
...                    "visit": ["Week 0", "Week 6", "Week 0", "Week 6"],
...                    "value": [6.9, 3.0, 7.4, 6.0]})
>>> read_trial(df, outcome_range=(0, 10)).at_visit()["change"].round(1).tolist()
[-3.9, -1.4]
"""

from __future__ import annotations

from irtrial.trial.load import read_trial
from irtrial.trial.model import Trial, TrialSchema

__all__ = ["Trial", "TrialSchema", "read_trial"]
