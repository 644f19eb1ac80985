"""The two things coach asks of a reader and a writer, and how to get the right one for the settings.

``TreeParser`` turns an answer into a tree; ``FeedbackWriter`` turns a graded
result into feedback. The offline implementations wrap the deterministic
parser and writer; the model ones (``coach.llm.parser.LLMTreeParser``,
``coach.llm.feedback.LLMFeedbackWriter``) fall back to them on any failure.
Neither decides a verdict: the rule engine does, between the two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from coach.result import GradeResult
from coach.tree import Tree

if TYPE_CHECKING:
    from coach.rubric.model import Rubric
    from coach.scenarios import Scenario
    from coach.settings import Settings

TokenCallback = Callable[[str], None]


@runtime_checkable
class TreeParser(Protocol):
    def parse(self, answer: str, question: str = "") -> Tree: ...


@runtime_checkable
class FeedbackWriter(Protocol):
    def write(
        self,
        result: GradeResult,
        *,
        answer: str,
        rubric: Rubric,
        scenario: Scenario | None = None,
        on_token: TokenCallback | None = None,
    ) -> str:
        """The feedback text; with ``on_token``, text is also passed on as it is produced."""
        ...


class OfflineTreeParser:
    def parse(self, answer: str, question: str = "") -> Tree:
        from coach.parse.offline import parse_answer

        return parse_answer(answer)


class OfflineFeedbackWriter:
    def write(
        self,
        result: GradeResult,
        *,
        answer: str,
        rubric: Rubric,
        scenario: Scenario | None = None,
        on_token: TokenCallback | None = None,
    ) -> str:
        from coach.feedback.offline import write_feedback

        text = write_feedback(result, answer=answer, rubric=rubric, scenario=scenario)
        if on_token is not None:
            on_token(text)
        return text


def tree_parser(settings: Settings) -> TreeParser:
    """The model parser when a model is configured (and not --offline), else the offline one."""
    if settings.use_model:
        from coach.llm.parser import LLMTreeParser

        return LLMTreeParser(settings)
    return OfflineTreeParser()


def feedback_writer(settings: Settings) -> FeedbackWriter:
    if settings.use_model:
        from coach.llm.feedback import LLMFeedbackWriter

        return LLMFeedbackWriter(settings)
    return OfflineFeedbackWriter()
