"""Reading an answer into a tree with a model: validate, re-ask, ground every quote, reconcile, or fall back.

The flow for one answer:

1. ask for the tree as JSON fitting ``schema.LLMTree`` (structured output);
2. a reply that is not JSON, or does not fit the schema, is re-asked with the
   validation error appended (instructor-style); timeouts, 429 (Retry-After
   honoured), 5xx and connection errors are retried with bounded backoff;
3. every quote is looked up in the answer: quotes that are not there are
   dropped, and nodes or links left without one go with them (``dropped``);
4. the grounded tree is reconciled with the offline parse (``Provenance``);
5. when the attempts run out, the offline parse is used and ``notice`` says why.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Literal

from pydantic import ValidationError

from coach.llm.client import Message, ModelCallError, Reply
from coach.llm.prompts import PromptTemplate, load_prompt
from coach.llm.reconcile import Provenance, reconcile
from coach.llm.schema import LLMTree, to_tree, tree_json_schema
from coach.llm.session import ModelSession, run_sync, with_session
from coach.settings import Settings
from coach.tree import Tree

log = logging.getLogger("coach.llm")

ANSWER_OPEN = "<<<CANDIDATE_ANSWER"
ANSWER_CLOSE = "CANDIDATE_ANSWER>>>"


@dataclass
class ParseReport:
    tree: Tree
    parser: Literal["llm", "offline"]
    notice: str | None = None
    provenance: Provenance | None = None
    dropped: list[str] = field(default_factory=list)
    attempts: int = 0
    cached: bool = False


def fence_answer(answer: str) -> str:
    """The answer with the data markers neutralised, so it cannot close its own fence."""
    return answer.replace(ANSWER_OPEN, "<<< CANDIDATE_ANSWER").replace(ANSWER_CLOSE, "CANDIDATE_ANSWER >>>")


def parse_messages(prompt: PromptTemplate, answer: str, question: str, method: str) -> list[Message]:
    rendered = prompt.render(
        question=question.strip() or "(not given)",
        answer=fence_answer(answer),
        answer_open=ANSWER_OPEN,
        answer_close=ANSWER_CLOSE,
    )
    messages = [Message(role, text) for role, text in rendered]  # type: ignore[arg-type]
    if method == "json_mode":
        # JSON mode carries no schema: spell it out.
        schema = json.dumps(tree_json_schema(), separators=(",", ":"))
        messages[0] = Message(
            "system", messages[0].content + "\nReply with one JSON object fitting this schema:\n" + schema
        )
    return messages


def validation_feedback(exc: ValidationError, limit: int = 12) -> str:
    lines = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"- {loc}: {err['msg']}")
    if exc.error_count() > limit:
        lines.append(f"- ... and {exc.error_count() - limit} more")
    return "\n".join(lines)


def _reask(problem: str) -> Message:
    return Message(
        "user",
        "Your reply could not be used:\n"
        f"{problem}\n"
        "Reply again with the complete KPI tree as one JSON object that fits the schema exactly. "
        "Copy every quote verbatim from the answer.",
    )


async def _ask(
    session: ModelSession, prompt: PromptTemplate, base: list[Message], answer_id: str | None, key: str
) -> tuple[LLMTree | None, int, str | None]:
    """The validated model tree, the attempts it took, and the last problem when there is no tree."""
    schema = tree_json_schema()
    attempts = session.settings.max_retries + 1
    messages = list(base)
    problem: str | None = None
    holder: dict[str, LLMTree] = {}
    for attempt in range(1, attempts + 1):
        holder.clear()

        def check(reply: Reply) -> str | None:
            if reply.parse_error:
                return f"malformed JSON: {reply.parse_error}"
            try:
                holder["tree"] = LLMTree.model_validate(reply.parsed)
            except ValidationError as exc:
                count = exc.error_count()
                return f"schema violation ({count} problem{'s' if count != 1 else ''}):\n" + validation_feedback(exc)
            return None

        try:
            reply, problem = await session.request(
                prompt, messages, schema=schema, check=check, attempt=attempt, answer_id=answer_id, key=key
            )
        except ModelCallError as err:
            problem = err.describe()
            if not err.retryable or attempt == attempts:
                return None, attempt, problem
            await session.backoff(err, attempt)
            continue
        if problem is None:
            return holder["tree"], attempt, None
        log.info("parse attempt %d for %s: %s", attempt, answer_id or "answer", problem.splitlines()[0])
        if attempt == attempts:
            return None, attempt, problem.splitlines()[0]
        messages = [*base, Message("assistant", reply.text[:20000] or "(empty)"), _reask(problem)]
        await session.retry_pause(attempt)
    return None, attempts, problem


async def parse_with_model(
    session: ModelSession,
    answer: str,
    question: str = "",
    *,
    answer_id: str | None = None,
    offline_tree: Tree | None = None,
) -> ParseReport:
    """The reconciled tree, or the offline parse with a notice. Never raises for model failures."""
    if offline_tree is None:
        from coach.parse.offline import parse_answer

        offline_tree = parse_answer(answer)
    prompt = load_prompt("parse_tree")
    method = session.settings.structured_output
    messages = parse_messages(prompt, answer, question, method)
    key = session.key(
        prompt, {"messages": [m.__dict__ for m in messages], "method": method, "t": session.settings.temperature}
    )
    llm_tree: LLMTree | None = None
    attempts = 0
    cached = False
    hit = session.cache_get(key)
    if hit is not None:
        try:
            llm_tree = LLMTree.model_validate(hit)
            cached = True
            session.cache_hit(prompt, answer_id)
        except ValidationError:
            llm_tree = None
    problem = None
    if llm_tree is None:
        llm_tree, attempts, problem = await _ask(session, prompt, messages, answer_id, key)
        if llm_tree is not None:
            session.cache_put(key, prompt, llm_tree.model_dump(mode="json"))
    if llm_tree is None:
        session.stats.fallbacks += 1
        tries = f" after {attempts} attempt{'s' if attempts != 1 else ''}" if attempts else ""
        notice = f"the model could not read the answer ({problem}){tries}; used the offline parser"
        return ParseReport(offline_tree, "offline", notice=session.settings.redact(notice), attempts=attempts)
    grounded, dropped = to_tree(llm_tree, answer)
    for line in dropped:
        log.info("%s: %s", answer_id or "answer", line)
    tree, provenance = reconcile(grounded, offline_tree)
    return ParseReport(tree, "llm", provenance=provenance, dropped=dropped, attempts=attempts, cached=cached)


class LLMTreeParser:
    """``TreeParser`` through a model; falls back to the offline parser, so ``parse`` always returns a tree."""

    def __init__(self, settings: Settings, *, session: ModelSession | None = None) -> None:
        self.settings = settings
        self.session = session

    async def aparse_report(self, answer: str, question: str = "", *, answer_id: str | None = None) -> ParseReport:
        return await with_session(
            self.settings, self.session, lambda s: parse_with_model(s, answer, question, answer_id=answer_id)
        )

    def parse_report(self, answer: str, question: str = "", *, answer_id: str | None = None) -> ParseReport:
        return run_sync(lambda: self.aparse_report(answer, question, answer_id=answer_id))

    def parse(self, answer: str, question: str = "") -> Tree:
        return self.parse_report(answer, question).tree
