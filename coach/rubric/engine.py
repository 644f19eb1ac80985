"""Findings, verdict and score: the rubric applied to a tree."""

from __future__ import annotations

from coach.result import CriterionResult
from coach.rubric.context import QuestionContext
from coach.rubric.model import CriterionSpec, Rubric
from coach.rubric.registry import RuleInput, get_rule
from coach.tree import Tree
from coach.vocabulary import Verdict


def applicable(spec: CriterionSpec, ctx: QuestionContext) -> bool:
    if spec.applies == "ai_product":
        return ctx.ai_product
    if spec.applies == "metric_change":
        return ctx.metric_change
    if spec.applies == "conflicting_metrics":
        return ctx.kind == "conflicting_metrics"
    return True


def evaluate(tree: Tree, ctx: QuestionContext, answer: str, rubric: Rubric) -> list[CriterionResult]:
    """One finding per criterion of the rubric, in the rubric's order."""
    findings = []
    for spec in rubric.criteria:
        if not applicable(spec, ctx):
            findings.append(
                CriterionResult(id=spec.id, status="not_applicable", core=spec.core, message=_not_applicable(spec))
            )
            continue
        outcome = get_rule(spec.id)(RuleInput(tree=tree, ctx=ctx, answer=answer, params=dict(spec.params)))
        findings.append(
            CriterionResult(
                id=spec.id,
                status="pass" if outcome.passed else "fail",
                evidence=list(dict.fromkeys(outcome.evidence)),
                message=outcome.why,
                core=spec.core,
            )
        )
    return findings


def _not_applicable(spec: CriterionSpec) -> str:
    reason = {
        "ai_product": "the question is not about an AI product",
        "metric_change": "the question does not report a metric change",
        "conflicting_metrics": "the question does not set two metrics against each other",
    }.get(spec.applies, "")
    return f"Not applicable: {reason}." if reason else "Not applicable."


def verdict(findings: list[CriterionResult]) -> Verdict:
    """The verdict table of RUBRIC.md, over the applicable core criteria only."""
    core = {f.id: f.status for f in findings if f.core and f.status != "not_applicable"}
    failed = [cid for cid, status in core.items() if status == "fail"]
    passed = [cid for cid, status in core.items() if status == "pass"]
    if not failed:
        return "strong_hire"
    if len(failed) == 1 and failed[0] not in ("north_star", "hierarchy"):
        return "hire"
    if "hierarchy" in failed and len([p for p in passed if p != "hierarchy"]) <= 1:
        return "strong_no_hire"
    return "no_hire"


def score(findings: list[CriterionResult], rubric: Rubric) -> int:
    """0-100: the weighted share of applicable criteria that pass."""
    weights = {c.id: c.weight for c in rubric.criteria}
    total = gained = 0.0
    for f in findings:
        if f.status == "not_applicable":
            continue
        total += weights.get(f.id, 0.0)
        if f.status == "pass":
            gained += weights.get(f.id, 0.0)
    return round(100 * gained / total) if total else 0
