"""``run_batch``: the whole command, from checking its arguments to the summary."""

from __future__ import annotations

import contextlib
import csv
import io
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.answers import DEFAULT_MAX_BYTES, terminal_safe
from coach.batch.model import BatchEvents, model_column, model_results, model_summary, provider_results
from coach.batch.records import Config, RowOutcome, csv_header
from coach.batch.resume import Plan, Tally, load_existing
from coach.batch.rows import input_format, output_format, read_items
from coach.batch.summary import print_summary
from coach.batch.workers import default_jobs, ordered_results
from coach.errors import EXIT_ERRORS_IN_BATCH, EXIT_OK, EXIT_USAGE, CoachError, InputError

if TYPE_CHECKING:
    from coach.llm.session import RunStats
    from coach.settings import Settings


class _Interrupt:
    """First Ctrl-C: finish writing the record in hand, then stop. Second Ctrl-C: stop now."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def __enter__(self) -> _Interrupt:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread
            self._previous = None
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def _write_all(f: Any, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = f.write(view)
        view = view[n:]


def _checked_paths(in_path: str, out_path: str, max_bytes: int, jobs: int) -> tuple[Path, Path]:
    """The input and output paths, once the options are known to make sense; ``CoachError`` otherwise."""
    if max_bytes <= 0:
        raise CoachError(f"--max-bytes must be a positive number of bytes, not {max_bytes}", EXIT_USAGE)
    if jobs < 1:
        raise CoachError(f"--jobs must be at least 1, not {jobs}", EXIT_USAGE)
    src = Path(in_path)
    if not src.is_file():
        raise InputError(f"{in_path}: no such file" if not src.exists() else f"{in_path}: not a file")
    out = Path(out_path)
    if out.exists() and out.resolve() == src.resolve():
        raise CoachError("--out must not be the input file", EXIT_USAGE)
    if not out.parent.is_dir():
        raise InputError(f"{out_path}: the folder {str(out.parent)!r} does not exist")
    return src, out


def _progress(console: Any, stats: RunStats | None, quiet: bool) -> Any:
    """The progress bar on stderr (off when quiet or not a terminal), with the model counters when there is one."""
    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns: list[ProgressColumn] = [
        TextColumn("grading"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[graded]} graded, {task.fields[errors]} errors"),
    ]
    if stats is not None:
        columns.append(model_column(stats))
    return Progress(
        *columns,
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet or not console.is_terminal,
        transient=False,
    )


def _write_results(
    results: Iterator[RowOutcome], sink: Any, new: Tally, progress: Any, task: Any, stop: _Interrupt, in_path: str
) -> bool:
    """Write each record as it comes, report broken rows on stderr; True when Ctrl-C stopped the writing."""
    from rich.text import Text

    for outcome in results:
        _write_all(sink, outcome.data)
        new.add(outcome.verdict, outcome.statuses)
        if outcome.error is not None:
            who = f"id {outcome.id!r}" if outcome.id is not None else "no id"
            msg = Text(terminal_safe(f"{in_path}:{outcome.line}: {who}: "), style="bold")
            msg.append(Text(terminal_safe(outcome.error.replace("\n", " "))))
            progress.console.print(msg, soft_wrap=True, highlight=False)
        progress.update(task, completed=outcome.pos, graded=new.graded, errors=new.errors)
        if stop.requested:
            return True
    return False


def run_batch(
    in_path: str,
    out_path: str,
    *,
    jobs: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    retry_errors: bool = False,
    quiet: bool = False,
    console: Any = None,
    settings: Settings | None = None,
    provider_batch: bool = False,
) -> int:
    """Grade ``in_path`` into ``out_path``; return the exit code (0, or 1 when some rows errored).

    With ``settings`` that ask for a model, rows are graded through it (``settings.jobs`` at once; ``jobs``
    is the number of worker processes offline), or with ``provider_batch`` through the OpenAI Batch API.
    """
    from rich.console import Console
    from rich.text import Text

    console = console or Console(stderr=True)
    use_model = settings is not None and settings.use_model
    if provider_batch and not use_model:
        raise CoachError("--provider-batch needs a model (--model, COACH_MODEL or OPENAI_API_KEY)", EXIT_USAGE)
    fmt_in, fmt_out = input_format(in_path), output_format(out_path)
    jobs = default_jobs() if jobs is None else jobs
    src, out = _checked_paths(in_path, out_path, max_bytes, jobs)

    stats: RunStats | None = None
    if use_model:
        assert settings is not None
        from coach.llm.client import check_model
        from coach.llm.session import RunStats

        check_model(settings)
        stats = RunStats()

    # Load the grader and its data once, before the workers fork, so they share it.
    from coach.grade import grade  # noqa: F401
    from coach.rubric.model import load_rubric
    from coach.scenarios import load_scenarios

    rubric = load_rubric()
    load_scenarios()
    criteria = tuple(c.id for c in rubric.criteria)
    cfg = Config(fmt=fmt_out, criteria=criteria, max_bytes=max_bytes)
    tally = Tally(criteria)
    existing = load_existing(out, fmt_out, criteria, tally, retry_errors)
    if existing.truncated:
        console.print(
            Text(f"{out_path}: cut off a half-written last record ({existing.truncated} bytes)"), soft_wrap=True
        )
    plan = Plan(existing)
    total = src.stat().st_size
    new = Tally(criteria)
    started = time.monotonic()

    progress = _progress(console, stats, quiet)
    events = BatchEvents(progress.console, quiet)
    # A provider batch can wait on the provider for hours: Ctrl-C stops it at once (it is resumable) rather
    # than after the next record, which arrives only when the whole batch is done.
    interrupt: Any = contextlib.nullcontext(_Interrupt()) if provider_batch else _Interrupt()
    interrupted = False
    try:
        with open(out, "ab", buffering=0) as sink, interrupt as stop, progress:
            task = progress.add_task("grading", total=max(total, 1), graded=0, errors=0)
            if fmt_out == "csv" and sink.tell() == 0:
                header = io.StringIO()
                csv.writer(header, lineterminator="\n").writerow(csv_header(criteria))
                _write_all(sink, header.getvalue().encode("utf-8"))
            items = read_items(in_path, fmt_in, max_bytes)
            todo = plan.filter(items)
            if provider_batch:
                assert settings is not None and stats is not None
                results = provider_results(todo, cfg, settings, stats, events)
            elif use_model:
                assert settings is not None and stats is not None
                results = model_results(todo, cfg, settings, stats)
            else:
                results = ordered_results(todo, cfg, jobs)
            with contextlib.closing(results):
                interrupted = _write_results(results, sink, new, progress, task, stop, in_path)
            if not interrupted:
                progress.update(task, completed=max(total, 1))
    except KeyboardInterrupt:
        interrupted = True
    elapsed = time.monotonic() - started

    if interrupted:
        console.print(
            Text(
                f"Interrupted: {new.graded + new.errors} new records are safe in {out_path}; "
                "run the same command again to resume."
            ),
            soft_wrap=True,
        )
        return 130
    errors = new.errors + plan.skipped_errors
    if not quiet:
        print_summary(console, in_path, out_path, tally, new, plan, existing, elapsed, rubric)
        if stats is not None and settings is not None:
            console.print(Text(model_summary(settings, stats)), soft_wrap=True)
    return EXIT_ERRORS_IN_BATCH if errors else EXIT_OK
