"""A coach's decisions on top of the grader's: override a criterion's status, add a note, recompute the verdict.

An overridden criterion keeps what the grader said in ``auto_status`` and is
marked ``source="coach"``; every report shows it as the coach's call. The
verdict and the score are recomputed from the resulting table with the same
functions the grader uses (``coach.rubric.engine.verdict`` / ``score``), so an
override can never leave a verdict that disagrees with its own table.

Syntax on the command line (``coach grade``): ``--override guardrails=pass``,
``--note guardrails="named both after a nudge"``; ``auto`` as the status puts
the grader's decision back. A ``N:`` prefix (``--override 2:rca=fail``) limits
it to the N-th question of a transcript.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from coach.errors import EXIT_USAGE, CoachError
from coach.result import CriterionResult, GradeResult
from coach.rubric.engine import score, verdict
from coach.rubric.model import Rubric

_STATUS_WORDS = {
    "pass": "pass",
    "passed": "pass",
    "yes": "pass",
    "fail": "fail",
    "failed": "fail",
    "no": "fail",
    "not_applicable": "not_applicable",
    "n/a": "not_applicable",
    "na": "not_applicable",
    "not-applicable": "not_applicable",
    "auto": "auto",
}


class OverrideError(CoachError):
    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Override:
    """``status`` is pass, fail, not_applicable, ``auto`` (undo) or None (a note alone)."""

    criterion: str
    status: str | None = None
    note: str | None = None
    section: int | None = None  # 1-based question of a transcript; None for every one


def _split(spec: str, what: str) -> tuple[int | None, str, str]:
    if "=" not in spec:
        raise OverrideError(f"{what} {spec!r}: write it as CRITERION=VALUE, e.g. guardrails=pass")
    key, value = spec.split("=", 1)
    section = None
    if ":" in key:
        head, key = key.split(":", 1)
        if not head.strip().isdigit() or int(head) < 1:
            raise OverrideError(f"{what} {spec!r}: the prefix must be a question number, e.g. 2:guardrails=pass")
        section = int(head)
    return section, key.strip(), value.strip()


def _check_id(cid: str, rubric: Rubric, spec: str, what: str) -> None:
    ids = [c.id for c in rubric.criteria]
    if cid not in ids:
        close = difflib.get_close_matches(cid, ids, n=3, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else f" Criteria: {', '.join(ids)}."
        raise OverrideError(f"{what} {spec!r}: unknown criterion {cid!r}.{hint}")


def parse_overrides(overrides: Iterable[str], notes: Iterable[str], rubric: Rubric) -> list[Override]:
    """``["guardrails=pass"]`` and ``["guardrails=named both"]`` → one ``Override`` per criterion (and question)."""
    merged: dict[tuple[int | None, str], Override] = {}
    for spec in overrides:
        section, cid, value = _split(spec, "--override")
        _check_id(cid, rubric, spec, "--override")
        status = _STATUS_WORDS.get(value.lower())
        if status is None:
            raise OverrideError(f"--override {spec!r}: the status must be pass, fail, not_applicable or auto")
        old = merged.get((section, cid))
        merged[(section, cid)] = Override(cid, status, old.note if old else None, section)
    for spec in notes:
        section, cid, value = _split(spec, "--note")
        _check_id(cid, rubric, spec, "--note")
        old = merged.get((section, cid))
        merged[(section, cid)] = Override(cid, old.status if old else None, value or None, section)
    return list(merged.values())


def for_section(overrides: Iterable[Override], index: int) -> list[Override]:
    return [o for o in overrides if o.section in (None, index)]


def override_criterion(c: CriterionResult, status: str | None, note: str | None) -> CriterionResult:
    """One criterion with the coach's status (None keeps it; ``auto`` restores the grader's) and note."""
    update: dict[str, object] = {}
    if status == "auto":
        if c.source == "coach":
            update.update(status=c.auto_status or c.status, source="auto", auto_status=None)
        if note is None:
            update["note"] = None
    elif status is not None:
        auto = c.auto_status if c.source == "coach" else c.status
        if status == auto:
            update.update(status=auto, source="auto", auto_status=None)
        else:
            update.update(status=status, source="coach", auto_status=auto)
        if status == "fail" or status == "not_applicable":
            update["prompted"] = False
    if note is not None:
        update["note"] = note.strip() or None
    return c.model_copy(update=update)


def recompute(result: GradeResult, rubric: Rubric) -> GradeResult:
    """The verdict and the score from the criteria as they stand now."""
    return result.model_copy(update={"verdict": verdict(result.criteria), "score": score(result.criteria, rubric)})


def apply_overrides(result: GradeResult, overrides: Iterable[Override], rubric: Rubric) -> GradeResult:
    """``result`` with every override applied, the verdict and score recomputed. Unknown ids are errors."""
    by_id: Mapping[str, Override] = {o.criterion: o for o in overrides}
    if not by_id:
        return result
    known = {c.id for c in result.criteria}
    criteria = list(result.criteria)
    for cid in by_id:
        if cid not in known:
            spec = next((s for s in rubric.criteria if s.id == cid), None)
            if spec is None:
                raise OverrideError(f"unknown criterion {cid!r}")
            criteria.append(CriterionResult(id=cid, status="not_applicable", core=spec.core))
    criteria = [override_criterion(c, by_id[c.id].status, by_id[c.id].note) if c.id in by_id else c for c in criteria]
    return recompute(result.model_copy(update={"criteria": criteria}), rubric)


def coach_decisions(result: GradeResult) -> list[CriterionResult]:
    """The criteria a coach overrode or annotated, in table order."""
    return [c for c in result.criteria if c.source == "coach" or c.note]
