"""``read_trial``: parse -> map columns to roles -> validate (every problem at once) -> derive.

Examples
--------
>>> import pandas as pd
>>> import irtrial
>>> df = pd.DataFrame({
...     "USUBJID": ["01", "01", "01", "02", "02", "02"],
...     "TRTP": ["IR wrap"] * 3 + ["Placebo"] * 3,
...     "AVISIT": ["Baseline", "Week 1", "Week 2"] * 2,
...     "AVISITN": [0, 1, 2] * 2,
...     "AVAL": [7.0, 5.0, 3.0, 8.0, 7.5, 6.0],
... })
>>> trial = irtrial.read_trial(df)  # ADaM names: no arguments needed
>>> trial.control, trial.active_arms, trial.visits
('Placebo', ('IR wrap',), ('Week 1', 'Week 2'))
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from irtrial import columns as C
from irtrial.errors import Problem, TrialValidationError
from irtrial.trial import validate as V
from irtrial.trial.adam import resolve_schema
from irtrial.trial.assemble import Roles, assemble
from irtrial.trial.covariates import declared_types, parse_covariates
from irtrial.trial.dates import date_visits
from irtrial.trial.derive import _label_number, looks_like_baseline, order_visits
from irtrial.trial.io import ReadError, parse_numbers, read_source, to_label
from irtrial.trial.model import Trial, TrialSchema
from irtrial.trial.records import summarise
from irtrial.trial.wide import VISIT_COLUMN, wide_to_long

__all__ = ["read_trial", "build_trial", "CONTROL_PATTERN"]

#: arm labels that look like a control arm
CONTROL_PATTERN = re.compile(
    r"placebo|control|\bpbo\b|\bpla\b|sham|vehicle|dummy|standard of care|\bsoc\b", re.I)


def read_trial(
    source: object,
    subject: str | None = None,
    arm: str | None = None,
    visit: str | None = None,
    outcome: str | None = None,
    baseline: str | None = None,
    control: str | None = None,
    covariates: Sequence[str] | str = (),
    *,
    arm_order: Sequence[str] | None = None,
    visit_order: Sequence[str] | None = None,
    visit_num: str | None = None,
    baseline_visit: str | None = None,
    baseline_flag: str | None = None,
    outcome_range: tuple[float, float] | None = None,
    param: str | None = None,
    format: str = "long",
    sheet: str | int | None = None,
    categorical: Sequence[str] | str = (),
    numeric: Sequence[str] | str = (),
    strict: bool = False,
) -> Trial:
    """Read, validate and tidy a randomised trial with a repeatedly measured outcome.

    Parameters
    ----------
    source : path-like or DataFrame
        CSV/TSV (delimiter detected; decimal commas, BOM and the missing markers "NA",
        ".", "", "NaN", "N/A", "missing" accepted), Excel (``sheet=``), Parquet, SAS XPT
        or sas7bdat file, or a DataFrame (copied, never modified).
    subject, arm, visit, outcome : str, optional
        Role columns. Left out, they come from CDISC ADaM names (``USUBJID``, ``TRT01P``/
        ``TRTP``/``ARM``, ``AVISIT``, ``AVAL``) or common names (``subject``, ``arm``,
        ``visit``, ``value``...). In wide format ``outcome`` only names the outcome.
    baseline : str, optional
        Column with each subject's baseline value (ADaM ``BASE``). Without it, the
        baseline is the outcome at the baseline visit. With it, a subject whose column is
        empty falls back on the outcome at the baseline visit, and where the two disagree
        the column wins; both cases are counted, with the subjects, in ``trial.notes``.
    control : str, optional
        Control arm label. Default: the one arm whose label looks like placebo, control,
        PBO, sham or vehicle.
    covariates : sequence of str
        Subject-level covariates carried into ``Trial.data``.
    arm_order : sequence of str, optional
        Arm labels in the order of ``Trial.arms`` and of every table and figure; list each
        arm once (the control is put first wherever it is listed). Default: the category
        order when the arm column is a pandas Categorical, else alphabetical order (control
        first).
    visit_order : sequence of str, optional
        Visit labels in order (in wide format: the visit columns, in order). Default:
        ``visit_num``, else the numbers in the labels ("Week 2" before "Week 10"). Labels
        that are dates are ordered in time when they are the same for every subject (an
        ambiguous day/month order, or dates that differ between subjects, is a problem):
        see :mod:`irtrial.trial.dates`.
    visit_num : str, optional
        Numeric column giving the visit order (ADaM ``AVISITN``).
    baseline_visit : str, optional
        Baseline visit label. Default: the ``ABLFL == "Y"`` visit, else the first visit
        (when a baseline column is given: the first visit only if it looks like a baseline,
        e.g. "Baseline", "Week 0"). Without ``ABLFL``, visits ordered before a visit that
        looks like the baseline (a "Week -3" typo before "Week 0") are a problem until the
        baseline visit is named here; they are then left out and counted.
    baseline_flag : str, optional
        Column flagging baseline records with "Y" (ADaM ``ABLFL``).
    outcome_range : (float, float), optional
        Inclusive valid range, e.g. ``(0, 10)``; values outside are reported.
    param : str, optional
        ``PARAMCD`` value to keep when the file holds several parameters.
    format : {"long", "wide"}
        Wide: one row per subject and one column per visit.
    sheet : str or int, optional
        Excel sheet.
    categorical, numeric : sequence of str
        Covariates declared categorical (a factor, SAS ``CLASS``, R ``factor()``) or
        numeric (one slope). A name listed here and not in ``covariates`` is added to the
        covariates. Undeclared covariates: a pandas Categorical, boolean or character column
        (SAS ``$`` variable, text cells) is categorical, a numeric column numeric, and in a
        CSV/TSV file a column of numbers is numeric (noted when it holds few whole numbers).
        ``Trial.covariate_types`` records each type.
    strict : bool
        Turn the warnings (``Trial.warnings``: e.g. more than 10% of randomised subjects or
        more than half of an arm left out) into a :class:`TrialValidationError`.

    Returns
    -------
    Trial
        See :class:`irtrial.trial.Trial`.

    Raises
    ------
    TrialValidationError
        Listing every problem found (column, rows, subjects; rows are 1-based file lines
        with the header as line 1 for text files, sheet rows for Excel, 0-based positions
        for a DataFrame, XPT or Parquet): missing, undecodable (the encodings tried are
        named) or unreadable file, lines with a different number of fields than the header
        (all of them), a column name used twice, blank subject ids, subjects without an arm,
        an empty role column, date visit labels that are ambiguous or differ per subject,
        visits before the baseline visit,
        missing columns (with suggestions), non-numeric outcome, duplicate subject x visit,
        subject in two arms, fewer than two arms, unknown control, an ``arm_order`` with
        unknown or missing arms, values out of range, no post-baseline data, unorderable
        visits.

    Notes
    -----
    Lines that are not data (a title above the header, blank lines, summary rows such as
    "Mean", a footer such as "Total rows: 60") are left out and listed with their line
    numbers in ``trial.notes``; ``trial.row_counts["not_data"]`` counts them. Subject ids
    "1001.0" are read as "1001" (as the Excel reader does), with a note. Labels are stripped
    of leading/trailing spaces, counted in a note. ADaM: arms in ``TRTPN``/``TRT01PN`` order,
    the outcome labelled by ``PARAM``, records not flagged ``ANL01FL`` named by subject and
    visit in ``trial.exclusions``.

    Subjects that cannot be analysed but do not stop the analysis (no baseline, no
    post-baseline value, no arm) are *excluded with a reason* (``trial.exclusions``,
    ``trial.subjects.excluded``), never dropped silently. SAS users: this is the data step
    before ``PROC MIXED``; R users: the tidying before ``mmrm::mmrm()``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": [1, 1, 2, 2, 3, 3],
    ...                    "arm": ["IR", "IR", "Placebo", "Placebo", "IR", "IR"],
    ...                    "visit": ["Week 0", "Week 6"] * 3,
    ...                    "nrs": [7, 3, 8, 6, None, 4]})
    >>> t = read_trial(df, outcome="nrs", outcome_range=(0, 10))
    >>> t.exclusions
      subject arm             reason  n_rows
    0       3  IR  no baseline value       2
    """
    if format not in ("long", "wide"):
        raise TrialValidationError([Problem(f"format must be 'long' or 'wide', not {format!r}")])
    # column names are read as strings (an integer header 0, 1, ... becomes "0", "1", ...);
    # a single name or label is one item, not a sequence of characters
    if isinstance(covariates, str) or not np.iterable(covariates):
        covariates = (covariates,)
    categorical = _names(categorical)
    numeric = _names(numeric)
    covariates = tuple(dict.fromkeys(
        [str(c).strip() for c in covariates] + list(categorical) + list(numeric)))
    if isinstance(visit_order, str):
        visit_order = (visit_order,)
    if isinstance(arm_order, str):
        arm_order = (arm_order,)

    def name(column: object) -> str | None:
        return None if column is None else str(column).strip()

    schema = TrialSchema(
        subject=name(subject), arm=name(arm), visit=name(visit), outcome=name(outcome),
        baseline=name(baseline), covariates=covariates, categorical=categorical,
        numeric=numeric, strict=bool(strict),
        control=control, visit_num=name(visit_num),
        arm_order=None if arm_order is None else tuple(arm_order),
        visit_order=None if visit_order is None else tuple(str(v) for v in visit_order),
        baseline_visit=baseline_visit, baseline_flag=name(baseline_flag),
        outcome_range=None if outcome_range is None else (
            tuple(outcome_range) if np.iterable(outcome_range) else outcome_range),
        param=param)
    try:
        rec, label = read_source(source, sheet)
    except ReadError as err:
        raise TrialValidationError(err.problems) from None
    row_label = rec.row_label
    if rec.problems:
        raise TrialValidationError(_label_rows(rec.problems, row_label))
    frame = rec.frame
    notes: list[str] = list(rec.notes)
    word = {"lines": "line", "sheet rows": "sheet row"}.get(row_label, "row")
    for why, lines in rec.left_out:
        notes.append(f"not data, left out: {why} ({len(lines)}) at {word}(s) "
                     f"{summarise(lines, word + 's')}")
    if format == "wide":
        frame, schema = _from_wide(frame, schema)
        notes.append(f"wide table reshaped to {len(frame)} subject x visit rows; row counts "
                     "refer to these rows")
    given = schema
    schema = resolve_schema(frame, schema)
    found = [f"{role}={getattr(schema, role)!r}" for role in _ROLES
             if getattr(given, role) is None and getattr(schema, role) is not None]
    if found:
        how = "CDISC ADaM BDS names" if schema.adam else "common column names"
        notes.insert(0, f"columns mapped from {how}: " + ", ".join(found))
    try:
        trial = build_trial(frame, schema, source=label, notes=notes,
                            from_text=row_label == "lines")
    except TrialValidationError as err:
        raise TrialValidationError(_label_rows(err.problems, row_label)) from None
    if rec.n_left_out:
        trial = dataclasses.replace(trial, row_counts={
            **trial.row_counts, "not_data": rec.n_left_out})
    return trial


def _label_rows(problems: Sequence[Problem], row_label: str) -> list[Problem]:
    """Say what the row numbers of the problems are (file lines, sheet rows or rows)."""
    return [dataclasses.replace(p, row_label=row_label) if p.rows else p for p in problems]


def _names(value: Sequence[str] | str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not np.iterable(value):
        value = (value,)
    return tuple(str(v).strip() for v in value)


_ROLES = ("subject", "arm", "visit", "visit_num", "outcome", "baseline", "baseline_flag",
          "param_column")


def _from_wide(frame: pd.DataFrame, schema: TrialSchema) -> tuple[pd.DataFrame, TrialSchema]:
    found = resolve_schema(frame, dataclasses.replace(schema, visit="-", outcome="-"))
    subject, arm, baseline = found.subject, found.arm, found.baseline
    ids = [c for c in (subject, arm, baseline, *schema.covariates) if c is not None]
    problems = V.check_columns(frame, [("subject", subject), ("arm", arm),
                                       ("baseline", baseline)]
                               + [("covariate", c) for c in schema.covariates])
    for role, col in (("subject", subject), ("arm", arm)):
        if col is None:
            problems.append(Problem(f"no {role} column: pass {role}=... (columns are "
                                    f"{list(frame.columns)})"))
    if schema.visit_order is not None:
        visits = list(schema.visit_order)
        problems += V.check_columns(frame, [("visit", v) for v in visits])
    else:
        visits = [c for c in frame.columns if c not in set(ids)]
    if not visits:
        problems.append(Problem("wide format: no visit columns left besides "
                                f"{ids}; pass visit_order=[...]"))
    elif schema.visit_order is None:
        # "Week 2", "Week 10" and an undeclared "AGE": AGE is no visit (it used to become the
        # last visit, i.e. the primary time point); labels without any number keep column order
        labels = [str(v) for v in visits]
        if any(_label_number(v) is not None for v in labels):
            stray = [v for v in labels
                     if _label_number(v) is None and not looks_like_baseline(v)]
            if stray:
                problems.append(Problem(
                    f"wide format: column(s) {stray} hold no visit number, unlike the other "
                    "visit columns; list subject-level columns with covariates=[...] or "
                    "give every visit column in order with visit_order=[...]"))
    if problems:
        raise TrialValidationError(problems)
    value_name = schema.outcome or C.VALUE
    long = wide_to_long(frame, subject, [c for c in ids if c != subject], visits, value_name)
    long.index = np.repeat(frame.index.to_numpy(), len(visits))  # problems name wide rows
    order = schema.visit_order
    if order is None and order_visits([str(v) for v in visits])[2]:
        order = tuple(str(v) for v in visits)  # labels hold no numbers: keep column order
    schema = dataclasses.replace(
        schema, subject=subject, arm=arm, baseline=baseline, visit=VISIT_COLUMN,
        outcome=value_name, visit_order=order, visit_num=None)
    return long, schema


def build_trial(frame: pd.DataFrame, schema: TrialSchema, source: str = "<DataFrame>",
                notes: Sequence[str] = (), from_text: bool = False) -> Trial:
    """Validate ``frame`` under a resolved ``schema`` and build the :class:`Trial`.

    ``frame`` is not modified. Raises :class:`TrialValidationError` listing every problem.
    """
    notes = list(notes)
    problems: list[Problem] = []
    cols = list(frame.columns)
    s = schema
    for role in ("subject", "arm", "visit", "outcome"):
        if getattr(s, role) is None:
            problems.append(Problem(f"no {role} column found: pass {role}=... "
                                    f"(columns are {cols})"))
    problems += V.check_columns(frame, [
        ("subject", s.subject), ("arm", s.arm), ("visit", s.visit), ("outcome", s.outcome),
        ("baseline", s.baseline), ("visit_num", s.visit_num), ("baseline flag", s.baseline_flag),
    ] + [("covariate", c) for c in s.covariates])
    declared, dproblems = declared_types(s.categorical, s.numeric)
    problems += dproblems
    roles_used = {getattr(s, r) for r in ("subject", "arm", "visit", "outcome")} - {None}
    clash = [c for c in s.covariates if c in roles_used]
    if clash:
        problems.append(Problem(f"column(s) {clash} are both a role (subject, arm, visit or "
                                "outcome) and a covariate; a covariate is another column"))

    def has(name: str | None) -> bool:
        return name is not None and name in frame.columns

    # ---- parameter filter (ADaM PARAMCD) ----
    n_other = 0
    if has(s.param_column):
        pcode = to_label(frame[s.param_column])
        params = sorted(pd.unique(pcode.dropna()))
        if s.param is not None:
            if s.param not in params:
                problems.append(Problem(f"parameter {s.param!r} not found in "
                                        f"{s.param_column!r}; parameters are {params}",
                                        column=s.param_column))
            else:
                keep = (pcode == s.param).to_numpy()
                n_other = int((~keep).sum())
                frame = frame[keep]
                if n_other:
                    notes.append(
                        f"kept the {len(frame)} row(s) with {s.param_column} == {s.param!r}; "
                        f"{n_other} row(s) of other parameters left out; row counts refer to "
                        "the kept rows")
        elif len(params) > 1:
            problems.append(Problem(
                f"the file holds {len(params)} parameters in {s.param_column!r}: {params}; "
                "choose one with param=...", column=s.param_column))
    elif s.param is not None:
        problems.append(Problem(f"param={s.param!r} given but there is no parameter column "
                                "(PARAMCD)"))
    if any(p.column == s.param_column or p.message.startswith("param=") for p in problems):
        raise TrialValidationError(problems)  # row checks would mix several parameters

    # ---- coerce role columns (index = the row numbers the user sees) ----
    none = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    notes += _stripped_note(frame, [c for c in (s.subject, s.arm, s.visit) if has(c)])
    subj = to_label(frame[s.subject]) if has(s.subject) else none
    subj = _whole_number_ids(subj, s.subject, notes)
    arm = to_label(frame[s.arm]) if has(s.arm) else none
    visit = to_label(frame[s.visit]) if has(s.visit) else none
    value = pd.Series(np.nan, index=frame.index)
    if has(s.outcome):
        value, bad = parse_numbers(frame[s.outcome])
        problems += V.check_bad_numbers(frame[s.outcome], bad, s.outcome, "outcome", subj)
    base_col = None
    if has(s.baseline):
        base_col, bad = parse_numbers(frame[s.baseline])
        problems += V.check_bad_numbers(frame[s.baseline], bad, s.baseline, "baseline", subj)
    vnum = None
    if has(s.visit_num):
        vnum, bad = parse_numbers(frame[s.visit_num])
        problems += V.check_bad_numbers(frame[s.visit_num], bad, s.visit_num, "visit number",
                                        subj)
    flag = np.zeros(len(frame), dtype=bool)
    if has(s.baseline_flag):
        flag = (to_label(frame[s.baseline_flag]).str.upper() == "Y").to_numpy(dtype=bool)

    range_problem = V.check_range_bounds(s.outcome_range)
    problems += range_problem
    if s.outcome_range is not None and not range_problem:
        problems += V.check_range(value, s.outcome_range, s.outcome, "outcome", subj)
        if base_col is not None:
            problems += V.check_range(base_col, s.outcome_range, s.baseline, "baseline", subj)
    row_groups = []
    ok = (subj.notna() & visit.notna()).to_numpy()
    blank = (subj.isna() & visit.isna() & arm.isna() & value.isna()).to_numpy()
    if blank.any():
        row_groups.append(("empty row", blank))
    if s.adam and "DTYPE" in frame.columns:
        dtype = to_label(frame["DTYPE"])
        derived = dtype.notna().to_numpy() & ~blank
        if derived.any():
            kinds = sorted(pd.unique(dtype[derived]))
            row_groups.append((f"ADaM derived record (DTYPE {', '.join(kinds)})", derived))
            notes.append("ADaM derived records (DTYPE not blank) are left out: the analysis "
                         "uses observed records")
            ok &= ~derived
    if s.adam and "ANL01FL" in frame.columns:
        flagged = (to_label(frame["ANL01FL"]).str.upper() == "Y").to_numpy(dtype=bool)
        unflagged = ~flagged & ~_any_group(row_groups, len(frame))
        if flagged.any() and unflagged.any():
            # name each left-out record by subject and visit (often a second record in a
            # visit window, the flagged one being analysed)
            vis = visit.to_numpy(dtype=object)
            for v in pd.unique(vis[unflagged]):
                mask = unflagged & (vis == v) if v is not None else unflagged & pd.isna(vis)
                row_groups.append((f"ADaM record not flagged for analysis (ANL01FL) at {v}",
                                   mask, True))
            ok &= ~unflagged
    listed = ~_any_group(row_groups, len(frame))
    problems += _blank_role_problems(frame, s, subj, arm, visit, value, listed)
    problems += V.check_duplicates(subj.where(ok), visit.where(ok), s.visit)
    problems += V.check_baseline_flags(subj.where(ok), flag & ok, s.baseline_flag)
    problems += V.check_two_arms(subj, arm, s.arm)
    arm_variants = V.check_case_variants(arm, s.arm, "arm")
    visit_variants = V.check_case_variants(visit, s.visit, "visit")
    # "IRW-01" and "irw-01" would be two randomised subjects, one of them without baseline
    problems += arm_variants + visit_variants + V.check_case_variants(subj, s.subject, "subject")

    # ---- arms and control ----
    arms = sorted(pd.unique(arm[subj.notna()].dropna()))
    control = None
    # without a subject column no row has a subject: "found 0 arm(s)" would be noise
    if has(s.arm) and has(s.subject) and not arm_variants:
        if len(arms) < 2:
            problems.append(Problem(f"found {len(arms)} arm(s) {arms} in {s.arm!r}; a trial "
                                    "needs a control arm and at least one active arm",
                                    column=s.arm))
        elif s.control is not None:
            if str(s.control) in arms:
                control = str(s.control)
            else:
                problems.append(Problem(
                    f"control arm {s.control!r} not found in {s.arm!r}"
                    f"{V.suggest(str(s.control), arms)} (arms are {arms})", column=s.arm))
        else:
            matches = [a for a in arms if CONTROL_PATTERN.search(a)]
            if len(matches) == 1:
                control = matches[0]
            else:
                problems.append(Problem(
                    f"cannot tell which arm is the control among {arms}: pass control=...",
                    column=s.arm))
        if len(arms) >= 2:
            ncol = _arm_number_column(frame, s)
            arms, aproblems = _arm_order(arms, s.arm_order, frame[s.arm], s.arm,
                                         None if ncol is None else (ncol, frame[ncol], arm))
            problems += aproblems
            if ncol is not None and s.arm_order is None and not aproblems:
                notes.append(f"arms in {ncol} order: " + ", ".join(arms)
                             + "; the control goes first")

    # ---- visits ----
    labels = sorted(pd.unique(visit[ok]))
    order: list[str] = []
    nums: dict[str, float] = {}
    base_visit = None
    if has(s.visit) and labels and not visit_variants:
        nmap = None
        if vnum is not None and s.visit_order is None:
            nmap, vproblems = _visit_numbers(visit[ok], vnum[ok], s.visit_num, subj[ok])
            problems += vproblems
        if vnum is None and s.visit_order is None:
            nmap, dproblems, dnote = date_visits(labels, visit[ok], subj[ok], s.visit)
            problems += dproblems
            notes += [dnote] if dnote else []
        else:
            dproblems = []
        oproblems = []
        if not dproblems and (vnum is None or s.visit_order is not None or nmap is not None):
            order, nums, oproblems = order_visits(labels, nmap, s.visit_order)
            problems += [dataclasses.replace(p, column=s.visit) for p in oproblems]
        if order and not oproblems:
            base_visit, bproblem = _baseline_visit(s, order, nmap, visit, flag & ok)
            problems += bproblem
            if not bproblem:
                if not (flag & ok).any():  # ABLFL names the baseline record in the data
                    problems += _before_baseline(s, order, nums, base_visit, visit, ok, subj)
    cwarnings: list[str] = []
    covs, cproblems = parse_covariates(frame, [c for c in s.covariates if c not in clash],
                                       declared, from_text, subj, cwarnings)
    problems += cproblems
    if problems:
        raise TrialValidationError(problems)
    roles = Roles(subject=subj, arm=arm, visit=visit, value=value, baseline=base_col,
                  flag=flag, usable=ok)
    trial = assemble(frame, s, roles, arms, control, order, nums, base_visit, source, notes,
                     row_groups, n_other, covs)
    if cwarnings:
        trial = dataclasses.replace(trial, warnings=(*trial.warnings, *cwarnings))
    label = _param_label(frame, s, ok)
    if label is not None:
        trial = dataclasses.replace(trial, outcome=label, notes=(
            *trial.notes, f"outcome labelled by PARAM: {label!r} (values from {s.outcome!r})"))
    if s.strict and trial.warnings:
        raise TrialValidationError(
            [Problem(f"{w} (an error because of strict=True / --strict; without it, a warning)")
             for w in trial.warnings])
    return trial


def _stripped_note(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """A note counting the label cells whose leading/trailing spaces were stripped."""
    counts = {}
    for c in columns:
        col = frame[c]
        if col.dtype != object:
            continue
        tally = col.value_counts(dropna=True)  # per distinct value: fast on long tables
        padded = [isinstance(u, str) and u != u.strip() for u in tally.index]
        n = int(tally[np.array(padded, dtype=bool)].sum()) if len(tally) else 0
        if n:
            counts[c] = n
    if not counts:
        return []
    return [f"leading/trailing spaces stripped from {sum(counts.values())} label cell(s) ("
            + ", ".join(f"{c!r}: {n}" for c, n in counts.items()) + ")"]


_WHOLE = re.compile(r"^[+-]?\d+\.0+$")


def _whole_number_ids(subj: pd.Series, column: str | None, notes: list[str]) -> pd.Series:
    """``"1001.0"`` -> ``"1001"`` (as the Excel and XPT readers give), with a note.

    A spreadsheet that stored some ids as numbers exports them with a trailing ".0"; the
    same subject would otherwise count twice.
    """
    values = subj.dropna()
    distinct = pd.unique(values)
    fix = {u: u.split(".")[0] for u in distinct if _WHOLE.match(u)}
    if not fix:
        return subj
    out = subj.map(lambda u: fix.get(u, u) if u is not None else None)
    clash = sorted(set(fix.values()) & set(distinct))
    n = int(values.isin(list(fix)).sum())
    detail = (f"; {len(clash)} of them also appear without it and are one subject each "
              f"({summarise(clash, 'ids')})") if clash else ""
    notes.append(f"{n} subject id cell(s) in {column!r} end in '.0' and were read as whole "
                 f"numbers (e.g. {next(iter(fix))!r} -> {fix[next(iter(fix))]!r}){detail}")
    return out


def _blank_role_problems(frame, s, subj, arm, visit, value, listed) -> list[Problem]:
    """Blank subject ids, subjects without any arm, and role columns that are all empty."""
    problems = []
    for role, col, series in (("subject", s.subject, subj), ("arm", s.arm, arm),
                              ("visit", s.visit, visit)):
        if col is not None and col in frame.columns and len(series) and series.isna().all():
            problems.append(Problem(
                f"the {role} column {col!r} is empty: every one of its {len(series)} values "
                f"is missing; check the column mapping ({role}=...)", column=col))
            return problems
    if s.outcome in frame.columns and len(value) and value.isna().all():
        problems.append(Problem(f"the outcome column {s.outcome!r} is empty: every value is "
                                "missing; check the column mapping (outcome=...)",
                                column=s.outcome))
    if s.subject not in frame.columns:
        return problems
    has_any = (subj.notna() | arm.notna() | visit.notna() | value.notna()).to_numpy()
    no_id = listed & has_any & subj.isna().to_numpy()
    if no_id.any():
        problems.append(V.rows_problem(
            f"{int(no_id.sum())} row(s) have a blank subject id; give every row its subject "
            "(a data error, not an exclusion)", s.subject, no_id, subj))
    known = subj.notna().to_numpy() & listed
    if known.any() and s.arm in frame.columns:
        codes, ids = pd.factorize(subj.to_numpy(dtype=object))
        with_arm = np.bincount(codes[known & arm.notna().to_numpy()], minlength=len(ids))
        seen = np.bincount(codes[known], minlength=len(ids))
        armless = set(ids[(seen > 0) & (with_arm == 0)])
        if armless:
            mask = known & subj.isin(armless).to_numpy()
            problems.append(V.rows_problem(
                f"{len(armless)} subject(s) have a blank arm on every row; give each subject "
                "its randomised arm (a data error, not an exclusion)", s.arm, mask, subj))
    return problems


def _param_label(frame: pd.DataFrame, s: TrialSchema, ok: np.ndarray) -> str | None:
    """The ADaM ``PARAM`` text of the analysed records, when there is exactly one."""
    if not s.adam or "PARAM" not in frame.columns or s.outcome != C.ADAM_VALUE:
        return None
    labels = pd.unique(to_label(frame["PARAM"])[ok].dropna())
    return str(labels[0]) if len(labels) == 1 else None


def _arm_number_column(frame: pd.DataFrame, s: TrialSchema) -> str | None:
    """ADaM's numeric arm code (TRTPN for TRTP, TRT01PN for TRT01P...), when present."""
    if not s.adam or s.arm_order is not None or s.arm is None:
        return None
    if isinstance(frame[s.arm].dtype, pd.CategoricalDtype):
        return None
    name = s.arm + "N"
    return name if name in frame.columns else None


def _arm_order(arms: list[str], given: Sequence[object] | None, raw: pd.Series,
               column: str, numbers: tuple[str, pd.Series, pd.Series] | None = None
               ) -> tuple[list[str], list[Problem]]:
    """The arms in order: ``arm_order`` as given, else a Categorical's categories, else the
    ADaM arm number (``TRTPN``), else sorted.

    Labels are compared as read (stripped strings, integral numbers without ``.0``). An
    ``arm_order`` that leaves out an arm, names one that is not in the data or repeats one is
    a problem listing them.
    """
    if given is not None:
        labels = [str(v) if v is None else v
                  for v in to_label(pd.Series(list(given), dtype=object))]
        unknown = [a for a in dict.fromkeys(labels) if a not in arms]
        missing = [a for a in arms if a not in labels]
        twice = [a for a, n in Counter(labels).items() if n > 1]
        if not (unknown or missing or twice):
            return labels, []
        parts = []
        if unknown:
            hints = [V.suggest(a, arms).removeprefix("; ") for a in unknown]
            hint = f" ({' '.join(h for h in hints if h)})" if any(hints) else ""
            parts.append(f"unknown arm(s) {unknown}{hint}")
        if missing:
            parts.append(f"missing arm(s) {missing}")
        if twice:
            parts.append(f"arm(s) {twice} listed more than once")
        return arms, [Problem(f"arm_order={labels} does not match the arms {arms} in "
                              f"{column!r}: " + "; ".join(parts) + "; list every arm once",
                              column=column)]
    if isinstance(raw.dtype, pd.CategoricalDtype):
        cats = to_label(pd.Series(raw.cat.categories.to_numpy(dtype=object), dtype=object))
        order = [a for a in dict.fromkeys(cats.dropna()) if a in arms]
        return order + [a for a in arms if a not in order], []
    if numbers is not None:
        ncol, nraw, labels = numbers
        num, _ = parse_numbers(nraw)
        pairs = pd.DataFrame({"arm": labels.to_numpy(dtype=object),
                              "n": num.to_numpy(dtype=float)}).dropna()
        per_arm = pairs.groupby("arm")["n"].agg(["min", "max"])
        clash = [a for a in arms if a in per_arm.index
                 and per_arm.loc[a, "min"] != per_arm.loc[a, "max"]]
        missing = [a for a in arms if a not in per_arm.index]
        same = per_arm["min"].duplicated(keep=False)
        if clash or missing or same.any():
            detail = "; ".join(x for x in (
                f"arm(s) {clash} have several numbers" if clash else "",
                f"arm(s) {missing} have none" if missing else "",
                f"arms {sorted(per_arm.index[same])} share a number" if same.any() else "")
                if x)
            return arms, [Problem(f"cannot order the arms by {ncol!r}: {detail}; pass "
                                  "arm_order=[...]", column=ncol)]
        return sorted(arms, key=lambda a: (per_arm.loc[a, "min"], a)), []
    return arms, []


def _any_group(groups: list[tuple[str, np.ndarray]], n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    for _, mask, *_named in groups:
        out |= mask
    return out


def _visit_numbers(visit: pd.Series, vnum: pd.Series, column: str, subj: pd.Series):
    """Label -> number from a numeric visit column; problems when not one number per label."""
    vcode, vlabels = pd.factorize(visit.to_numpy(dtype=object))
    num = vnum.to_numpy(dtype=float)
    m = (vcode >= 0) & ~np.isnan(num)
    lo = np.full(len(vlabels), np.inf)
    hi = np.full(len(vlabels), -np.inf)
    np.minimum.at(lo, vcode[m], num[m])
    np.maximum.at(hi, vcode[m], num[m])
    problems = []
    several = sorted(str(vlabels[i]) for i in np.flatnonzero(np.isfinite(lo) & (hi > lo)))
    if several:
        problems.append(V.rows_problem(
            f"visits {several} have more than one number in {column!r}", column,
            visit.isin(several).to_numpy(), subj))
    nonum = sorted(str(vlabels[i]) for i in np.flatnonzero(~np.isfinite(lo)))
    if nonum:
        problems.append(V.rows_problem(f"visits {nonum} have no number in {column!r}", column,
                                       visit.isin(nonum).to_numpy(), subj))
    return (None if problems else dict(zip(vlabels, lo.tolist(), strict=True))), problems


def _before_baseline(s: TrialSchema, order: list[str], nums: dict[str, float],
                     base_visit: str | None, visit: pd.Series, ok: np.ndarray,
                     subj: pd.Series) -> list[Problem]:
    """Visits ordered before the baseline visit are a problem unless the user named it.

    A "-3" typo for week 3 would otherwise become the baseline (or be left out): either way
    the analysis changes. The default baseline (the first visit) is questioned when a later
    visit reads like a baseline ("Week 0", "Baseline") and the first one does not. Records
    flagged ABLFL = "Y" name the baseline in the data: earlier (screening) visits are then
    left out and counted without a problem.
    """
    if s.baseline_visit is not None or not order:
        return []
    like = [v for v in order if looks_like_baseline(v, nums.get(v))]
    if like and like[0] != order[0] and base_visit in (None, order[0]):
        base = like[0]
    elif base_visit is None:
        return []
    else:
        base = base_visit
        if base == order[0] and len(order) > 1 and s.baseline is None and not like:
            # the default baseline (first visit) recorded for few subjects: a typo?
            who = subj[ok]
            n_all = who.nunique()
            n_base = who[(visit[ok] == base).to_numpy()].nunique()
            if n_base < 0.5 * n_all:
                mask = ok & (visit == base).to_numpy()
                return [V.rows_problem(
                    f"the first visit {base!r} (the baseline by default) is recorded for only "
                    f"{n_base} of {n_all} subjects; a typo (e.g. '-3' for '3')? Fix the labels, "
                    "or name the baseline visit with baseline_visit=...", s.visit, mask, subj)]
    before = order[:order.index(base)]
    if not before:
        return []
    mask = ok & visit.isin(before).to_numpy()
    return [V.rows_problem(
        f"visit(s) {before} come before the baseline visit {base!r} (visit numbers "
        + ", ".join(f"{v}: {nums.get(v, float('nan')):g}" for v in [*before, base])
        + f"); a typo (e.g. '-3' for '3')? Fix the labels, or confirm the baseline with "
        f"baseline_visit={base!r} (the earlier visits are then left out and counted)",
        s.visit, mask, subj)]


def _baseline_visit(s: TrialSchema, order: list[str], nmap: dict[str, float] | None,
                    visit: pd.Series, flagged: np.ndarray) -> tuple[str | None, list[Problem]]:
    if s.baseline_visit is not None:
        bv = str(s.baseline_visit)
        if bv not in order:
            return None, [Problem(f"baseline visit {bv!r} not found in {s.visit!r}"
                                  f"{V.suggest(bv, order)} (visits are {order})",
                                  column=s.visit)]
        return bv, []
    if flagged.any():
        counts = visit[flagged].value_counts()
        top = counts[counts == counts.max()].index
        return min(top, key=order.index), []
    if s.baseline is not None:
        first = order[0]
        number = None if nmap is None else nmap.get(first)
        return (first if looks_like_baseline(first, number) else None), []
    return order[0], []
