"""The existing output: what is already done, a half-written last record cut off, and which rows to grade."""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.batch.records import csv_header
from coach.batch.rows import Item, LineFeed, row_id, row_key
from coach.errors import DataFileError

if TYPE_CHECKING:
    pass


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
    rid = rid if isinstance(rid, str) else row_id(rid)
    line = rec.get("line") if isinstance(rec.get("line"), int) else 0
    if "error" in rec:
        return row_key(rid, line), True, None, None
    by_id = {c.get("id"): c.get("status") for c in rec.get("criteria", []) if isinstance(c, dict)}
    return row_key(rid, line), False, rec.get("verdict"), tuple(by_id.get(cid, "") for cid in criteria)


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
        feed = LineFeed(f, 1 << 62)
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
            key = row_key(values[col["id"]] or None, rec_line)
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
            key = row_key(it.id, it.line)
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
