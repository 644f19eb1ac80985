"""What a report shows: one or more graded answers (a transcript's questions), with where they came from.

The renderers (``markdown.py``, ``html.py``, ``terminal.py``) all read this one
shape, so every output shows the same things: the verdict, the scorecard with
who decided each criterion (auto or coach) and the notes, prompted passes, the
tree, the feedback and the follow-ups asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coach import regexes
from coach.result import CriterionResult, GradeResult
from coach.rubric.model import Rubric

STATUS_WORD = {"pass": "pass", "fail": "fail", "not_applicable": "n/a"}
STATUS_MARK = {"pass": "✔", "fail": "✘", "not_applicable": "–"}
STALE_FEEDBACK = "The feedback was written from the grader's decisions, before the coach's overrides."


@dataclass
class FollowUpQA:
    question: str
    answer: str


@dataclass
class ReportSection:
    result: GradeResult
    heading: str = ""  # "Question 2 of 3" for a transcript
    line: int | None = None  # where the question is in the transcript
    answer: str | None = None  # the candidate's first answer, as graded
    follow_ups: list[FollowUpQA] = field(default_factory=list)


@dataclass
class Report:
    sections: list[ReportSection]
    title: str = "coach report"
    source: str | None = None  # the transcript or answer file
    candidate: str | None = None
    notices: list[str] = field(default_factory=list)


def criterion_title(c: CriterionResult, rubric: Rubric | None) -> str:
    if rubric is not None:
        spec = next((s for s in rubric.criteria if s.id == c.id), None)
        if spec is not None:
            return spec.title
    return c.id.replace("_", " ")


def decided_by(c: CriterionResult) -> str:
    """``auto`` or ``coach (auto: fail)``: who decided the status, in words."""
    if c.source == "coach":
        was = STATUS_WORD.get(c.auto_status or "", "")
        return f"coach (auto: {was})" if was else "coach"
    return "auto"


def status_text(c: CriterionResult) -> str:
    text = f"{STATUS_MARK[c.status]} {STATUS_WORD[c.status]}"
    return text + " (prompted)" if c.prompted else text


_HEADING = regexes.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = regexes.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = regexes.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")


def feedback_blocks(text: str) -> list[tuple[str, str | list[str]]]:
    """The feedback's light structure: ("heading", text), ("bullets" | "numbered", items), ("para", text).

    Only the structure is read from the text; every piece stays plain text that
    the renderer escapes, so nothing in the feedback (which quotes the answer)
    can become markup.
    """
    blocks: list[tuple[str, str | list[str]]] = []
    para: list[str] = []

    def close_para() -> None:
        if para:
            blocks.append(("para", "\n".join(para)))
            para.clear()

    for line in (text or "").strip().split("\n"):
        if not line.strip():
            close_para()
            continue
        for kind, pattern in (("heading", _HEADING), ("bullets", _BULLET), ("numbered", _NUMBERED)):
            m = pattern.match(line)
            if m:
                close_para()
                if kind == "heading":
                    blocks.append(("heading", m.group(1)))
                elif blocks and blocks[-1][0] == kind:
                    blocks[-1][1].append(m.group(1))  # type: ignore[union-attr]
                else:
                    blocks.append((kind, [m.group(1)]))
                break
        else:
            if blocks and blocks[-1][0] in ("bullets", "numbered") and not para and line.startswith((" ", "\t")):
                items = blocks[-1][1]
                items[-1] = f"{items[-1]} {line.strip()}"  # type: ignore[index]
            else:
                para.append(line)
    close_para()
    return blocks
