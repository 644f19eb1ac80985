"""Grading many answers through a model concurrently: a bounded number in flight, rate limits shared.

``agrade_many`` runs on the caller's event loop; ``iter_grade_many`` is for
sync callers (the CLI's batch command): it runs the loop in a background
thread and yields each outcome as it completes, so results can be written
(and a run resumed) exactly as in the offline batch. ``RunStats`` is updated
live for a progress bar: requests, cache hits, tokens, errors, retries.
A 429 closes the session's ``RateGate`` for every task until Retry-After.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from coach.llm.session import ModelSession, RunStats
from coach.result import GradeResult
from coach.scenarios import Scenario
from coach.settings import Settings
from coach.tree import Tree
from coach.vocabulary import Kind


@dataclass
class GradeRequest:
    answer: str
    question: str = ""
    scenario: Scenario | None = None
    kind: Kind | None = None
    ai_product: bool | None = None
    answer_id: str | None = None
    label: Any = None
    tree: Tree | None = None


@dataclass
class RequestOutcome:
    """One answer done: its index in the input, the result, or the error that stopped it (a bad input)."""

    index: int
    request: GradeRequest
    result: GradeResult | None = None
    error: Exception | None = None


async def agrade_many(
    requests: Sequence[GradeRequest],
    settings: Settings,
    *,
    jobs: int | None = None,
    session: ModelSession | None = None,
    stats: RunStats | None = None,
    on_outcome: Callable[[RequestOutcome], None] | None = None,
) -> list[RequestOutcome]:
    """Grade every request with at most ``jobs`` (default ``settings.jobs``) in flight; outcomes in input order."""
    from coach.llm.pipeline import agrade_with_model

    limit = asyncio.Semaphore(jobs or settings.jobs)
    own = session is None
    session = session or ModelSession(settings, stats=stats)
    outcomes: list[RequestOutcome | None] = [None] * len(requests)

    async def one(i: int, req: GradeRequest) -> None:
        async with limit:
            try:
                result = await agrade_with_model(
                    req.answer,
                    question=req.question,
                    scenario=req.scenario,
                    kind=req.kind,
                    ai_product=req.ai_product,
                    answer_id=req.answer_id,
                    settings=settings,
                    session=session,
                    tree=req.tree,
                    label=req.label,
                )
                outcome = RequestOutcome(i, req, result=result)
            except Exception as exc:  # noqa: BLE001 - a bad input fails its own line, not the batch
                outcome = RequestOutcome(i, req, error=exc)
        outcomes[i] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    try:
        await asyncio.gather(*(one(i, r) for i, r in enumerate(requests)))
    finally:
        if own:
            await session.aclose()
    return [o for o in outcomes if o is not None]


_DONE = object()


def iter_grade_many(
    requests: Iterable[GradeRequest],
    settings: Settings,
    *,
    jobs: int | None = None,
    stats: RunStats | None = None,
) -> Iterator[RequestOutcome]:
    """Yield outcomes as they complete (not in input order). Closing the iterator early cancels the rest."""
    reqs = list(requests)
    results: queue.Queue[Any] = queue.Queue()
    box: dict[str, Any] = {}

    async def main() -> None:
        box["loop"] = asyncio.get_running_loop()
        box["task"] = asyncio.current_task()
        await agrade_many(reqs, settings, jobs=jobs, stats=stats, on_outcome=results.put)

    def run() -> None:
        try:
            # asyncio.run also cancels and awaits anything still pending when main() ends.
            asyncio.run(main())
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            results.put(exc)
        finally:
            results.put(_DONE)

    thread = threading.Thread(target=run, name="coach-llm-batch", daemon=True)
    thread.start()
    try:
        while True:
            item = results.get()
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        task, loop = box.get("task"), box.get("loop")
        if thread.is_alive() and task is not None and loop is not None:
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:  # the loop closed meanwhile: nothing left to cancel
                pass
        thread.join()
