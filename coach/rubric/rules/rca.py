"""rca: the walk compares the moved metric's branches, then goes one step further in the one that fell."""

from __future__ import annotations

from coach.rubric.registry import Outcome, RuleInput, rule
from coach.rubric.walk import walk


@rule("rca")
def rca(inp: RuleInput) -> Outcome:
    steps = inp.tree.diagnosis
    if not steps:
        return Outcome(False, "No diagnosis: the answer never walks through where the change came from.")
    w = walk(inp.tree, inp.ctx)
    name = w.target.name if w.target else "the metric that moved"
    branches = f" ({', '.join(w.branches[:4])})" if w.branches else ""
    if w.passes:
        how = (
            f"cuts it by {', '.join(w.segmented)}"
            if w.segmented and not w.checked
            else f"compares {', '.join(w.checked[:3]) or 'its branches'}"
        )
        return Outcome(
            True,
            f"Walks '{name}' bottom-up: {how}, then goes one step further in the branch that moved.",
            tuple(q for q in (w.branch_quote, w.further_quote) if q),
        )
    if w.vague_only:
        return Outcome(
            False,
            f"'Look at the data' is not a walk: check the branches of '{name}'{branches} one by one, then drill into the one that fell.",
            (steps[0].quote,),
        )
    if not w.compares_branches:
        return Outcome(
            False,
            f"The diagnosis never compares the branches of '{name}'{branches} or cuts it by segment, so it cannot say where the change came from.",
            (steps[0].quote,),
        )
    if w.fix_quote:
        return Outcome(
            False,
            f"Compares the branches of '{name}', then jumps to a fix or a hand-off: first go one level further in the branch that fell (a component of it, or another cut).",
            (w.branch_quote or steps[0].quote, w.fix_quote),
        )
    return Outcome(
        False,
        f"Compares the branches of '{name}' but stops there: go one level further in the branch that fell (a component of it, or another cut).",
        (w.branch_quote or steps[0].quote,),
    )
