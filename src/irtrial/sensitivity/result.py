"""Results of the sensitivity analyses (frozen, tidy tables with the shared column names)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["SensitivityResult", "TippingPointResult"]


@dataclass(frozen=True)
class SensitivityResult:
    """Reference-based imputation results.

    Attributes
    ----------
    table : DataFrame
        ``strategy, visit, arm, control, estimate, std_error, df, statistic, p_value, ci_lower,
        ci_upper``: the effect of each active arm minus the control per strategy and visit
        (df is inf for the jackknife and the bootstrap).
    lsmeans : DataFrame
        ``strategy, visit, arm`` and the same estimate columns: LS mean per arm.
    imputed : DataFrame
        The completed data: ``strategy, imputation, subject, arm, visit, <outcome>, imputed``
        (imputation 0 is the conditional-mean data of the full sample; approximate Bayes: one
        completed data set per imputation 1..M).
    ice : DataFrame
        ``subject, arm, ice_visit, strategy`` per subject with an ICE, per analysis strategy
        (the strategy applied, after the ICE table and any LMCF fallback).
    fit : dict
        The imputation model fitted on the full data: ``formula``, ``beta`` (Series),
        ``sigma`` (visits x visits DataFrame).
    method, resampling, analysis : str
    n_samples : int
        Jackknife: number of leave-one-out samples; bootstrap/approximate Bayes: samples.
    seed : int or None
    notes : tuple of str
    reference : dict
        Arm -> its reference arm.
    """

    table: pd.DataFrame
    lsmeans: pd.DataFrame
    imputed: pd.DataFrame
    ice: pd.DataFrame
    fit: dict
    method: str
    resampling: str
    analysis: str
    n_samples: int
    seed: int | None
    notes: tuple[str, ...] = ()
    reference: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        strategies = ", ".join(pd.unique(self.table["strategy"]))
        return (f"SensitivityResult({self.method}, {self.resampling}, strategies: {strategies}; "
                f"{len(self.table)} effects)")


@dataclass(frozen=True)
class TippingPointResult:
    """Delta-adjustment grid and tipping point.

    Attributes
    ----------
    table : DataFrame
        ``delta, strategy, visit, arm, control, estimate, std_error, df, statistic, p_value,
        ci_lower, ci_upper`` for every delta of the grid.
    tipping : DataFrame
        ``strategy, visit, arm, delta, p_value, confirmed, note``: per arm and visit, the
        delta at which the p-value first reaches ``alpha`` (linear interpolation of p between
        the two grid points around it), the p-value of a run at that delta, and whether that
        run reached ``alpha`` (within 1e-3).
    alpha : float
    result : SensitivityResult
        The grid's run (its ``table`` is the delta-0 row set when 0 is on the grid).
    notes : tuple of str
    arms : str
        The arms whose imputed values delta shifts (``"active"``, ``"all"`` or their names).
    """

    table: pd.DataFrame
    tipping: pd.DataFrame
    alpha: float
    result: SensitivityResult
    notes: tuple[str, ...] = ()
    arms: str = "active"

    def plot(self, ax=None, visit=None, arm=None):
        """The tipping-point figure (see :func:`irtrial.sensitivity.plot_tipping_point`)."""
        from irtrial.sensitivity.plot import plot_tipping_point

        return plot_tipping_point(self, ax=ax, visit=visit, arm=arm)

    @property
    def figure(self):
        """A matplotlib Figure of :meth:`plot`."""
        return self.plot().figure
