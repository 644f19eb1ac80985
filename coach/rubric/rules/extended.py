"""The extended criteria: coaching notes and the score. Each is a small rule; none moves the verdict."""

from __future__ import annotations

import re

from coach import regexes
from coach.parse.words import family
from coach.rubric.registry import Outcome, RuleInput, rule
from coach.rubric.rules.ai_layer import is_model_metric
from coach.rubric.treeview import acyclic_children, children, depth, find_cycles, node_quote, parents, sentence_of

_TESTED = regexes.compile(r"\b(?:test\w*|experiment\w*|A/B|holdout|validat\w+|confirm\w*)\b", re.I)


def _no_links(inp: RuleInput) -> Outcome | None:
    return None if inp.tree.links else Outcome(False, "No tree to judge.")


@rule("north_star_classified")
def north_star_classified(inp: RuleInput) -> Outcome:
    node = inp.tree.node(inp.tree.north_star) if inp.tree.north_star else None
    if node is None:
        return Outcome(False, "No north star to classify.")
    if node.type:
        return Outcome(True, f"'{node.name}' is called an {node.type} metric.", (node_quote(inp.answer, node),))
    return Outcome(False, f"Does not say whether '{node.name}' is an input or an output metric.")


@rule("l1_equation")
def l1_equation(inp: RuleInput) -> Outcome:
    ns = inp.tree.north_star
    math = [link for link in inp.tree.links if link.parent == ns and link.kind == "math"]
    if math:
        return Outcome(
            True,
            f"The first split of '{ns}' is written as an identity.",
            tuple(ev.quote for ev in math[0].evidence[:1]),
        )
    return Outcome(False, "The north star's first split is not written as an equation.")


@rule("depth_three")
def depth_three(inp: RuleInput) -> Outcome:
    ns = inp.tree.north_star
    if not ns:
        return Outcome(False, "No north star to measure depth from.")
    levels = depth(acyclic_children(inp.tree), ns)
    target, most = int(inp.params.get("target_depth", 3)), int(inp.params.get("max_depth", 4))
    if target <= levels <= most:
        return Outcome(True, f"The deepest branch is {levels} levels below '{ns}'.")
    if levels > most:
        return Outcome(False, f"The deepest branch is {levels} levels down: beyond {most} is speculation.")
    return Outcome(
        False, f"The deepest branch is {levels} level{'s' if levels != 1 else ''} below '{ns}'; aim for {target}."
    )


@rule("branching")
def branching(inp: RuleInput) -> Outcome:
    most = int(inp.params.get("max_children", 5))
    empty = _no_links(inp)
    if empty:
        return empty
    wide = [(p, len(c)) for p, c in children(inp.tree).items() if len(c) > most]
    if wide:
        return Outcome(False, f"'{wide[0][0]}' has {wide[0][1]} children; group them into at most {most}.")
    return Outcome(True, f"No metric has more than {most} children.")


@rule("no_cycles")
def no_cycles(inp: RuleInput) -> Outcome:
    empty = _no_links(inp)
    if empty:
        return empty
    found = find_cycles(inp.tree)
    if found:
        loop = " → ".join([*found[0], found[0][0]])
        quotes = tuple(
            ev.quote
            for link in inp.tree.links
            if link.parent in found[0] and link.child in found[0]
            for ev in link.evidence[:1]
        )
        return Outcome(False, f"The tree has a loop: {loop}.", quotes[:2])
    return Outcome(True, "No metric feeds back into its own ancestors.")


@rule("shared_leaf")
def shared_leaf(inp: RuleInput) -> Outcome:
    shared = [(c, ps) for c, ps in parents(inp.tree).items() if len(ps) >= 2]
    if shared:
        child, ps = shared[0]
        return Outcome(True, f"'{child}' feeds both '{ps[0]}' and '{ps[1]}'.")
    return Outcome(False, "No metric feeds more than one parent.")


@rule("causal_hops")
def causal_hops(inp: RuleInput) -> Outcome:
    empty = _no_links(inp)
    if empty:
        return empty
    most = int(inp.params.get("max_untested_hops", 2))
    g = acyclic_children(inp.tree)
    untested: dict[str, list[str]] = {}
    for link in inp.tree.links:
        if link.kind == "causal" and not _TESTED.search(link.hypothesis or "") and link.child in g.get(link.parent, []):
            untested.setdefault(link.parent, []).append(link.child)
    hops = max((depth(untested, top) for top in untested), default=0)
    if hops > most:
        return Outcome(False, f"{hops} untested causal hops in a row between a leaf and the top.")
    return Outcome(True, f"No chain of more than {most} untested causal hops.")


@rule("leading_lagging")
def leading_lagging(inp: RuleInput) -> Outcome:
    m = family("timing").search(inp.answer)
    if m:
        return Outcome(
            True, "Says which metrics lead and which lag.", (sentence_of(inp.answer, m.start(), m.group(0)),)
        )
    return Outcome(False, "Does not say which metrics are leading and which lagging.")


@rule("owners")
def owners(inp: RuleInput) -> Outcome:
    m = family("owner").search(inp.answer)
    if m:
        return Outcome(True, "Names who owns the levers.", (sentence_of(inp.answer, m.start(), m.group(0)),))
    return Outcome(False, "No owners are named for the leaf metrics.")


@rule("counter_metrics")
def counter_metrics(inp: RuleInput) -> Outcome:
    guards = inp.tree.guardrails()
    if not guards:
        return Outcome(False, "No guardrails, so nothing is tied to what it protects.")
    for node in guards:
        quote = node_quote(inp.answer, node)
        if family("counter_reason").search(quote):
            return Outcome(True, f"'{node.name}' comes with the push it protects against.", (quote,))
    return Outcome(False, "The guardrails are named without saying which push on the tree each one protects against.")


@rule("product_specific")
def product_specific(inp: RuleInput) -> Outcome:
    names = [n.name for n in inp.tree.nodes]
    if len(names) < 3:
        return Outcome(False, "Too few metrics to be specific to the product.")
    generic = [n for n in names if family("generic_metric").fullmatch(n)]
    if len(generic) * 2 > len(names):
        return Outcome(False, f"Mostly generic metrics ({', '.join(generic[:4])}).")
    specific = [n for n in names if n not in generic]
    return Outcome(True, f"Uses metrics specific to the product, such as '{specific[0]}'.")


@rule("conflict_resolution")
def conflict_resolution(inp: RuleInput) -> Outcome:
    rule_ev = inp.tree.decision_rule
    if rule_ev is None:
        m = family("decision_rule").search(inp.answer)
        if m is None:
            return Outcome(False, "No decision rule for trading the two metrics against each other.")
        quote = sentence_of(inp.answer, m.start(), m.group(0))
    else:
        quote = rule_ev.quote
    if not inp.tree.guardrails():
        return Outcome(False, "States a preference but holds neither metric as a guardrail.", (quote,))
    return Outcome(
        True, "Picks the metric closer to the value exchange, guards the other, and states the rule.", (quote,)
    )


@rule("ai_three_layers")
def ai_three_layers(inp: RuleInput) -> Outcome:
    tree, text = inp.tree, inp.answer
    model = [n for n in tree.nodes if is_model_metric(n)]
    offline = any(n.stage == "offline" for n in model) or bool(
        re.search(r"\boffline\b|\beval\w*\b|\bbenchmark", text, re.I)
    )
    online = any(n.stage == "online" for n in model) or bool(
        re.search(r"\bonline\b|\bin production\b|\blive traffic\b|\bthumbs?[- ]down\b|\bcorrection", text, re.I)
    )
    both_named = bool(re.search(r"\boffline\b", text, re.I) and re.search(r"\bonline\b", text, re.I))
    missing = [
        label
        for label, ok in (
            ("a business outcome on top", bool(tree.north_star)),
            ("offline model performance", offline),
            ("online trust and reliability", online),
            ("the offline vs online distinction", both_named),
        )
        if not ok
    ]
    if missing:
        return Outcome(False, f"Missing {', '.join(missing)}.")
    return Outcome(
        True, "Covers the business outcome, offline model performance and online trust, and tells them apart."
    )
