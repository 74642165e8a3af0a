"""The trial data model: :class:`TrialSchema` (which column plays which role) and :class:`Trial`.

A :class:`Trial` is an immutable, validated, tidy long table of one outcome measured
repeatedly after baseline, with the roles made explicit. Build one with
:func:`irtrial.read_trial`; the constructor stores what it is given and does no I/O and no
validation.

Examples
--------
>>> import pandas as pd
>>> import irtrial
>>> df = pd.DataFrame({
...     "id": ["1", "1", "1", "2", "2", "2"],
...     "arm": ["IR", "IR", "IR", "Placebo", "Placebo", "Placebo"],
...     "week": ["Week 0", "Week 1", "Week 2"] * 2,
...     "pain": [7, 5, 3, 7, 7, 6],
... })
>>> trial = irtrial.read_trial(df, subject="id", arm="arm", visit="week", outcome="pain")
>>> trial.arms, trial.visits, trial.baseline_visit
(('Placebo', 'IR'), ('Week 1', 'Week 2'), 'Week 0')
>>> trial.at_visit()[["subject", "arm", "value", "change"]]
  subject      arm  value  change
0       1       IR    3.0    -4.0
1       2  Placebo    6.0    -1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from irtrial import columns as C

__all__ = ["Trial", "TrialSchema"]


@dataclass(frozen=True)
class TrialSchema:
    """Which source column plays which role, and the options used to read a trial.

    ``None`` means "not given": :func:`irtrial.read_trial` fills it from CDISC ADaM names
    or from common column names, and records the resolved schema in ``Trial.schema``.

    Parameters
    ----------
    subject, arm, visit, outcome : str, optional
        Columns of the subject identifier, the randomised arm, the visit label and the
        outcome value.
    baseline : str, optional
        A column holding each subject's baseline value (ADaM ``BASE``). Without it the
        baseline is the outcome at the baseline visit.
    covariates : tuple of str
        Subject-level covariate columns carried into ``Trial.data``.
    categorical, numeric : tuple of str
        Covariates declared categorical (factor) or numeric; the others' type is inferred
        (:mod:`irtrial.trial.covariates`).
    strict : bool
        Whether warnings (``Trial.warnings``) are errors.
    control : str, optional
        The control arm's label.
    arm_order : tuple of str, optional
        Arm labels in order (the control still goes first); default: the category order of
        a Categorical arm column, else alphabetical.
    visit_num : str, optional
        A numeric column giving the visit order (ADaM ``AVISITN``).
    visit_order : tuple of str, optional
        Visit labels in order (wins over ``visit_num`` and label numbers).
    baseline_visit : str, optional
        The label of the baseline visit.
    baseline_flag : str, optional
        A ``"Y"`` flag column marking baseline records (ADaM ``ABLFL``).
    outcome_range : (float, float), optional
        Inclusive range of valid outcome values, e.g. ``(0, 10)`` for an NRS.
    param, param_column : str, optional
        Keep only rows where ``param_column`` (ADaM ``PARAMCD``) equals ``param``.
    adam : bool
        Whether the CDISC ADaM BDS mapping was used.
    """

    subject: str | None = None
    arm: str | None = None
    visit: str | None = None
    outcome: str | None = None
    baseline: str | None = None
    covariates: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    strict: bool = False
    control: str | None = None
    arm_order: tuple[str, ...] | None = None
    visit_num: str | None = None
    visit_order: tuple[str, ...] | None = None
    baseline_visit: str | None = None
    baseline_flag: str | None = None
    outcome_range: tuple[float, float] | None = None
    param: str | None = None
    param_column: str | None = None
    adam: bool = False


_EXCLUSION_COLUMNS = [C.SUBJECT, C.ARM, "reason", "n_rows"]


@dataclass(frozen=True)
class Trial:
    """A validated randomised trial with one repeatedly measured outcome.

    Attributes
    ----------
    data : DataFrame
        One row per *analysed* subject x *post-baseline* visit (the grid is complete:
        a visit without an observation has ``value`` NaN, so dropout is visible). Columns
        ``subject`` (str), ``arm`` (ordered Categorical, control first), ``visit`` (ordered
        Categorical of post-baseline visits), ``visit_num`` (float), ``value``, ``baseline``,
        ``change`` (value - baseline), ``pct_change`` (100 * change / baseline, NaN when
        the baseline is 0), then the covariates under their own names.
    subjects : DataFrame
        One row per randomised subject, excluded ones too: ``subject``, ``arm``,
        ``baseline``, the covariates, ``excluded`` (reason, or None when analysed).
    exclusions : DataFrame
        ``subject, arm, reason, n_rows``: one row per excluded subject or dropped group of
        rows (``subject`` is None for a row group), so that no input row is lost unseen.
    arms : tuple of str
        Control first, then the active arms.
    control : str
    visits : tuple of str
        Post-baseline visit labels in order.
    baseline_visit : str or None
    covariates : tuple of str
    outcome : str
        Name of the outcome in the source.
    outcome_range : (float, float) or None
    source : str
        Where the data came from (path or ``"<DataFrame>"``).
    notes : tuple of str
        Things the analyst should know that are not exclusions (e.g. subjects whose
        percent change is undefined because the baseline is 0).
    row_counts : mapping
        ``input`` rows = ``analysed`` (observed post-baseline rows in ``data``) +
        ``baseline`` (rows used as baseline of analysed subjects) + ``excluded`` (sum of
        ``exclusions.n_rows``); ``added_missing`` counts grid rows added with NaN;
        ``other_parameters`` counts rows of other ADaM parameters left aside; ``not_data``
        (present when non-zero) counts file lines that are not data (a title above the
        header, blank lines, summary and footer rows), listed in ``notes``: a text file
        has 1 header line + ``input`` + ``not_data`` lines.
    visit_numbers : mapping
        Visit label -> ``visit_num`` for every visit, the baseline visit included.
    schema : TrialSchema
        The resolved column mapping and options.
    covariate_types : mapping
        Covariate name -> ``"categorical"`` (a factor: ``Trial.data`` holds an unordered
        pandas Categorical) or ``"numeric"`` (float, one slope). See
        :mod:`irtrial.trial.covariates` for how the type is decided.
    warnings : tuple of str
        Readings that are plausible but unusual and change what is analysed (e.g. more
        than 10% of randomised subjects, or more than half of an arm, left out). Shown
        prominently by ``irtrial validate`` and the report; ``read_trial(strict=True)``
        (``--strict``) makes them errors.
    """

    data: pd.DataFrame
    subjects: pd.DataFrame
    exclusions: pd.DataFrame
    arms: tuple[str, ...]
    control: str
    visits: tuple[str, ...]
    baseline_visit: str | None = None
    covariates: tuple[str, ...] = ()
    outcome: str = C.VALUE
    outcome_range: tuple[float, float] | None = None
    source: str = "<DataFrame>"
    notes: tuple[str, ...] = ()
    row_counts: Mapping[str, int] = field(default_factory=dict)
    visit_numbers: Mapping[str, float] = field(default_factory=dict)
    schema: TrialSchema = field(default_factory=TrialSchema)
    covariate_types: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    # ---- roles ---------------------------------------------------------------------
    @property
    def active_arms(self) -> tuple[str, ...]:
        """The arms compared with the control, in order."""
        return tuple(a for a in self.arms if a != self.control)

    @property
    def last_visit(self) -> str:
        """The last post-baseline visit (the usual primary endpoint)."""
        return self.visits[-1]

    def __repr__(self) -> str:
        n = self.n_by_arm()
        arms = ", ".join(f"{a} n={int(n[a])}" for a in self.arms)
        types = dict(self.covariate_types or {})
        covs = "".join(f"; {c} ({types.get(c, '?')})" for c in self.covariates)
        warn = f"; {len(self.warnings)} WARNING(S)" if self.warnings else ""
        return (f"Trial({self.outcome!r}: {arms}; visits {self.visits[0]}..{self.visits[-1]} "
                f"({len(self.visits)}){covs}; {len(self.exclusions)} exclusion(s){warn})")

    # ---- helpers -------------------------------------------------------------------
    def at_visit(self, visit: str | None = None) -> pd.DataFrame:
        """One row per analysed subject at ``visit`` (the last visit by default).

        Rows with a missing value are kept (``value`` NaN); drop them for a completers
        analysis. The returned frame is a copy with a fresh index.

        Raises
        ------
        ModelSpecError
            When ``visit`` is not one of the post-baseline visits (the message lists them).
            This is an argument error, not a problem in the trial data.
        """
        visit = self.last_visit if visit is None else str(visit)
        if visit not in self.visits:
            from irtrial.errors import ModelSpecError

            raise ModelSpecError(f"visit {visit!r} is not a post-baseline visit; the visits "
                                 f"are {list(self.visits)}")
        rows = self.data[self.data[C.VISIT] == visit]
        return rows.reset_index(drop=True)

    def n_by_arm(self) -> pd.Series:
        """Number of analysed subjects per arm (Series indexed by arm, control first)."""
        subj = self.subjects[self.subjects["excluded"].isna()]
        counts = subj[C.ARM].astype(str).value_counts()
        return pd.Series([int(counts.get(a, 0)) for a in self.arms], index=pd.Index(
            self.arms, name=C.ARM), name=C.N)

    def consort(self) -> pd.DataFrame:
        """CONSORT-style counts per arm.

        Returns
        -------
        DataFrame
            Columns ``stage``, one column per arm (control first) and ``total``. Rows:
            ``randomised``; ``excluded``; one ``excluded: <reason>`` row per reason;
            ``analysed``; then ``with data at <visit>`` for the baseline visit (when there
            is one) and each post-baseline visit.
        """
        subj = self.subjects
        arm = subj[C.ARM].astype(object)
        rows: list[tuple[str, pd.Series]] = []

        def per_arm(mask: np.ndarray) -> pd.Series:
            counts = arm[mask].value_counts()
            return pd.Series({a: int(counts.get(a, 0)) for a in self.arms})

        excluded = subj["excluded"].notna().to_numpy()
        rows.append(("randomised", per_arm(np.ones(len(subj), dtype=bool))))
        rows.append(("excluded", per_arm(excluded)))
        for reason in sorted(subj.loc[excluded, "excluded"].unique()):
            rows.append((f"excluded: {reason}", per_arm((subj["excluded"] == reason).to_numpy())))
        rows.append(("analysed", per_arm(~excluded)))
        if self.baseline_visit is not None:
            rows.append((f"with data at {self.baseline_visit}",
                         per_arm(~excluded & subj[C.BASELINE].notna().to_numpy())))
        observed = self.data[self.data[C.VALUE].notna()]
        table = observed.groupby([C.VISIT, C.ARM], observed=False).size()
        for v in self.visits:
            rows.append((f"with data at {v}", pd.Series({a: int(table.get((v, a), 0))
                                                         for a in self.arms})))
        out = pd.DataFrame([r for _, r in rows], columns=list(self.arms))
        out.insert(0, "stage", [s for s, _ in rows])
        out["total"] = out[list(self.arms)].sum(axis=1)
        return out.reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """Descriptive statistics per arm and visit, baseline included.

        Returns
        -------
        DataFrame
            ``arm, visit, visit_num, n, n_missing, mean, sd`` for the analysed subjects.
            The baseline row (visit = the baseline visit, or ``"Baseline"``) summarises
            the ``baseline`` column.
        """
        subj = self.subjects[self.subjects["excluded"].isna()]
        label = self.baseline_visit or "Baseline"
        base = pd.DataFrame({C.ARM: subj[C.ARM].astype(str).to_numpy(), C.VISIT: label,
                             C.VISIT_NUM: -np.inf, C.VALUE: subj[C.BASELINE].to_numpy()})
        post = pd.DataFrame({C.ARM: self.data[C.ARM].astype(str).to_numpy(),
                             C.VISIT: self.data[C.VISIT].astype(str).to_numpy(),
                             C.VISIT_NUM: self.data[C.VISIT_NUM].to_numpy(),
                             C.VALUE: self.data[C.VALUE].to_numpy()})
        both = pd.concat([base, post], ignore_index=True)
        both[C.ARM] = pd.Categorical(both[C.ARM], categories=list(self.arms), ordered=True)
        order = [label, *self.visits]
        both[C.VISIT] = pd.Categorical(both[C.VISIT], categories=order, ordered=True)
        grouped = both.groupby([C.ARM, C.VISIT], observed=True)[C.VALUE]
        out = pd.DataFrame({
            C.N: grouped.count(),
            "n_missing": grouped.size() - grouped.count(),
            "mean": grouped.mean(),
            "sd": grouped.std(ddof=1),
        }).reset_index()
        nums = both.groupby(C.VISIT, observed=True)[C.VISIT_NUM].first()
        out.insert(2, C.VISIT_NUM, out[C.VISIT].map(nums).astype(float))
        out.loc[out[C.VISIT] == label, C.VISIT_NUM] = (
            np.nan if self.baseline_visit is None
            else float(self.visit_numbers.get(self.baseline_visit, np.nan)))
        return out
