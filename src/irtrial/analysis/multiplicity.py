r"""Multiplicity adjustment over a family of visits or endpoints.

Bonferroni, Holm (1979) and Hochberg (1988) through ``statsmodels.stats.multitest.multipletests``,
and the fixed-sequence (hierarchical) procedure written here. Adjusted p-values are those of R
``p.adjust``; a hypothesis is rejected when its adjusted p-value is at most ``alpha``.

For :math:`m` p-values sorted :math:`p_{(1)} \le \dots \le p_{(m)}`:

- Bonferroni: :math:`\tilde p_i = \min(1, m p_i)`;
- Holm (step-down): :math:`\tilde p_{(i)} = \max_{j \le i} \min(1, (m - j + 1) p_{(j)})`;
- Hochberg (step-up): :math:`\tilde p_{(i)} = \min_{j \ge i} \min(1, (m - j + 1) p_{(j)})`
  (valid under independence or positive dependence, e.g. visits of one endpoint);
- fixed sequence: the hypotheses are tested *in the order given*, each at the full
  :math:`\alpha`, until the first one not rejected; everything after it is not rejected.
  The adjusted p-value is the running maximum :math:`\tilde p_i = \max_{j \le i} p_j`
  (Westfall & Krishen 2001), so "reject when :math:`\tilde p_i \le \alpha`" is the same rule.

SAS: ``PROC MULTTEST INPVALUES=... BONFERRONI HOLM HOCHBERG;`` (fixed sequence: by hand).
R: ``p.adjust(p, "bonferroni" | "holm" | "hochberg")``; fixed sequence ``cummax(p)``.

References
----------
.. [1] Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat
   6:65-70.
.. [2] Hochberg Y (1988). A sharper Bonferroni procedure for multiple tests of significance.
   Biometrika 75:800-802.
.. [3] Maurer W, Hothorn LA, Lehmacher W (1995). Multiple comparisons in drug clinical trials
   and preclinical assays: a-priori ordered hypotheses. In: Biometrie in der
   chemisch-pharmazeutischen Industrie 6, 3-18.
.. [4] Westfall PH, Krishen A (2001). Optimally weighted, fixed sequence and gatekeeper
   multiple testing procedures. J Stat Plan Inference 99:25-40.
.. [5] EMA (2017). Guideline on multiplicity issues in clinical trials (draft),
   EMA/CHMP/44762/2017.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from irtrial import columns as C
from irtrial.errors import ModelSpecError

__all__ = ["METHODS", "adjust_p_values"]

#: method name -> statsmodels name (None: implemented here)
METHODS = {
    "bonferroni": "bonferroni",
    "holm": "holm",
    "hochberg": "simes-hochberg",
    "fixed_sequence": None,
}

P_ADJUSTED = "p_adjusted"
REJECT = "reject"
METHOD = "method"


def _adjust(p: np.ndarray, method: str) -> np.ndarray:
    if method == "fixed_sequence":
        return np.maximum.accumulate(p)
    return multipletests(p, method=METHODS[method])[1]


def adjust_p_values(
    p_values: pd.DataFrame | Sequence[float] | np.ndarray,
    method: str = "holm",
    alpha: float = 0.05,
    by: str | Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Adjust a family of p-values for multiplicity.

    Parameters
    ----------
    p_values : DataFrame, result or array-like
        A DataFrame with a ``p_value`` column (every other column is kept, e.g. ``visit``,
        ``endpoint``), a result holding one as ``.table`` (e.g. a ``ComparisonResult``), or
        a sequence of p-values.
    method : {"holm", "hochberg", "bonferroni", "fixed_sequence"}
        For ``"fixed_sequence"`` the row order is the pre-specified testing order.
    alpha : float
        Family-wise error rate.
    by : str or list of str, optional
        Columns defining separate families (e.g. ``by="definition"`` adjusts each responder
        definition over its visits). Default: all rows form one family.
    labels : list of str, optional
        Row labels when ``p_values`` is an array (stored as a ``label`` column).

    Returns
    -------
    DataFrame
        The input rows (in their order) plus ``p_adjusted``, ``reject`` (``p_adjusted <=
        alpha``) and ``method``.

    Raises
    ------
    ModelSpecError
        An unknown method, ``alpha`` outside (0, 1), a missing ``p_value`` column, or p-values
        that are missing or outside [0, 1] (all such rows are listed).

    Examples
    --------
    >>> adjust_p_values([0.01, 0.04, 0.03], method="holm")[["p_value", "p_adjusted", "reject"]]
       p_value  p_adjusted  reject
    0     0.01        0.03    True
    1     0.04        0.06   False
    2     0.03        0.06   False
    >>> adjust_p_values([0.01, 0.04, 0.03], method="fixed_sequence")["p_adjusted"].tolist()
    [0.01, 0.04, 0.04]
    """
    problems = []
    if method not in METHODS:
        problems.append(f"method must be one of {list(METHODS)}, got {method!r}")
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        problems.append(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    if not isinstance(p_values, pd.DataFrame) and isinstance(
            getattr(p_values, "table", None), pd.DataFrame):
        p_values = p_values.table  # a result object (ComparisonResult, ...): adjust its table
    if isinstance(p_values, pd.DataFrame):
        if C.P_VALUE not in p_values.columns:
            problems.append(
                f"the DataFrame needs a {C.P_VALUE!r} column; it has {list(p_values.columns)}"
            )
            raise ModelSpecError("; ".join(problems))
        frame = p_values.reset_index(drop=True).copy()
    else:
        try:
            values = np.asarray(p_values, dtype=float).ravel()
        except (TypeError, ValueError) as exc:
            problems.append(
                "p_values must be a DataFrame with a 'p_value' column, a result with a .table, "
                f"or a sequence of numbers; got {type(p_values).__name__} ({exc})"
            )
            raise ModelSpecError("; ".join(problems)) from exc
        frame = pd.DataFrame({C.P_VALUE: values})
        if labels is not None:
            if len(labels) != len(frame):
                problems.append(f"{len(labels)} labels for {len(frame)} p-values")
            else:
                frame.insert(0, "label", list(labels))
    p = pd.to_numeric(frame[C.P_VALUE], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~((p >= 0) & (p <= 1)))
    if bad.size:
        problems.append(
            "p-values must be numbers in [0, 1]; rows "
            + ", ".join(f"{i} ({frame[C.P_VALUE].iloc[i]})" for i in bad[:10])
            + (f", ... ({bad.size} in all)" if bad.size > 10 else "")
        )
    keys = [by] if isinstance(by, str) else list(by or [])
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        problems.append(f"by column(s) {missing} not in the table")
    if problems:
        raise ModelSpecError("; ".join(problems))
    adjusted = np.empty_like(p)
    if keys:
        for _, idx in frame.groupby(keys, sort=False, observed=True).indices.items():
            adjusted[idx] = _adjust(p[idx], method)
    elif len(p):
        adjusted[:] = _adjust(p, method)
    frame[P_ADJUSTED] = adjusted
    frame[REJECT] = adjusted <= alpha
    frame[METHOD] = method
    return frame
