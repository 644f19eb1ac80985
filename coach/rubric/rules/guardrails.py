"""guardrails: at least two metrics explicitly held as guardrails."""

from __future__ import annotations

from coach.rubric.registry import Outcome, RuleInput, rule
from coach.rubric.treeview import node_quote


@rule("guardrails")
def guardrails(inp: RuleInput) -> Outcome:
    need = int(inp.params.get("min_guardrails", 2))
    found = inp.tree.guardrails()
    evidence = tuple(node_quote(inp.answer, n) for n in found)
    names = ", ".join(f"'{n.name}'" for n in found)
    if len(found) >= need:
        return Outcome(True, f"Guardrails named: {names}.", evidence)
    if found:
        return Outcome(False, f"Only one guardrail ({names}); name at least {need}.", evidence)
    return Outcome(False, "No metric is named as a guardrail or counter-metric.")
