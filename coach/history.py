"""Practice history: every graded attempt and the draft being written, in SQLite.

One file, ``history.sqlite`` in the data directory (``coach.locations.data_dir()``).
Every write is its own committed transaction, so a crash, a closed terminal or
``kill -9`` loses nothing that was saved: an attempt is committed the moment it
is graded, a draft every time it is saved. The schema carries numbered
migrations (``PRAGMA user_version``); opening a database runs the missing ones.

Functions here take a ``sqlite3.Connection`` from ``connect()`` and plain data;
the comparisons and pass rates at the bottom are pure functions of results.
No UI import: the TUI and any future command share this module.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from coach.errors import CoachError
from coach.result import GradeResult, Status
from coach.vocabulary import VERDICT_RANK

DB_NAME = "history.sqlite"

# Each entry runs once, in order; the database's user_version is the number applied.
MIGRATIONS: tuple[str, ...] = (
    # 1: attempts and drafts
    """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        scenario_id TEXT NOT NULL,
        created_at REAL NOT NULL,
        answer TEXT NOT NULL,
        result_json TEXT NOT NULL,
        score INTEGER NOT NULL,
        verdict TEXT NOT NULL,
        elapsed REAL
    );
    CREATE INDEX attempts_by_scenario ON attempts (scenario_id, created_at);
    CREATE TABLE drafts (
        scenario_id TEXT PRIMARY KEY,
        text TEXT NOT NULL,
        elapsed REAL NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL
    );
    """,
    # 2: the follow-up round, recorded on the attempt it follows
    """
    ALTER TABLE attempts ADD COLUMN follow_up_criterion TEXT;
    ALTER TABLE attempts ADD COLUMN follow_up_question TEXT;
    ALTER TABLE attempts ADD COLUMN follow_up_answer TEXT;
    ALTER TABLE attempts ADD COLUMN follow_up_result_json TEXT;
    ALTER TABLE attempts ADD COLUMN follow_up_score INTEGER;
    ALTER TABLE attempts ADD COLUMN follow_up_verdict TEXT;
    """,
)


class HistoryError(CoachError):
    """The history database cannot be opened or written (corrupt file, read-only folder ...)."""


@dataclass(frozen=True)
class Draft:
    scenario_id: str
    text: str
    elapsed: float
    updated_at: float


@dataclass(frozen=True)
class FollowUpRound:
    criterion_id: str | None
    question: str
    answer: str
    result: GradeResult


@dataclass(frozen=True)
class Attempt:
    id: int
    scenario_id: str
    created_at: float
    answer: str
    result: GradeResult
    elapsed: float | None = None
    follow_up: FollowUpRound | None = None

    @property
    def score(self) -> int:
        return self.result.score

    @property
    def verdict(self) -> str:
        return self.result.verdict

    @property
    def final(self) -> GradeResult:
        """The result after the follow-up when there was one, else the first result."""
        return self.follow_up.result if self.follow_up else self.result


def default_path() -> Path:
    from coach.locations import data_dir

    return data_dir() / DB_NAME


def connect(path: Path | str | None = None) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the history database. ``":memory:"`` for a throwaway one."""
    target = default_path() if path is None else path
    try:
        if str(target) != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(target), timeout=5.0, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        # WAL: a committed write survives the process being killed; NORMAL skips an fsync per commit.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise HistoryError(f"{target}: cannot open the history database: {exc}") from None
    except OSError as exc:
        raise HistoryError(f"{target}: cannot create the history database: {exc.strerror}") from None
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations this database has not seen; returns the version reached."""
    version = schema_version(conn)
    if version > len(MIGRATIONS):
        raise HistoryError(
            f"the history database is from a newer coach (schema {version}, this coach knows {len(MIGRATIONS)})"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        statements = [s.strip() for s in script.split(";") if s.strip()]
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return schema_version(conn)


def _write(conn: sqlite3.Connection, statements: Iterable[tuple[str, Sequence[object]]]) -> sqlite3.Cursor | None:
    """Run ``statements`` as one committed transaction; returns the first statement's cursor."""
    first = None
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in statements:
                cursor = conn.execute(sql, params)
                first = first or cursor
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except sqlite3.DatabaseError as exc:
        raise HistoryError(f"cannot write to the history database: {exc}") from None
    return first


# --- drafts -----------------------------------------------------------------------------------


def save_draft(
    conn: sqlite3.Connection, scenario_id: str, text: str, *, elapsed: float = 0.0, now: float | None = None
) -> None:
    """Save (replace) the draft for a scenario; a blank text deletes it."""
    if not text.strip():
        clear_draft(conn, scenario_id)
        return
    _write(
        conn,
        [
            (
                "INSERT INTO drafts (scenario_id, text, elapsed, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (scenario_id) DO UPDATE SET text = excluded.text, elapsed = excluded.elapsed, "
                "updated_at = excluded.updated_at",
                (scenario_id, text, float(elapsed), time.time() if now is None else now),
            )
        ],
    )


def load_draft(conn: sqlite3.Connection, scenario_id: str) -> Draft | None:
    row = conn.execute("SELECT * FROM drafts WHERE scenario_id = ?", (scenario_id,)).fetchone()
    if row is None:
        return None
    return Draft(row["scenario_id"], row["text"], row["elapsed"], row["updated_at"])


def draft_ids(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT scenario_id FROM drafts")}


def clear_draft(conn: sqlite3.Connection, scenario_id: str) -> None:
    _write(conn, [("DELETE FROM drafts WHERE scenario_id = ?", (scenario_id,))])


# --- attempts ---------------------------------------------------------------------------------


def record_attempt(
    conn: sqlite3.Connection,
    scenario_id: str,
    answer: str,
    result: GradeResult,
    *,
    elapsed: float | None = None,
    now: float | None = None,
    drop_draft: bool = True,
) -> Attempt:
    """Save a graded attempt and (by default) drop the scenario's draft, in one transaction."""
    created = time.time() if now is None else now
    statements: list[tuple[str, Sequence[object]]] = [
        (
            "INSERT INTO attempts (scenario_id, created_at, answer, result_json, score, verdict, elapsed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (scenario_id, created, answer, _dump(result), result.score, result.verdict, elapsed),
        )
    ]
    if drop_draft:
        statements.append(("DELETE FROM drafts WHERE scenario_id = ?", (scenario_id,)))
    cursor = _write(conn, statements)
    assert cursor is not None and cursor.lastrowid is not None
    return Attempt(cursor.lastrowid, scenario_id, created, answer, result, elapsed)


def record_follow_up(
    conn: sqlite3.Connection,
    attempt_id: int,
    *,
    criterion_id: str | None,
    question: str,
    answer: str,
    result: GradeResult,
) -> None:
    """Attach the follow-up round (the interviewer's question, the answer, the recomputed result) to an attempt."""
    _write(
        conn,
        [
            (
                "UPDATE attempts SET follow_up_criterion = ?, follow_up_question = ?, follow_up_answer = ?, "
                "follow_up_result_json = ?, follow_up_score = ?, follow_up_verdict = ? WHERE id = ?",
                (criterion_id, question, answer, _dump(result), result.score, result.verdict, attempt_id),
            )
        ],
    )


def _dump(result: GradeResult) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False)


def _attempt(row: sqlite3.Row) -> Attempt:
    follow_up = None
    if row["follow_up_result_json"]:
        follow_up = FollowUpRound(
            row["follow_up_criterion"],
            row["follow_up_question"] or "",
            row["follow_up_answer"] or "",
            GradeResult.model_validate_json(row["follow_up_result_json"]),
        )
    return Attempt(
        id=row["id"],
        scenario_id=row["scenario_id"],
        created_at=row["created_at"],
        answer=row["answer"],
        result=GradeResult.model_validate_json(row["result_json"]),
        elapsed=row["elapsed"],
        follow_up=follow_up,
    )


def attempts(conn: sqlite3.Connection, scenario_id: str | None = None) -> list[Attempt]:
    """Attempts, oldest first; all of them or one scenario's."""
    if scenario_id is None:
        rows = conn.execute("SELECT * FROM attempts ORDER BY created_at, id")
    else:
        rows = conn.execute("SELECT * FROM attempts WHERE scenario_id = ? ORDER BY created_at, id", (scenario_id,))
    return [_attempt(r) for r in rows]


@dataclass(frozen=True)
class ScenarioSummary:
    scenario_id: str
    attempts: int
    best_verdict: str
    best_score: int
    last_at: float


def summaries(conn: sqlite3.Connection) -> dict[str, ScenarioSummary]:
    """Per attempted scenario: how many attempts, the best first-answer verdict and score, the last time.

    The best verdict counts first answers only: a pass the interviewer had to prompt is not the habit yet.
    """
    out: dict[str, ScenarioSummary] = {}
    rows = conn.execute("SELECT scenario_id, verdict, score, created_at FROM attempts ORDER BY created_at, id")
    for r in rows:
        sid = r["scenario_id"]
        prev = out.get(sid)
        if prev is None:
            out[sid] = ScenarioSummary(sid, 1, r["verdict"], r["score"], r["created_at"])
            continue
        better = (VERDICT_RANK.get(r["verdict"], -1), r["score"]) > (
            VERDICT_RANK.get(prev.best_verdict, -1),
            prev.best_score,
        )
        out[sid] = ScenarioSummary(
            sid,
            prev.attempts + 1,
            r["verdict"] if better else prev.best_verdict,
            max(prev.best_score, r["score"]),
            max(prev.last_at, r["created_at"]),
        )
    return out


# --- what the history says (pure) -------------------------------------------------------------


@dataclass(frozen=True)
class PassRate:
    criterion_id: str
    core: bool
    passed: int
    applicable: int

    @property
    def rate(self) -> float:
        return self.passed / self.applicable if self.applicable else 0.0


def pass_rates(results: Iterable[GradeResult]) -> list[PassRate]:
    """Per criterion: how often it passed where it applied, weakest first (core before extended on ties)."""
    passed: dict[str, int] = {}
    applicable: dict[str, int] = {}
    core: dict[str, bool] = {}
    order: dict[str, int] = {}
    for result in results:
        for c in result.criteria:
            order.setdefault(c.id, len(order))
            core[c.id] = core.get(c.id, False) or c.core
            if c.status == "not_applicable":
                continue
            applicable[c.id] = applicable.get(c.id, 0) + 1
            if c.status == "pass" and not c.prompted:
                passed[c.id] = passed.get(c.id, 0) + 1
    rates = [PassRate(cid, core[cid], passed.get(cid, 0), applicable[cid]) for cid in applicable]
    return sorted(rates, key=lambda r: (r.rate, not r.core, order[r.criterion_id]))


@dataclass(frozen=True)
class Flip:
    criterion_id: str
    before: Status
    after: Status
    core: bool


@dataclass(frozen=True)
class Comparison:
    before: GradeResult
    after: GradeResult
    flipped: list[Flip]
    metrics_added: list[str]
    metrics_dropped: list[str]

    @property
    def score_delta(self) -> int:
        return self.after.score - self.before.score

    @property
    def improved(self) -> list[Flip]:
        return [f for f in self.flipped if f.after == "pass"]


def _fold(name: str) -> str:
    return " ".join(name.casefold().replace("-", " ").split())


def compare(before: GradeResult, after: GradeResult) -> Comparison:
    """What changed between two results: criteria whose status flipped, metrics added and dropped."""
    old = {c.id: c for c in before.criteria}
    flipped = []
    for c in after.criteria:
        prev = old.get(c.id)
        if prev is not None and prev.status != c.status:
            flipped.append(Flip(c.id, prev.status, c.status, c.core or prev.core))
    before_names = {_fold(n.name): n.name for n in before.tree.nodes}
    after_names = {_fold(n.name): n.name for n in after.tree.nodes}
    added = [name for key, name in after_names.items() if key not in before_names]
    dropped = [name for key, name in before_names.items() if key not in after_names]
    return Comparison(before, after, flipped, added, dropped)
