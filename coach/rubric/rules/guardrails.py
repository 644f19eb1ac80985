"""guardrails: at least two measurable metrics explicitly held as guardrails."""

from __future__ import annotations

from coach.rubric.measurable import measurable
from coach.rubric.registry import Outcome, RuleInput, rule
from coach.rubric.treeview import node_quote


@rule("guardrails")
def guardrails(inp: RuleInput) -> Outcome:
    need = int(inp.params.get("min_guardrails", 2))
    named = inp.tree.guardrails()
    # A guardrail must name something watched; a theme ("CSAT on bot chats", "call quality") still counts here.
    found = [n for n in named if measurable(n.name).kind in ("metric", "theme")]
    themes = [measurable(n.name).reason for n in named if measurable(n.name).kind not in ("metric", "theme")]
    evidence = tuple(node_quote(inp.answer, n) for n in found)
    names = ", ".join(f"'{n.name}'" for n in found)
    aside = f" ({themes[0]})" if themes else ""
    if len(found) >= need:
        return Outcome(True, f"Guardrails named: {names}.", evidence)
    if found:
        return Outcome(False, f"Only one guardrail ({names}); name at least {need}{aside}.", evidence)
    if themes:
        return Outcome(False, f"No measurable guardrail: {themes[0]}.")
    return Outcome(False, "No metric is named as a guardrail or counter-metric.")
