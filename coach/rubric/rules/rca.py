"""rca: the diagnosis checks the moved metric's components separately, then goes one level further or segments."""

from __future__ import annotations

import math

from coach.parse.names import key, tokens
from coach.parse.vocab import GENERIC_COMPONENTS
from coach.rubric.registry import Outcome, RuleInput, rule
from coach.rubric.treeview import children, find_node
from coach.tree import DiagnosisStep, Tree

_FILLER = {"per", "of", "the", "a", "to", "in", "on", "by", "and", "for", "with", "number", "count", "total"}


def _distinct(name: str, siblings: list[str], parent: str) -> tuple[set[str], int]:
    """The words that tell a metric from its siblings and its parent ("retained" in "retained listeners"),
    and how many of them a sentence must use to mention it."""
    own = set(key(name)) - _FILLER
    shared = set.intersection(*(set(key(s)) for s in siblings)) if len(siblings) > 1 else set()
    distinct = own - shared - set(key(parent))
    if distinct:
        return distinct, math.ceil(len(distinct) / 2)
    return own, len(own)


def _mentions(step: DiagnosisStep, name: str, siblings: list[str], tree: Tree, parent: str) -> bool:
    if name in step.metrics:
        return True
    node = tree.node(name)
    names = [name, *(node.aliases if node else [])]
    lowered = step.quote.lower()
    if any(n.lower() in lowered for n in names):
        return True
    words = set(tokens(step.quote))
    want, need = _distinct(name, siblings, parent)
    return bool(want) and len(want & words) >= need


@rule("rca")
def rca(inp: RuleInput) -> Outcome:
    tree, ctx = inp.tree, inp.ctx
    moved = ctx.wrong_way
    target = find_node(tree, moved.phrase) if moved else None
    if target is None and moved is not None and moved.phrase and tree.north_star:
        # The question's metric is not in the tree under that name: judge the walk from the top.
        target = tree.node(tree.north_star)
    if target is None and tree.north_star:
        target = tree.node(tree.north_star)
    steps = tree.diagnosis
    if not steps:
        return Outcome(False, "No diagnosis: the answer never walks through where the change came from.")
    if target is None:
        return Outcome(False, "The diagnosis is not anchored on the metric that moved: it is not on the tree.", (steps[0].quote,))
    kids = children(tree).get(target.name, [])
    if len(kids) < 2:
        return Outcome(False, f"'{target.name}' has fewer than two components on the tree, so the diagnosis cannot check them separately.", (steps[0].quote,))
    checked: list[str] = []
    generic = None
    for step in steps:
        for kid in kids:
            if kid not in checked and _mentions(step, kid, kids, tree, target.name):
                checked.append(kid)
        if generic is None and GENERIC_COMPONENTS.search(step.quote):
            generic = step
    component_steps = [s for s in steps if any(_mentions(s, k, kids, tree, target.name) for k in kids)] or ([generic] if generic else [])
    if len(checked) < 2 and generic is None:
        return Outcome(False, f"The diagnosis does not check the components of '{target.name}' ({', '.join(kids[:4])}) separately.", (steps[0].quote,))
    kid_map = children(tree)
    grandkids = [(g, kid_map.get(k, []), k) for k in kids for g in kid_map.get(k, [])]
    deeper = []
    for step in steps:
        if step.segments or any(_mentions(step, g, sibs, tree, k) for g, sibs, k in grandkids):
            deeper.append(step)
    evidence = tuple(s.quote for s in (component_steps[:1] + deeper[:1]))
    if deeper:
        return Outcome(True, f"Checks the components of '{target.name}' separately, then drills into the branch or segments it.", evidence)
    return Outcome(False, f"Checks the components of '{target.name}' but stops there: no step goes a level deeper or segments the branch that moved.", evidence)
