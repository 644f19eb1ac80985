"""Grade a parsed transcript: one result per question, follow-ups graded with the answer and marked prompted.

For each section the candidate's first answer is graded alone, then the first
answer with every follow-up answer appended; a criterion that passes only in
the second grade is ``prompted`` (``coach.followup.mark_prompted``) and the
feedback says so. With a coach-corrected tree (``--tree``) the combined grade
reads that tree, and the first answer is still graded from its own parse, so
"prompted" keeps its meaning.

The grader is a parameter (``coach.cli_model.make_grader`` in the CLI, a fake in
tests): anything with ``coach.grade.grade``'s keyword signature.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from coach.errors import EXIT_USAGE, CoachError
from coach.followup import combine_answers, mark_prompted, prompted_note
from coach.overrides import Override, apply_overrides, for_section
from coach.report.model import FollowUpQA, Report, ReportSection
from coach.result import GradeResult
from coach.rubric.model import Rubric
from coach.scenarios import Scenario
from coach.transcript import Section, Transcript
from coach.tree import Tree

Grader = Callable[..., GradeResult]


@dataclass
class SectionInput:
    """What to grade one section against: the question as asked (or as given), a scenario, a corrected tree."""

    question: str
    scenario: Scenario | None = None
    tree: Tree | None = None


@dataclass
class GradedSection:
    section: Section
    result: GradeResult


def per_section(values: Sequence, count: int, option: str) -> list:
    """One value per section from a repeated option: none, one for a single question, or one per question."""
    if not values:
        return [None] * count
    if len(values) == count:
        return list(values)
    if len(values) == 1 and count == 1:
        return list(values)
    raise CoachError(
        f"{option} was given {len(values)} time(s) but the transcript has {count} question(s): "
        f"give it once per question, in order",
        EXIT_USAGE,
    )


def _join_notice(*parts: str | None) -> str | None:
    kept = [p.strip() for p in parts if p and p.strip()]
    return " ".join(dict.fromkeys(kept)) or None


def grade_section(
    section: Section,
    given: SectionInput,
    grader: Grader,
    *,
    kind: str | None = None,
    ai_product: bool | None = None,
    answer_id: str | None = None,
    rubric: Rubric,
) -> GradeResult:
    common = {"question": given.question, "scenario": given.scenario, "kind": kind, "ai_product": ai_product}
    if not section.has_follow_up_answer:
        result = grader(section.answer, answer_id=answer_id, tree=given.tree, **common)
        return result
    first = grader(section.answer, answer_id=answer_id, **common)
    combined_text = section.answer
    for fu in section.follow_ups:
        combined_text = combine_answers(combined_text, fu.answer)
    combined = grader(combined_text, answer_id=answer_id, tree=given.tree, **common)
    marked = mark_prompted(first, combined)
    note = prompted_note(marked, rubric)
    if note and note not in marked.feedback:
        feedback = f"{marked.feedback.rstrip()}\n\n{note}" if marked.feedback.strip() else note
        marked = marked.model_copy(update={"feedback": feedback})
    return marked


def grade_transcript(
    transcript: Transcript,
    inputs: Sequence[SectionInput],
    grader: Grader,
    *,
    kind: str | None = None,
    ai_product: bool | None = None,
    base_id: str | None = None,
    overrides: Sequence[Override] = (),
    rubric: Rubric,
) -> list[GradedSection]:
    out = []
    many = len(transcript.sections) > 1
    for section, given in zip(transcript.sections, inputs, strict=True):
        rid = f"{base_id}-q{section.index}" if many and base_id else base_id
        result = grade_section(section, given, grader, kind=kind, ai_product=ai_product, answer_id=rid, rubric=rubric)
        notices = [result.notice]
        if not section.combined_answer:
            notices.append("The candidate gave no answer to this question.")
        result = result.model_copy(update={"notice": _join_notice(*notices)})
        result = apply_overrides(result, for_section(overrides, section.index), rubric)
        out.append(GradedSection(section, result))
    return out


def record(graded: GradedSection, *, source: str | None, candidate: str | None) -> dict:
    """The JSONL record of one graded question: the result contract plus where it came from.

    ``transcript`` holds the answer and the follow-ups so ``coach review`` can
    show them; ``coach report`` and the contract readers ignore it.
    """
    data = graded.result.to_json_dict()
    s = graded.section
    data["transcript"] = {
        "source": source,
        "section": s.index,
        "line": s.line,
        "candidate": candidate,
        "answer": s.answer,
        "follow_ups": [{"question": f.question, "answer": f.answer, "line": f.line} for f in s.follow_ups],
    }
    return data


def build_report(
    graded: Sequence[GradedSection], *, source: str | None, candidate: str | None, notices: Sequence[str]
) -> Report:
    many = len(graded) > 1
    sections = [
        ReportSection(
            g.result,
            heading=f"Question {g.section.index} of {len(graded)}" if many else "",
            line=g.section.line or None,
            answer=g.section.answer,
            follow_ups=[FollowUpQA(f.question, f.answer) for f in g.section.follow_ups],
        )
        for g in graded
    ]
    return Report(sections, title="coach report", source=source, candidate=candidate, notices=list(notices))
