"""One run's shared state: settings, the model client, the cache and log, the rate-limit gate, counters.

A ``ModelSession`` is an async context manager. The batch runner opens one
for all its answers; a single ``grade_with_model`` call opens its own. The
client (and with it langchain) is only built when a request actually has to go
out, so a run served entirely from the cache never imports langchain.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from coach.llm.client import Message, ModelCallError, ModelClient, Reply, classify_error
from coach.llm.prompts import PromptTemplate
from coach.llm.retry import RateGate, backoff_delay
from coach.llm.store import Store, cache_key
from coach.settings import Settings

log = logging.getLogger("coach.llm")
T = TypeVar("T")


@dataclass
class Deferred:
    """A request a provider batch will make instead (see ``coach.llm.provider_batch``)."""

    prompt: PromptTemplate
    messages: list[Message]
    schema: dict[str, Any] | None
    key: str
    answer_id: str | None


@dataclass
class RunStats:
    """Counters for a progress bar: read them while a batch runs."""

    requests: int = 0
    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    errors: int = 0
    retries: int = 0
    fallbacks: int = 0
    answers: int = 0

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class ModelSession:
    def __init__(
        self,
        settings: Settings,
        *,
        client: ModelClient | None = None,
        store: Store | None = None,
        stats: RunStats | None = None,
    ) -> None:
        self.settings = settings
        self.stats = stats or RunStats()
        self.gate = RateGate()
        self._client = client
        self._own_client = client is None
        self._store = store
        self._own_store = store is None
        self._store_failed = False
        # When set, requests are not sent but collected in ``deferred`` (for a provider batch).
        self.defer = False
        self.deferred: list[Deferred] = []
        self.log_enabled = True

    def __repr__(self) -> str:
        return f"ModelSession({self.settings.model_ref!r})"

    async def __aenter__(self) -> ModelSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None and self._own_client:
            await self._client.aclose()
            self._client = None
        if self._store is not None and self._own_store:
            self._store.close()
            self._store = None

    # --- identity -----------------------------------------------------------
    @property
    def model_id(self) -> str:
        """The model as the cache and log name it: provider:name, plus the endpoint when it is not the default."""
        ref = self.settings.model_ref
        # The endpoint goes into the log and the cache key: never with credentials embedded in its URL.
        return self.settings.redact(f"{ref}@{self.settings.base_url}") if self.settings.base_url else ref

    @property
    def client(self) -> ModelClient:
        if self._client is None:
            from coach.llm.client import LangchainClient

            self._client = LangchainClient(self.settings)
        return self._client

    @property
    def store(self) -> Store | None:
        if self._store is None and not self._store_failed:
            try:
                self._store = Store()
            except (OSError, sqlite3.Error) as exc:
                self._store_failed = True
                log.warning("model cache and log unavailable (%s); continuing without them", type(exc).__name__)
        return self._store

    # --- cache --------------------------------------------------------------
    def key(self, prompt: PromptTemplate, payload: Any) -> str:
        return cache_key(self.model_id, prompt.id, prompt.version, payload)

    def cache_get(self, key: str) -> Any | None:
        if not self.settings.cache or self.store is None:
            return None
        return self.store.get(key)

    def cache_put(self, key: str, prompt: PromptTemplate, value: Any) -> None:
        if self.settings.cache and self.store is not None:
            self.store.put(key, model=self.model_id, prompt=prompt.id, prompt_version=prompt.version, value=value)

    def log_call(self, prompt: PromptTemplate, **fields: Any) -> None:
        if fields.get("error"):
            fields["error"] = self.settings.redact(str(fields["error"]))[:500]
        if self.log_enabled and self.store is not None:
            self.store.log_call(model=self.model_id, prompt=prompt.id, prompt_version=prompt.version, **fields)

    def cache_hit(self, prompt: PromptTemplate, answer_id: str | None) -> None:
        self.stats.cache_hits += 1
        self.log_call(prompt, cache_hit=True, answer_id=answer_id)

    # --- requests -----------------------------------------------------------
    async def request(
        self,
        prompt: PromptTemplate,
        messages: list[Message],
        *,
        schema: dict[str, Any] | None = None,
        on_token: Callable[[str], None] | None = None,
        check: Callable[[Reply], str | None] | None = None,
        attempt: int = 1,
        answer_id: str | None = None,
        key: str | None = None,
    ) -> tuple[Reply, str | None]:
        """One request through the gate, logged. Returns the reply and ``check``'s verdict on it.

        Raises ``ModelCallError`` when the request fails; the failure is logged first. With ``defer``
        set, the request is recorded for a provider batch instead and ``ModelCallError("deferred")`` raised.
        """
        if self.defer:
            if key is not None and attempt == 1:
                self.deferred.append(Deferred(prompt, list(messages), schema, key, answer_id))
            raise ModelCallError("deferred")
        await self.gate.wait()
        self.stats.requests += 1
        try:
            if on_token is not None:
                reply = await self.client.stream(messages, on_token)
            else:
                reply = await self.client.complete(messages, schema=schema)
        except Exception as exc:  # noqa: BLE001 - classify_error keeps only what is safe to show
            err = classify_error(exc)
            self.stats.errors += 1
            self.log_call(prompt, attempt=attempt, answer_id=answer_id, error=err.describe())
            raise err from None
        problem = check(reply) if check is not None else None
        self.stats.input_tokens += reply.input_tokens
        self.stats.output_tokens += reply.output_tokens
        if problem:
            self.stats.errors += 1
        self.log_call(
            prompt,
            input_tokens=reply.input_tokens,
            output_tokens=reply.output_tokens,
            latency_ms=reply.latency_ms,
            attempt=attempt,
            answer_id=answer_id,
            error=f"invalid reply: {problem}" if problem else None,
        )
        return reply, problem

    async def backoff(self, err: ModelCallError, attempt: int) -> None:
        """Wait before retry number ``attempt``: Retry-After when the provider gave one, else exponential."""
        self.stats.retries += 1
        s = self.settings
        if err.retry_after is not None:
            delay = min(err.retry_after, s.retry_after_max)
        else:
            delay = backoff_delay(attempt, s.backoff, s.backoff_max)
        if err.kind == "rate_limit":
            self.gate.block(delay)
            await self.gate.wait()
        else:
            await asyncio.sleep(delay)

    async def retry_pause(self, attempt: int) -> None:
        """The pause before re-asking after an invalid reply (no provider hint to honour)."""
        self.stats.retries += 1
        await asyncio.sleep(min(backoff_delay(attempt, self.settings.backoff, self.settings.backoff_max) / 4, 1.0))


def run_sync(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, also from a thread that already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


async def with_session(
    settings: Settings, session: ModelSession | None, work: Callable[[ModelSession], Awaitable[T]]
) -> T:
    if session is not None:
        return await work(session)
    async with ModelSession(settings) as own:
        return await work(own)
