"""ai_layer: a measurable model-quality metric sits on the tree as an input of user behaviour (or as a latency-style guardrail)."""

from __future__ import annotations

import re

from coach.parse.words import family
from coach.rubric.measurable import measurable
from coach.rubric.registry import Outcome, RuleInput, rule
from coach.rubric.treeview import node_quote, parents
from coach.tree import Node


def is_model_metric(node: Node) -> bool:
    names = (node.name, *node.aliases)
    named = node.role == "ai_input" or any(family("model_metric").search(n) for n in names)
    return named and measurable(node.name).measurable


@rule("ai_layer")
def ai_layer(inp: RuleInput) -> Outcome:
    tree = inp.tree
    ups = parents(tree)
    model = [n for n in tree.nodes if is_model_metric(n) and n.name != tree.north_star]
    placed = [n for n in model if ups.get(n.name) or n.role == "guardrail"]
    if placed:
        first = placed[0]
        where = f"under '{ups[first.name][0]}'" if ups.get(first.name) else "as a guardrail"
        return Outcome(
            True,
            f"Model-quality input on the tree: '{first.name}' {where}.",
            tuple(node_quote(inp.answer, n) for n in placed[:3]),
        )
    if model:
        return Outcome(
            False,
            f"Model metrics are listed ('{model[0].name}') but not placed under the user behaviour they drive.",
            (node_quote(inp.answer, model[0]),),
        )
    vague = [
        n
        for n in tree.nodes
        if (n.role == "ai_input" or family("model_metric").search(n.name)) and not measurable(n.name).measurable
    ]
    if vague:
        return Outcome(
            False,
            measurable(vague[0].name).reason[0].upper() + measurable(vague[0].name).reason[1:] + ".",
            (node_quote(inp.answer, vague[0]),),
        )
    if re.search(r"\b(?:the )?model(?:'s)?\b|\bmodel quality\b", inp.answer, re.I):
        return Outcome(
            False,
            "The model is mentioned, but no model-quality metric (eval pass rate, hallucination rate, p95 latency ...) is on the tree.",
        )
    return Outcome(
        False, "No model-quality metric (eval pass rate, hallucination rate, p95 latency ...) is on the tree."
    )
