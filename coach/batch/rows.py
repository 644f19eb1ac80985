"""Reading a batch's input: JSONL or CSV rows, one at a time, each a gradable item or the reason it is not."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from coach.errors import EXIT_USAGE, CoachError, InputError
from coach.vocabulary import KINDS

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


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


def row_key(rid: str | None, line: int) -> str:
    """Rows without an id are matched to their error records by line number."""
    return rid if rid is not None else f"\x00line:{line}"


def row_id(value: Any) -> str | None:
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
    rid = row_id(raw_id)
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


class LineFeed:
    """Feeds decoded lines to ``csv.reader`` and remembers how far it got (line number, byte offset)."""

    def __init__(self, f: io.BufferedReader, limit: int) -> None:
        self._lines = _physical_lines(f, limit)
        self.line = 0
        self.pos = 0
        self.too_long = False
        self.last_newline = False

    def __iter__(self) -> LineFeed:
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
        feed = LineFeed(f, limit)
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
                rid = row_id(row.get("id"))
                yield Item(start, rid, feed.pos, error=f"bad CSV: {len(values)} fields, the header has {len(names)}")
                continue
            if _has_bad_bytes(values):
                yield Item(start, row_id(row.get("id")), feed.pos, error="not valid UTF-8")
                continue
            yield item_from_row(row, start, feed.pos)


def read_items(path: str, fmt: str, max_bytes: int) -> Iterator[Item]:
    return read_jsonl(path, max_bytes) if fmt == "jsonl" else read_csv(path, max_bytes)
