"""hierarchy: at least two levels below the top, with a node that branches."""

from __future__ import annotations

from coach.rubric.registry import Outcome, RuleInput, rule
from coach.rubric.treeview import acyclic_children, children, depth, descendants, grafted_depth, tops


@rule("hierarchy")
def hierarchy(inp: RuleInput) -> Outcome:
    tree = inp.tree
    min_depth = int(inp.params.get("min_depth", 2))
    min_children = int(inp.params.get("min_children", 2))
    roots = tops(tree)
    if not roots:
        if tree.nodes:
            return Outcome(
                False, f"{len(tree.nodes)} metrics are named but none is placed under another: a list, not a tree."
            )
        return Outcome(False, "No metrics were found, so there is no tree to judge.")
    g = acyclic_children(tree)
    kids = children(tree)
    levels = max(depth(g, r) for r in roots)
    reachable = set(roots)
    for r in roots:
        reachable |= descendants(g, r)
    read_as = ""
    if levels < min_depth:
        grafted, node, part = grafted_depth(tree, g, roots[0])
        if node is not None and part is not None and grafted > levels:
            levels = grafted
            reachable |= {part} | descendants(g, part)
            read_as = f" ('{part}' is read as '{node}')"
    # Ties go to the metric named first in the answer, so the finding is the same on every run (a set's order is not).
    order = {n.name: i for i, n in enumerate(tree.nodes)}
    branching = sorted(
        (n for n in reachable if len(g.get(n, [])) >= min_children),
        key=lambda n: (-len(g.get(n, [])), order.get(n, len(order)), n),
    )
    evidence = tuple(ev.quote for link in tree.links if link.parent in reachable for ev in link.evidence[:1])[:3]
    deepest = roots[0] if read_as else max(roots, key=lambda r: depth(g, r))
    top = deepest if levels >= min_depth and branching else roots[0]
    if levels >= min_depth and branching:
        return Outcome(
            True,
            f"'{top}' breaks down {levels} levels deep{read_as}, and '{branching[0]}' has "
            f"{len(kids.get(branching[0], []))} children.",
            evidence,
        )
    if levels < min_depth:
        return Outcome(
            False,
            f"The tree under '{top}' is only {levels} level{'s' if levels != 1 else ''} deep; take a driver down another level.",
            evidence,
        )
    return Outcome(
        False, f"The tree under '{top}' is a single chain: no metric has {min_children} or more children.", evidence
    )
