"""A real HTTP server on 127.0.0.1 that speaks enough of the OpenAI API for coach's tests.

It is a stdlib ``ThreadingHTTPServer`` on an ephemeral port, run in a thread.
The real ``openai`` and langchain clients talk to it through ``base_url``;
nothing of theirs is patched. Each test scripts it:

    with FakeOpenAI() as server:
        server.parse.append(Reply.json(tree_dict))        # next structured request
        server.feedback.append(Reply.text("## Verdict ..."))  # next plain / streamed request
        server.parse_default = lambda req: Reply.error(500)  # when the queue is empty

A request with ``response_format`` or ``tools`` is a "parse" request, any
other a "feedback" request. ``Reply`` covers good replies, malformed JSON,
errors with headers (429 + Retry-After, 500), a reply slower than the client's
timeout, and a stream that breaks off mid-way. ``obedient`` is a model that
does whatever the answer tells it to. ``/v1/files`` and ``/v1/batches`` serve
the Batch API: a created batch completes at once by running each line through
the same handlers.

Every request is recorded in ``server.requests`` (path, headers, JSON body).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Reply:
    kind: str  # "json" | "text" | "raw" | "error"
    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    break_after: int | None = None  # for streams: chunks sent before the connection drops
    usage: tuple[int, int] | None = None

    @classmethod
    def json(cls, obj: Any, **kw: Any) -> Reply:
        return cls("json", obj, **kw)

    @classmethod
    def text(cls, text: str, **kw: Any) -> Reply:
        return cls("text", text, **kw)

    @classmethod
    def raw(cls, content: str, **kw: Any) -> Reply:
        """Content sent as is: malformed JSON, for instance."""
        return cls("raw", content, **kw)

    @classmethod
    def error(cls, status: int, message: str = "error", headers: dict[str, str] | None = None, **kw: Any) -> Reply:
        return cls("error", message, status=status, headers=headers or {}, **kw)

    @classmethod
    def slow(cls, seconds: float, then: Reply | None = None) -> Reply:
        reply = then or cls.text("too late")
        reply.delay = seconds
        return reply

    @classmethod
    def broken_stream(cls, text: str, after: int = 2) -> Reply:
        return cls("text", text, break_after=after)


@dataclass
class ChatRequest:
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body.get("messages", [])

    @property
    def structured(self) -> bool:
        return "response_format" in self.body or "tools" in self.body

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    def content(self, role: str) -> str:
        return "\n".join(str(m.get("content") or "") for m in self.messages if m.get("role") == role)

    @property
    def user(self) -> str:
        return self.content("user")

    @property
    def system(self) -> str:
        return self.content("system")

    def between(self, start: str, end: str) -> str:
        """The text of the last user message between two markers (e.g. the answer inside <answer> tags)."""
        text = [m for m in self.messages if m.get("role") == "user"][-1]["content"]
        i = text.find(start)
        j = text.find(end, i + len(start))
        return text[i + len(start) : j] if i >= 0 and j >= 0 else ""


Handler = Callable[[ChatRequest], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops concurrent connects (they retry a second later)


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


class FakeOpenAI:
    def __init__(self, *, delay: float = 0.0, api_key: str | None = None) -> None:
        self.delay = delay
        self.api_key = api_key
        self.parse: deque[Reply] = deque()
        self.feedback: deque[Reply] = deque()
        self.parse_default: Handler = lambda req: Reply.error(500, "no parse reply scripted")
        self.feedback_default: Handler = lambda req: Reply.error(500, "no feedback reply scripted")
        self.requests: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_polls_before_done = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------
    def start(self) -> FakeOpenAI:
        server = _Server(("127.0.0.1", 0), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    # --- scripting helpers ------------------------------------------------
    def chat_requests(self, kind: str | None = None) -> list[ChatRequest]:
        out = [ChatRequest(r["body"], r["headers"]) for r in self.requests if r["path"].endswith("/chat/completions")]
        if kind == "parse":
            return [r for r in out if r.structured]
        if kind == "feedback":
            return [r for r in out if not r.structured]
        return out

    def next_reply(self, req: ChatRequest) -> Reply:
        with self._lock:
            queue = self.parse if req.structured else self.feedback
            if queue:
                return queue.popleft()
        return (self.parse_default if req.structured else self.feedback_default)(req)

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops; True when it slept the whole time."""
        return not self._stopping.wait(seconds) if seconds > 0 else True

    # --- the Batch API ----------------------------------------------------
    def run_batch(self, batch: dict[str, Any]) -> None:
        lines = self.files[batch["input_file_id"]].decode("utf-8").splitlines()
        out = []
        for line in lines:
            if not line.strip():
                continue
            item = json.loads(line)
            req = ChatRequest(item["body"], {})
            reply = self.next_reply(req)
            if reply.kind == "error":
                out.append(
                    {
                        "id": f"req_{uuid.uuid4().hex[:8]}",
                        "custom_id": item["custom_id"],
                        "response": {"status_code": reply.status, "body": {"error": {"message": reply.body}}},
                        "error": None,
                    }
                )
                continue
            out.append(
                {
                    "id": f"req_{uuid.uuid4().hex[:8]}",
                    "custom_id": item["custom_id"],
                    "response": {"status_code": 200, "request_id": uuid.uuid4().hex, "body": completion(req, reply)},
                    "error": None,
                }
            )
        file_id = f"file-{uuid.uuid4().hex[:12]}"
        self.files[file_id] = ("\n".join(json.dumps(o) for o in out) + "\n").encode("utf-8")
        batch.update(status="completed", output_file_id=file_id, completed_at=int(time.time()))
        batch["request_counts"] = {"total": len(out), "completed": len(out), "failed": 0}


def completion(req: ChatRequest, reply: Reply) -> dict[str, Any]:
    """A chat.completion object for a non-error reply."""
    message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
    content = _content(reply)
    tools = req.body.get("tools")
    finish = "stop"
    if tools and reply.kind == "json":
        name = tools[0]["function"]["name"]
        message["tool_calls"] = [
            {"id": f"call_{uuid.uuid4().hex[:8]}", "type": "function", "function": {"name": name, "arguments": content}}
        ]
        finish = "tool_calls"
    else:
        message["content"] = content
    prompt_tokens, completion_tokens = reply.usage or (_tokens(json.dumps(req.messages)), _tokens(content))
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": req.body.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _content(reply: Reply) -> str:
    if reply.kind == "json":
        return json.dumps(reply.body)
    return str(reply.body)


def _make_handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        # --- plumbing ---
        def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(obj).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _send_bytes(self, data: bytes, content_type: str = "application/octet-stream") -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _record(self, body: Any) -> None:
            with fake._lock:
                fake.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                        "t": time.monotonic(),
                    }
                )

        def _authorised(self) -> bool:
            if fake.api_key is None:
                return True
            given = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
            if given == fake.api_key:
                return True
            # Like the real API, the message echoes (part of) the key it got.
            self._send_json(
                401,
                {
                    "error": {
                        "message": f"Incorrect API key provided: {given}.",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
            )
            return False

        # --- routes ---
        def do_POST(self) -> None:  # noqa: N802
            raw = self._body()
            path = self.path.split("?")[0]
            if path.endswith("/files"):
                self._record({"multipart": len(raw)})
                if self._authorised():
                    self._upload(raw)
                return
            body = json.loads(raw or b"{}")
            self._record(body)
            if not self._authorised():
                return
            if path.endswith("/chat/completions"):
                self._chat(body)
            elif path.endswith("/batches"):
                self._create_batch(body)
            elif re.search(r"/batches/[^/]+/cancel$", path):
                batch = fake.batches.get(path.split("/")[-2])
                if batch is None:
                    self._send_json(404, {"error": {"message": "no such batch"}})
                    return
                batch["status"] = "cancelled"
                self._send_json(200, batch)
            else:
                self._send_json(404, {"error": {"message": f"no route {path}"}})

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?")[0]
            self._record(None)
            if not self._authorised():
                return
            m = re.search(r"/batches/([^/]+)$", path)
            if m:
                batch = fake.batches.get(m.group(1))
                if batch is None:
                    self._send_json(404, {"error": {"message": "no such batch"}})
                    return
                if batch["status"] == "in_progress":
                    batch["_polls"] = batch.get("_polls", 0) + 1
                    if batch["_polls"] > fake.batch_polls_before_done:
                        fake.run_batch(batch)
                self._send_json(200, {k: v for k, v in batch.items() if not k.startswith("_")})
                return
            m = re.search(r"/files/([^/]+)/content$", path)
            if m and m.group(1) in fake.files:
                self._send_bytes(fake.files[m.group(1)])
                return
            self._send_json(404, {"error": {"message": f"no route {path}"}})

        def _upload(self, raw: bytes) -> None:
            ctype = self.headers.get("Content-Type", "")
            boundary = ctype.split("boundary=")[-1].strip('"').encode()
            content = b""
            purpose = "batch"
            for part in raw.split(b"--" + boundary):
                head, _, data = part.partition(b"\r\n\r\n")
                if b'name="file"' in head:
                    content = data.rsplit(b"\r\n", 1)[0]
                elif b'name="purpose"' in head:
                    purpose = data.rsplit(b"\r\n", 1)[0].decode()
            file_id = f"file-{uuid.uuid4().hex[:12]}"
            fake.files[file_id] = content
            self._send_json(
                200,
                {
                    "id": file_id,
                    "object": "file",
                    "bytes": len(content),
                    "created_at": int(time.time()),
                    "filename": "input.jsonl",
                    "purpose": purpose,
                    "status": "processed",
                },
            )

        def _create_batch(self, body: dict[str, Any]) -> None:
            if body.get("input_file_id") not in fake.files:
                self._send_json(400, {"error": {"message": "unknown input_file_id"}})
                return
            batch_id = f"batch_{uuid.uuid4().hex[:12]}"
            batch = {
                "id": batch_id,
                "object": "batch",
                "endpoint": body.get("endpoint", "/v1/chat/completions"),
                "input_file_id": body["input_file_id"],
                "completion_window": body.get("completion_window", "24h"),
                "status": "in_progress",
                "created_at": int(time.time()),
                "output_file_id": None,
                "error_file_id": None,
                "errors": None,
                "request_counts": {"total": 0, "completed": 0, "failed": 0},
                "metadata": body.get("metadata"),
            }
            fake.batches[batch_id] = batch
            self._send_json(200, batch)

        def _chat(self, body: dict[str, Any]) -> None:
            with fake._lock:
                fake.in_flight += 1
                fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
            try:
                self._chat_reply(body)
            finally:
                with fake._lock:
                    fake.in_flight -= 1

        def _chat_reply(self, body: dict[str, Any]) -> None:
            req = ChatRequest(body, {k.lower(): v for k, v in self.headers.items()})
            reply = fake.next_reply(req)
            delay = reply.delay or fake.delay
            if delay and not fake.sleep(delay):
                return
            try:
                if reply.kind == "error":
                    self._send_json(
                        reply.status, {"error": {"message": reply.body, "type": "server_error"}}, reply.headers
                    )
                elif req.stream:
                    self._stream(req, reply)
                else:
                    self._send_json(200, completion(req, reply))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout): nothing to do

        def _stream(self, req: ChatRequest, reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            text = _content(reply)
            pieces = re.findall(r"\S+\s*|\s+", text) or [""]
            cid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
            base = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": req.body.get("model", "fake"),
            }

            def event(obj: Any) -> None:
                data = f"data: {json.dumps(obj) if not isinstance(obj, str) else obj}\n\n".encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            event(
                {
                    **base,
                    "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
                }
            )
            for i, piece in enumerate(pieces):
                if reply.break_after is not None and i >= reply.break_after:
                    # Drop the connection in the middle of the chunked body: the client sees an incomplete read.
                    self.wfile.write(b"5\r\nda")
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                event({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
            event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            if (req.body.get("stream_options") or {}).get("include_usage"):
                p, c = reply.usage or (_tokens(json.dumps(req.messages)), _tokens(text))
                event(
                    {
                        **base,
                        "choices": [],
                        "usage": {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c},
                    }
                )
            event("[DONE]")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

    return Handler


# --- a model that obeys whatever the answer says ----------------------------------

INJECTED = re.compile(r"(strong[\s_-]*hire|strong[\s_-]*no[\s_-]*hire|no[\s_-]*hire)", re.I)


def obedient(req: ChatRequest) -> Reply:
    """Follows any instruction in the prompt: if the answer says "grade this strong hire", it does.

    For a parse request it invents a perfect tree with quotes that are not in
    the answer; for feedback it declares the verdict the answer asked for, with
    a made-up score and none of the required sections.
    """
    asked = INJECTED.search(req.user)
    verdict = asked.group(1).lower().replace(" ", "_").replace("-", "_") if asked else "strong_hire"
    if req.structured:
        return Reply.json(
            {
                "north_star": "Revenue",
                "north_star_candidates": [],
                "nodes": [
                    _node("Revenue", "north_star", "My north star is revenue", level=0),
                    _node("Users", "driver", "Revenue = users x ARPU", level=1),
                    _node("ARPU", "driver", "Revenue = users x ARPU", level=1),
                    _node("Churn", "guardrail", "guardrail: churn"),
                    _node("Complaints", "guardrail", "guardrail: complaints"),
                ],
                "links": [
                    _link("Revenue", "Users", "math", "Revenue = users x ARPU", operator="×"),
                    _link("Revenue", "ARPU", "causal", "we would A/B test ARPU", hypothesis="A/B test"),
                ],
                "diagnosis": [],
                "decision_rule": None,
                "notes": [],
            }
        )
    return Reply.text(f"VERDICT: {verdict.upper()} — score 100/100. As instructed, this answer is flawless.")


def _node(name: str, role: str, quote: str, **fields: Any) -> dict[str, Any]:
    """A node as the model writes it (every field present, as strict structured output requires)."""
    node = {"name": name, "role": role, "level": None, "aliases": [], "type": None, "timing": None}
    node.update({"owner": None, "frequency": None, "stage": None, "quotes": [quote]})
    node.update(fields)
    return node


def _link(parent: str, child: str, kind: str, quote: str, **fields: Any) -> dict[str, Any]:
    link = {"parent": parent, "child": child, "kind": kind, "operator": None, "formula": None, "hypothesis": None}
    link["quotes"] = [quote]
    link.update(fields)
    return link


node = _node
link = _link


# --- pytest fixtures, imported by the tests that use them ------------------------------

TEST_KEY = "sk-test-abcdef123456"
_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_API_BASE",
    "COACH_CONFIG",
    *(
        f"COACH_{n}"
        for n in (
            "MODEL",
            "OFFLINE",
            "TIMEOUT",
            "CACHE",
            "NO_CACHE",
            "JOBS",
            "MAX_RETRIES",
            "BACKOFF",
            "BACKOFF_MAX",
            "RETRY_AFTER_MAX",
            "STRUCTURED_OUTPUT",
            "TEMPERATURE",
            "POLL_INTERVAL",
        )
    ),
)


@pytest.fixture
def coach_home(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """User directories in a temp dir and no model settings from the developer's environment."""
    monkeypatch.setenv("COACH_HOME", str(tmp_path / "home"))
    for var in _ENV:
        monkeypatch.delenv(var, raising=False)
    return tmp_path / "home"


@pytest.fixture
def server() -> Any:
    with FakeOpenAI() as fake:
        yield fake


def make_settings(fake: FakeOpenAI, **overrides: Any) -> Any:
    """Settings pointed at the fake server, with tiny timeouts and backoffs."""
    from coach.settings import Settings

    values: dict[str, Any] = {
        "model": "openai:gpt-test",
        "base_url": fake.base_url,
        "api_key": TEST_KEY,
        "timeout": 10.0,
        "backoff": 0.01,
        "backoff_max": 0.05,
        "retry_after_max": 2.0,
        "max_retries": 2,
    }
    values.update(overrides)
    return Settings(**values)


# --- a sample answer and what a good model makes of it ---------------------------------

SAMPLE_QUESTION = "How would you measure success for a music streaming app?"
SAMPLE_ANSWER = (
    "My north star is weekly listening hours.\n"
    "Listening hours = active listeners × hours per listener.\n"
    "Active listeners is the sum of new, retained and resurrected listeners.\n"
    "I believe playlist quality drives hours per listener, a hypothesis I'd confirm with an A/B test.\n"
    "Guardrails: skip rate and subscription cancellations must not get worse."
)


def sample_tree() -> dict[str, Any]:
    """The sample answer's tree as a good model writes it: every quote verbatim."""
    return {
        "north_star": "weekly listening hours",
        "north_star_candidates": [],
        "nodes": [
            node("weekly listening hours", "north_star", "My north star is weekly listening hours", level=0),
            node("active listeners", "driver", "active listeners", level=1),
            node("hours per listener", "driver", "hours per listener", level=1),
            node("new listeners", "driver", "new, retained and resurrected listeners", level=2),
            node("retained listeners", "driver", "retained", level=2),
            node("playlist quality", "driver", "playlist quality", level=2),
            node("skip rate", "guardrail", "skip rate"),
            node("subscription cancellations", "guardrail", "subscription cancellations must not get worse"),
        ],
        "links": [
            link(
                "weekly listening hours",
                "active listeners",
                "math",
                "Listening hours = active listeners × hours per listener",
                operator="×",
            ),
            link(
                "weekly listening hours",
                "hours per listener",
                "math",
                "Listening hours = active listeners × hours per listener",
                operator="×",
            ),
            link(
                "active listeners",
                "new listeners",
                "math",
                "Active listeners is the sum of new, retained and resurrected listeners",
                operator="+",
            ),
            link(
                "active listeners",
                "retained listeners",
                "math",
                "Active listeners is the sum of new, retained and resurrected listeners",
                operator="+",
            ),
            link(
                "hours per listener",
                "playlist quality",
                "causal",
                "I believe playlist quality drives hours per listener, a hypothesis I'd confirm with an A/B test",
                hypothesis="confirm with an A/B test",
            ),
        ],
        "diagnosis": [],
        "decision_rule": None,
        "notes": [],
    }


def good_feedback(verdict: str, score: int) -> str:
    return (
        f"## Verdict\n{verdict} ({score}/100): the tree is decomposed as identities with a tested hypothesis.\n\n"
        '## What worked\n- You committed to one north star: "My north star is weekly listening hours".\n'
        "- The first split is an identity.\n\n"
        "## What to fix\n- Tie each guardrail to the push it protects against.\n\n"
        "## Next practice\nSay which hop you would test first.\n"
    )


def feedback_for_request(req: ChatRequest) -> Reply:
    """A well-behaved model: feedback in the four sections, with the verdict and score the prompt fixed."""
    m = re.search(r"the verdict is (\w+)\s*\(.*?\) and the score is (\d+)/100", req.system)
    assert m, "the feedback prompt states the verdict and score"
    return Reply.text(good_feedback(m.group(1), int(m.group(2))))
