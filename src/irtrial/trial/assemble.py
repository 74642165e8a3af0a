"""Assemble a :class:`~irtrial.trial.Trial` from validated, coerced role columns.

Internal to :func:`irtrial.read_trial`. Everything is computed on integer subject codes
(``pandas.factorize``) with NumPy, so that building a trial costs a few milliseconds: the
power simulation builds thousands of them.

Row accounting: every input row is either an analysed post-baseline row, a baseline row of
an analysed subject, or counted in ``Trial.exclusions`` (an excluded subject's rows, or a
dropped row group such as "missing subject identifier").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.errors import Problem, TrialValidationError
from irtrial.trial import validate as V
from irtrial.trial.covariates import CovariateColumn, _spread, per_subject
from irtrial.trial.derive import change_from_baseline
from irtrial.trial.model import Trial, TrialSchema

__all__ = ["Roles", "assemble"]


@dataclass(frozen=True)
class Roles:
    """Coerced role columns, aligned with the input rows (index = input row number)."""

    subject: pd.Series  # str or None
    arm: pd.Series  # str or None
    visit: pd.Series  # str or None
    value: pd.Series  # float
    baseline: pd.Series | None  # float, from a baseline column
    flag: np.ndarray  # bool, baseline record flag
    usable: np.ndarray  # bool: subject and visit present, not a dropped row group


def _first_per_code(codes: np.ndarray, rows: np.ndarray, values: np.ndarray, n: int,
                    fill: object, dtype: object) -> np.ndarray:
    """Value of the first of ``rows`` (in the order given) for each code."""
    out = np.full(n, fill, dtype=dtype)
    if len(rows):
        u, first = np.unique(codes[rows], return_index=True)
        out[u] = values[rows[first]]
    return out


def _natural_perm(ids: np.ndarray) -> np.ndarray:
    """Permutation sorting subject ids numerically when all are numbers, else as text."""
    text = ids.astype(str)
    as_num = pd.to_numeric(pd.Series(text), errors="coerce").to_numpy(dtype=float)
    if len(ids) and not np.isnan(as_num).any():
        return np.lexsort((text, as_num))
    return np.argsort(text, kind="stable")


def assemble(frame: pd.DataFrame, s: TrialSchema, r: Roles, arms: list[str], control: str,
             order: list[str], nums: dict[str, float], base_visit: str | None, source: str,
             notes: list[str], row_groups: Sequence[tuple[str, np.ndarray]],
             n_other: int, covs: Sequence[CovariateColumn] = ()) -> Trial:
    """Build the :class:`Trial`; raises when nothing is left to analyse."""
    n_input = len(frame)
    pos = r.visit.map({v: i for i, v in enumerate(order)}).to_numpy(dtype=float)
    bpos = order.index(base_visit) if base_visit is not None else -1
    value = r.value.to_numpy(dtype=float)
    is_base = r.usable & ((pos == bpos) | r.flag)
    is_post = r.usable & (pos > bpos) & ~r.flag
    is_pre = r.usable & (pos < bpos) & ~r.flag
    in_subject = is_base | is_post
    observed_post = is_post & ~np.isnan(value)
    if not observed_post.any():
        raise TrialValidationError([Problem(
            f"no post-baseline outcome values (baseline visit {base_visit!r}, visits "
            f"{order}); nothing to analyse", column=s.outcome)])

    # ---- per subject, on integer codes ----
    scode, sids = pd.factorize(r.subject.to_numpy(dtype=object))
    sids = np.asarray(sids, dtype=object)
    ns = len(sids)
    has_subj = scode >= 0
    arm_rows = np.flatnonzero(has_subj & r.arm.notna().to_numpy())
    arm_of = _first_per_code(scode, arm_rows, r.arm.to_numpy(dtype=object), ns, None, object)
    known = ~np.isnan(value)
    base_rows = np.concatenate([np.flatnonzero(is_base & r.flag & known),
                                np.flatnonzero(is_base & ~r.flag & known)])
    baseline = _first_per_code(scode, base_rows, value, ns, np.nan, float)
    if r.baseline is not None:
        bcol = r.baseline.to_numpy(dtype=float)
        m = in_subject & ~np.isnan(bcol)
        varying = _spread(scode, m, bcol, ns)
        if varying.any():
            mask = in_subject & has_subj & varying[np.where(has_subj, scode, 0)]
            raise TrialValidationError([V.rows_problem(
                f"the baseline column {s.baseline!r} takes several values within "
                f"{int(varying.sum())} subject(s); it must be constant per subject",
                s.baseline, mask, r.subject)])
        from_col = _first_per_code(scode, np.flatnonzero(m), bcol, ns, np.nan, float)
        from_visit = baseline
        baseline = np.where(np.isnan(from_col), baseline, from_col)
    n_post = np.bincount(scode[observed_post], minlength=ns)
    n_rows = np.bincount(scode[in_subject], minlength=ns)
    no_arm = pd.isna(arm_of)
    reason = np.full(ns, None, dtype=object)
    reason[n_post == 0] = "no post-baseline value"
    reason[np.isnan(baseline)] = "no baseline value"
    reason[no_arm] = "no arm recorded"
    analysed = pd.isna(reason)
    perm = _natural_perm(sids)
    if r.baseline is not None:
        notes += _baseline_notes(s, base_visit, from_col, from_visit, analysed, sids, perm)
    arm_order = [control, *[a for a in arms if a != control]]
    arm_cat = pd.CategoricalDtype(arm_order, ordered=True)
    arm_code = pd.Categorical(arm_of, dtype=arm_cat).codes
    empty = [a for i, a in enumerate(arm_order) if not (analysed & (arm_code == i)).any()]
    if empty:
        why = pd.Series(reason[~analysed]).value_counts().to_dict()
        raise TrialValidationError([Problem(
            f"no analysed subject left in arm(s) {empty} after exclusions ({why}); every "
            "arm needs at least one subject with a baseline and a post-baseline value",
            column=s.arm)])

    covariates = per_subject(covs, scode, pos, ns, analysed, notes)

    # ---- exclusions: subjects (in subject order), then row groups ----
    ex = perm[~analysed[perm]]
    exclusions = pd.DataFrame({
        C.SUBJECT: sids[ex], C.ARM: arm_of[ex], "reason": reason[ex],
        "n_rows": n_rows[ex].astype(int)})
    groups = [*row_groups, ("missing subject identifier", ~has_subj & ~_any(row_groups)),
              ("missing visit label", has_subj & r.visit.isna().to_numpy() & ~_any(row_groups)),
              (f"visit before the baseline visit {base_visit!r}", is_pre)]
    extra = []
    for why, m, *named in groups:
        if not m.any():
            continue
        if named and named[0]:  # one exclusion row per subject (e.g. an ADaM duplicate)
            codes = scode[m & has_subj]
            counts = np.bincount(codes, minlength=ns)
            for i in perm[counts[perm] > 0]:
                extra.append({C.SUBJECT: sids[i], C.ARM: arm_of[i], "reason": why,
                              "n_rows": int(counts[i])})
            rest = int((m & ~has_subj).sum())
            if rest:
                extra.append({C.SUBJECT: None, C.ARM: None, "reason": why, "n_rows": rest})
        else:
            extra.append({C.SUBJECT: None, C.ARM: None, "reason": why, "n_rows": int(m.sum())})
    if extra:
        exclusions = pd.concat([exclusions, pd.DataFrame(extra, columns=exclusions.columns)],
                               ignore_index=True)
    exclusions = exclusions.astype({C.SUBJECT: object, C.ARM: object, "n_rows": int})

    # ---- the analysed grid: subject x post-baseline visit ----
    post = order[bpos + 1:]
    k = len(post)
    keep = perm[analysed[perm]]
    grid = np.full((ns, len(order)), np.nan)
    grid[scode[is_post], pos[is_post].astype(int)] = value[is_post]
    vals = grid[keep][:, bpos + 1:].reshape(-1)
    base_rep = np.repeat(baseline[keep], k)
    change, pct = change_from_baseline(vals, base_rep)
    data = pd.DataFrame({
        C.SUBJECT: np.repeat(sids[keep], k),
        C.ARM: pd.Categorical.from_codes(np.repeat(arm_code[keep], k), dtype=arm_cat),
        C.VISIT: pd.Categorical.from_codes(np.tile(np.arange(k), len(keep)),
                                           dtype=pd.CategoricalDtype(post, ordered=True)),
        C.VISIT_NUM: np.tile(np.array([nums[v] for v in post], dtype=float), len(keep)),
        C.VALUE: vals, C.BASELINE: base_rep, C.CHANGE: change, C.PCT_CHANGE: pct,
    })
    for name, col in covariates.items():
        data[name] = _take(col, np.repeat(keep, k))
    n_zero = int((baseline[analysed] == 0).sum())
    if n_zero:
        notes.append(f"{n_zero} analysed subject(s) have baseline 0: their pct_change is NaN")
    subjects = pd.DataFrame({
        C.SUBJECT: sids[perm],
        C.ARM: pd.Categorical.from_codes(arm_code[perm], dtype=arm_cat),
        C.BASELINE: baseline[perm],
        **{name: _take(col, perm) for name, col in covariates.items()},
        "excluded": reason[perm],
    })
    warnings = _exclusion_warnings(analysed, arm_code, arm_order, reason)
    row_analysed = has_subj & analysed[np.where(has_subj, scode, 0)]
    n_analysed = int((is_post & row_analysed).sum())
    row_counts = {
        "input": n_input,
        "analysed": n_analysed,
        "baseline": int((is_base & row_analysed).sum()),
        "excluded": int(exclusions["n_rows"].sum()),
        "added_missing": int(len(data) - n_analysed),
        "other_parameters": n_other,
    }
    return Trial(
        data=data, subjects=subjects, exclusions=exclusions, arms=tuple(arm_order),
        control=control, visits=tuple(post), baseline_visit=base_visit,
        covariates=tuple(covariates),
        covariate_types={c.name: c.kind for c in covs}, warnings=tuple(warnings),
        outcome=s.outcome, outcome_range=s.outcome_range,
        source=source, notes=tuple(notes), row_counts=row_counts,
        visit_numbers={v: float(nums[v]) for v in order}, schema=s)


def _any(groups: Sequence[tuple[str, np.ndarray]]) -> np.ndarray | bool:
    out: np.ndarray | bool = False
    for _, m, *_named in groups:
        out = out | m
    return out


def _baseline_notes(s: TrialSchema, base_visit: str | None, from_col: np.ndarray,
                    from_visit: np.ndarray, analysed: np.ndarray, sids: np.ndarray,
                    perm: np.ndarray) -> list[str]:
    """Say which baseline was used where the baseline column is missing or disagrees."""
    where = (f"at the baseline visit {base_visit!r}" if base_visit is not None
             else "of the baseline record")
    has_col, has_visit = ~np.isnan(from_col), ~np.isnan(from_visit)
    with np.errstate(invalid="ignore"):
        differ = (has_col & has_visit
                  & ~np.isclose(from_col, from_visit, rtol=1e-9, atol=1e-9))
    notes = []
    for mask, what, used in (
            (analysed & ~has_col & has_visit, "is missing for", f"their {s.outcome!r} value "
             f"{where} is used as baseline"),
            (analysed & differ, f"disagrees with {s.outcome!r} {where} for",
             f"the {s.baseline!r} value is used as baseline")):
        if mask.any():
            names = sids[perm[mask[perm]]].astype(str)
            shown = ", ".join(names[:10]) + (f", ... ({len(names)} in all)"
                                              if len(names) > 10 else "")
            notes.append(f"baseline column {s.baseline!r} {what} {len(names)} analysed "
                         f"subject(s) ({shown}); {used}")
    return notes


def _exclusion_warnings(analysed: np.ndarray, arm_code: np.ndarray, arms: Sequence[str],
                        reason: np.ndarray) -> list[str]:
    """Prominent warnings when > 10% of randomised subjects or > half of an arm are left out."""
    out = []
    n, n_out = len(analysed), int((~analysed).sum())
    if n and n_out > 0.1 * n:
        why = ", ".join(f"{r}: {c}" for r, c in
                        pd.Series(reason[~analysed]).value_counts().items())
        out.append(f"{n_out} of {n} randomised subjects ({100 * n_out / n:.0f}%) are left out "
                   f"of the analysis ({why}); check the column mapping and the visits")
    for i, a in enumerate(arms):
        mine = arm_code == i
        k, k_out = int(mine.sum()), int((mine & ~analysed).sum())
        if k and k_out > 0.5 * k:
            out.append(f"{k_out} of {k} subjects of arm {a!r} are left out of the analysis")
    return out


def _take(col: object, index: np.ndarray) -> object:
    """Rows ``index`` of a float array or a Categorical (keeping its categories)."""
    if isinstance(col, pd.Categorical):
        return pd.Categorical.from_codes(col.codes[index], dtype=col.dtype)
    return np.asarray(col)[index]
