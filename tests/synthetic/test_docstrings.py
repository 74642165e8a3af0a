"""The examples in the docstrings of synthetic, report and cli run and print what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "irtrial.synthetic",
    "irtrial.synthetic.design",
    "irtrial.synthetic.generate",
    "irtrial.synthetic.datasets",
    "irtrial.report.tables",
    "irtrial.report.figures",
    "irtrial.report.render",
    "irtrial.cli",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
