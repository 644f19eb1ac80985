"""answer → tree → findings → verdict → feedback: the whole offline pipeline in one call.

Each step is its own pure function (``parse_answer``, ``evaluate``, ``verdict``,
``score``, ``write_feedback``); this module only wires them together so the
CLI, the batch runner and the TUI all grade the same way.
"""

from __future__ import annotations

from coach.feedback.offline import write_feedback
from coach.parse.offline import parse_answer
from coach.result import GradeResult
from coach.rubric.context import classify
from coach.rubric.engine import evaluate, score, verdict
from coach.rubric.model import Rubric, load_rubric
from coach.scenarios import Scenario
from coach.tree import Tree
from coach.vocabulary import Kind


def grade(
    answer: str,
    *,
    question: str = "",
    scenario: Scenario | None = None,
    kind: Kind | None = None,
    ai_product: bool | None = None,
    answer_id: str | None = None,
    tree: Tree | None = None,
    rubric: Rubric | None = None,
) -> GradeResult:
    """Grade one answer offline. ``tree`` (a coach-corrected tree) replaces the parse when given.

    The question comes from ``scenario`` when one is given; explicit ``kind`` and
    ``ai_product`` win over both the scenario and recognition from the words.
    """
    rubric = rubric or load_rubric()
    if scenario is not None:
        question = question or scenario.question
        kind = kind or scenario.kind
        ai_product = scenario.ai_product if ai_product is None else ai_product
    ctx = classify(question, kind=kind, ai_product=ai_product)
    if tree is None:
        tree = parse_answer(answer)
    findings = evaluate(tree, ctx, answer, rubric)
    result = GradeResult(
        id=answer_id,
        verdict=verdict(findings),
        score=score(findings, rubric),
        criteria=findings,
        tree=tree,
        feedback="",
        question=question,
        scenario=scenario.id if scenario else None,
        kind=ctx.kind,
        ai_product=ctx.ai_product,
    )
    result.feedback = write_feedback(result, answer=answer, rubric=rubric, scenario=scenario)
    return result
