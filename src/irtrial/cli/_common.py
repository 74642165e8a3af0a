"""Shared pieces of the commands: mapping options, reading a trial, and user-error handling.

The command modules stay thin: they declare options, call :mod:`irtrial` and print. A user
error (an :class:`~irtrial.errors.IrtrialError`, a file that cannot be read or written) becomes
one readable message on stderr and exit code 2; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import re
import shlex
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console

from irtrial.errors import IrtrialError

__all__ = [
    "USER_ERROR",
    "console",
    "err_console",
    "user_errors",
    "as_options",
    "abort",
    "read_mapped_trial",
    "command_line",
    "print_frame",
    "FileArg",
    "SubjectOpt",
    "ArmOpt",
    "VisitOpt",
    "OutcomeOpt",
    "BaselineOpt",
    "ControlOpt",
    "CovariateOpt",
    "VisitNumOpt",
    "VisitOrderOpt",
    "ArmOrderOpt",
    "BaselineVisitOpt",
    "BaselineFlagOpt",
    "RangeOpt",
    "ParamOpt",
    "FormatOpt",
    "SheetOpt",
    "FactorOpt",
    "NumericOpt",
    "StrictOpt",
    "DebugOpt",
]

#: exit code of every user error (as click uses for usage errors)
USER_ERROR = 2

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

_MAP = "Column mapping"

FileArg = Annotated[Path, typer.Argument(
    help="Trial data: CSV/TSV, Excel, Parquet, SAS XPT or sas7bdat.", show_default=False)]
SubjectOpt = Annotated[str | None, typer.Option(
    "--subject", help="Subject id column (default: USUBJID or a column named like 'subject').",
    rich_help_panel=_MAP)]
ArmOpt = Annotated[str | None, typer.Option(
    "--arm", help="Randomised arm column (default: TRT01P/TRTP/ARM or 'arm').",
    rich_help_panel=_MAP)]
VisitOpt = Annotated[str | None, typer.Option(
    "--visit", help="Visit label column (default: AVISIT or 'visit').", rich_help_panel=_MAP)]
OutcomeOpt = Annotated[str | None, typer.Option(
    "--outcome", help="Outcome column (default: AVAL or 'value'); in a wide file it names the "
    "outcome held in the visit columns (shown in tables and the report).",
    rich_help_panel=_MAP)]
BaselineOpt = Annotated[str | None, typer.Option(
    "--baseline", help="Column holding each subject's baseline value (ADaM BASE); without it, "
    "the outcome at the baseline visit.", rich_help_panel=_MAP)]
ControlOpt = Annotated[str | None, typer.Option(
    "--control", help="Label of the control arm (default: the arm that looks like placebo).",
    rich_help_panel=_MAP)]
CovariateOpt = Annotated[list[str] | None, typer.Option(
    "--covariate", help="Subject-level covariate column; repeat for several.",
    rich_help_panel=_MAP, show_default=False)]
VisitNumOpt = Annotated[str | None, typer.Option(
    "--visit-num", help="Numeric visit-order column (ADaM AVISITN).", rich_help_panel=_MAP)]
VisitOrderOpt = Annotated[list[str] | None, typer.Option(
    "--visit-order", help="Visit labels in order; repeat once per visit.",
    rich_help_panel=_MAP, show_default=False)]
ArmOrderOpt = Annotated[list[str] | None, typer.Option(
    "--arm-order", help="Arm labels in order (the control still first); repeat once per arm. "
    "Default: a categorical column's own order, else alphabetical.", rich_help_panel=_MAP,
    show_default=False)]
BaselineVisitOpt = Annotated[str | None, typer.Option(
    "--baseline-visit", help="Label of the baseline visit (default: ABLFL, else the first).",
    rich_help_panel=_MAP)]
BaselineFlagOpt = Annotated[str | None, typer.Option(
    "--baseline-flag", help="Column flagging baseline records with 'Y' (ADaM ABLFL).",
    rich_help_panel=_MAP)]
RangeOpt = Annotated[tuple[float, float] | None, typer.Option(
    "--range", metavar="LOW HIGH", help="Valid outcome range, e.g. --range 0 10 for an NRS.",
    rich_help_panel=_MAP, show_default=False)]
ParamOpt = Annotated[str | None, typer.Option(
    "--param", help="PARAMCD value to keep when the file holds several parameters.",
    rich_help_panel=_MAP)]
FormatOpt = Annotated[str, typer.Option(
    "--format", help="'long' (one row per subject x visit) or 'wide' (one column per visit).",
    rich_help_panel=_MAP)]
SheetOpt = Annotated[str | None, typer.Option(
    "--sheet", help="Excel sheet name or 0-based number.", rich_help_panel=_MAP)]
FactorOpt = Annotated[list[str] | None, typer.Option(
    "--factor", help="Covariate to use as categorical (a factor: SAS CLASS, R factor()), e.g. "
    "a site code stored as numbers; implies --covariate. Repeat for several.",
    rich_help_panel=_MAP, show_default=False)]
NumericOpt = Annotated[list[str] | None, typer.Option(
    "--numeric", help="Covariate to use as numeric (one slope); implies --covariate. Repeat "
    "for several.", rich_help_panel=_MAP, show_default=False)]
StrictOpt = Annotated[bool, typer.Option(
    "--strict", help="Treat warnings (e.g. more than 10%% of subjects or half an arm left out) "
    "as errors (exit code 2).")]
DebugOpt = Annotated[bool, typer.Option(
    "--debug", help="Show the full traceback on error.")]


def abort(message: str, code: int = USER_ERROR) -> None:
    """Print ``message`` to stderr (no markup interpretation) and exit with ``code``."""
    err_console.print(message, markup=False)
    raise typer.Exit(code)


def _debug_requested(debug: bool) -> bool:
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    return debug or bool(root is not None and isinstance(root.obj, dict) and root.obj.get("debug"))


#: "pass subject=..." in a library message -> "pass --subject ..." on the command line
_PYTHON_ARGUMENT = re.compile(
    r"\b(subject|arm|visit|outcome|baseline|control|param|visit_order|visit_num|arm_order|"
    r"baseline_visit|baseline_flag|covariates|categorical|numeric)=(\[\.\.\.\]|\.\.\.)?(?![\w'\"\[(])")


#: "baseline_visit='Week 0'" -> "--baseline-visit 'Week 0'"
_PYTHON_VALUE = re.compile(
    r"\b(?:with|pass) (subject|arm|visit|outcome|baseline|control|param|visit_num|"
    r"baseline_visit|baseline_flag)=('[^']*'|\"[^\"]*\")")


def as_options(message: str) -> str:
    """Rewrite read_trial's keyword hints (``pass subject=...``) as command-line options."""
    def option(match: re.Match[str]) -> str:
        name = {"covariates": "covariate", "categorical": "factor"}.get(
            match.group(1), match.group(1))
        return f"--{name.replace('_', '-')} ..."

    def valued(match: re.Match[str]) -> str:
        name = {"covariates": "covariate", "categorical": "factor"}.get(
            match.group(1), match.group(1))
        verb = match.group(0).split(" ", 1)[0]
        return f"{verb} --{name.replace('_', '-')} {match.group(2)}"

    message = _PYTHON_VALUE.sub(valued, message)
    return _PYTHON_ARGUMENT.sub(option, message)


@contextmanager
def user_errors(debug: bool = False) -> Iterator[None]:
    """Turn expected errors into a message and exit code 2; ``debug`` adds the traceback.

    Unexpected exceptions (bugs) exit with code 1 and ask for ``--debug``.
    """
    debug = _debug_requested(debug)
    try:
        yield
    except (typer.Exit, click.exceptions.Exit, click.ClickException):
        raise
    except (IrtrialError, OSError) as exc:
        if debug:
            err_console.print(traceback.format_exc(), markup=False)
        message = (as_options(str(exc)) if isinstance(exc, IrtrialError)
                   else f"{type(exc).__name__}: {exc}")
        abort(f"error: {message}", USER_ERROR)
    except Exception as exc:  # a bug: say so, keep the traceback for --debug
        if debug:
            err_console.print(traceback.format_exc(), markup=False)
        abort(f"internal error: {type(exc).__name__}: {exc}\n"
              "Run again with --debug for the traceback, and please report it.", 1)


def read_mapped_trial(file: Path, **mapping: Any) -> Any:
    """Call :func:`irtrial.read_trial` with the command-line mapping (None = not given)."""
    from irtrial import read_trial

    kwargs: dict[str, Any] = {k: v for k, v in mapping.items() if v not in (None, [], ())}
    for key in ("covariates", "visit_order", "arm_order", "categorical", "numeric"):
        if key in kwargs:
            kwargs[key] = tuple(kwargs[key])
    if "sheet" in kwargs and str(kwargs["sheet"]).isdigit():
        kwargs["sheet"] = int(kwargs["sheet"])
    return read_trial(file, **kwargs)


def command_line(ctx: typer.Context) -> str:
    """The command as typed, rebuilt from the parsed parameters (for provenance)."""
    parts = [ctx.command_path]
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        if value in (None, False, [], ()) or value == param.default:
            continue
        if isinstance(param, click.Argument):
            parts.append(shlex.quote(str(value)))
            continue
        flag = param.opts[0]
        if value is True:
            parts.append(flag)
        elif isinstance(value, tuple) and param.nargs > 1:
            parts.append(flag + " " + " ".join(f"{v:g}" if isinstance(v, float) else str(v)
                                               for v in value))
        elif isinstance(value, list | tuple):
            parts.extend(f"{flag} {shlex.quote(str(v))}" for v in value)
        else:
            parts.append(f"{flag} {shlex.quote(str(value))}")
    return " ".join(parts)


def print_frame(frame: Any, title: str | None = None, numeric_from: int = 1) -> None:
    """Print a display DataFrame as a rich table (columns from ``numeric_from`` right-aligned)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, title_justify="left",
                  title_style="bold", show_edge=False, header_style="bold")
    for k, col in enumerate(frame.columns):
        table.add_column(Text(str(col)), justify="right" if k >= numeric_from else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    if console.is_terminal:
        console.print(table)
        return
    # a pipe or a file is not cut at 80 columns: the table takes the width it needs
    saved = console._width
    console.width = 10_000
    try:
        console.print(table)
    finally:
        console._width = saved
