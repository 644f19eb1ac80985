"""A fixed scenario, fixed answers and a deterministic fake grader for the TUI tests.

The fake grader decides each core criterion from a keyword, so a follow-up
answer can flip one, and builds its tree from the answer's own lines
(``A = B + C`` is a math link, ``A <- B (causal)`` a causal one, ``A -> B`` an
unlabelled one), so the snapshots stay the same whatever the real parser and
rules do while they are being written.
"""

from __future__ import annotations

import re

from coach.result import CriterionResult, GradeResult
from coach.rubric.engine import score, verdict
from coach.rubric.model import load_rubric
from coach.scenarios import Scenario
from coach.tree import Link, Node, Tree

SCENARIO = Scenario.model_validate(
    {
        "id": "tea-shop-orders-drop",
        "title": "Tea shop: weekly orders dropped 8%",
        "question": "Weekly orders at an online tea shop dropped 8% last week. How would you find out why?",
        "context": "The shop sells loose-leaf tea online, with a subscription and an AI tea-recommendation chat.",
        "kind": "metric_drop",
        "ai_product": False,
        "segment": "ecommerce",
        "time_limit": 10,
        "reference_tree": {
            "north_star": "Weekly orders",
            "nodes": [
                {"name": "Weekly orders", "role": "north_star"},
                {"name": "New customer orders"},
                {"name": "Repeat orders"},
                {"name": "Visits"},
                {"name": "Conversion rate"},
                {"name": "Recommendation acceptance", "role": "ai_input"},
                {"name": "Refund rate", "role": "guardrail"},
                {"name": "Gross margin", "role": "guardrail"},
            ],
            "links": [
                {"parent": "Weekly orders", "child": "New customer orders", "kind": "math", "operator": "+"},
                {"parent": "Weekly orders", "child": "Repeat orders", "kind": "math", "operator": "+"},
                {"parent": "New customer orders", "child": "Visits", "kind": "math", "operator": "×"},
                {"parent": "New customer orders", "child": "Conversion rate", "kind": "math", "operator": "×"},
                {"parent": "Repeat orders", "child": "Recommendation acceptance", "kind": "causal"},
            ],
        },
        "model_answer": "My north star is weekly orders. Weekly orders = new customer orders + repeat orders.\n"
        "I'd check each branch, then segment by channel. Guardrails: refund rate and gross margin.",
        "follow_ups": [
            "New orders are flat; repeat orders fell only on mobile. What next?",
            "Which causal link would you test first, and how?",
        ],
    }
)

OTHER = SCENARIO.model_copy(
    update={
        "id": "chat-assistant-success",
        "title": "Chat assistant: measure success",
        "question": "How would you measure the success of our AI writing assistant?",
        "kind": "measure_success",
        "ai_product": True,
        "segment": "b2b_saas",
    }
)

ANSWER = """My north star is weekly orders [bold]not markup[/].
Weekly orders = New customer orders + Repeat orders
New customer orders = Visits × Conversion rate
Repeat orders <- Tea of the month (causal)
Conversion rate -> Checkout errors
Checkout errors -> Conversion rate
Brand awareness -> Newsletter signups
I'd segment by channel. \x1b[31mred?\x1b[0m"""

FOLLOW_UP_ANSWER = "Guardrails: refund rate and gross margin must not get worse."

_LINE = re.compile(r"^\s*(?P<parent>[^=<>-][^=<>]*?)\s*(?P<op>=|<-|->)\s*(?P<rest>.+?)\s*$")


def tree_of(answer: str) -> Tree:
    nodes: dict[str, Node] = {}
    links: list[Link] = []

    def node(name: str, role: str = "driver") -> str:
        name = name.strip()
        if name not in nodes:
            nodes[name] = Node(name=name, role=role)  # type: ignore[arg-type]
        return name

    north = None
    match = re.search(r"north star is ([a-z ]+)", answer, re.I)
    if match:
        north = node(match.group(1).strip().capitalize(), "north_star")
    for line in answer.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        parent = node(m["parent"].capitalize() if m["parent"].lower() == (north or "").lower() else m["parent"])
        rest = m["rest"]
        if m["op"] == "=":
            for child in re.split(r"\s*[+×]\s*", rest):
                op = "×" if "×" in rest else "+"
                links.append(Link(parent=parent, child=node(child), kind="math", operator=op))  # type: ignore[arg-type]
        elif m["op"] == "<-":
            links.append(Link(parent=parent, child=node(rest.replace("(causal)", "")), kind="causal"))
        else:
            links.append(Link(parent=parent, child=node(rest), kind="unlabelled"))
    if "guardrail" in answer.lower():
        node("Refund rate", "guardrail")
        node("Gross margin", "guardrail")
    if "orphan" in answer.lower():
        node("Brand awareness")
    return Tree(north_star=north, nodes=list(nodes.values()), links=links)


def _sentence(answer: str, word: str) -> list[str]:
    for line in answer.splitlines():
        if word.lower() in line.lower():
            return [line.strip()]
    return []


def fake_grader(answer: str, scenario: Scenario, on_token=None) -> GradeResult:
    rubric = load_rubric()
    checks = {
        "north_star": "north star",
        "hierarchy": "×",
        "math_vs_causal": "causal",
        "guardrails": "guardrail",
        "ai_layer": "eval",
        "rca": "segment",
    }
    criteria = []
    for spec in rubric.criteria:
        applies = spec.applies == "always" or (
            (spec.applies == "ai_product" and scenario.ai_product)
            or (spec.applies == "metric_change" and scenario.kind in ("metric_drop", "conflicting_metrics"))
            or (spec.applies == "conflicting_metrics" and scenario.kind == "conflicting_metrics")
        )
        if not applies:
            criteria.append(
                CriterionResult(id=spec.id, status="not_applicable", core=spec.core, message="Not applicable.")
            )
            continue
        word = checks.get(spec.id, "=")
        passed = word.lower() in answer.lower()
        criteria.append(
            CriterionResult(
                id=spec.id,
                status="pass" if passed else "fail",
                core=spec.core,
                evidence=_sentence(answer, word) if passed else [],
                message=f"{'Found' if passed else 'No sign of'} '{word}' in the answer.",
            )
        )
    result = GradeResult(
        verdict=verdict(criteria),
        score=score(criteria, rubric),
        criteria=criteria,
        tree=tree_of(answer),
        feedback="Strengths: you committed to a north star.\nNext: name two guardrails. [bold]stays literal[/]",
        question=scenario.question,
        scenario=scenario.id,
        kind=scenario.kind,
        ai_product=scenario.ai_product,
    )
    if on_token is not None:
        on_token(result.feedback)
    return result


def _variant(sid: str, title: str, kind: str, ai: bool, minutes: int) -> Scenario:
    question = f"{title}: how would you approach it?"
    return SCENARIO.model_copy(
        update={"id": sid, "title": title, "question": question, "kind": kind, "ai_product": ai, "time_limit": minutes}
    )


LIBRARY = [
    SCENARIO,
    OTHER,
    _variant("bike-share-north-star", "Bike share: pick the north star", "north_star", False, 8),
    _variant("support-bot-conflict", "Support bot: resolution up, CSAT down", "conflicting_metrics", True, 12),
    _variant("podcast-app-success", "Podcast app: measure the new queue", "measure_success", False, 10),
    _variant("code-review-ai-drop", "AI code review: acceptance fell 6%", "metric_drop", True, 12),
]

FIXED_NOW = 1_750_000_000.0  # 2025-06-15 15:06:40 UTC

WEAK_ANSWER = "My north star is weekly orders.\nWeekly orders -> Visits\nWeekly orders -> Repeat orders"


def make_app(**overrides):
    """The app as the tests drive it: fixed library, fake grader, frozen clocks, no cursor blink."""
    import random

    from coach.tui.app import create_app

    options = {
        "scenarios": LIBRARY,
        "grader": fake_grader,
        "monotonic": lambda: 0.0,
        "now": lambda: FIXED_NOW,
        "rng": random.Random(7),
        "cursor_blink": False,
    }
    options.update(overrides)
    return create_app(**options)


def seed_history(conn) -> None:
    """Three attempts at SCENARIO a day apart (the last with a follow-up) and one at OTHER."""
    from coach import history

    weak = fake_grader(WEAK_ANSWER, SCENARIO)
    history.record_attempt(conn, SCENARIO.id, WEAK_ANSWER, weak, elapsed=420, now=FIXED_NOW - 2 * 86400)
    middle = ANSWER.replace("I'd segment by channel.", "")
    history.record_attempt(conn, SCENARIO.id, middle, fake_grader(middle, SCENARIO), now=FIXED_NOW - 86400)
    last = history.record_attempt(conn, SCENARIO.id, ANSWER, fake_grader(ANSWER, SCENARIO), now=FIXED_NOW - 3600)
    from coach.followup import grade_follow_up

    combined = grade_follow_up(
        ANSWER, FOLLOW_UP_ANSWER, SCENARIO, first_result=last.result, grader=lambda a, s: fake_grader(a, s)
    )
    history.record_follow_up(
        conn,
        last.id,
        criterion_id="guardrails",
        question="What would you watch?",
        answer=FOLLOW_UP_ANSWER,
        result=combined,
    )
    history.record_attempt(conn, OTHER.id, WEAK_ANSWER, fake_grader(WEAK_ANSWER, OTHER), now=FIXED_NOW - 7200)
