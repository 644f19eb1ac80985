"""ai_layer: a model-quality metric sits on the tree as an input of user behaviour (or as a latency-style guardrail)."""

from __future__ import annotations

import re

from coach.parse.vocab import AI_METRIC
from coach.rubric.registry import Outcome, RuleInput, rule
from coach.rubric.treeview import node_quote, parents
from coach.tree import Node


def is_model_metric(node: Node) -> bool:
    return node.role == "ai_input" or any(AI_METRIC.search(name) for name in (node.name, *node.aliases))


@rule("ai_layer")
def ai_layer(inp: RuleInput) -> Outcome:
    tree = inp.tree
    ups = parents(tree)
    model = [n for n in tree.nodes if is_model_metric(n) and n.name != tree.north_star]
    placed = [n for n in model if ups.get(n.name) or n.role == "guardrail"]
    if placed:
        first = placed[0]
        where = f"under '{ups[first.name][0]}'" if ups.get(first.name) else "as a guardrail"
        return Outcome(True, f"Model-quality input on the tree: '{first.name}' {where}.", tuple(node_quote(inp.answer, n) for n in placed[:3]))
    if model:
        return Outcome(False, f"Model metrics are listed ('{model[0].name}') but not placed under the user behaviour they drive.", (node_quote(inp.answer, model[0]),))
    if re.search(r"\b(?:the )?model(?:'s)?\b|\bmodel quality\b", inp.answer, re.I):
        return Outcome(False, "The model is mentioned, but no model-quality metric (eval pass rate, hallucination rate, p95 latency ...) is on the tree.")
    return Outcome(False, "No model-quality metric (eval pass rate, hallucination rate, p95 latency ...) is on the tree.")
