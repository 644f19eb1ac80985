"""Grading through a model: one event-loop session, or the provider's Batch API; and their progress lines."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from coach.answers import terminal_safe
from coach.batch.records import Config, RowOutcome, error_outcome, grade_args, internal_error, result_outcome
from coach.batch.rows import Item
from coach.batch.workers import WINDOW_PER_JOB
from coach.errors import CoachError

if TYPE_CHECKING:
    from coach.llm.provider_batch import BatchEvent
    from coach.llm.session import RunStats
    from coach.settings import Settings


def model_results(items: Iterable[Item], cfg: Config, settings: Settings, stats: RunStats) -> Iterator[RowOutcome]:
    """Outcomes in input order, graded through the model with ``settings.jobs`` answers in flight.

    One event-loop thread grades concurrently (the work is waiting on the provider, not the CPU); a window
    of pending rows keeps memory flat, exactly as the process pool's window does offline.
    """
    from concurrent.futures import Future

    from coach.llm.pipeline import ModelGrade, ModelRunner

    def settle(item: Item, slot: RowOutcome | Future[ModelGrade]) -> RowOutcome:
        if isinstance(slot, RowOutcome):
            return slot
        try:
            graded = slot.result()
        except Exception as exc:  # the offline grader itself failed: that row only
            return error_outcome(item, internal_error(exc), cfg)
        return result_outcome(item, graded.result, cfg)

    window = settings.jobs * WINDOW_PER_JOB
    pending: deque[tuple[Item, RowOutcome | Future[ModelGrade]]] = deque()
    with ModelRunner(settings, stats=stats) as runner:
        for item in items:
            try:
                args = grade_args(item, cfg)
            except CoachError as exc:
                pending.append((item, error_outcome(item, exc.message, cfg)))
            else:
                pending.append((item, runner.submit(args.pop("answer"), **args)))
            while len(pending) >= window:
                yield settle(*pending.popleft())
        while pending:
            yield settle(*pending.popleft())


def provider_results(
    items: Iterable[Item],
    cfg: Config,
    settings: Settings,
    stats: RunStats,
    on_event: Callable[[BatchEvent], None],
) -> Iterator[RowOutcome]:
    """Outcomes in input order, the model requests going through the OpenAI Batch API (``--provider-batch``).

    The rows are gathered first: a provider batch is one upload. Resuming works at two levels: rows already in
    the output are skipped as always, and a batch still in flight is picked up from the model store.
    """
    from coach.llm.batch import GradeRequest
    from coach.llm.provider_batch import run_provider_batch

    rows: list[tuple[Item, RowOutcome | int]] = []
    requests: list[GradeRequest] = []
    for item in items:
        try:
            args = grade_args(item, cfg)
        except CoachError as exc:
            rows.append((item, error_outcome(item, exc.message, cfg)))
        else:
            rows.append((item, len(requests)))
            requests.append(GradeRequest(**args))
    done = run_provider_batch(requests, settings, on_event=on_event, stats=stats) if requests else []
    by_index = {o.index: o for o in done}
    for item, slot in rows:
        if isinstance(slot, RowOutcome):
            yield slot
            continue
        outcome = by_index.get(slot)
        if outcome is not None and outcome.result is not None:
            yield result_outcome(item, outcome.result, cfg)
        else:
            why = outcome.error if outcome is not None else None
            yield error_outcome(item, internal_error(why) if why else "not graded by the provider batch", cfg)


def _model_line(stats: RunStats) -> str:
    return f"{stats.requests} requests, {stats.cache_hits} cached, {stats.tokens:,} tokens, {stats.errors} errors"


def model_summary(settings: Settings, stats: RunStats) -> str:
    text = f"model {settings.model_ref}: {_model_line(stats)}"
    if stats.fallbacks:
        text += f"; {stats.fallbacks} answers fell back to offline parsing or feedback (see each record's notice)"
    return text


def model_column(stats: RunStats) -> Any:
    """A progress column of the model counters, read live at every refresh (the runner's thread updates them)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class ModelColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            return Text(_model_line(stats), style="dim")

    return ModelColumn()


class BatchEvents:
    """Prints each change of a provider batch's status (they come seconds to hours apart)."""

    def __init__(self, console: Any, quiet: bool) -> None:
        self.console = console
        self.quiet = quiet
        self._last: tuple[Any, ...] | None = None

    def __call__(self, event: BatchEvent) -> None:
        from rich.text import Text

        state = (event.phase, event.batch_id, event.status, event.completed, event.failed, event.total)
        if self.quiet or state == self._last:
            return
        self._last = state
        counts = f" ({event.completed}/{event.total} done, {event.failed} failed)" if event.total else ""
        self.console.print(
            Text(terminal_safe(f"provider batch {event.batch_id} ({event.phase}): {event.status}{counts}")),
            soft_wrap=True,
        )
