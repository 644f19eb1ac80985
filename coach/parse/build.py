"""Collects what the statement readers found (metrics, links, guardrails, diagnosis) and assembles the Tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from coach import regexes
from coach.parse.fragment import Frag
from coach.parse.names import NodeBook, NodeEntry, clean, distinctive, is_name, key, tokens
from coach.parse.symbols import symbols
from coach.parse.words import family
from coach.tree import DiagnosisStep, Evidence, Link, LinkKind, Node, Tree

_ACRONYM = regexes.compile(r"\(([A-Z][A-Za-z0-9]{1,11}|[A-Za-z]{2,6}/[A-Za-z]{2,6})\)")
_KIND_RANK = {"unlabelled": 0, "causal": 1, "math": 2}


@dataclass
class LinkDraft:
    parent: NodeEntry
    child: NodeEntry
    kind: LinkKind
    operator: str | None
    formula: str | None
    hypothesis: str | None
    spans: list[tuple[int, int]] = field(default_factory=list)


# "I'd A/B test it", "confirm the one we act on": what the speaker will do, not a cause.
_CLAIM_LEAD = regexes.compile(
    r"^.*?\b(?:prove|show|check|test|see|know|confirm|verify|validate|learn|find out)\s+(?:that|whether|if)\s+", re.I
)
_WHAT_POINTER = regexes.compile(
    r"\s+(?:(?:could|might|may|would|will)\s+be|is|are|'s|was|were)\s+(?:what|the\s+(?:\w+\s+)?(?:thing|one|factor|lever|driver)s?"
    r"(?:\s+(?:that|which))?)\s*$",
    re.I,
)
_FIRST_PERSON = regexes.compile(
    r"^\W*(?:(?:and|then|so)\s+)?(?:I|I'd|I'll|I'm|we'd|we'll|let's|you'd|confirm|test|validate|verify|run|check|try|measure|"
    r"A/B|experiment)\b",
    re.I,
)


class Builder:
    """The parse in progress. Entries are compared by identity; merged entries are resolved at build time."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.symbols = symbols(answer)
        self.book = NodeBook()
        self.links: list[LinkDraft] = []
        self.declarations: list[tuple[NodeEntry, bool, int]] = []  # (metric, personal, where)
        self.candidates: list[NodeEntry] = []
        self.several_tops_at = -1
        self.guardrails: list[NodeEntry] = []
        self.node_type: dict[int, str] = {}
        self.stage: dict[int, str] = {}
        self.diagnosis: list[tuple[tuple[int, int], list[NodeEntry]]] = []
        self.decision_rule: tuple[int, int] | None = None
        self.notes: list[tuple[int, int]] = []

    # --- collecting -----------------------------------------------------------
    @property
    def north_star(self) -> NodeEntry | None:
        """The committed top: the last first-person declaration (candidates change their minds), else the last one."""
        if not self.declarations:
            return None
        personal = [d for d in self.declarations if d[1]]
        return (personal or self.declarations)[-1][0]

    def declare(self, entry: NodeEntry, *, personal: bool, at: int) -> None:
        self.declarations.append((entry, personal, at))

    def diagnose(self, span: tuple[int, int], extra: list[NodeEntry]) -> None:
        if all(s != span for s, _ in self.diagnosis):
            self.diagnosis.append((span, extra))

    def known_metric(self, frag: Frag) -> NodeEntry | None:
        """Like ``metric``, for a phrase that refers back to a metric named before, perhaps in short."""
        name = clean(re.sub(r"\s+in turn$", "", frag.text.strip()))
        symbol = self._symbol(name, frag.text)
        if symbol is not None:
            return symbol
        entry = self.book.find_loose(name) if name else None
        if entry is not None:
            pos = frag.text.find(name)
            if pos >= 0:
                span = (frag.start + pos, frag.start + pos + len(name))
                if span not in entry.spans:
                    entry.spans.append(span)
            return entry
        return self.metric(frag)

    def metric(self, frag: Frag, avoid: NodeEntry | None = None) -> NodeEntry | None:
        """The node a fragment of prose names, or None when it names no metric."""
        text = re.sub(r"\s+in turn$", "", frag.text.strip())
        name = clean(text)
        symbol = self._symbol(name, text)
        if symbol is not None:
            return None if avoid is not None and self.book.resolve(symbol) is self.book.resolve(avoid) else symbol
        if not is_name(name):
            return None
        acronym = _ACRONYM.search(frag.text)
        pos = frag.text.find(name)
        span = (frag.start + pos, frag.start + pos + len(name)) if pos >= 0 else (frag.start, frag.end)
        if self.answer[span[0] : span[1]] != name:
            # A name rebuilt from a list ("new, retained and resurrected listeners"): quote its first word.
            first = re.match(r"\S+", frag.text.strip())
            at = self.answer.find(first.group(0), frag.start) if first else -1
            span = (at, at + len(first.group(0))) if first and at >= 0 else (frag.start, frag.start)
        if acronym and acronym.group(1) not in name:
            return self.book.add(f"{name} ({acronym.group(1)})", span, avoid=avoid)
        return self.book.add(name, span, avoid=avoid)

    def _symbol(self, name: str, raw: str) -> NodeEntry | None:
        """The metric a letter the answer defined stands for ("W" for "weekly active boards"; "W(t-1)", last
        week's W, is another metric)."""
        if not self.symbols or re.match(r"\s*[A-Za-z]\s*\(", raw):
            return None
        letter = re.fullmatch(r"(?:let\s+|define\s+)?([A-Za-z])", name.strip(), re.I) or re.fullmatch(
            r"\s*([A-Za-z])\s*", raw
        )
        symbol = self.symbols.get(letter.group(1)) if letter else None
        return self.book.add(symbol.name, symbol.span) if symbol else None

    def cause(self, frag: Frag) -> NodeEntry | None:
        """What a hypothesis says drives a metric: a metric, or a lever named as a short clause
        ("the admin can push the install through device management")."""
        claim = _CLAIM_LEAD.match(frag.text)
        if claim:
            frag = frag.cut(claim.end())  # "I'd want to prove that faster delivery", "A/B test whether faster delivery"
        pointer = _WHAT_POINTER.search(frag.text)
        if pointer:
            frag = frag.cut(0, pointer.start())  # "faster delivery is what moves it": the cause is before "is what"
        entry = self.metric(frag)
        if entry is not None:
            return entry
        if _FIRST_PERSON.match(frag.text):
            return None  # "I'd A/B test it" is what the speaker will do, not a cause
        text = re.sub(
            r"^(?:(?:um+|uh+|like|and|or|but|so|then|also|plus|if|whether|when)\b,?\s*)*",
            "",
            frag.text.strip(" ,.;:"),
            flags=re.I,
        )
        text = re.sub(r"^(?:the|a|an|our|their|its|we|they|people|users)\s+", "", text, flags=re.I)
        text = re.sub(
            r"\b(?:can|could|will|would|should|does|do|did|is|are|was|were|gets?|got|really|actually|just)\b\s*",
            "",
            text,
            flags=re.I,
        )
        text = " ".join(text.split())
        if not text or len(text.split()) > 12 or not re.search(r"[A-Za-z]{3,}", text) or not clean(text):
            return None
        pos = self.answer.find(text.split()[0], frag.start)
        return self.book.add(text, (pos, pos + len(text.split()[0])) if pos >= 0 else (frag.start, frag.start))

    def link(
        self,
        parent: NodeEntry,
        child: NodeEntry,
        kind: LinkKind,
        span: tuple[int, int],
        *,
        operator: str | None = None,
        formula: str | None = None,
        hypothesis: str | None = None,
    ) -> None:
        parent, child = self.book.resolve(parent), self.book.resolve(child)
        if parent is child:
            return
        for draft in self.links:
            if self.book.resolve(draft.parent) is parent and self.book.resolve(draft.child) is child:
                if _KIND_RANK[kind] > _KIND_RANK[draft.kind] and draft.kind == "unlabelled":
                    draft.kind, draft.operator, draft.formula, draft.hypothesis = kind, operator, formula, hypothesis
                if span not in draft.spans:
                    draft.spans.append(span)
                return
        self.links.append(LinkDraft(parent, child, kind, operator, formula, hypothesis, [span]))

    def relabel(self, since: int, kind: LinkKind, hypothesis: str | None = None) -> None:
        """Label the unlabelled links added since index ``since`` (a sentence like "those are hypotheses")."""
        for draft in self.links[since:]:
            if draft.kind == "unlabelled":
                draft.kind = kind
                if kind == "causal":
                    draft.hypothesis = hypothesis

    def has_parent(self, entry: NodeEntry) -> bool:
        entry = self.book.resolve(entry)
        return any(self.book.resolve(d.child) is entry for d in self.links)

    def add_guardrail(self, entry: NodeEntry) -> None:
        entry = self.book.resolve(entry)
        if all(self.book.resolve(g) is not entry for g in self.guardrails):
            self.guardrails.append(entry)

    # --- assembling -----------------------------------------------------------
    def build(self) -> Tree:
        self._anchor_north_star()
        resolve = self.book.resolve
        ns = resolve(self.north_star) if self.north_star else None
        guarded = {id(resolve(g)) for g in self.guardrails}
        # a metric named as a guardrail is not one of the tops on offer
        candidates = list(dict.fromkeys(resolve(c).name for c in self.candidates if id(resolve(c)) not in guarded))
        # After "two candidates ...", one later choice settles it; two parallel ones ("buyer top: X", "merchant top: Y") do not.
        chosen = list(
            {
                id(resolve(e)): resolve(e)
                for e, personal, at in self.declarations
                if personal and at > self.several_tops_at
            }.values()
        )
        if self.several_tops_at >= 0 and len(chosen) >= 2:
            ns, candidates = None, [e.name for e in chosen]
        elif len(candidates) >= 2 and not chosen:
            ns = None
        else:
            candidates = []
        guard_ids = {id(resolve(g)) for g in self.guardrails}

        links: list[Link] = []
        for d in self.links:
            p, c = resolve(d.parent), resolve(d.child)
            if p is c:
                continue
            links.append(
                Link(
                    parent=p.name,
                    child=c.name,
                    kind=d.kind,
                    operator=d.operator if d.kind == "math" else None,  # type: ignore[arg-type]
                    formula=d.formula if d.kind == "math" else None,
                    hypothesis=d.hypothesis if d.kind == "causal" else None,
                    evidence=[self._evidence(s) for s in d.spans],
                )
            )
        levels = _levels(ns.name if ns else None, candidates, links)
        nodes = []
        for e in self.book.entries:
            if ns is not None and e is ns:
                role = "north_star"
            elif id(e) in guard_ids:
                role = "guardrail"
            elif any(_model_metric_name(n) for n in (e.name, *e.aliases)):
                role = "ai_input"
            else:
                role = "driver"
            nodes.append(
                Node(
                    name=e.name,
                    role=role,  # type: ignore[arg-type]
                    level=levels.get(e.name),
                    aliases=list(e.aliases),
                    type=self.node_type.get(id(e)),  # type: ignore[arg-type]
                    stage=self.stage.get(id(e)),  # type: ignore[arg-type]
                    evidence=[self._evidence(s) for s in e.spans[:3]],
                )
            )
        return Tree(
            north_star=ns.name if ns else None,
            north_star_candidates=candidates if len(candidates) >= 2 else [],
            nodes=nodes,
            links=links,
            diagnosis=[self._diagnosis_step(s, extra, nodes) for s, extra in self.diagnosis],
            decision_rule=self._evidence(self.decision_rule) if self.decision_rule else None,
            notes=[self._evidence(s) for s in dict.fromkeys(self.notes)],
        )

    def _anchor_north_star(self) -> None:
        """A declared north star with nothing under it is usually the root of the tree, spelt differently."""
        if self.north_star is None:
            return
        ns = self.book.resolve(self.north_star)
        if any(self.book.resolve(d.parent) is ns for d in self.links):
            return
        children_of = {id(self.book.resolve(d.parent)) for d in self.links}
        roots = [e for e in self.book.entries if id(e) in children_of and not self.has_parent(e) and e is not ns]
        ns_tokens = set(key(ns.name))
        best, best_overlap = None, 0
        for root in roots:
            shared = ns_tokens & set(key(root.name))
            # "on-time rate" and "actual time" share only a word every metric of time has
            overlap = len(shared) if distinctive(shared) else 0
            same_head = key(root.name)[-1:] == key(ns.name)[-1:]
            score = overlap + (2 if same_head else 0)
            if overlap and score > best_overlap:
                best, best_overlap = root, score
        if best is not None:
            self.book.alias(ns, best)

    def _evidence(self, span: tuple[int, int]) -> Evidence:
        return Evidence(quote=self.answer[span[0] : span[1]], start=span[0], end=span[1])

    def _diagnosis_step(self, span: tuple[int, int], extra: list[NodeEntry], nodes: list[Node]) -> DiagnosisStep:
        text = self.answer[span[0] : span[1]]
        words = set(tokens(text))
        lowered = text.lower()
        named = {self.book.resolve(e).name for e in extra}
        metrics = []
        for n in nodes:
            names = [n.name, *n.aliases]
            if (
                n.name in named
                or any(nm.lower() in lowered for nm in names)
                or any(set(key(nm)) <= words for nm in names if key(nm))
            ):
                metrics.append(n.name)
        segments = segments_in(text)
        return DiagnosisStep(quote=text, metrics=metrics, segments=segments, start=span[0], end=span[1])


@lru_cache(maxsize=4096)
def _model_metric_name(name: str) -> bool:
    return family("model_metric").search(name) is not None


_BY = regexes.compile(
    r"\b(?:by|across|for each|between)\s+(?:the\s+|each\s+|every\s+|their\s+|its\s+)?"
    r"(?P<x>[A-Za-z][\w/+-]*(?:\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+|\s*×\s*|\s*/\s*)(?!(?:then|to|see|if|so|because|which|where|whether|what|how|I|we|it)\b)[A-Za-z][\w/+-]*){0,8})",
    re.I,
)
_NOT_A_CUT = regexes.compile(
    r"^(?:\d|then|definition|itself|far|the way|hand|how|a lot|half|much|default|design|now|contrast|comparison|itself|"
    r"rolling|reverting|shipping|looking|checking|cutting|comparing|a|an|one|two|three|same|month|week|day|year|quarter|"
    r"percent|points?|\d+%)\b",
    re.I,
)


# "stacked versus single-order trips", "renewed seats vs new seats": two named groups set against each other
# are a cut, whatever the dimension is called.
_SIDE = r"[A-Za-z][\w'-]*(?:\s+[A-Za-z][\w'-]*){0,2}"
_CONTRAST = regexes.compile(
    rf"(?<![\w-])(?P<a>{_SIDE})\s+(?:vs\.?|versus)\s+(?P<b>{_SIDE})(?![\w-])",
    re.I,
)
_CONTRAST_LEAD = regexes.compile(
    r"^.*\b(?:by|into|between|on|split|cut|segment|compare|is|are|the|whether|either|of|in|inside|within|down)\s+", re.I
)
_COUNTED_GROUPS = regexes.compile(
    r"\b(?:compare|split|contrast|separate|check)\w*\s+(?:the|these|those)\s+(?:two|three|four)\s+"
    r"(?P<x>(?:[\w-]+\s+)?(?:groups|cohorts|segments|populations|types|kinds|sides))\b",
    re.I,
)
_ARMS = regexes.compile(r"\b(?:A/B|test(?:ing)?|experiment\w*|arms?|holdout|variant)\b", re.I)
# "Q2 vs Q1", "this quarter vs last quarter", "YoY": a comparison in time is how the change was seen, not a cut.
_PERIOD = regexes.compile(
    r"\b(?:Q[1-4]|H[12]|FY\d*|\d{4}|last|this|previous|prior|same|before|after|pre|post|baseline|"
    r"week|month|year|quarter|day|yesterday|today|january|february|march|april|may|june|july|august|september|"
    r"october|november|december|launch|[WDM]o[WDM]|YoY|period)\b",
    re.I,
)
_DRILL = regexes.compile(r"\s*(?:→|->|⇒|>)\s*")
_DRILL_WORDS = regexes.compile(r"[\w ]{0,20}?\s*(?:→|->|⇒|>)\s*")


def segments_in(text: str) -> list[str]:
    """The dimensions a step cuts by: "by platform", "by trigger type, language and tenure", "iOS vs Android"."""
    found = []
    cues = [m.end() for m in family("segment_cue").finditer(text)] + [
        m.start() for m in family("segment_cue").finditer(text)
    ]
    dims = family("segment_dimension").finditer(text)
    # "reason codes → category → region": a drill-down path of two or more dimensions is a chain of cuts
    chained = {
        i
        for a, b in zip(range(len(dims)), range(1, len(dims)), strict=False)
        if _DRILL.fullmatch(text, dims[a].end(), dims[b].start())
        or _DRILL_WORDS.fullmatch(text, dims[a].end(), dims[b].start())
        for i in (a, b)
    }
    for i, m in enumerate(dims):
        if i in chained or any(abs(m.start() - c) <= 40 or abs(m.end() - c) <= 40 for c in cues):
            found.append(m.group(0).strip())
    cut_step = family("diagnosis").search(text) is not None or family("segment_cue").search(text) is not None
    for m in _BY.finditer(text):
        for part in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*×\s*", m.group("x")):
            part = part.strip()
            if part and not _NOT_A_CUT.match(part) and cut_step and len(part.split()) <= 3:
                found.append(part)
    for m in _COUNTED_GROUPS.finditer(text):
        found.append(m.group("x"))  # "compare the two viewer groups": the groups are the cut
    if not _ARMS.search(text):  # "A/B faster shipping vs tap-to-pay onboarding": an experiment's arms, not a cut
        for m in _CONTRAST.finditer(text):
            a = _CONTRAST_LEAD.sub("", m.group("a"))
            b = m.group("b")
            if a and not any(_NOT_A_CUT.match(x) or _PERIOD.search(x) for x in (a, b)):
                found.append(f"{a} vs {b}")
    return list(dict.fromkeys(found))


def _levels(ns: str | None, candidates: list[str], links: list[Link]) -> dict[str, int]:
    children: dict[str, list[str]] = {}
    for link in links:
        children.setdefault(link.parent, []).append(link.child)
    tops = [ns] if ns else candidates
    levels: dict[str, int] = {}
    frontier = [t for t in tops if t]
    for t in frontier:
        levels[t] = 0
    while frontier:
        nxt = []
        for name in frontier:
            for child in children.get(name, []):
                if child not in levels:
                    levels[child] = levels[name] + 1
                    nxt.append(child)
        frontier = nxt
    return levels
