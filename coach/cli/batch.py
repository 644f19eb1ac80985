"""``coach batch``: a file of answers graded streaming, in parallel, resumably.

The runner is the ``coach.batch`` package (a different package from this
module); it is imported inside the command, as everything beyond typer is.
"""

from __future__ import annotations

from typing import Annotated

import typer

from coach.answers import DEFAULT_MAX_BYTES
from coach.cli.app import MaxBytes, app
from coach.cli_model import ModelOpt, NoCacheOpt, OfflineOpt, TimeoutOpt, model_settings


@app.command()
def batch(
    infile: Annotated[str, typer.Argument(metavar="IN", help="Answers: a .jsonl or .csv file.")],
    out: Annotated[str, typer.Option("--out", "-o", help="Results: a .jsonl or .csv file (resumed if it exists).")],
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Worker processes offline; answers graded at once with a model.  "
            "[default: CPU count offline, 8 (or COACH_JOBS, or the config file) with a model]",
            show_default=False,
        ),
    ] = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    retry_errors: Annotated[
        bool, typer.Option("--retry-errors", help="Drop earlier error records from OUT and grade those rows again.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar and no summary; errors only.")] = False,
    model: ModelOpt = None,
    offline: OfflineOpt = False,
    timeout: TimeoutOpt = None,
    no_cache: NoCacheOpt = False,
    provider_batch: Annotated[
        bool,
        typer.Option(
            "--provider-batch",
            help="Send the model requests through the OpenAI Batch API (half the price, results within 24 h; "
            "resumable).",
        ),
    ] = False,
) -> None:
    """Grade a file of answers (JSONL or CSV), streaming, in parallel, resumably."""
    from coach.batch import run_batch

    settings = model_settings(model, offline, timeout, no_cache, jobs=jobs)
    code = run_batch(
        infile,
        out,
        jobs=jobs,
        max_bytes=max_bytes,
        retry_errors=retry_errors,
        quiet=quiet,
        settings=settings,
        provider_batch=provider_batch,
    )
    if code:
        raise typer.Exit(code)
