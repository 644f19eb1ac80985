"""The ``coach`` typer app: the root callback (``--version``, the TUI with no command) and shared option types.

Every command module in ``coach.cli`` registers its commands on ``app``;
``coach.cli`` imports them in the order ``coach --help`` lists them. This
module imports nothing from the command modules, so there is no cycle.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from coach.cli_model import ModelOpt, NoCacheOpt, OfflineOpt, TimeoutOpt, model_settings
from coach.errors import EXIT_USAGE, CoachError
from coach.vocabulary import KINDS

EXIT_INTERNAL = 70  # an unexpected error in coach itself (EX_SOFTWARE)

app = typer.Typer(
    name="coach",
    help="A terminal interview coach and KPI-tree critic for product-manager candidates. "
    "With no command, opens the practice TUI.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


KindChoice = StrEnum("KindChoice", {kind: kind for kind in KINDS})  # --kind's choices, in coach.vocabulary's order


MaxBytes = Annotated[
    int,
    typer.Option("--max-bytes", min=1, help="Largest answer accepted, in bytes.", show_default=True),
]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"coach {version('coach')}")
        except PackageNotFoundError:
            typer.echo("coach (not installed)")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    show_version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    model: ModelOpt = None,
    offline: OfflineOpt = False,
    timeout: TimeoutOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    if ctx.invoked_subcommand is None:
        run_tui(model, offline, timeout, no_cache)
    elif model is not None or offline or timeout is not None or no_cache:
        # Only the TUI reads them here; a command's own options are given after its name.
        raise CoachError(
            f"give --model, --offline, --timeout and --no-cache after the command: coach {ctx.invoked_subcommand} ...",
            EXIT_USAGE,
        )


def run_tui(model: str | None, offline: bool, timeout: float | None, no_cache: bool) -> None:
    """The practice TUI (``coach`` alone and ``coach practice``); textual loads only here."""
    settings = model_settings(model, offline, timeout, no_cache)
    if settings.use_model:
        from coach.llm.client import check_model

        check_model(settings)
    from coach.tui.app import run

    run(settings=settings)
