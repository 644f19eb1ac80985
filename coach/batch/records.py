"""Grading one row into its output record (a JSONL line or a CSV record); runs in the workers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from coach.answers import check_answer_text
from coach.batch.rows import Item
from coach.errors import CoachError

if TYPE_CHECKING:
    from coach.result import GradeResult


class RowOutcome(NamedTuple):
    """One input row done: its output record, encoded, and what the summary counts."""

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


def error_outcome(item: Item, error: str, cfg: Config) -> RowOutcome:
    record = {"id": item.id, "line": item.line, "error": error}
    return RowOutcome(_encode(record, item, cfg), item.line, item.id, item.pos, None, None, error)


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


def grade_item(item: Item, cfg: Config) -> RowOutcome:
    from coach.grade import grade

    try:
        result = grade(**grade_args(item, cfg))
    except CoachError as exc:
        return error_outcome(item, exc.message, cfg)
    except Exception as exc:  # a grader bug must not stop the batch
        return error_outcome(item, internal_error(exc), cfg)
    return result_outcome(item, result, cfg)


def result_outcome(item: Item, result: GradeResult, cfg: Config) -> RowOutcome:
    """The output record of a graded row; the label comes from the row."""
    assert item.fields is not None
    if item.fields["label"] is not None:
        result.label = item.fields["label"]
    record = result.to_json_dict()
    by_id = {c.id: c.status for c in result.criteria}
    statuses = tuple(by_id.get(cid, "") for cid in cfg.criteria)
    return RowOutcome(_encode(record, item, cfg), item.line, item.id, item.pos, result.verdict, statuses, None)
