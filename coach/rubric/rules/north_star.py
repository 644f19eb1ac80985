"""north_star: one committed, measurable top metric (or, in a metric-change question, the moved metric worked from as the top)."""

from __future__ import annotations

from coach.rubric.measurable import measurable
from coach.rubric.registry import Outcome, RuleInput, rule
from coach.rubric.treeview import children, node_quote
from coach.rubric.walk import moved_node, walk


@rule("north_star")
def north_star(inp: RuleInput) -> Outcome:
    tree, ctx = inp.tree, inp.ctx
    if len(tree.north_star_candidates) >= 2:
        names = tree.north_star_candidates
        quotes = tuple(node_quote(inp.answer, n) for n in (tree.node(c) for c in names) if n is not None)
        return Outcome(
            False, f"You offered {len(names)} top metrics ({', '.join(names)}) and kept them all; pick one.", quotes
        )
    kids = children(tree)
    if tree.north_star is None:
        moved = moved_node(tree, ctx) if ctx.metric_change else None
        if moved is not None and (len(kids.get(moved.name, [])) >= 2 or _walked_from(inp, moved.name)):
            return Outcome(
                True,
                f"Works from the metric that moved, '{moved.name}', as the top: it is broken down or walked from.",
                (node_quote(inp.answer, moved),),
            )
        return Outcome(False, "The answer never commits to a single top metric.")
    node = tree.node(tree.north_star)
    quote = (node_quote(inp.answer, node),) if node is not None else ()
    verdict = measurable(tree.north_star)
    if not verdict.measurable:
        return Outcome(False, verdict.reason[0].upper() + verdict.reason[1:] + ".", quote)
    return Outcome(True, f"Commits to one north star: '{tree.north_star}'.", quote)


def _walked_from(inp: RuleInput, name: str) -> bool:
    w = walk(inp.tree, inp.ctx)
    return w.target is not None and w.target.name == name and w.passes
