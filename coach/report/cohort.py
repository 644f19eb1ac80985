"""A cohort of graded answers (a ``coach batch`` output): what the grader decided, and how it agrees with a coach.

- ``read_graded`` reads a batch output (JSONL, or CSV) into ``Graded`` rows,
  keeping error records apart.
- ``summarise`` counts verdicts, per-criterion pass rates (over the answers
  where the criterion applies) and the weakest criteria.
- ``agreement`` compares a coach's verdict labels (the ``label`` column) with
  the grader's own verdict (before any coach override): exact agreement,
  agreement within one step, quadratic weighted kappa and the confusion
  matrix, plus the disagreements.

Pure functions and the standard library, apart from the rubric for titles.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.errors import EXIT_USAGE, CoachError, DataFileError
from coach.fileio import read_text_file
from coach.rubric.engine import verdict as verdict_of
from coach.vocabulary import VERDICT, VERDICTS

STATUSES = ("pass", "fail", "not_applicable")
_ALIASES = {
    **{VERDICT[v].abbrev.lower(): v for v in VERDICTS},  # sh, h, nh, snh
    "strong_yes": "strong_hire",
    "yes": "hire",
    "lean_hire": "hire",
    "no": "no_hire",
    "lean_no_hire": "no_hire",
    "strong_no": "strong_no_hire",
}


@dataclass(frozen=True)
class CriterionStatus:
    id: str
    status: str
    core: bool = False
    source: str = "auto"
    auto_status: str | None = None
    prompted: bool = False


@dataclass
class Graded:
    id: str
    verdict: str
    score: int
    criteria: list[CriterionStatus]
    label: Any = None
    line: int = 0

    @property
    def auto_verdict(self) -> str:
        """The grader's own verdict: the verdict table over the statuses as graded, before any coach override."""
        if not any(c.source == "coach" for c in self.criteria):
            return self.verdict
        from coach.result import CriterionResult

        rows = [
            CriterionResult(
                id=c.id, status=(c.auto_status or c.status) if c.source == "coach" else c.status, core=c.core
            )  # type: ignore[arg-type]
            for c in self.criteria
        ]
        return verdict_of(rows)


@dataclass
class ErrorRow:
    id: str | None
    line: int
    error: str


def normalise_label(label: Any) -> str | None:
    """A coach's verdict label as one of the four verdicts, or None when it is not one."""
    if isinstance(label, dict):
        label = label.get("verdict")
    if not isinstance(label, str):
        return None
    key = re.sub(r"[\s\-]+", "_", label.strip().lower())
    key = _ALIASES.get(key, key)
    return key if key in VERDICTS else None


def _from_record(data: dict[str, Any], line: int, core_ids: set[str]) -> Graded | ErrorRow:
    rid = data.get("id")
    if data.get("error") or "verdict" not in data:
        return ErrorRow(None if rid is None else str(rid), line, str(data.get("error") or "no verdict"))
    criteria = []
    for c in data.get("criteria") or []:
        if not isinstance(c, dict) or c.get("status") not in STATUSES:
            continue
        criteria.append(
            CriterionStatus(
                id=str(c.get("id")),
                status=c["status"],
                core=bool(c.get("core", c.get("id") in core_ids)),
                source=c.get("source", "auto"),
                auto_status=c.get("auto_status"),
                prompted=bool(c.get("prompted", False)),
            )
        )
    score = data.get("score")
    return Graded(
        id=str(rid) if rid is not None else f"line {line}",
        verdict=str(data.get("verdict")),
        score=int(score) if isinstance(score, int | float) else 0,
        criteria=criteria,
        label=data.get("label"),
        line=line,
    )


def read_graded(path: str | Path, rubric=None) -> tuple[list[Graded], list[ErrorRow]]:
    """Rows of a ``coach batch`` (or ``coach grade --format json``) output file, .jsonl or .csv."""
    path = Path(path)
    if rubric is None:
        from coach.rubric.model import load_rubric

        rubric = load_rubric()
    core_ids = {c.id for c in rubric.criteria if c.core}
    text = read_text_file(path, "utf-8-sig")
    suffix = path.suffix.lower()
    rows: list[Graded] = []
    errors: list[ErrorRow] = []
    if suffix in (".jsonl", ".ndjson", ".json"):
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataFileError(f"{path}:{n}: not a JSON record: {exc.msg}") from None
            if not isinstance(data, dict):
                raise DataFileError(f"{path}:{n}: not a JSON object")
            item = _from_record(data, n, core_ids)
            (errors if isinstance(item, ErrorRow) else rows).append(item)  # type: ignore[arg-type]
    elif suffix == ".csv":
        ids = [c.id for c in rubric.criteria]
        reader = csv.DictReader(io.StringIO(text))
        for n, rec in enumerate(reader, 2):
            data: dict[str, Any] = {
                "id": rec.get("id"),
                "verdict": rec.get("verdict") or None,
                "score": int(rec["score"]) if (rec.get("score") or "").isdigit() else 0,
                "label": rec.get("label") or None,
                "error": rec.get("error") or None,
                "criteria": [{"id": c, "status": rec[c]} for c in ids if rec.get(c) in STATUSES],
            }
            if data["verdict"] is None:
                data.pop("verdict")
            item = _from_record(data, n, core_ids)
            (errors if isinstance(item, ErrorRow) else rows).append(item)  # type: ignore[arg-type]
    else:
        raise CoachError(f"{path}: unknown format; give a .jsonl or .csv file from `coach batch`", EXIT_USAGE)
    return rows, errors


@dataclass
class CriterionStat:
    id: str
    title: str
    core: bool
    passed: int = 0
    failed: int = 0
    not_applicable: int = 0
    prompted: int = 0
    by_coach: int = 0

    @property
    def applicable(self) -> int:
        return self.passed + self.failed

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.applicable if self.applicable else None


@dataclass
class Agreement:
    """Coach's label (rows) against the grader's verdict (columns), both in ``VERDICTS`` order."""

    n: int
    exact: float
    within_one: float
    kappa: float
    matrix: list[list[int]]
    disagreements: list[tuple[str, str, str]]  # id, coach's label, grader's verdict
    unrecognised: list[tuple[str, str]] = field(default_factory=list)  # id, the label as written


@dataclass
class Summary:
    rows: int
    errors: list[ErrorRow]
    verdicts: Counter[str]
    criteria: list[CriterionStat]
    scores: list[int]
    agreement: Agreement | None

    @property
    def weakest(self) -> list[CriterionStat]:
        """Applicable criteria by pass rate, lowest first (core before extended on ties)."""
        rated = [c for c in self.criteria if c.pass_rate is not None]
        return sorted(rated, key=lambda c: (c.pass_rate, not c.core, c.id))[:5]

    @property
    def mean_score(self) -> float | None:
        return sum(self.scores) / len(self.scores) if self.scores else None


def quadratic_weighted_kappa(pairs: list[tuple[int, int]], k: int = len(VERDICTS)) -> float:
    """Cohen's kappa with quadratic weights over ordinal ratings 0 … k-1 (1 = perfect, 0 = chance)."""
    n = len(pairs)
    if n == 0:
        return float("nan")
    obs = [[0] * k for _ in range(k)]
    for a, b in pairs:
        obs[a][b] += 1
    rows = [sum(obs[i]) for i in range(k)]
    cols = [sum(obs[i][j] for i in range(k)) for j in range(k)]
    num = den = 0.0
    for i in range(k):
        for j in range(k):
            w = (i - j) ** 2 / (k - 1) ** 2
            num += w * obs[i][j]
            den += w * rows[i] * cols[j] / n
    return 1.0 - num / den if den else 1.0


def agreement(rows: list[Graded]) -> Agreement | None:
    """None when no row has a label."""
    labelled = [r for r in rows if r.label not in (None, "")]
    if not labelled:
        return None
    index = {v: i for i, v in enumerate(VERDICTS)}
    pairs: list[tuple[int, int]] = []
    matrix = [[0] * len(VERDICTS) for _ in VERDICTS]
    disagreements = []
    unrecognised = []
    for r in labelled:
        want = normalise_label(r.label)
        got = r.auto_verdict
        if want is None or got not in index:
            unrecognised.append(
                (r.id, json.dumps(r.label, ensure_ascii=False) if not isinstance(r.label, str) else r.label)
            )
            continue
        a, b = index[want], index[got]
        pairs.append((a, b))
        matrix[a][b] += 1
        if a != b:
            disagreements.append((r.id, want, got))
    n = len(pairs)
    exact = sum(1 for a, b in pairs if a == b) / n if n else float("nan")
    within = sum(1 for a, b in pairs if abs(a - b) <= 1) / n if n else float("nan")
    return Agreement(n, exact, within, quadratic_weighted_kappa(pairs), matrix, disagreements, unrecognised)


def summarise(rows: list[Graded], errors: list[ErrorRow], rubric=None) -> Summary:
    if rubric is None:
        from coach.rubric.model import load_rubric

        rubric = load_rubric()
    stats = {c.id: CriterionStat(c.id, c.title, c.core) for c in rubric.criteria}
    for r in rows:
        for c in r.criteria:
            st = stats.setdefault(c.id, CriterionStat(c.id, c.id.replace("_", " "), c.core))
            if c.status == "pass":
                st.passed += 1
            elif c.status == "fail":
                st.failed += 1
            else:
                st.not_applicable += 1
            st.prompted += c.prompted
            st.by_coach += c.source == "coach"
    verdicts = Counter({v: 0 for v in VERDICTS})
    verdicts.update(r.verdict for r in rows if r.verdict in VERDICTS)
    ordered = sorted(stats.values(), key=lambda s: (not s.core, list(stats).index(s.id)))
    return Summary(len(rows), errors, verdicts, ordered, [r.score for r in rows], agreement(rows))
