"""The ``irtrial`` command line: one module per command, registered here.

The CLI imports the library and never the other way round; it holds no statistics.

Examples
--------
>>> from typer.testing import CliRunner
>>> CliRunner().invoke(app, ["--help"]).exit_code
0
"""

from __future__ import annotations

from typing import Annotated

import typer

from irtrial.cli.plan import plan_app
from irtrial.cli.power import power
from irtrial.cli.report import report
from irtrial.cli.synth import synth
from irtrial.cli.validate import validate

__all__ = ["app", "main"]

app = typer.Typer(
    name="irtrial",
    help="Statistics for randomised placebo-controlled trials with repeated measurements.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("validate")(validate)
app.command("synth")(synth)
app.command("report")(report)
app.command("power")(power)
app.add_typer(plan_app, name="plan")


def _version(value: bool) -> None:
    if value:
        from irtrial import __version__

        typer.echo(f"irtrial {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on error.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Statistics for randomised placebo-controlled trials with repeated measurements."""
    ctx.obj = {"debug": debug}


def main() -> None:
    """Entry point of the ``irtrial`` console script."""
    app()
