"""Helpers of the NumPy assembly step (the end-to-end behaviour is in test_load.py)."""

from __future__ import annotations

import numpy as np

from irtrial.trial.assemble import _first_per_code, _natural_perm, _spread


def test_natural_perm_numeric_ids_sort_as_numbers():
    ids = np.array(["10", "2", "1"], dtype=object)
    assert ids[_natural_perm(ids)].tolist() == ["1", "2", "10"]
    ids = np.array(["S10", "S2", "A1"], dtype=object)
    assert ids[_natural_perm(ids)].tolist() == ["A1", "S10", "S2"]


def test_first_per_code_takes_rows_in_given_order():
    codes = np.array([0, 1, 0, 1, 2])
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    out = _first_per_code(codes, np.array([2, 0, 3, 1]), values, 4, np.nan, float)
    np.testing.assert_array_equal(out, [3.0, 4.0, np.nan, np.nan])


def test_spread_flags_codes_with_several_values():
    codes = np.array([0, 0, 1, 1, 2])
    values = np.array([1.0, 1.0, 2.0, 3.0, 4.0])
    assert _spread(codes, np.ones(5, dtype=bool), values, 3).tolist() == [False, True, False]
