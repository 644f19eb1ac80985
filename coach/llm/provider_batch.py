"""``coach batch --provider-batch``: the same grading, with the model requests sent through the OpenAI Batch API.

The Batch API is the distributed engine for tens of thousands of answers
(half the price, a 24-hour window). coach does not reimplement any of it: it
only decides which requests are needed and feeds the replies into the cache,
so the ordinary pipeline then grades every answer from the cache.

1. A dry pass of the pipeline with requests *deferred* (``ModelSession.defer``)
   lists the parse requests the cache cannot answer.
2. They go out as one JSONL file: upload, create the batch, poll, download;
   each reply is validated and written to the cache under the key the
   pipeline uses. A reply that fails validation is not cached.
3. A second dry pass (trees now come from the cache, so verdicts are final)
   lists the feedback requests; they go out the same way.
4. The final pass grades every answer from the cache. An answer whose reply
   was missing or invalid falls back to offline, with a notice, as always.

Resumable: every batch is recorded in the SQLite store with the cache keys of
its requests. Re-running the same command picks up a batch still in flight
(or ``resume="batch_..."`` names one), and replies already ingested are
simply cache hits.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from coach.errors import EXIT_USAGE, CoachError
from coach.llm.batch import GradeRequest, RequestOutcome, agrade_many
from coach.llm.client import NO_KEY, parse_json_object
from coach.llm.schema import LLMTree
from coach.llm.session import Deferred, ModelSession, RunStats, run_sync
from coach.settings import Settings

log = logging.getLogger("coach.llm")
DONE = {"completed", "failed", "expired", "cancelled"}


@dataclass
class BatchEvent:
    """What the progress display shows: the phase, the batch id, its status and request counts."""

    phase: str
    batch_id: str
    status: str
    completed: int = 0
    failed: int = 0
    total: int = 0


def _body(settings: Settings, item: Deferred) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": settings.model_name,
        "messages": [{"role": m.role, "content": m.content} for m in item.messages],
        "temperature": settings.temperature,
    }
    if item.schema is not None:
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": item.schema.get("title", "reply"), "schema": item.schema, "strict": True},
        }
    return body


def _openai_client(settings: Settings) -> Any:
    if settings.provider not in ("openai", "azure_openai"):
        raise CoachError(f"--provider-batch needs an OpenAI model (openai:...), not {settings.model_ref}", EXIT_USAGE)
    import openai

    return openai.AsyncOpenAI(
        api_key=settings.secret() or NO_KEY,
        base_url=settings.base_url,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
    )


class ProviderBatchRun:
    def __init__(
        self,
        session: ModelSession,
        client: Any,
        on_event: Callable[[BatchEvent], None] | None = None,
        poll_interval: float | None = None,
    ) -> None:
        self.session = session
        self.client = client
        self.on_event = on_event or (lambda event: None)
        self.poll_interval = poll_interval if poll_interval is not None else session.settings.poll_interval

    async def submit(self, phase: str, items: list[Deferred]) -> str:
        settings = self.session.settings
        unique: dict[str, Deferred] = {}
        for item in items:
            unique.setdefault(item.key, item)
        lines = [
            json.dumps(
                {"custom_id": key, "method": "POST", "url": "/v1/chat/completions", "body": _body(settings, item)},
                ensure_ascii=False,
            )
            for key, item in unique.items()
        ]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        uploaded = await self.client.files.create(
            file=("coach-batch.jsonl", data, "application/jsonl"), purpose="batch"
        )
        batch = await self.client.batches.create(
            input_file_id=uploaded.id,
            endpoint="/v1/chat/completions",
            completion_window="24h",
            metadata={"coach_phase": phase},
        )
        state = {
            "items": {
                key: {"prompt": item.prompt.id, "version": item.prompt.version, "answer_id": item.answer_id}
                for key, item in unique.items()
            },
            "ingested": False,
        }
        if self.session.store is not None:
            self.session.store.save_batch(
                batch.id, phase=phase, model=self.session.model_id, input_file=uploaded.id, state=state
            )
        self.on_event(BatchEvent(phase, batch.id, batch.status, total=len(unique)))
        return batch.id

    def find_in_flight(self, phase: str, keys: set[str]) -> str | None:
        """A recorded, not yet ingested batch of this phase and model covering ``keys``."""
        store = self.session.store
        if store is None:
            return None
        for batch_id, record in store.batches(model=self.session.model_id, phase=phase):
            state = record["state"]
            if not state.get("ingested") and keys <= set(state.get("items", {})):
                return batch_id
        return None

    async def wait(self, batch_id: str, phase: str) -> Any:
        while True:
            batch = await self.client.batches.retrieve(batch_id)
            counts = batch.request_counts
            self.on_event(
                BatchEvent(
                    phase,
                    batch_id,
                    batch.status,
                    getattr(counts, "completed", 0) or 0,
                    getattr(counts, "failed", 0) or 0,
                    getattr(counts, "total", 0) or 0,
                )
            )
            if batch.status in DONE:
                return batch
            await asyncio.sleep(self.poll_interval)

    async def ingest(self, batch_id: str) -> int:
        """Validate the batch's replies into the cache; the number cached."""
        store = self.session.store
        record = store.load_batch(batch_id) if store is not None else None
        if record is None:
            raise CoachError(f"unknown provider batch {batch_id!r} (not started from this machine's coach)", EXIT_USAGE)
        phase = record["phase"]
        batch = await self.wait(batch_id, phase)
        items: dict[str, dict[str, Any]] = record["state"]["items"]
        cached = 0
        if batch.output_file_id:
            content = await self.client.files.content(batch.output_file_id)
            text = content.text
            for line in text.splitlines():
                if line.strip():
                    cached += self._ingest_line(json.loads(line), items)
        if batch.status != "completed":
            log.warning("provider batch %s ended %s", batch_id, batch.status)
        state = dict(record["state"], ingested=True, status=batch.status)
        assert store is not None
        store.save_batch(batch_id, phase=phase, model=record["model"], input_file=record["input_file"], state=state)
        return cached

    def _ingest_line(self, row: dict[str, Any], items: dict[str, dict[str, Any]]) -> int:
        key = row.get("custom_id")
        item = items.get(key or "")
        response = row.get("response") or {}
        if item is None or response.get("status_code") != 200:
            return 0
        body = response.get("body") or {}
        usage = body.get("usage") or {}
        message = ((body.get("choices") or [{}])[0]).get("message") or {}
        content = message.get("content") or ""
        from coach.llm.prompts import load_prompt

        prompt = load_prompt(item["prompt"])
        error = None
        value: Any = None
        if prompt.id == "parse_tree":
            parsed, problem = parse_json_object(content)
            if problem is None:
                try:
                    value = LLMTree.model_validate(parsed).model_dump(mode="json")
                except ValueError as exc:
                    problem = f"schema violation: {str(exc).splitlines()[0]}"
            error = f"invalid reply: {problem}" if problem else None
        else:
            value = content.strip() or None
            error = None if value else "invalid reply: the feedback was empty"
        self.session.log_call(
            prompt,
            input_tokens=int(usage.get("prompt_tokens") or 0),
            output_tokens=int(usage.get("completion_tokens") or 0),
            answer_id=item.get("answer_id"),
            error=error,
        )
        self.session.stats.requests += 1
        self.session.stats.input_tokens += int(usage.get("prompt_tokens") or 0)
        self.session.stats.output_tokens += int(usage.get("completion_tokens") or 0)
        if value is None:
            self.session.stats.errors += 1
            return 0
        self.session.cache_put(key, prompt, value)  # type: ignore[arg-type]
        return 1


async def arun_provider_batch(
    requests: Sequence[GradeRequest],
    settings: Settings,
    *,
    resume: str | None = None,
    on_event: Callable[[BatchEvent], None] | None = None,
    stats: RunStats | None = None,
    poll_interval: float | None = None,
) -> list[RequestOutcome]:
    """Grade ``requests`` with the model's requests going through the OpenAI Batch API; see the module docstring."""
    if not settings.use_model:
        raise CoachError("--provider-batch needs a model (--model, COACH_MODEL or OPENAI_API_KEY)", EXIT_USAGE)
    if not settings.cache:
        raise CoachError("--provider-batch delivers replies through the cache: drop --no-cache", EXIT_USAGE)
    client = _openai_client(settings)
    try:
        async with ModelSession(settings, stats=stats) as session:
            run = ProviderBatchRun(session, client, on_event, poll_interval)
            if resume:
                await run.ingest(resume)
            session.defer = True
            for phase, prompt_id in (("parse", "parse_tree"), ("feedback", "feedback")):
                session.deferred = []
                await _dry_pass(requests, settings, session)
                pending = [d for d in session.deferred if d.prompt.id == prompt_id]
                if not pending:
                    continue
                batch_id = run.find_in_flight(phase, {d.key for d in pending}) or await run.submit(phase, pending)
                await run.ingest(batch_id)
            session.deferred = []
            # Final pass: everything the batches delivered is in the cache; the rest falls back offline.
            return await agrade_many(requests, settings, session=session, jobs=max(settings.jobs, 16))
    finally:
        await client.close()


async def _dry_pass(requests: Sequence[GradeRequest], settings: Settings, session: ModelSession) -> None:
    """Run the pipeline with requests deferred, only to collect them; its results and counters are discarded."""
    saved = session.stats
    session.stats = RunStats()
    session.log_enabled = False
    try:
        await agrade_many(requests, settings, session=session, jobs=64)
    finally:
        session.stats = saved
        session.log_enabled = True


def run_provider_batch(
    requests: Sequence[GradeRequest],
    settings: Settings,
    *,
    resume: str | None = None,
    on_event: Callable[[BatchEvent], None] | None = None,
    stats: RunStats | None = None,
    poll_interval: float | None = None,
) -> list[RequestOutcome]:
    """Sync wrapper of ``arun_provider_batch``; outcomes in input order."""
    return run_sync(
        lambda: arun_provider_batch(
            requests, settings, resume=resume, on_event=on_event, stats=stats, poll_interval=poll_interval
        )
    )
