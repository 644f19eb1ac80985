"""The SQLite cache of model replies and the log of every model call.

One file, ``llm.sqlite`` in the data directory (``coach.locations.data_dir()``),
with numbered migrations (``PRAGMA user_version``). The cache is keyed on
(model, prompt id and version, hash of the input); it stores only replies that
passed validation. The log has one row per request sent (and per cache hit):
model, prompt version, tokens, latency, cache hit, error. API keys are never
part of a key, a row or an error text.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIGRATIONS: tuple[str, ...] = (
    # 1: cache and call log
    """
    CREATE TABLE cache (
        key TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        prompt TEXT NOT NULL,
        prompt_version INTEGER NOT NULL,
        value TEXT NOT NULL,
        created REAL NOT NULL
    );
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts REAL NOT NULL,
        model TEXT NOT NULL,
        prompt TEXT NOT NULL,
        prompt_version INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        latency_ms INTEGER NOT NULL DEFAULT 0,
        cache_hit INTEGER NOT NULL DEFAULT 0,
        attempt INTEGER NOT NULL DEFAULT 1,
        answer_id TEXT,
        error TEXT
    );
    CREATE INDEX calls_model ON calls(model);
    """,
    # 2: provider batches (the OpenAI Batch API path), resumable by batch id
    """
    CREATE TABLE provider_batches (
        batch_id TEXT PRIMARY KEY,
        phase TEXT NOT NULL,
        model TEXT NOT NULL,
        input_file TEXT NOT NULL,
        state TEXT NOT NULL,
        created REAL NOT NULL,
        updated REAL NOT NULL
    );
    """,
)


def default_path() -> Path:
    from coach.locations import data_dir

    return data_dir() / "llm.sqlite"


def cache_key(model: str, prompt: str, prompt_version: int, payload: Any) -> str:
    blob = json.dumps(
        {"model": model, "prompt": prompt, "version": prompt_version, "input": payload},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CallRow:
    id: int
    ts: float
    model: str
    prompt: str
    prompt_version: int
    input_tokens: int
    output_tokens: int
    latency_ms: int
    cache_hit: bool
    attempt: int
    answer_id: str | None
    error: str | None


@dataclass(frozen=True)
class ModelTotals:
    model: str
    calls: int
    requests: int
    cache_hits: int
    errors: int
    input_tokens: int
    output_tokens: int

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class Store:
    """Thread-safe: one connection guarded by a lock (the batch runs many tasks on one loop, the TUI a worker)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    current = self._db.execute("PRAGMA user_version").fetchone()[0]
                    if current < number:  # another process may have migrated meanwhile
                        for statement in script.split(";"):
                            if statement.strip():
                                self._db.execute(statement)
                        self._db.execute(f"PRAGMA user_version = {number}")
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- cache ------------------------------------------------------------
    def get(self, key: str) -> Any | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM cache WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, *, model: str, prompt: str, prompt_version: int, value: Any) -> None:
        blob = json.dumps(value, ensure_ascii=False)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO cache(key, model, prompt, prompt_version, value, created) VALUES (?,?,?,?,?,?)",
                (key, model, prompt, prompt_version, blob, time.time()),
            )

    # --- call log ---------------------------------------------------------
    def log_call(
        self,
        *,
        model: str,
        prompt: str,
        prompt_version: int,
        input_tokens: int = 0,
        output_tokens: int = 0,
        latency_ms: int = 0,
        cache_hit: bool = False,
        attempt: int = 1,
        answer_id: str | None = None,
        error: str | None = None,
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO calls(ts, model, prompt, prompt_version, input_tokens, output_tokens, latency_ms,"
                " cache_hit, attempt, answer_id, error) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    time.time(),
                    model,
                    prompt,
                    prompt_version,
                    input_tokens,
                    output_tokens,
                    latency_ms,
                    int(cache_hit),
                    attempt,
                    answer_id,
                    error,
                ),
            )

    def calls(self, *, limit: int | None = 50, model: str | None = None) -> list[CallRow]:
        """The newest calls first."""
        sql = "SELECT * FROM calls"
        args: list[Any] = []
        if model:
            sql += " WHERE model = ?"
            args.append(model)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [CallRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), r[9], r[10], r[11]) for r in rows]

    def totals(self) -> list[ModelTotals]:
        with self._lock:
            rows = self._db.execute(
                "SELECT model, COUNT(*), SUM(1 - cache_hit), SUM(cache_hit), SUM(error IS NOT NULL),"
                " SUM(input_tokens), SUM(output_tokens) FROM calls GROUP BY model ORDER BY model"
            ).fetchall()
        return [ModelTotals(r[0], r[1], r[2] or 0, r[3] or 0, r[4] or 0, r[5] or 0, r[6] or 0) for r in rows]

    # --- provider batches -------------------------------------------------
    def save_batch(self, batch_id: str, *, phase: str, model: str, input_file: str, state: dict[str, Any]) -> None:
        now = time.time()
        with self._lock:
            self._db.execute(
                "INSERT INTO provider_batches(batch_id, phase, model, input_file, state, created, updated)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT(batch_id) DO UPDATE SET phase=excluded.phase,"
                " state=excluded.state, updated=excluded.updated",
                (batch_id, phase, model, input_file, json.dumps(state), now, now),
            )

    def batches(self, *, model: str, phase: str) -> list[tuple[str, dict[str, Any]]]:
        """Recorded provider batches of a model and phase, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT batch_id, phase, model, input_file, state FROM provider_batches"
                " WHERE model = ? AND phase = ? ORDER BY created DESC",
                (model, phase),
            ).fetchall()
        return [(r[0], {"phase": r[1], "model": r[2], "input_file": r[3], "state": json.loads(r[4])}) for r in rows]

    def load_batch(self, batch_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT phase, model, input_file, state FROM provider_batches WHERE batch_id = ?", (batch_id,)
            ).fetchone()
        if row is None:
            return None
        return {"phase": row[0], "model": row[1], "input_file": row[2], "state": json.loads(row[3])}


def list_calls(limit: int | None = 50, *, model: str | None = None, path: Path | None = None) -> list[CallRow]:
    """For ``coach log``: the newest logged calls."""
    p = path or default_path()
    if not p.exists():
        return []
    with Store(p) as store:
        return store.calls(limit=limit, model=model)


def totals_by_model(path: Path | None = None) -> list[ModelTotals]:
    """For ``coach log``: calls, requests, cache hits, errors and tokens per model."""
    p = path or default_path()
    if not p.exists():
        return []
    with Store(p) as store:
        return store.totals()
