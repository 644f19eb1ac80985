"""The one narrow interface to a model, and its langchain implementation.

Everything above this module speaks ``Message`` and ``Reply``; only
``LangchainClient`` imports langchain (and, through it, openai), and only
when it is first used, so the offline path never loads them.

A ``ModelClient`` sends ONE request: no retries, no validation. Failures come
out as ``ModelCallError`` with a kind (timeout, rate_limit, server, ...), a
Retry-After hint and a message that never contains the API key or the
provider's error text (which can echo the key).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from coach.errors import EXIT_USAGE, CoachError
from coach.llm.retry import parse_retry_after
from coach.settings import Settings

Role = Literal["system", "user", "assistant"]
ErrorKind = Literal[
    "timeout",
    "rate_limit",
    "server",
    "connection",
    "auth",
    "not_found",
    "bad_request",
    "config",
    "stream",
    "deferred",
    "other",
]
RETRYABLE: frozenset[str] = frozenset({"timeout", "rate_limit", "server", "connection"})
# Placeholder for OpenAI-compatible local servers that need no key; the openai client insists on one.
NO_KEY = "not-needed"


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass
class Reply:
    """One model reply: the raw text, and for structured requests the parsed JSON (or why it did not parse)."""

    text: str
    parsed: Any = None
    parse_error: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: int = 0
    finished: bool = True


@dataclass
class ModelCallError(Exception):
    kind: ErrorKind
    status: int | None = None
    retry_after: float | None = None
    detail: str = ""
    tokens_emitted: bool = field(default=False)

    def __post_init__(self) -> None:
        super().__init__(self.describe())

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE and not self.tokens_emitted

    def describe(self) -> str:
        text = {
            "timeout": "the request timed out",
            "rate_limit": "rate limited",
            "server": "the provider had a server error",
            "connection": "could not reach the provider",
            "auth": "the provider rejected the API key",
            "not_found": "the provider does not know this model",
            "bad_request": "the provider rejected the request",
            "config": "the model is not configured correctly",
            "stream": "the stream broke off",
            "deferred": "no result from the provider batch",
            "other": "the model call failed",
        }[self.kind]
        if self.status:
            text += f" (HTTP {self.status})"
        if self.detail:
            text += f": {self.detail}"
        return text


class ModelClient(Protocol):
    """What the parser and the feedback writer need from a model."""

    label: str

    async def complete(self, messages: list[Message], *, schema: dict[str, Any] | None = None) -> Reply:
        """One request. With ``schema``, ask for JSON that fits it and parse it into ``Reply.parsed``."""
        ...

    async def stream(self, messages: list[Message], on_token: Callable[[str], None]) -> Reply:
        """One streamed request; ``on_token`` gets each piece of text as it arrives."""
        ...

    async def aclose(self) -> None: ...


def classify_error(exc: BaseException) -> ModelCallError:
    """Map any exception from a provider call onto a ``ModelCallError`` (without the provider's message)."""
    if isinstance(exc, ModelCallError):
        return exc
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return ModelCallError("timeout")
    if isinstance(exc, ImportError):
        return ModelCallError("config", detail=_import_hint(exc))
    try:
        import openai
    except ImportError:  # pragma: no cover - openai is a dependency
        openai = None  # type: ignore[assignment]
    if openai is not None:
        if isinstance(exc, openai.APITimeoutError):
            return ModelCallError("timeout")
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            headers = getattr(exc.response, "headers", None)
            if status == 429:
                return ModelCallError("rate_limit", status, parse_retry_after(headers))
            return _by_status(status, parse_retry_after(headers))
        if isinstance(exc, openai.APIConnectionError):
            return ModelCallError("connection")
        if isinstance(exc, openai.OpenAIError):
            return ModelCallError("config", detail=type(exc).__name__)
    try:
        import httpx
    except ImportError:  # pragma: no cover
        httpx = None  # type: ignore[assignment]
    if httpx is not None:
        if isinstance(exc, httpx.TimeoutException):
            return ModelCallError("timeout")
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            return ModelCallError("stream")
        if isinstance(exc, httpx.TransportError):
            return ModelCallError("connection")
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return _by_status(status, None)
    return ModelCallError("other", detail=type(exc).__name__)


def _by_status(status: int, retry_after: float | None) -> ModelCallError:
    if status == 429:
        return ModelCallError("rate_limit", status, retry_after)
    if status in (401, 403):
        return ModelCallError("auth", status)
    if status == 404:
        return ModelCallError("not_found", status)
    if status in (408, 409) or status >= 500:
        return ModelCallError("server", status, retry_after)
    return ModelCallError("bad_request", status)


def _import_hint(exc: ImportError) -> str:
    text = str(exc)
    if "pip install" in text:
        return text[text.index("pip install") :].rstrip(". ")
    return f"missing package {exc.name or ''}".strip()


def _usage(message: Any) -> tuple[int, int]:
    usage = getattr(message, "usage_metadata", None) or {}
    return int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)


class LangchainClient:
    """A langchain chat model (``init_chat_model``), one request per call, our own retries above it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.label = settings.model_ref
        self._model: Any = None
        self._structured: dict[str, Any] = {}
        self._http: Any = None

    def __repr__(self) -> str:
        return f"LangchainClient({self.label!r}, base_url={self.settings.base_url!r})"

    def _chat_model(self) -> Any:
        if self._model is None:
            if self.settings.provider in ("openai", "azure_openai"):
                import httpx

                # Our own async client, closed with the session: langchain's shared one outlives event loops.
                self._http = httpx.AsyncClient(timeout=self.settings.timeout)
            self._model = build_chat_model(self.settings, http_async_client=self._http)
        return self._model

    def _runnable(self, schema: dict[str, Any]) -> Any:
        name = schema.get("title", "reply")
        if name not in self._structured:
            method = self.settings.structured_output
            kwargs: dict[str, Any] = {"method": method, "include_raw": True}
            if method == "json_schema" and self.settings.provider in ("openai", "azure_openai"):
                kwargs["strict"] = True
            self._structured[name] = self._chat_model().with_structured_output(schema, **kwargs)
        return self._structured[name]

    @staticmethod
    def _lc_messages(messages: list[Message]) -> list[Any]:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        return [kinds[m.role](content=m.content) for m in messages]

    async def complete(self, messages: list[Message], *, schema: dict[str, Any] | None = None) -> Reply:
        start = time.perf_counter()
        try:
            lc_messages = self._lc_messages(messages)
            runnable = self._runnable(schema) if schema is not None else self._chat_model()
            out = await asyncio.wait_for(runnable.ainvoke(lc_messages), timeout=self.settings.timeout + 1.0)
        except Exception as exc:  # noqa: BLE001 - every provider failure becomes a ModelCallError
            raise classify_error(exc) from None
        latency = int((time.perf_counter() - start) * 1000)
        if schema is None:
            tin, tout = _usage(out)
            cut = (getattr(out, "response_metadata", None) or {}).get("finish_reason") == "length"
            return Reply(text=_text_of(out), input_tokens=tin, output_tokens=tout, latency_ms=latency, finished=not cut)
        raw = out.get("raw")
        tin, tout = _usage(raw)
        text = _structured_text(raw)
        parsed, error = parse_json_object(text)
        return Reply(
            text=text,
            parsed=parsed,
            parse_error=error,
            input_tokens=tin,
            output_tokens=tout,
            latency_ms=latency,
        )

    async def stream(self, messages: list[Message], on_token: Callable[[str], None]) -> Reply:
        start = time.perf_counter()
        pieces: list[str] = []
        tin = tout = 0
        finish_reason = None
        iterator: Any = None
        try:
            iterator = self._chat_model().astream(self._lc_messages(messages)).__aiter__()
            while True:
                try:
                    chunk = await asyncio.wait_for(iterator.__anext__(), timeout=self.settings.timeout + 1.0)
                except StopAsyncIteration:
                    break
                text = _text_of(chunk)
                if text:
                    pieces.append(text)
                    on_token(text)
                a, b = _usage(chunk)
                tin, tout = max(tin, a), max(tout, b)
                reason = (getattr(chunk, "response_metadata", None) or {}).get("finish_reason")
                if reason:
                    finish_reason = reason
        except Exception as exc:  # noqa: BLE001
            err = classify_error(exc)
            err.tokens_emitted = bool(pieces)
            raise err from None
        finally:
            if iterator is not None:
                await _close_stream(iterator)
        latency = int((time.perf_counter() - start) * 1000)
        # A stream that ends without an error is complete, unless the provider cut it at the token limit.
        finished = finish_reason != "length"
        return Reply(text="".join(pieces), input_tokens=tin, output_tokens=tout, latency_ms=latency, finished=finished)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


async def _close_stream(iterator: Any) -> None:
    """Close a stream's generator chain now, on this loop, whichever way the stream ended.

    Left to the garbage collector, a generator stopped mid-way (a callback raised, the task was cancelled)
    is finalised whenever a collection happens to run, often after its event loop has closed: its
    ``aclose()`` coroutine is then never awaited, and its connection is reported unclosed.
    """
    try:
        await iterator.aclose()
    except Exception:  # noqa: BLE001, S110 - the stream's own outcome is already decided
        pass


def _text_of(message: Any) -> str:
    content = getattr(message, "content", "")
    if isinstance(content, str):
        return content
    return str(getattr(message, "text", "") or "")


def _structured_text(raw: Any) -> str:
    """What the model wrote for a structured request: its content, or its tool call's arguments as sent."""
    if raw is None:
        return ""
    text = _text_of(raw)
    if text:
        return text
    for call in (getattr(raw, "additional_kwargs", None) or {}).get("tool_calls") or []:
        arguments = (call.get("function") or {}).get("arguments")
        if isinstance(arguments, str):
            return arguments
    calls = getattr(raw, "tool_calls", None) or []
    if calls:
        return json.dumps(calls[0].get("args", {}), ensure_ascii=False)
    invalid = getattr(raw, "invalid_tool_calls", None) or []
    if invalid:
        return str(invalid[0].get("args") or "")
    return ""


def parse_json_object(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON object in ``text`` (a ```json fence is allowed), or None and why not."""
    body = text.strip()
    fence = re.match(r"^```(?:json)?\s*(.*?)\s*```$", body, re.S)
    if fence:
        body = fence.group(1)
    if not body:
        return None, "the reply was empty"
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        return None, f"the reply is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    if not isinstance(value, dict):
        return None, f"the reply is JSON but not an object (got {type(value).__name__})"
    return value, None


def build_chat_model(settings: Settings, *, http_async_client: Any = None) -> Any:
    """The langchain chat model for ``settings.model`` (imports langchain here, never at module load)."""
    if not settings.model:
        raise CoachError("no model configured: pass --model or set COACH_MODEL / OPENAI_API_KEY", EXIT_USAGE)
    from langchain.chat_models import init_chat_model

    provider, name = settings.provider, settings.model_name
    kwargs: dict[str, Any] = {"temperature": settings.temperature}
    if provider in ("openai", "azure_openai"):
        kwargs.update(api_key=settings.secret() or NO_KEY, timeout=settings.timeout, max_retries=0, stream_usage=True)
        if http_async_client is not None:
            kwargs["http_async_client"] = http_async_client
        if settings.base_url:
            kwargs["base_url"] = settings.base_url
    elif provider == "ollama" and settings.base_url:
        kwargs["base_url"] = settings.base_url.removesuffix("/v1")
    return init_chat_model(name, model_provider=provider, **kwargs)


def check_model(settings: Settings) -> None:
    """Raise a ``CoachError`` (exit 2) when the configured model cannot be built: unknown provider, missing package.

    For the CLI to call once before a run, so a typo in ``--model`` is an error rather than a silent offline run.
    """
    if not settings.use_model:
        return
    try:
        build_chat_model(settings)
    except ImportError as exc:
        raise CoachError(f"model {settings.model_ref}: {_import_hint(exc)}", EXIT_USAGE) from None
    except (ValueError, TypeError) as exc:
        first = settings.redact(str(exc)).splitlines()[0] if str(exc) else type(exc).__name__
        raise CoachError(f"model {settings.model_ref}: {first}", EXIT_USAGE) from None
