"""The trial data model, loading and validation.

``read_trial`` parses a file or DataFrame, maps columns to roles (CDISC ADaM BDS is detected),
validates everything at once and returns an immutable :class:`Trial`.
"""

from __future__ import annotations

from irtrial.trial.load import read_trial
from irtrial.trial.model import Trial, TrialSchema

__all__ = ["Trial", "TrialSchema", "read_trial"]
