"""Tests for irtrial.errors: every problem is listed, with its column, rows and subjects."""

import pytest

from irtrial.errors import IrtrialError, Problem, TrialValidationError


def test_validation_error_lists_every_problem_with_its_location():
    problems = [
        Problem("column not found; did you mean 'AVAL'?", column="AVL"),
        Problem("duplicate subject x visit", column="AVISIT", rows=(3, 4), subjects=("S01",)),
    ]
    err = TrialValidationError(problems)
    text = str(err)
    assert text.splitlines()[0] == "2 problems found in the trial data:"
    assert "column 'AVL'" in text
    assert "rows 3, 4" in text and "subjects S01" in text
    assert err.problems == tuple(problems)
    assert isinstance(err, IrtrialError) and isinstance(err, ValueError)


def test_long_lists_are_abbreviated_with_their_count():
    p = Problem("out of range", rows=tuple(range(25)))
    assert str(p).endswith("rows 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ... (25 in all)]")


def test_plain_strings_become_problems():
    with pytest.raises(TrialValidationError) as info:
        raise TrialValidationError(["file is empty"])
    assert info.value.problems == (Problem("file is empty"),)
    assert str(info.value).startswith("1 problem found")
