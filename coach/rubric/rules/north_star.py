"""north_star: one committed top metric, at the top of the tree."""

from __future__ import annotations

from coach.rubric.registry import Outcome, RuleInput, rule
from coach.rubric.treeview import children, descendants, node_quote


@rule("north_star")
def north_star(inp: RuleInput) -> Outcome:
    tree = inp.tree
    if len(tree.north_star_candidates) >= 2:
        names = tree.north_star_candidates
        quotes = tuple(node_quote(inp.answer, n) for n in (tree.node(c) for c in names) if n is not None)
        return Outcome(False, f"You offered {len(names)} top metrics ({', '.join(names)}) and kept them all; pick one.", quotes)
    if tree.north_star is None:
        return Outcome(False, "The answer never commits to a single top metric.")
    node = tree.node(tree.north_star)
    quote = (node_quote(inp.answer, node),) if node is not None else ()
    # Only a labelled link (an identity or a stated hypothesis) puts the north star under another metric:
    # an outline row or a bare arrow is too weak a sign to fail a committed answer on.
    below = descendants(children(tree), tree.north_star)
    above = [
        link.parent for link in tree.links
        if link.child == tree.north_star and link.kind != "unlabelled" and link.parent not in below
    ]
    if above:
        return Outcome(False, f"'{tree.north_star}' is called the north star but sits under '{above[0]}'.", quote)
    return Outcome(True, f"Commits to one north star: '{tree.north_star}'.", quote)
