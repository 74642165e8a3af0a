"""ICE detection: default (monotone dropout) and the user's table."""

import numpy as np
import pandas as pd
import pytest

from irtrial.errors import TrialValidationError
from irtrial.sensitivity.ice import default_ice, ice_from_table


def test_default_ice_first_visit_after_last_observed():
    y = np.array([[1.0, np.nan, 3.0], [1.0, 2.0, np.nan], [np.nan] * 3])
    spec = default_ice(y)
    assert spec.ice.tolist() == [3, 2, 0]
    assert spec.post(3).tolist() == [[False] * 3, [False, False, True], [True] * 3]


def test_ice_table_and_every_problem_at_once():
    subjects = np.array(["A", "B", "C"], dtype=object)
    spec = ice_from_table(pd.DataFrame({"subject": ["B"], "visit": ["V2"]}), subjects,
                          ("V1", "V2", "V3"), ("MAR", "JR"))
    assert spec.ice.tolist() == [3, 1, 3] and spec.strategy[1] is None
    bad = pd.DataFrame({"subject": ["Z", "A", "A"], "visit": ["V9", "V1", "V2"],
                        "strategy": ["JR", "XX", "JR"]})
    with pytest.raises(TrialValidationError) as err:
        ice_from_table(bad, subjects, ("V1", "V2", "V3"), ("MAR", "JR"))
    assert len(err.value.problems) == 4
    with pytest.raises(TrialValidationError, match="visit"):
        ice_from_table(pd.DataFrame({"subject": ["A"]}), subjects, ("V1",), ("MAR",))
