"""north_star: one committed, measurable top metric (or, in a metric-change question, the moved metric worked from as the top)."""

from __future__ import annotations

from coach import regexes
from coach.parse.words import family
from coach.rubric.measurable import counted, measurable
from coach.rubric.registry import Outcome, RuleInput, rule
from coach.rubric.treeview import children, node_quote
from coach.rubric.walk import moved_node, walk
from coach.tree import Node


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
        # "I keep going back and forth", "I'd keep both": working from the moved metric does not choose for
        # an answer that says it will not choose.
        keeps_several = family("several_tops").search(inp.answer) is not None
        if (
            moved is not None
            and not keeps_several
            and (len(kids.get(moved.name, [])) >= 2 or _walked_from(inp, moved.name))
        ):
            return Outcome(
                True,
                f"Works from the metric that moved, '{moved.name}', as the top: it is broken down or walked from.",
                (node_quote(inp.answer, moved),),
            )
        # Only when the answer names no top of its own and keeps no two: a top it named but the reader could not
        # take (a theme, two anchors kept) is what north_star judges.
        if (
            moved is None
            and ctx.metric_change
            and ctx.wrong_way is not None
            and not keeps_several
            and not family("top").search(inp.answer)
        ):
            # The diagnosis walks down from the question's metric ("look at it as two pieces … then cut the
            # existing folks by platform") though the reader found no node for it: the walk names it as the top.
            w = walk(tree, ctx)
            if w.passes and w.branch_quote:
                return Outcome(
                    True,
                    f"Works from the metric that moved, '{ctx.wrong_way.phrase}', as the top: the diagnosis walks down from it.",
                    (w.branch_quote,),
                )
        return Outcome(False, "The answer never commits to a single top metric.")
    node = tree.node(tree.north_star)
    quote = (node_quote(inp.answer, node),) if node is not None else ()
    verdict = measurable(tree.north_star)
    if not verdict.measurable and node is not None:
        defined = _bracketed_definition(inp.answer, node)
        if defined is not None:
            # "stickiness (DAU/MAU)": a theme word with the way to count it in brackets right after it
            return Outcome(True, f"Commits to one north star: '{tree.north_star}' ({defined}).", quote)
    if not verdict.measurable:
        return Outcome(False, verdict.reason[0].upper() + verdict.reason[1:] + ".", quote)
    return Outcome(True, f"Commits to one north star: '{tree.north_star}'.", quote)


def _walked_from(inp: RuleInput, name: str) -> bool:
    w = walk(inp.tree, inp.ctx)
    return w.target is not None and w.target.name == name and w.passes


_BRACKET_AFTER = regexes.compile(r"\s*\(([^()\n]{1,60})\)")


def _bracketed_definition(answer: str, node: Node) -> str | None:
    """The measurable definition in brackets just after where the answer names the top, if there is one."""
    for ev in node.evidence:
        if ev.end is None:
            continue
        m = _BRACKET_AFTER.match(answer, ev.end)
        if m is None:
            continue
        sides = [side.strip() for side in _FORMULA_OP.split(m.group(1))]
        # a formula ("DAU/MAU"), every term of it a metric: a gloss ("merchants thriving") does not count
        if len(sides) >= 2 and all(counted(side) for side in sides):
            return m.group(1).strip()
    return None


_FORMULA_OP = regexes.compile(r"\s*[/÷×*=+−]\s*")
