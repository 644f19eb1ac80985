"""A graded JSONL file opened for review: records, the coach's changes, and saving them safely.

Headless (no UI import) so the review TUI and its tests share it. Records that
are not graded answers (batch error records, lines that are not JSON) are kept
byte for byte; unchanged records are written back exactly as they were read.
Every save rewrites the whole file atomically (``coach.fileio.atomic_write``):
after a kill at any moment the file is the old one or the new one, complete.
A file that changed on disk since it was read (a batch still appending, another
reviewer) is not overwritten.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from coach.errors import EXIT_USAGE, CoachError, DataFileError
from coach.fileio import atomic_write, read_text_file
from coach.overrides import override_criterion, recompute
from coach.result import GradeResult
from coach.rubric.model import Rubric

_FIELDS = set(GradeResult.model_fields)


@dataclass
class Record:
    raw: str  # the line as read, without its newline
    line: int
    data: dict[str, Any] | None = None
    result: GradeResult | None = None
    changed: bool = False

    def text(self) -> str:
        if not self.changed or self.result is None:
            return self.raw
        new = self.result.to_json_dict()
        out: dict[str, Any] = {}
        for key, value in (self.data or {}).items():  # keep the file's key order
            if key in new:
                out[key] = new[key]
            elif key not in _FIELDS:
                out[key] = value
        for key, value in new.items():
            out.setdefault(key, value)
        return json.dumps(out, ensure_ascii=False)


@dataclass
class ReviewFile:
    path: Path
    records: list[Record]
    rubric: Rubric
    skipped: int = 0  # lines that are neither a graded answer nor an error record
    stamp: tuple[int, int] = (0, 0)  # (size, mtime_ns) when read or last saved
    saves: int = 0
    trailing_newline: bool = True
    notices: list[str] = field(default_factory=list)
    unsaved: bool = False  # changes made since the last save

    @property
    def graded(self) -> list[Record]:
        return [r for r in self.records if r.result is not None]

    def set_status(self, record: Record, criterion: str, status: str) -> GradeResult:
        """Override one criterion (``auto`` puts the grader's decision back) and recompute verdict and score."""
        return self._change(record, criterion, status=status)

    def set_note(self, record: Record, criterion: str, note: str) -> GradeResult:
        return self._change(record, criterion, note=note)

    def _change(
        self, record: Record, criterion: str, *, status: str | None = None, note: str | None = None
    ) -> GradeResult:
        assert record.result is not None
        criteria = [override_criterion(c, status, note) if c.id == criterion else c for c in record.result.criteria]
        record.result = recompute(record.result.model_copy(update={"criteria": criteria}), self.rubric)
        record.changed = True
        self.unsaved = True
        return record.result

    def render(self) -> str:
        text = "\n".join(r.text() for r in self.records)
        return text + ("\n" if self.trailing_newline and self.records else "")

    def save(self) -> None:
        """Write every record back, atomically; refuses when someone else changed the file meanwhile."""
        if _stamp(self.path) != self.stamp:
            raise CoachError(
                f"{self.path} changed on disk since it was opened; not overwriting it. "
                "Your changes in this session are not saved: reopen the file and make them again"
            )
        atomic_write(self.path, self.render())
        self.stamp = _stamp(self.path)
        self.saves += 1
        self.unsaved = False


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)


def load_review_file(path: Path | str, rubric: Rubric | None = None) -> ReviewFile:
    path = Path(path)
    if path.suffix.lower() not in (".jsonl", ".ndjson"):
        raise CoachError(
            f"{path}: review reads the .jsonl output of `coach batch` or `coach grade --format json`"
            + (" (the CSV output has no trees)" if path.suffix.lower() == ".csv" else ""),
            EXIT_USAGE,
        )
    if rubric is None:
        from coach.rubric.model import load_rubric

        rubric = load_rubric()
    stamp = _stamp(path)
    text = read_text_file(path, "utf-8")
    lines = text.split("\n")
    trailing = text.endswith("\n")
    if trailing:
        lines.pop()
    records: list[Record] = []
    skipped = 0
    for n, raw in enumerate(lines, 1):
        rec = Record(raw, n)
        records.append(rec)
        if not raw.strip():
            continue
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            skipped += 1
            continue
        if not isinstance(parsed, dict):
            skipped += 1
            continue
        rec.data = parsed
        if "error" in parsed and "verdict" not in parsed:
            continue
        try:
            rec.result = GradeResult.model_validate({k: v for k, v in parsed.items() if k in _FIELDS})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise DataFileError(f"{path}:{n}: not a graded answer: {where}: {first['msg']}") from None
    review = ReviewFile(path, records, rubric, skipped, stamp, trailing_newline=trailing or not text)
    if not review.graded:
        raise CoachError(f"{path}: no graded answers to review")
    if skipped:
        review.notices.append(f"{skipped} line(s) are not JSON records; they are kept as they are")
    return review
