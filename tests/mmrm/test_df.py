"""The df registry and the residual df (SAS DDFM=RESIDUAL: N - rank(X))."""

from __future__ import annotations

import pytest
from _inference_helpers import full_model_state

from irtrial.errors import ModelSpecError
from irtrial.mmrm._types import DF_METHODS
from irtrial.mmrm.df import DF_REGISTRY, df_method, residual


def test_registry_covers_the_contract():
    assert set(DF_REGISTRY) == set(DF_METHODS)
    for name in DF_METHODS:
        mod = df_method(name)
        assert callable(mod.df_1d) and callable(mod.df_md)


def test_unknown_method_lists_the_choices():
    # the registry takes resolved names only; spellings are mapped by options.resolve_options
    with pytest.raises(ModelSpecError, match="'satterthwaite'.*resolve_options"):
        df_method("KR")


def test_residual_df_is_n_minus_rank():
    state, _ = full_model_state("satterthwaite")
    # 537 observations with FEV1, 11 linearly independent columns
    assert residual.residual_df(state) == 537 - 11


@pytest.mark.parametrize(
    "module",
    ["irtrial.mmrm.testing", "irtrial.mmrm.lsmeans", "irtrial.mmrm.vcov",
     "irtrial.mmrm.df.residual"],
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
