"""Coach feedback written by a model, checked, and replaced by the offline writer's when it fails.

The verdict and score are fixed by the rule engine before the model is asked.
The reply must have the four sections of the prompt, mention the verdict,
name no other verdict and state no other score; otherwise it is rejected and
the offline feedback is used, with a notice. The same happens when the stream
breaks off: tokens already shown are superseded by the returned text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from coach import regexes
from coach.llm.client import Message, ModelCallError, Reply
from coach.llm.parser import ANSWER_CLOSE, ANSWER_OPEN, fence_answer
from coach.llm.prompts import PromptTemplate, load_prompt
from coach.llm.session import ModelSession, run_sync, with_session
from coach.result import GradeResult
from coach.rubric.model import Rubric
from coach.scenarios import Scenario
from coach.settings import Settings
from coach.vocabulary import VERDICT

SECTIONS = ("verdict", "what worked", "what to fix", "next practice")
_SEP = r"[\s_\-]+"
_VERDICT = regexes.compile(
    rf"\b(?P<v>strong{_SEP}no{_SEP}hire|strong{_SEP}hire|no{_SEP}hire|hire)\b(?![\-_])",
    re.I,
)
# A bare "hire" is an ordinary verb ("teams hire PMs") unless it reads as a verdict.
_BARE_HIRE_AS_VERDICT = regexes.compile(
    r"(?:verdict|grade|graded|rated?|rating|decision|outcome)\W{0,4}(?:\w+\W+){0,3}?\W*hire\b"
    r"|(?:\*\*|__|`|\"|')hire(?:\*\*|__|`|\"|')|(?-i:\bHIRE\b)",
    re.I,
)
_SCORE = regexes.compile(r"\b(\d{1,3})\s*(?:/\s*100|out of 100)\b", re.I)
_HEADING = regexes.compile(r"^\s{0,3}#{1,6}\s*(.+?)\s*#*\s*$", re.M)


def _norm(verdict_text: str) -> str:
    return "_".join(verdict_text.lower().replace("-", " ").replace("_", " ").split())


def verdicts_named(text: str) -> set[str]:
    """Every verdict the text names; a bare "hire" only where it reads as a verdict."""
    named = set()
    for m in _VERDICT.finditer(text):
        v = _norm(m.group("v"))
        if v != "hire":
            named.add(v)
    stripped = _VERDICT.sub(lambda m: "" if _norm(m.group("v")) != "hire" else m.group(0), text)
    if _BARE_HIRE_AS_VERDICT.search(stripped):
        named.add("hire")
    return named


def mentions_verdict(text: str, verdict: str) -> bool:
    if verdict != "hire":
        return verdict in verdicts_named(text)
    stripped = _VERDICT.sub(lambda m: "" if _norm(m.group("v")) != "hire" else m.group(0), text)
    return bool(re.search(r"\bhire\b", stripped, re.I))


def check_feedback(text: str, verdict: str, score: int) -> str | None:
    """Why this feedback cannot be shown, or None when it can."""
    if not text.strip():
        return "the feedback was empty"
    headings = [h.strip(" :*").lower() for h in _HEADING.findall(text)]
    positions = []
    for section in SECTIONS:
        idx = next((i for i, h in enumerate(headings) if h.startswith(section)), None)
        if idx is None:
            return f"the feedback lacks the section {section.title()!r}"
        positions.append(idx)
    if positions != sorted(positions):
        return "the feedback's sections are out of order"
    others = verdicts_named(text) - {verdict}
    if others:
        return f"the feedback names a different verdict ({', '.join(sorted(others))}) than the engine's ({verdict})"
    if not mentions_verdict(text, verdict):
        return f"the feedback does not mention the verdict ({verdict})"
    for m in _SCORE.finditer(text):
        if int(m.group(1)) != score:
            return f"the feedback states a score of {m.group(1)}/100, not the engine's {score}/100"
    return None


def findings_text(result: GradeResult, rubric: Rubric) -> str:
    lines = []
    for f in result.criteria:
        try:
            spec = rubric.spec(f.id)
            title = spec.title
        except StopIteration:
            spec, title = None, f.id
        tag = "core" if f.core else "extended"
        line = f"- {f.id} ({title}, {tag}): {f.status.upper()}"
        if f.message:
            line += f" - {f.message}"
        if f.evidence:
            line += "\n  evidence: " + " | ".join(json.dumps(e, ensure_ascii=False) for e in f.evidence[:4])
        if f.status == "fail" and spec is not None:
            line += f"\n  how to fix: {spec.fix}"
        lines.append(line)
    return "\n".join(lines)


def feedback_messages(prompt: PromptTemplate, result: GradeResult, answer: str, rubric: Rubric) -> list[Message]:
    tree = json.dumps(result.tree.model_dump(mode="json", exclude_none=True, exclude_defaults=True), ensure_ascii=False)
    rendered = prompt.render(
        question=result.question.strip() or "(not given)",
        answer=fence_answer(answer),
        answer_open=ANSWER_OPEN,
        answer_close=ANSWER_CLOSE,
        verdict=result.verdict,
        verdict_words=VERDICT[result.verdict].words,
        score=str(result.score),
        tree=tree,
        findings=findings_text(result, rubric),
    )
    return [Message(role, text) for role, text in rendered]  # type: ignore[arg-type]


@dataclass
class FeedbackReport:
    text: str
    source: Literal["llm", "offline"]
    notice: str | None = None
    cached: bool = False


async def feedback_with_model(
    session: ModelSession,
    result: GradeResult,
    *,
    answer: str,
    rubric: Rubric,
    offline_text: str,
    on_token: Callable[[str], None] | None = None,
    answer_id: str | None = None,
) -> FeedbackReport:
    """Model feedback for ``result`` (whose verdict and score are final), or ``offline_text`` with a notice."""
    prompt = load_prompt("feedback")
    messages = feedback_messages(prompt, result, answer, rubric)
    key = session.key(prompt, {"messages": [m.__dict__ for m in messages], "t": session.settings.temperature})

    def check(reply: Reply) -> str | None:
        problem = check_feedback(reply.text, result.verdict, result.score)
        if problem is None and not reply.finished:
            problem = "the stream ended before the model finished"
        return problem

    def fallback(problem: str) -> FeedbackReport:
        session.stats.fallbacks += 1
        notice = f"model feedback rejected ({problem}); showing the offline feedback"
        return FeedbackReport(offline_text, "offline", session.settings.redact(notice))

    hit = session.cache_get(key)
    if isinstance(hit, str) and check_feedback(hit, result.verdict, result.score) is None:
        session.cache_hit(prompt, answer_id)
        if on_token is not None:
            on_token(hit)
        return FeedbackReport(hit, "llm", cached=True)
    attempts = session.settings.max_retries + 1
    for attempt in range(1, attempts + 1):
        try:
            reply, problem = await session.request(
                prompt, messages, on_token=on_token, check=check, attempt=attempt, answer_id=answer_id, key=key
            )
        except ModelCallError as err:
            if err.retryable and attempt < attempts:
                await session.backoff(err, attempt)
                continue
            return fallback(err.describe())
        if problem is not None:
            return fallback(problem)
        text = reply.text.strip()
        session.cache_put(key, prompt, text)
        return FeedbackReport(text, "llm")
    return fallback("no attempts left")  # pragma: no cover - the loop always returns


class LLMFeedbackWriter:
    """``FeedbackWriter`` through a model, falling back to the offline writer."""

    def __init__(self, settings: Settings, *, session: ModelSession | None = None) -> None:
        self.settings = settings
        self.session = session

    async def awrite_report(
        self,
        result: GradeResult,
        *,
        answer: str,
        rubric: Rubric,
        scenario: Scenario | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> FeedbackReport:
        from coach.feedback.offline import write_feedback

        offline = write_feedback(result, answer=answer, rubric=rubric, scenario=scenario)
        return await with_session(
            self.settings,
            self.session,
            lambda s: feedback_with_model(
                s, result, answer=answer, rubric=rubric, offline_text=offline, on_token=on_token, answer_id=result.id
            ),
        )

    def write(
        self,
        result: GradeResult,
        *,
        answer: str,
        rubric: Rubric,
        scenario: Scenario | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> str:
        report = run_sync(
            lambda: self.awrite_report(result, answer=answer, rubric=rubric, scenario=scenario, on_token=on_token)
        )
        return report.text
