"""The follow-up round: one interviewer question aimed at the weakest failed criterion, then a regrade.

A real interviewer does not read out the rubric; after the first answer they
probe the gap ("What would you watch so that optimising this doesn't break
something?"). ``pick_follow_up`` chooses that question, ``grade_follow_up``
grades the first answer and the follow-up answer together and marks every
criterion that passes only thanks to the follow-up as ``prompted``. The verdict
table still applies to the combined answer; the feedback lists prompted passes.

Pure core logic: no UI import, no model import. The grader is a parameter so
the TUI can pass the model-backed one and tests a fake.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from coach.result import CriterionResult, GradeResult
from coach.rubric.model import Rubric
from coach.scenarios import Scenario

Grader = Callable[[str, Scenario], GradeResult]

# Words that tie one of a scenario's free-text follow-ups to a criterion.
_TOPICS: dict[str, tuple[str, ...]] = {
    "north_star": (r"north star", r"\bone metric", r"top metric", r"only (?:one|track)", r"single metric"),
    "hierarchy": (r"component", r"decompos", r"\bbreak\w* (?:it|that|this)? ?down", r"drivers?\b", r"\bsplit\b"),
    "math_vs_causal": (r"\bcausal", r"hypothes", r"experiment", r"\ba/?b\b", r"\btest\b", r"by definition"),
    "guardrails": (r"guardrail", r"counter.?metric", r"\bbreak\b", r"\bhurt", r"trade.?off", r"cannibali", r"game"),
    "ai_layer": (r"\bmodel\b", r"\bevals?\b", r"hallucinat", r"latency", r"accuracy", r"precision", r"recall"),
    "rca": (r"dropp?ed", r"\bfell\b", r"\bdrop\b", r"look first", r"next 48 hours", r"segment", r"diagnos"),
}

SEPARATOR = "\n\n"


class FollowUp(NamedTuple):
    """The criterion the question aims at (None when nothing failed) and the question itself."""

    criterion_id: str | None
    question: str


def _weight(rubric: Rubric, cid: str) -> float:
    spec = next((c for c in rubric.criteria if c.id == cid), None)
    return spec.weight if spec else 0.0


def _order(rubric: Rubric, cid: str) -> int:
    ids = [c.id for c in rubric.criteria]
    return ids.index(cid) if cid in ids else len(ids)


def weakest_failed(result: GradeResult, rubric: Rubric) -> CriterionResult | None:
    """The failed criterion a follow-up should aim at: core before extended, then the heaviest, then rubric order."""
    failed = [c for c in result.criteria if c.status == "fail"]
    if not failed:
        return None
    return min(failed, key=lambda c: (not c.core, -_weight(rubric, c.id), _order(rubric, c.id)))


def matching_follow_up(scenario: Scenario, criterion_id: str) -> str | None:
    """The scenario's own follow-up that probes this criterion, if one does (most topic words wins)."""
    patterns = _TOPICS.get(criterion_id, ())
    best, best_hits = None, 0
    for question in scenario.follow_ups:
        hits = sum(1 for p in patterns if re.search(p, question, re.I))
        if hits > best_hits:
            best, best_hits = question, hits
    return best


def pick_follow_up(result: GradeResult, scenario: Scenario, rubric: Rubric, *, prefer: str = "rubric") -> FollowUp:
    """One follow-up question aimed at the weakest failed criterion.

    The criterion's own nudge from the rubric is asked first (``prefer="rubric"``)
    because it aims exactly at the gap; ``prefer="scenario"`` asks the scenario's
    matching follow-up when there is one, which sounds more like this product.
    When nothing failed, a real interviewer still probes: the scenario's first
    follow-up, aimed at no criterion.
    """
    weakest = weakest_failed(result, rubric)
    if weakest is None:
        return FollowUp(None, scenario.follow_ups[0])
    spec = next((c for c in rubric.criteria if c.id == weakest.id), None)
    own = spec.follow_up.strip() if spec else ""
    matched = matching_follow_up(scenario, weakest.id)
    if prefer == "scenario" and matched:
        return FollowUp(weakest.id, matched)
    return FollowUp(weakest.id, own or matched or scenario.follow_ups[0])


def combine_answers(first_answer: str, follow_up_answer: str) -> str:
    """The answer the regrade reads: the candidate's own words only, first answer then follow-up."""
    first, extra = first_answer.rstrip(), follow_up_answer.strip()
    if not extra:
        return first
    return f"{first}{SEPARATOR}{extra}" if first else extra


def mark_prompted(first: GradeResult, combined: GradeResult) -> GradeResult:
    """``combined`` with ``prompted=True`` on every criterion that passes now but did not pass in ``first``."""
    before = {c.id: c.status for c in first.criteria}
    criteria = [
        c.model_copy(update={"prompted": True}) if c.status == "pass" and before.get(c.id) != "pass" else c
        for c in combined.criteria
    ]
    return combined.model_copy(update={"criteria": criteria})


def prompted_note(result: GradeResult, rubric: Rubric | None = None) -> str:
    """One paragraph listing the prompted passes, for the feedback; empty when there are none."""
    titles = []
    for c in result.criteria:
        if c.prompted:
            spec = next((s for s in rubric.criteria if s.id == c.id), None) if rubric else None
            titles.append(spec.title if spec else c.id)
    if not titles:
        return ""
    return (
        "Prompted (met only after the follow-up): "
        + "; ".join(titles)
        + ". The verdict counts them, but an interviewer notices when a habit needs a nudge: "
        "put them in your first answer next time."
    )


def _default_grader(answer: str, scenario: Scenario) -> GradeResult:
    from coach.grade import grade

    return grade(answer, scenario=scenario)


def grade_follow_up(
    first_answer: str,
    follow_up_answer: str,
    scenario: Scenario,
    *,
    first_result: GradeResult | None = None,
    rubric: Rubric | None = None,
    grader: Grader | None = None,
) -> GradeResult:
    """Grade the first answer and the follow-up answer together; passes that needed the follow-up are prompted.

    ``first_result`` (the first answer's grade) is recomputed when not given.
    """
    grader = grader or _default_grader
    if first_result is None:
        first_result = grader(first_answer, scenario)
    combined = grader(combine_answers(first_answer, follow_up_answer), scenario)
    marked = mark_prompted(first_result, combined)
    if rubric is None:
        from coach.rubric.model import load_rubric

        rubric = load_rubric()
    note = prompted_note(marked, rubric)
    if note and note not in marked.feedback:
        feedback = f"{marked.feedback.rstrip()}\n\n{note}" if marked.feedback.strip() else note
        marked = marked.model_copy(update={"feedback": feedback})
    return marked
