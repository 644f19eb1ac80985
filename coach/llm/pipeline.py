"""Grading with a model: model parse → the SAME rule engine → model feedback, offline on any failure.

``grade_with_model`` is what the CLI, the batch runner and the TUI call when
a model is configured; with ``settings.use_model`` false it is exactly
``coach.grade.grade``. It never raises for a model failure: the result then
says ``parser: "offline"`` and carries a ``notice``. The verdict and score
always come from ``coach.rubric.engine`` on the (reconciled) tree; the model
only reads the answer and words the feedback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from coach.llm.feedback import FeedbackReport
from coach.llm.parser import ParseReport
from coach.llm.session import ModelSession, RunStats, run_sync, with_session
from coach.result import GradeResult
from coach.rubric.model import Rubric
from coach.scenarios import Scenario
from coach.settings import Settings, load_settings
from coach.tree import Tree
from coach.vocabulary import Kind

log = logging.getLogger("coach.llm")


@dataclass
class ModelGrade:
    """The result, and what the model layer did for it (provenance, drops, fallbacks)."""

    result: GradeResult
    parse: ParseReport | None = None
    feedback: FeedbackReport | None = None


def _join(*notices: str | None) -> str | None:
    text = "; ".join(n for n in notices if n)
    return text or None


async def agrade_detailed(
    answer: str,
    *,
    question: str = "",
    scenario: Scenario | None = None,
    kind: Kind | None = None,
    ai_product: bool | None = None,
    answer_id: str | None = None,
    settings: Settings | None = None,
    session: ModelSession | None = None,
    on_token: Callable[[str], None] | None = None,
    rubric: Rubric | None = None,
    tree: Tree | None = None,
    label: Any = None,
) -> ModelGrade:
    from coach.grade import grade

    settings = settings or (session.settings if session else load_settings())
    if scenario is not None:
        question = question or scenario.question

    def offline(notice: str | None = None) -> ModelGrade:
        result = grade(
            answer,
            question=question,
            scenario=scenario,
            kind=kind,
            ai_product=ai_product,
            answer_id=answer_id,
            tree=tree,
            rubric=rubric,
        )
        result = result.model_copy(update={"notice": _join(result.notice, notice), "label": label})
        if on_token is not None:
            on_token(result.feedback)
        return ModelGrade(result)

    if not settings.use_model:
        return offline()

    async def work(s: ModelSession) -> ModelGrade:
        from coach.feedback.offline import write_feedback
        from coach.llm.feedback import feedback_with_model
        from coach.llm.parser import parse_with_model
        from coach.parse.offline import parse_answer
        from coach.rubric.model import load_rubric

        report = None
        used_tree = tree
        if used_tree is None:
            report = await parse_with_model(s, answer, question, answer_id=answer_id, offline_tree=parse_answer(answer))
            used_tree = report.tree
        rb = rubric or load_rubric()
        result = grade(
            answer,
            question=question,
            scenario=scenario,
            kind=kind,
            ai_product=ai_product,
            answer_id=answer_id,
            tree=used_tree,
            rubric=rb,
        )
        offline_text = result.feedback or write_feedback(result, answer=answer, rubric=rb, scenario=scenario)
        fb = await feedback_with_model(
            s, result, answer=answer, rubric=rb, offline_text=offline_text, on_token=on_token, answer_id=answer_id
        )
        s.stats.answers += 1
        update: dict[str, Any] = {
            "feedback": fb.text,
            "notice": _join(result.notice, report.notice if report else None, fb.notice),
            "label": label,
        }
        if report is not None:
            update["parser"] = report.parser
        return ModelGrade(result.model_copy(update=update), report, fb)

    try:
        return await with_session(settings, session, work)
    except Exception as exc:  # noqa: BLE001 - the model layer must never take grading down
        # No traceback in the log: exception texts from a provider stack can carry the key.
        log.warning("model layer failed; grading offline: %s", settings.redact(repr(exc))[:500])
        return offline(f"the model layer failed ({type(exc).__name__}); graded offline")


async def agrade_with_model(
    answer: str,
    *,
    question: str = "",
    scenario: Scenario | None = None,
    kind: Kind | None = None,
    ai_product: bool | None = None,
    answer_id: str | None = None,
    settings: Settings | None = None,
    session: ModelSession | None = None,
    on_token: Callable[[str], None] | None = None,
    rubric: Rubric | None = None,
    tree: Tree | None = None,
    label: Any = None,
) -> GradeResult:
    graded = await agrade_detailed(
        answer,
        question=question,
        scenario=scenario,
        kind=kind,
        ai_product=ai_product,
        answer_id=answer_id,
        settings=settings,
        session=session,
        on_token=on_token,
        rubric=rubric,
        tree=tree,
        label=label,
    )
    return graded.result


def grade_with_model(
    answer: str,
    *,
    question: str = "",
    scenario: Scenario | None = None,
    kind: Kind | None = None,
    ai_product: bool | None = None,
    answer_id: str | None = None,
    settings: Settings | None = None,
    on_token: Callable[[str], None] | None = None,
    rubric: Rubric | None = None,
    tree: Tree | None = None,
    label: Any = None,
) -> GradeResult:
    """Grade one answer, through the model when ``settings.use_model``; see the module docstring.

    ``on_token`` receives the feedback as it streams (the whole offline text at
    once when there is no model). If a stream breaks, the returned feedback
    (offline) supersedes what was streamed, and ``result.notice`` says so.
    Safe to call from a worker thread, or from a thread that runs an event loop.
    """
    return run_sync(
        lambda: agrade_with_model(
            answer,
            question=question,
            scenario=scenario,
            kind=kind,
            ai_product=ai_product,
            answer_id=answer_id,
            settings=settings,
            on_token=on_token,
            rubric=rubric,
            tree=tree,
            label=label,
        )
    )


class ModelRunner:
    """A long-lived session on its own event-loop thread, for sync callers that grade again and again.

    The TUI grades through one; the CLI's batch ``submit``s many answers to one and collects the futures in
    input order. Connections, the cache and the rate-limit gate are kept between calls, and at most ``jobs``
    (default ``settings.jobs``) answers are graded at once. Call from any thread; ``close()`` when done (or use
    it as a context manager). ``on_token`` is called on the runner's thread: marshal to the UI thread.
    """

    def __init__(self, settings: Settings, *, jobs: int | None = None, stats: RunStats | None = None) -> None:
        import asyncio
        import threading

        self.settings = settings
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="coach-llm-runner", daemon=True)
        self._thread.start()
        self.session = ModelSession(settings, stats=stats)
        self._limit = asyncio.Semaphore(jobs or settings.jobs)

    def _run(self, coro: Any) -> Any:
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    @property
    def stats(self) -> RunStats:
        return self.session.stats

    def grade(self, answer: str, **kwargs: Any) -> GradeResult:
        """``grade_with_model`` through this runner's session; same keyword arguments."""
        return self.grade_detailed(answer, **kwargs).result

    def grade_detailed(self, answer: str, **kwargs: Any) -> ModelGrade:
        return self.submit(answer, **kwargs).result()

    def submit(self, answer: str, **kwargs: Any) -> Future[ModelGrade]:
        """Start grading and return at once; the future's ``cancel()`` cancels the grading too."""
        import asyncio

        kwargs.setdefault("settings", self.settings)

        async def bounded() -> ModelGrade:
            async with self._limit:
                return await agrade_detailed(answer, session=self.session, **kwargs)

        return asyncio.run_coroutine_threadsafe(bounded(), self._loop)

    async def _shutdown(self) -> None:
        import asyncio

        # Whatever is still in flight (a batch stopped early, a TUI grade the user left) is cancelled and
        # awaited, so the session closes under no request and no task is destroyed pending.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        await self.session.aclose()

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            self._run(self._shutdown())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            # What asyncio.run does before closing its loop: run the callbacks that finish closing transports,
            # and close generators still suspended on this loop. Otherwise the garbage collector finalises them
            # later, after the loop is closed, as "coroutine never awaited" and "unclosed transport" warnings.
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.run_until_complete(self._loop.shutdown_default_executor())
            self._loop.close()

    def __enter__(self) -> ModelRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
