"""``coach batch IN --out OUT``: grade a file of answers, streaming, in parallel, resumably.

Input is JSONL or CSV (by extension) with the fields ``id``, ``answer`` and
``scenario`` or ``question``, and optionally ``kind``, ``ai_product`` and
``label``. Output is JSONL or CSV (by extension): one record per input row, in
input order.

How it stays safe and fast:

- Streaming. Rows are read one at a time and at most a small window of chunks
  is in flight, so memory stays flat however long the file is.
  (``multiprocessing.Pool.imap`` would read the whole input ahead into its task
  queue, so the window is kept by hand with ``apply_async``.)
- Ordered. Results are written in input order whatever ``--jobs`` is, and each
  result depends only on its row, so the output is byte-identical for any
  number of workers.
- Resumable. Each record is one complete line (one complete CSV record),
  written with a single write and flushed. On start the existing output is
  read: a trailing half-written record (from a crash) is cut off, and input
  rows that already have a record are skipped. The k-th occurrence of an id in
  the input matches the k-th record with that id in the output, which keeps
  resumes exact even with duplicate ids. Re-running a finished batch is a
  no-op; ``--retry-errors`` drops the error records and grades those rows again.
- Forgiving. A broken row (bad JSON, bad CSV, missing answer, unknown scenario,
  an answer over the size limit, a duplicate id) becomes an error record
  ``{"id": ..., "line": N, "error": "..."}``, is reported on stderr with
  ``file:line`` and the id, and the batch carries on. The exit code is 1 when
  any row errored.

With a model (``settings.use_model``) the same reading, ordering, writing and
resuming apply; only the grading differs: answers go to one model session on an
event-loop thread, ``settings.jobs`` at a time (``_model_results``), or through
the OpenAI Batch API (``_provider_results``). A model failure is never an error
record: that answer is graded offline, with a notice in its record.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from coach.answers import DEFAULT_MAX_BYTES, check_answer_text, terminal_safe
from coach.errors import EXIT_ERRORS_IN_BATCH, EXIT_OK, EXIT_USAGE, CoachError, DataFileError, InputError

if TYPE_CHECKING:
    from coach.llm.provider_batch import BatchEvent
    from coach.llm.session import RunStats
    from coach.result import GradeResult
    from coach.settings import Settings

KINDS = ("measure_success", "metric_drop", "conflicting_metrics", "north_star")
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
CHUNK_SIZE = 16
WINDOW_PER_JOB = 4
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


def input_format(path: str) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise CoachError(f"{path}: unknown input format; use a .jsonl or .csv file", EXIT_USAGE)
    return fmt


def output_format(path: str) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise CoachError(f"{path}: unknown output format; use a .jsonl or .csv file name", EXIT_USAGE)
    return fmt


# --- input rows ----------------------------------------------------------------


class Item(NamedTuple):
    """One input row: its fields to grade, or the reason it cannot be graded."""

    line: int
    id: str | None
    pos: int  # byte offset in the input just after this row (for the progress bar)
    fields: dict[str, Any] | None = None
    error: str | None = None


def _key(rid: str | None, line: int) -> str:
    """Rows without an id are matched to their error records by line number."""
    return rid if rid is not None else f"\x00line:{line}"


def _row_id(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _optional_str(row: dict[str, Any], name: str) -> str | None:
    value = row.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name!r} must be a string")
    return value


def _parse_bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        v = value.strip().lower()
        if not v:
            return None
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
    raise ValueError(f"'ai_product' must be true or false, not {value!r}")


def item_from_row(row: dict[str, Any], line: int, pos: int) -> Item:
    """Validate one row's fields (everything but the answer text itself, which the worker checks)."""
    raw_id = row.get("id")
    rid = _row_id(raw_id)
    if rid is None:
        why = "missing id" if raw_id in (None, "") else f"'id' must be a string or an integer, not {raw_id!r}"
        return Item(line, None, pos, error=why)
    try:
        answer = row.get("answer")
        if answer is None:
            raise ValueError("missing answer")
        if not isinstance(answer, str):
            raise ValueError("'answer' must be a string")
        scenario = _optional_str(row, "scenario")
        question = _optional_str(row, "question")
        if scenario is None and question is None:
            raise ValueError("needs a 'scenario' id or a 'question'")
        kind = _optional_str(row, "kind")
        if kind is not None:
            kind = kind.strip()
            if kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r} (one of: {', '.join(KINDS)})")
        ai_product = _parse_bool(row.get("ai_product"))
    except ValueError as exc:
        return Item(line, rid, pos, error=str(exc))
    label = row.get("label")
    if label == "":
        label = None
    fields = {
        "answer": answer,
        "scenario": scenario.strip() if scenario else None,
        "question": question or "",
        "kind": kind,
        "ai_product": ai_product,
        "label": label,
    }
    return Item(line, rid, pos, fields=fields)


def _line_limit(max_bytes: int) -> int:
    """Longest physical line read in one piece: room for a JSON-escaped answer at the limit."""
    return 8 * max_bytes + (1 << 20)


def _physical_lines(f: io.BufferedReader, limit: int) -> Iterator[tuple[bytes, int, bool]]:
    """(line, end offset, too_long) for each line; an over-long line is skipped, not kept."""
    pos = 0
    while True:
        raw = f.readline(limit)
        if not raw:
            return
        pos += len(raw)
        if len(raw) >= limit and not raw.endswith(b"\n"):
            while True:
                rest = f.readline(limit)
                pos += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
            yield b"", pos, True
            continue
        yield raw, pos, False


def read_jsonl(path: str, max_bytes: int) -> Iterator[Item]:
    limit = _line_limit(max_bytes)
    with open(path, "rb") as f:
        for n, (raw, pos, too_long) in enumerate(_physical_lines(f, limit), 1):
            if too_long:
                yield Item(n, None, pos, error=f"row is over {limit:,} bytes")
                continue
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Item(n, None, pos, error=f"not valid UTF-8 (bad byte at offset {exc.start} of the line)")
                continue
            if n == 1:
                text = text.removeprefix("\ufeff")
            try:
                row = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Item(n, None, pos, error=f"bad JSON: {exc.msg} (column {exc.colno})")
                continue
            if not isinstance(row, dict):
                yield Item(n, None, pos, error="bad JSON: the line is not a JSON object")
                continue
            yield item_from_row(row, n, pos)


class _LineFeed:
    """Feeds decoded lines to ``csv.reader`` and remembers how far it got (line number, byte offset)."""

    def __init__(self, f: io.BufferedReader, limit: int) -> None:
        self._lines = _physical_lines(f, limit)
        self.line = 0
        self.pos = 0
        self.too_long = False
        self.last_newline = False

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        raw, self.pos, too_long = next(self._lines)
        self.line += 1
        self.too_long = self.too_long or too_long
        self.last_newline = raw.endswith(b"\n")
        text = raw.decode("utf-8", errors="surrogateescape")
        if self.line == 1:
            text = text.removeprefix("\ufeff")
        return text


def _has_bad_bytes(values: Iterable[str]) -> bool:
    return any(any("\udc80" <= ch <= "\udcff" for ch in v) for v in values if v)


def read_csv(path: str, max_bytes: int) -> Iterator[Item]:
    limit = _line_limit(max_bytes)
    csv.field_size_limit(max(csv.field_size_limit(), limit))
    with open(path, "rb") as f:
        feed = _LineFeed(f, limit)
        reader = csv.reader(feed, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{path}:1: bad CSV header: {exc}") from None
        names = [h.strip().lower() for h in header]
        missing = [c for c in ("id", "answer") if c not in names]
        if missing:
            found = ", ".join(repr(h) for h in header) or "nothing"
            raise InputError(f"{path}:1: the CSV header needs {' and '.join(map(repr, missing))} (found {found})")
        done_line = feed.line
        while True:
            start = done_line + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                done_line = feed.line
                yield Item(start, None, feed.pos, error=f"bad CSV: {exc}")
                continue
            done_line = feed.line
            if feed.too_long:
                feed.too_long = False
                yield Item(start, None, feed.pos, error=f"bad CSV: a line is over {limit:,} bytes")
                continue
            if not any(v.strip() for v in values):
                continue
            row = dict(zip(names, values, strict=False))
            if len(values) > len(names):
                rid = _row_id(row.get("id"))
                yield Item(start, rid, feed.pos, error=f"bad CSV: {len(values)} fields, the header has {len(names)}")
                continue
            if _has_bad_bytes(values):
                yield Item(start, _row_id(row.get("id")), feed.pos, error="not valid UTF-8")
                continue
            yield item_from_row(row, start, feed.pos)


def read_items(path: str, fmt: str, max_bytes: int) -> Iterator[Item]:
    return read_jsonl(path, max_bytes) if fmt == "jsonl" else read_csv(path, max_bytes)


# --- grading (runs in the workers) -----------------------------------------------


class Outcome(NamedTuple):
    data: bytes  # the output record, encoded, one line (JSONL) or one record (CSV)
    line: int
    id: str | None
    pos: int
    verdict: str | None
    statuses: tuple[str, ...] | None  # in criteria order, for the summary
    error: str | None


@dataclass(frozen=True)
class Config:
    fmt: str
    criteria: tuple[str, ...]
    max_bytes: int


def csv_header(criteria: Iterable[str]) -> list[str]:
    return ["id", "line", "verdict", "score", *criteria, "feedback", "label", "error"]


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _encode(record: dict[str, Any], item: Item, cfg: Config) -> bytes:
    if cfg.fmt == "jsonl":
        text = json.dumps(record, ensure_ascii=False) + "\n"
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate in an id or label: escape it
            return (json.dumps(record, ensure_ascii=True) + "\n").encode("ascii")
    statuses = {c["id"]: c["status"] for c in record.get("criteria", [])}
    row = {
        "id": record.get("id"),
        "line": item.line,
        "verdict": record.get("verdict"),
        "score": record.get("score"),
        **{cid: statuses.get(cid) for cid in cfg.criteria},
        "feedback": record.get("feedback"),
        "label": record.get("label"),
        "error": record.get("error"),
    }
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([_csv_cell(row[c]) for c in csv_header(cfg.criteria)])
    return buf.getvalue().encode("utf-8", errors="backslashreplace")


def error_outcome(item: Item, error: str, cfg: Config) -> Outcome:
    record = {"id": item.id, "line": item.line, "error": error}
    return Outcome(_encode(record, item, cfg), item.line, item.id, item.pos, None, None, error)


def grade_args(item: Item, cfg: Config) -> dict[str, Any]:
    """The keyword arguments of ``coach.grade.grade`` for a readable row; ``CoachError`` when it cannot be graded."""
    from coach.scenarios import get_scenario

    if item.error is not None or item.fields is None:
        raise CoachError(item.error or "cannot read the row")
    f = item.fields
    return {
        "answer": check_answer_text(f["answer"], "", cfg.max_bytes),
        "question": f["question"],
        "scenario": get_scenario(f["scenario"]) if f["scenario"] else None,
        "kind": f["kind"],
        "ai_product": f["ai_product"],
        "answer_id": item.id,
    }


def internal_error(exc: Exception) -> str:
    return f"internal error: {type(exc).__name__}: {exc}"


def grade_item(item: Item, cfg: Config) -> Outcome:
    from coach.grade import grade

    try:
        result = grade(**grade_args(item, cfg))
    except CoachError as exc:
        return error_outcome(item, exc.message, cfg)
    except Exception as exc:  # a grader bug must not stop the batch
        return error_outcome(item, internal_error(exc), cfg)
    return result_outcome(item, result, cfg)


def result_outcome(item: Item, result: GradeResult, cfg: Config) -> Outcome:
    """The output record of a graded row; the label comes from the row."""
    assert item.fields is not None
    if item.fields["label"] is not None:
        result.label = item.fields["label"]
    record = result.to_json_dict()
    by_id = {c.id: c.status for c in result.criteria}
    statuses = tuple(by_id.get(cid, "") for cid in cfg.criteria)
    return Outcome(_encode(record, item, cfg), item.line, item.id, item.pos, result.verdict, statuses, None)


_WORKER_CONFIG: Config | None = None


def _init_worker(cfg: Config) -> None:
    global _WORKER_CONFIG
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    _WORKER_CONFIG = cfg


def _grade_chunk(items: list[Item]) -> list[Outcome]:
    assert _WORKER_CONFIG is not None
    return [grade_item(it, _WORKER_CONFIG) for it in items]


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for it in items:
        chunk.append(it)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _ordered_results(items: Iterable[Item], cfg: Config, jobs: int) -> Iterator[Outcome]:
    """Outcomes in input order. With jobs > 1, chunks go to a process pool, a bounded window at a time."""
    if jobs <= 1:
        for it in items:
            yield grade_item(it, cfg)
        return
    import multiprocessing as mp

    # fork (Linux) lets the workers share the grader the parent already loaded; elsewhere the
    # platform default (spawn) re-imports it in each worker, which costs start-up time only.
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else mp.get_context()
    pool = ctx.Pool(jobs, initializer=_init_worker, initargs=(cfg,))
    try:
        pending: deque = deque()
        window = jobs * WINDOW_PER_JOB
        for chunk in _chunks(items, CHUNK_SIZE):
            pending.append(pool.apply_async(_grade_chunk, (chunk,)))
            while len(pending) >= window:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _model_results(items: Iterable[Item], cfg: Config, settings: Settings, stats: RunStats) -> Iterator[Outcome]:
    """Outcomes in input order, graded through the model with ``settings.jobs`` answers in flight.

    One event-loop thread grades concurrently (the work is waiting on the provider, not the CPU); a window
    of pending rows keeps memory flat, exactly as the process pool's window does offline.
    """
    from concurrent.futures import Future

    from coach.llm.pipeline import ModelGrade, ModelRunner

    def settle(item: Item, slot: Outcome | Future[ModelGrade]) -> Outcome:
        if isinstance(slot, Outcome):
            return slot
        try:
            graded = slot.result()
        except Exception as exc:  # the offline grader itself failed: that row only
            return error_outcome(item, internal_error(exc), cfg)
        return result_outcome(item, graded.result, cfg)

    window = settings.jobs * WINDOW_PER_JOB
    pending: deque[tuple[Item, Outcome | Future[ModelGrade]]] = deque()
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


def _provider_results(
    items: Iterable[Item],
    cfg: Config,
    settings: Settings,
    stats: RunStats,
    on_event: Callable[[BatchEvent], None],
) -> Iterator[Outcome]:
    """Outcomes in input order, the model requests going through the OpenAI Batch API (``--provider-batch``).

    The rows are gathered first: a provider batch is one upload. Resuming works at two levels: rows already in
    the output are skipped as always, and a batch still in flight is picked up from the model store.
    """
    from coach.llm.batch import GradeRequest
    from coach.llm.provider_batch import run_provider_batch

    rows: list[tuple[Item, Outcome | int]] = []
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
        if isinstance(slot, Outcome):
            yield slot
            continue
        outcome = by_index.get(slot)
        if outcome is not None and outcome.result is not None:
            yield result_outcome(item, outcome.result, cfg)
        else:
            why = outcome.error if outcome is not None else None
            yield error_outcome(item, internal_error(why) if why else "not graded by the provider batch", cfg)


# --- the existing output (resume) ---------------------------------------------------


@dataclass
class Tally:
    """Verdict counts and per-criterion statuses, for the summary table."""

    criteria: tuple[str, ...]
    verdicts: Counter = field(default_factory=Counter)
    statuses: dict[str, Counter] = field(default_factory=dict)
    errors: int = 0

    def add(self, verdict: str | None, statuses: Iterable[str] | None) -> None:
        if verdict is None:
            self.errors += 1
            return
        self.verdicts[verdict] += 1
        for cid, status in zip(self.criteria, statuses or (), strict=False):
            self.statuses.setdefault(cid, Counter())[status] += 1

    @property
    def graded(self) -> int:
        return sum(self.verdicts.values())


@dataclass
class Existing:
    """What the output file already holds: how many records per key, and which of them are errors."""

    done: dict[str, int] = field(default_factory=dict)
    errors: set[tuple[str, int]] = field(default_factory=set)  # (key, occurrence) of error records
    records: int = 0
    truncated: int = 0  # bytes of a half-written trailing record that were cut off
    dropped_errors: int = 0


def _result_record(rec: Any, where: str, criteria: tuple[str, ...]) -> tuple[str, bool, str | None, tuple | None]:
    """(key, is_error, verdict, statuses) of one JSONL output record."""
    if not isinstance(rec, dict) or "id" not in rec:
        raise DataFileError(f"{where}: not a coach result record; refusing to append to it (use a new --out)")
    rid = rec.get("id")
    rid = rid if isinstance(rid, str) else _row_id(rid)
    line = rec.get("line") if isinstance(rec.get("line"), int) else 0
    if "error" in rec:
        return _key(rid, line), True, None, None
    by_id = {c.get("id"): c.get("status") for c in rec.get("criteria", []) if isinstance(c, dict)}
    return _key(rid, line), False, rec.get("verdict"), tuple(by_id.get(cid, "") for cid in criteria)


def _scan_jsonl(path: Path, criteria: tuple[str, ...]) -> Iterator[tuple[str, bool, str | None, tuple | None]]:
    """Each complete record of an existing JSONL output; returns the byte offset just after the last one."""
    good_end = pos = 0
    with open(path, "rb") as f:
        for n, raw in enumerate(iter(f.readline, b""), 1):
            pos += len(raw)
            if not raw.endswith(b"\n"):
                break  # a half-written last line
            if raw.strip():
                try:
                    rec = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    if f.peek(1):
                        raise DataFileError(
                            f"{path}:{n}: not a JSON line; refusing to append to it (use a new --out)"
                        ) from None
                    break  # a damaged last line: cut it off
                yield _result_record(rec, f"{path}:{n}", criteria)
            good_end = pos
    return good_end


def _scan_csv(path: Path, criteria: tuple[str, ...]) -> Iterator[tuple[str, bool, str | None, tuple | None]]:
    """Each complete record of an existing CSV output; returns the byte offset just after the last one."""
    header = csv_header(criteria)
    col = {name: i for i, name in enumerate(header)}
    with open(path, "rb") as f:
        feed = _LineFeed(f, 1 << 62)
        reader = csv.reader(feed, strict=True)
        try:
            first = next(reader)
        except (StopIteration, csv.Error):
            return 0
        if first != header:
            if not f.peek(1) and not feed.last_newline:
                return 0  # a half-written header
            raise DataFileError(f"{path}:1: the existing CSV has other columns than this rubric's; use a new --out")
        good_end = feed.pos
        while True:
            line = feed.line + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error:
                values = None
            if values is None or len(values) != len(header) or not feed.last_newline:
                if f.peek(1):
                    raise DataFileError(f"{path}:{line}: bad CSV record; refusing to append to it (use a new --out)")
                break  # a half-written last record
            try:
                rec_line = int(values[col["line"]])
            except ValueError:
                rec_line = 0
            key = _key(values[col["id"]] or None, rec_line)
            good_end = feed.pos
            if values[col["error"]]:
                yield key, True, None, None
            else:
                yield key, False, values[col["verdict"]] or None, tuple(values[col[c]] for c in criteria)
    return good_end


def load_existing(path: Path, fmt: str, criteria: tuple[str, ...], tally: Tally, retry_errors: bool) -> Existing:
    """Read the existing output: what is done, and cut off a half-written last record."""
    state = Existing()
    if not path.exists() or path.stat().st_size == 0:
        return state
    gen = _scan_jsonl(path, criteria) if fmt == "jsonl" else _scan_csv(path, criteria)
    while True:
        try:
            key, is_error, verdict, statuses = next(gen)
        except StopIteration as stop:
            good_end = stop.value or 0
            break
        if is_error and retry_errors:
            state.dropped_errors += 1
            continue
        occurrence = state.done.get(key, 0)
        state.done[key] = occurrence + 1
        if is_error:
            state.errors.add((key, occurrence))
        state.records += 1
        tally.add(verdict, statuses)
    size = path.stat().st_size
    if good_end < size:
        with open(path, "r+b") as f:
            f.truncate(good_end)
        state.truncated = size - good_end
    if state.dropped_errors:
        _rewrite_without_errors(path, fmt)
    return state


def _rewrite_without_errors(path: Path, fmt: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        if fmt == "jsonl":
            for raw in src:
                if not raw.strip():
                    continue
                if "error" not in json.loads(raw):
                    dst.write(raw)
        else:
            text = io.TextIOWrapper(src, encoding="utf-8", errors="surrogateescape", newline="")
            out = io.TextIOWrapper(dst, encoding="utf-8", errors="surrogateescape", newline="")
            reader = csv.reader(text, strict=True)
            writer = csv.writer(out, lineterminator="\n")
            header = next(reader)
            writer.writerow(header)
            err = header.index("error")
            for values in reader:
                if not values[err]:
                    writer.writerow(values)
            out.flush()
            out.detach()
            text.detach()
    os.replace(tmp, path)


# --- the run ------------------------------------------------------------------------


@dataclass
class Plan:
    """Decides, row by row, what to grade: skips rows already in the output, turns duplicates into errors."""

    existing: Existing
    seen: dict[str, tuple[int, int]] = field(default_factory=dict)  # key -> (occurrences, first line)
    skipped: int = 0
    skipped_errors: int = 0
    duplicates: int = 0

    def filter(self, items: Iterable[Item]) -> Iterator[Item]:
        for it in items:
            key = _key(it.id, it.line)
            count, first = self.seen.get(key, (0, it.line))
            self.seen[key] = (count + 1, first)
            if count < self.existing.done.get(key, 0):
                self.skipped += 1
                self.skipped_errors += (key, count) in self.existing.errors
                continue
            if count > 0 and it.id is not None:
                self.duplicates += 1
                why = f"duplicate id {it.id!r} (first on line {first}); not graded again"
                yield Item(it.line, it.id, it.pos, error=why)
                continue
            yield it


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


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


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
    if max_bytes <= 0:
        raise CoachError(f"--max-bytes must be a positive number of bytes, not {max_bytes}", EXIT_USAGE)
    jobs = default_jobs() if jobs is None else jobs
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
        columns.append(_model_column(stats))
    progress = Progress(
        *columns,
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet or not console.is_terminal,
        transient=False,
    )
    events = _BatchEvents(progress.console, quiet)
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
                results = _provider_results(todo, cfg, settings, stats, events)
            elif use_model:
                assert settings is not None and stats is not None
                results = _model_results(todo, cfg, settings, stats)
            else:
                results = _ordered_results(todo, cfg, jobs)
            with contextlib.closing(results):
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
                        interrupted = True
                        break
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
        _summary(console, in_path, out_path, tally, new, plan, existing, elapsed, rubric)
        if stats is not None and settings is not None:
            console.print(Text(_model_summary(settings, stats)), soft_wrap=True)
    return EXIT_ERRORS_IN_BATCH if errors else EXIT_OK


def _model_line(stats: RunStats) -> str:
    return f"{stats.requests} requests, {stats.cache_hits} cached, {stats.tokens:,} tokens, {stats.errors} errors"


def _model_summary(settings: Settings, stats: RunStats) -> str:
    text = f"model {settings.model_ref}: {_model_line(stats)}"
    if stats.fallbacks:
        text += f"; {stats.fallbacks} answers fell back to offline parsing or feedback (see each record's notice)"
    return text


def _model_column(stats: RunStats) -> Any:
    """A progress column of the model counters, read live at every refresh (the runner's thread updates them)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class ModelColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            return Text(_model_line(stats), style="dim")

    return ModelColumn()


class _BatchEvents:
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


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _summary(console, in_path, out_path, before: Tally, new: Tally, plan: Plan, existing, elapsed, rubric) -> None:
    from rich.table import Table
    from rich.text import Text

    total = Tally(before.criteria)
    for t in (before, new):
        total.verdicts.update(t.verdicts)
        total.errors += t.errors
        for cid, c in t.statuses.items():
            total.statuses.setdefault(cid, Counter()).update(c)
    rate = new.graded / elapsed if elapsed > 0 and new.graded else 0.0
    lines = [
        f"{new.graded} graded and {new.errors} errors in {elapsed:.1f} s ({rate:.0f} answers/s)",
    ]
    if plan.skipped:
        skipped = f"{plan.skipped} rows already in {out_path} were skipped"
        if plan.skipped_errors:
            skipped += f" ({plan.skipped_errors} of them error records; --retry-errors grades them again)"
        lines.append(skipped)
    if existing.dropped_errors:
        lines.append(f"{existing.dropped_errors} earlier error records were dropped to be retried")
    if plan.duplicates:
        lines.append(f"duplicate ids: {plan.duplicates}")
    console.print(Text("\n".join(lines)), soft_wrap=True)

    records = total.graded + total.errors
    verdicts = Table(title=f"Verdicts in {out_path}", title_justify="left")
    verdicts.add_column("verdict")
    verdicts.add_column("count", justify="right")
    verdicts.add_column("share", justify="right")
    for v in ("strong_hire", "hire", "no_hire", "strong_no_hire"):
        verdicts.add_row(v, str(total.verdicts.get(v, 0)), _pct(total.verdicts.get(v, 0), records))
    verdicts.add_row("error", str(total.errors), _pct(total.errors, records))
    console.print(verdicts)

    crit = Table(title="Criteria (pass rate where applicable)", title_justify="left")
    crit.add_column("criterion")
    crit.add_column("core")
    crit.add_column("pass", justify="right")
    crit.add_column("fail", justify="right")
    crit.add_column("n/a", justify="right")
    crit.add_column("pass rate", justify="right")
    for spec in rubric.criteria:
        c = total.statuses.get(spec.id, Counter())
        applicable = c["pass"] + c["fail"]
        crit.add_row(
            spec.id,
            "yes" if spec.core else "",
            str(c["pass"]),
            str(c["fail"]),
            str(c["not_applicable"]),
            _pct(c["pass"], applicable),
        )
    console.print(crit)
