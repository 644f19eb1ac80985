"""The root-cause walk, judged as RUBRIC.md decides it: branches compared, then one step further in the one that fell.

The walk is read from the tree's diagnosis steps, in order, each cut at its
sequence words ("then", "within that", "if it's retention, ...") into parts.
A part checks branches when it names two of the moved metric's components
(new + returning users; numerator and denominator; funnel steps), refers to
them together ("each of those three separately"), or cuts the metric by a
segment (platform, cohort, region ...), since the metric is the sum of its
segments. A later part goes one step further when it names a component of a
branch or cuts again. A fix ("I'd run a win-back campaign"), a hand-off ("ask
the growth team") or naming the same branch again is not a step further.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from coach import regexes
from coach.parse.build import segments_in
from coach.parse.names import key, tokens
from coach.parse.words import family
from coach.rubric.context import QuestionContext
from coach.rubric.treeview import children, find_node
from coach.tree import Node, Tree

_WHICHEVER = regexes.compile(r"\bwhichever\b", re.I)
_CHECK = regexes.compile(
    r"\b(?:check|look|cut|split|segment|compare|break|drill|dig|pull|see|slice|inspect|examine|investigate|"
    r"decompose|isolate|go)\w*",
    re.I,
)
_LEVEL_DOWN = regexes.compile(
    r"\b(?:one|a|another) level (?:further|down|deeper|lower|below)\b|\bdrill(?:ing)? (?:down )?into\b", re.I
)
_FILLER = {"per", "of", "the", "a", "to", "in", "on", "by", "and", "for", "with", "number", "count", "total"}


@dataclass
class Walk:
    """What the diagnosis did, for the rca finding (and for north_star: a walk from the moved metric names it)."""

    target: Node | None
    branches: list[str] = field(default_factory=list)  # the moved metric's components on the tree
    checked: list[str] = field(default_factory=list)  # branches the walk compared
    segmented: list[str] = field(default_factory=list)  # dimensions of the first cut
    branch_quote: str | None = None
    further_quote: str | None = None
    fix_quote: str | None = None
    vague_only: bool = False

    @property
    def compares_branches(self) -> bool:
        return self.branch_quote is not None

    @property
    def passes(self) -> bool:
        return self.branch_quote is not None and self.further_quote is not None


def moved_node(tree: Tree, ctx: QuestionContext) -> Node | None:
    """The node the question says moved (the one that moved the wrong way), wherever it sits in the tree."""
    want = ctx.wrong_way
    if want is None:
        return None
    node = find_node(tree, want.phrase)
    if (
        node is None
        and tree.north_star
        and find_node(Tree(nodes=[n for n in tree.nodes if n.name == tree.north_star]), want.phrase)
    ):
        node = tree.node(tree.north_star)
    return node


def walk(tree: Tree, ctx: QuestionContext) -> Walk:
    target = moved_node(tree, ctx)
    kid_map = children(tree)
    conflict = ctx.kind == "conflicting_metrics" and ctx.wrong_way is not None
    if target is None and not conflict:
        # The question's metric is not on the tree under a name we can match:
        # judge the walk on the metric whose components the diagnosis compares first.
        target = _most_walked(tree, kid_map)
        if target is None and tree.north_star:
            target = tree.node(tree.north_star)
    kids = kid_map.get(target.name, []) if target else []
    result = Walk(target=target, branches=kids)
    steps = list(tree.diagnosis)
    if conflict:
        # Two metrics moved: only the walk on the one that moved the wrong way counts.
        names = [target.name, *target.aliases] if target else []
        others = {t for m in ctx.moved if m is not ctx.wrong_way for t in key(m.phrase)}
        about = [
            s
            for s in steps
            # the reader's own list counts: "I'd check both" compares the branches it resolved "both" to
            if any(k in s.metrics for k in kids)
            or _about(s.quote, names, kids, ctx.wrong_way.phrase if ctx.wrong_way else "", others, tree)
        ]
        steps = steps[steps.index(about[0]) :] if about else []
    parts = [(step, j, part) for step in steps for j, part in enumerate(_parts(step.quote))]
    if not parts:
        return result
    result.vague_only = all(family("vague").search(p) and not segments_in(p) for _, _, p in parts)
    grandkids = {g: k for k in kids for g in kid_map.get(k, [])}
    first_cut: set[str] = set()
    phase_at = -1
    for n, (step, j, part) in enumerate(parts):
        # The step's own lists (the reader resolves "each of those three"; a model lists what a step checks).
        top = target.name if target else ""
        segs = list(dict.fromkeys(segments_in(part) + (step.segments if j == 0 else [])))
        # "members joined vs msgs per member" sets the branches against each other: it compares them, it is not a cut
        # (two different branches, one on each side; "assisted vs unassisted orders" is a cut of the one branch)
        pitted = list(dict.fromkeys(k for seg in segs if " vs " in seg for k in _pitted(seg, kids, tree, top)))
        if pitted:
            segs = [seg for seg in segs if " vs " not in seg]
        # a contrast that is a branch's own name ("Follows on Mac vs iPhone" listed as a metric) cuts nothing
        segs = [seg for seg in segs if not any(seg.lower() in k.lower() for k in kids if " vs " in seg)]
        named = [
            k for k in kids if (j == 0 and k in step.metrics) or k in pitted or _mentions(part, k, kids, tree, top)
        ]
        if result.branch_quote is None:
            if family("sanity").search(part) and not named:
                continue  # "is the 7% in every market or one city?" before the walk is a check on the number, not a cut
            result.checked.extend(k for k in named if k not in result.checked)
            together = family("components_together").search(part) and len(kids) >= 2
            if len(result.checked) >= 2 or together or segs:
                result.branch_quote = part
                result.segmented = segs
                # Only the cuts this part itself names are the first cut: in "check both, then cut whichever fell by
                # platform" the step's cut is the step further.
                first_cut = {s.lower() for s in segs if s.lower() in part.lower()}
                phase_at = n
                # "check new and returning, then cut returning by platform" in one part: the cut is the further step;
                # so is "whichever fell, I'd break it down by cohort" (the branches are checked to know which fell).
                if segs and (
                    (len(result.checked) >= 1 and not together and named) or (together and _WHICHEVER.search(part))
                ):
                    result.further_quote = part
                    return result
            continue
        if family("fix").search(part) or family("handoff").search(part):
            # "whichever it is, the fix is challenges and reminders": what to do is not a step further down.
            result.fix_quote = result.fix_quote or part
            continue
        # "then the problem is retention", "so the redesign probably buried the invite step": naming a metric below
        # the branch in a conclusion checks nothing; the step further looks at it
        checks = bool(_CHECK.search(part) or "?" in part or segs)
        deeper = [g for g in grandkids if _mentions(part, g, list(grandkids), tree, grandkids[g])] if checks else []
        new_cut = [s for s in segs if s.lower() not in first_cut]
        within = n > phase_at and (
            bool(family("sequence").search(part)) or bool(named) or bool(deeper) or bool(_refers_back(part))
        )
        if (
            deeper
            or (segs and within and (new_cut or named or family("sequence").search(part)))
            # "members ↓ or msgs/member ↓?" then "Segment by creation source + platform": a new cut after the
            # branches were compared is the step further, with or without "then"
            or (new_cut and n > phase_at and family("segment_cue").search(part))
            or (result.segmented and not result.checked and named and within)
            # "then inside whichever group fell, I'd check search, slot picked, payment": metrics below the group
            # that fell are a level further, even when the tree does not hold them
            or (n > phase_at and _refers_back(part) and _below(step.metrics, part, kids, top))
            # "Within consumers I'd go one level further and look at how they arrive: Slack links, digests, search"
            or (n > phase_at and _LEVEL_DOWN.search(part) and (_below(step.metrics, part, kids, top) or new_cut))
        ):
            result.further_quote = part
            return result
        if result.fix_quote is None and (family("fix").search(part) or family("handoff").search(part)):
            result.fix_quote = part
    return result


def _about(quote: str, names: list[str], kids: list[str], phrase: str, others: set[str], tree: Tree) -> bool:
    """Whether a step is about the metric that moved the wrong way (by name, by its branches, or by the words of the
    question that tell it from the metric that moved the right way)."""
    lowered = quote.lower()
    if any(n.lower() in lowered for n in names):
        return True
    words = set(tokens(quote))
    want = set(key(phrase)) - _FILLER - {"rate", "user", "per", "share", "new"}
    want = (want - others) or want
    if want and len(want & words) >= min(2, math.ceil(len(want) * 0.6)):
        return True
    if not others & words and any(len(w) >= 5 and not w.isdigit() for w in (want - others) & words):
        return True  # "To diagnose the retention fall …": the word that tells the metric that fell from the other
    return any(_mentions(quote, k, kids, tree, names[0] if names else "") for k in kids)


def _parts(quote: str) -> list[str]:
    """A step cut where it goes on to the next move ("..., then I'd cut ...", "If it's retention, ...")."""
    cuts = [0]
    for m in re.finditer(
        r"(?:[,;:]\s*|\s[—–-]\s|\s)(?=(?:and\s+)?(?:then|next|after that|within|inside|if (?:it's|it is|that's|the drop|the break|we see|I see)|say (?:it's|that)|whichever|once|for (?:the one|whichever|the branch|the factor|the piece))\b)",
        quote,
        re.I,
    ):
        if m.start() > cuts[-1] + 10:
            cuts.append(m.end())
    cuts.append(len(quote))
    return [quote[a:b].strip(" ,;:") for a, b in zip(cuts, cuts[1:], strict=False) if quote[a:b].strip(" ,;:")]


def _pitted(seg: str, kids: list[str], tree: Tree, top: str) -> list[str]:
    """The branches a contrast sets against each other, when its sides name different ones."""
    sides = [[k for k in kids if _mentions(side, k, kids, tree, top)] for side in seg.split(" vs ")]
    named = {k for side in sides for k in side}
    return [k for k in kids if k in named] if len(named) >= 2 and all(sides) else []


def _below(metrics: list[str], part: str, kids: list[str], top: str) -> bool:
    """The part names two or more of the step's metrics that are neither the moved metric nor its branches."""
    low = part.lower()
    return len([m for m in metrics if m not in kids and m != top and m.lower() in low]) >= 2


def _refers_back(part: str) -> bool:
    return bool(
        re.search(
            r"\b(?:that one|the one that|the ones? (?:that|which)|whichever|that (?:branch|segment|cohort|step|piece|part|group)|"
            r"the (?:branch|segment|step|piece|part|group|slice|cohort|component) (?:that|which|with)|the (?:broken|worst|bad|failing|weak|losing|shrinking|dropping|higher|lower|bigger|larger|smaller) \w+|"
            r"it's the|if it's|where it|(?:in|inside|within) (?:it|that|them|those)|the drop|the break)\b",
            part,
            re.I,
        )
    )


def _most_walked(tree: Tree, kid_map: dict[str, list[str]]) -> Node | None:
    """The metric whose components the diagnosis names most, from the top down."""
    best, best_hits = None, 1
    for n in tree.nodes:
        kids = kid_map.get(n.name, [])
        if len(kids) < 2:
            continue
        hits = sum(any(_mentions(s.quote, k, kids, tree, n.name) for s in tree.diagnosis) for k in kids)
        if hits > best_hits or (hits == best_hits and best is not None and n.name == tree.north_star):
            best, best_hits = n, hits
    return best


def _distinct(name: str, siblings: list[str], parent: str) -> tuple[set[str], int]:
    """The words that tell a metric from its siblings and its parent ("retained" in "retained listeners"),
    and how many of them a sentence must use to mention it."""
    own = set(key(name)) - _FILLER
    shared = set.intersection(*(set(key(s)) for s in siblings)) if len(siblings) > 1 else set()
    distinct = own - shared - set(key(parent))
    if distinct:
        return distinct, math.ceil(len(distinct) / 2)
    return own, len(own)


def _mentions(text: str, name: str, siblings: list[str], tree: Tree, parent: str) -> bool:
    node = tree.node(name)
    names = [name, *(node.aliases if node else [])]
    lowered = text.lower()
    if any(n.lower() in lowered for n in names):
        return True
    words = set(tokens(text))
    want, need = _distinct(name, siblings, parent)
    return bool(want) and len(want & words) >= need
