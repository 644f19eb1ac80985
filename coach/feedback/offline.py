"""The deterministic feedback writer: what a good coach would say, built from the findings and the candidate's own words.

The sections match the model-written feedback (Verdict, What worked, What to
fix, Next practice) so the two read the same and the LLM's output can be
checked against this structure. The fixes are ranked by how far passing them
would move the verdict, so the candidate works on what matters first.
"""

from __future__ import annotations

from coach.result import CriterionResult, GradeResult
from coach.rubric.engine import verdict as verdict_of
from coach.rubric.model import Rubric
from coach.rubric.treeview import children
from coach.scenarios import Scenario
from coach.tree import Tree
from coach.vocabulary import VERDICT, VERDICT_RANK


def write_feedback(result: GradeResult, *, answer: str, rubric: Rubric, scenario: Scenario | None = None) -> str:
    """Markdown feedback for one graded answer. Pure: the same result gives the same text."""
    core = [f for f in result.criteria if f.core and f.status != "not_applicable"]
    passed = [f for f in core if f.status == "pass"]
    failed = [f for f in core if f.status == "fail"]
    parts = [
        "## Verdict",
        f"{VERDICT[result.verdict].label} (score {result.score}/100). {_summary(result, passed, failed, rubric)}",
        "",
        "## What worked",
        *_strengths(result, passed, rubric),
        "",
        "## What to fix",
        *_fixes(result, failed, rubric, scenario),
        "",
        "## Next practice",
        _next_practice(result, failed, rubric, scenario),
    ]
    prompted = [f for f in result.criteria if f.prompted and f.status == "pass"]
    if prompted:
        titles = ", ".join(rubric.spec(f.id).title.lower() for f in prompted)
        parts += ["", f"Met only after the follow-up question: {titles}. In the interview, bring these up unprompted."]
    return "\n".join(parts).strip() + "\n"


def _summary(result: GradeResult, passed: list[CriterionResult], failed: list[CriterionResult], rubric: Rubric) -> str:
    total = len(passed) + len(failed)
    if not result.tree.nodes:
        return "No metrics were found in the answer, so there is no tree to grade."
    if not failed:
        return f"All {total} core criteria of the strong-hire bar are met."
    names = ", ".join(rubric.spec(f.id).title.lower() for f in failed)
    return f"{len(passed)} of {total} core criteria met; missing: {names}."


def _strengths(result: GradeResult, passed: list[CriterionResult], rubric: Rubric) -> list[str]:
    tree = result.tree
    lines: list[str] = []
    for f in passed:
        lines.append(f"- {rubric.spec(f.id).title}: {_quote_reason(f, tree)}")
    extended = [f for f in result.criteria if not f.core and f.status == "pass"]
    for f in extended[:2]:
        lines.append(f"- {rubric.spec(f.id).title}: {f.message}")
    if not lines:
        named = [n.name for n in tree.nodes][:4]
        if named:
            listed = ", ".join(f'"{n}"' for n in named)
            return [f"- You named metrics ({listed}); the next step is to arrange them into a tree."]
        return ["- Nothing yet: the answer names no metrics to build on."]
    return lines


def _quote_reason(f: CriterionResult, tree: Tree) -> str:
    """The finding in the candidate's metrics, plus their own sentence where one sentence shows it."""
    if f.evidence and f.id in ("north_star", "guardrails", "rca"):
        quote = f.evidence[0].strip()
        if len(quote) > 160:
            quote = quote[:157].rstrip() + "..."
        return f'{f.message} You said: "{quote}"'
    return f.message


def _lift(result: GradeResult, f: CriterionResult) -> int:
    """How many verdict steps passing this one criterion would gain."""
    flipped = [c.model_copy(update={"status": "pass"}) if c.id == f.id else c for c in result.criteria]
    return VERDICT_RANK[verdict_of(flipped)] - VERDICT_RANK[result.verdict]


def _fixes(result: GradeResult, failed: list[CriterionResult], rubric: Rubric, scenario: Scenario | None) -> list[str]:
    if failed:
        ranked = sorted(failed, key=lambda f: (-_lift(result, f), -rubric.spec(f.id).weight, f.id))
        chosen = ranked[:2]
    else:
        extended = [f for f in result.criteria if not f.core and f.status == "fail"]
        chosen = sorted(extended, key=lambda f: (-rubric.spec(f.id).weight, f.id))[:2]
        if not chosen:
            return ["- Nothing on the rubric: rehearse saying it this crisply under time pressure."]
    lines = []
    for i, f in enumerate(chosen, 1):
        spec = rubric.spec(f.id)
        text = f"{i}. {spec.title}: {f.message} {spec.fix}"
        hint = _scenario_hint(f.id, result.tree, scenario)
        if hint:
            text += f" {hint}"
        lines.append(text)
    return lines


def _scenario_hint(cid: str, tree: Tree, scenario: Scenario | None) -> str:
    """A suggestion from the scenario's reference tree, naming only metrics the answer does not already have."""
    if scenario is None:
        return ""
    ref = scenario.reference_tree
    have = {n.name.lower() for n in tree.nodes}

    def missing(names: list[str]) -> list[str]:
        return [n for n in names if n.lower() not in have][:3]

    if cid == "guardrails":
        names = missing([n.name for n in ref.guardrails()])
        return f"For this product, consider {_join(names)}." if names else ""
    if cid == "ai_layer":
        names = missing([n.name for n in ref.nodes if n.role == "ai_input"])
        return f"The reference tree puts {_join(names)} under the user-behaviour metrics." if names else ""
    if cid in ("hierarchy", "north_star") and ref.north_star:
        kids = children(ref).get(ref.north_star, [])
        if kids:
            return f"One way in: {ref.north_star} broken into {_join(kids[:3])}."
    if cid == "math_vs_causal":
        formula = next((link.formula for link in ref.links if link.kind == "math" and link.formula), None)
        if formula:
            return f"For example: {formula}."
    if cid == "rca" and ref.north_star:
        kids = children(ref).get(ref.north_star, [])
        if len(kids) >= 2:
            return f"Start by checking {_join(kids[:3])} one at a time."
    return ""


def _next_practice(
    result: GradeResult, failed: list[CriterionResult], rubric: Rubric, scenario: Scenario | None
) -> str:
    if failed:
        top = sorted(failed, key=lambda f: (-_lift(result, f), -rubric.spec(f.id).weight, f.id))[0]
        return f'Answer this follow-up out loud: "{rubric.spec(top.id).follow_up}"'
    if scenario is not None and scenario.follow_ups:
        return f'Take the interviewer\'s follow-up: "{scenario.follow_ups[0]}"'
    return "Try a metric-drop question next and walk the diagnosis bottom-up through your tree."


def _join(names: list[str]) -> str:
    quoted = [f'"{n}"' for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
