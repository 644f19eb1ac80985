"""The sentence reader: what one sentence states about the metrics it names.

For each sentence, in order: labels ("(causal)", "[math]") and back-references
("those are hypotheses"), then the links (``links.py``), then a north-star
declaration, guardrails, a diagnosis step and coaching notes. Each is found by
its cue family (``words.yaml``) wherever the cue sits, and attached to metrics
by scope: the slot beside the cue, a pronoun pointing back ("it", "those",
"that rate"), or the outline the sentence sits in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coach.parse.build import Builder
from coach.parse.fragment import Frag, mask_parens
from coach.parse.links import LinkRead, LinkReader, relation_cues
from coach.parse.mentions import mentions
from coach.parse.names import NodeEntry
from coach.parse.segment import Sentence
from coach.parse.slots import is_group_ref, is_pronoun, items, left_start, noun_ref, right_end, strip_belief, subject
from coach.parse.words import family
from coach.tree import LinkKind

_LABEL = re.compile(r"\(([^()]{2,120})\)|\[([^\[\]]{2,120})\]|(?<![*\w])\*([^*\n]{2,80})\*(?![*\w])|(?<![_\w])_([^_\n]{2,80})_(?![_\w])")
_ARROW_LEAD = re.compile(r"^(?:<-(?:\s*-)*|←|⇠|⇐|-{1,2}>|→|⟶|⇢|=>|↳)\s*")
# "X is my north star", "X as the north star", "X, that's my north star": the metric before the top word.
_TOP_AFTER_METRIC = re.compile(
    r"(?:\b(?:is|are|was|'s|would be|will be|becomes|stays|remains|as|be|call it|calling it)|[=:—–,(])\s*"
    r"(?:(?:really|clearly|definitely|then|basically|probably|honestly|also|still|going to be|gonna be)\s+)*"
    r"(?:my|our|the|a|one|this|that)?\s*(?:(?:one|single|only|real|true|chosen|actual|new|final|proposed|overall|ultimate)\s+)*$",
    re.I,
)
_MAKE_X_TOP = re.compile(
    r"\b(?:make|makes|making|call|calling|set|setting|pick|picking|choose|choosing|take|taking|use|using|crown|name|naming|treat|treating|"
    r"keep|keeping|put|putting|have|propose|select|selecting|go with|going with|settle on|land on|commit to)\s+(?P<x>.{2,100}?)\s+"
    r"(?:as\s+|to be\s+|on\s+|at\s+)?(?:(?:my|our|the|a)\s+)?(?:(?:one|single|only)\s+)?$",
    re.I,
)
_TOP_BEFORE_METRIC = re.compile(
    r"^\s*(?:metric\s+)?(?:(?:for|of)\s+[^,.:;=]{1,40}?\s*|here\s+|in this case\s+|overall\s+|then\s+|itself\s+)?(?:\([^)]*\)\s*)?"
    r"(?:,\s*)?(?:(?:it|that|this)\s+(?=is\b|would\b|will\b|has\b|'s\b))?"
    r"(?:(?:that\s+|which\s+)?(?:I|we)\b[^,.:;=]{0,40}?(?:\s+(?=is\b|are\b|would\b|will\b)|(?=\s*:)))?"
    r"(?:[:=—–]|→|⇒|->|=>|-\s|\s*(?:is|are|would be|will be|should be|becomes|'s|=|has to be|must be|I'd pick is|I'd choose is|I'd go with is)\b)\s*",
    re.I,
)
_NOT_A_METRIC_SLOT = re.compile(
    r"^(?:a |an |the )?(?:(?:lagging|leading|input|output|good|great|bad|useful|important|tricky|hard|key|real|simple|clear|single|one|top)\s+)*"
    r"(?:metric|number|indicator|measure|kpi|signal|one|thing|choice|question|outcome)s?$|^(?:important|tricky|hard|easy|clear|simple|obvious|key)\b",
    re.I,
)
_BACK_CAUSAL = re.compile(
    r"^(?:(?:but|and|so|all|both|each|every one|note|again)\s+)*(?:that|this|those|these|both|all|each|they|it|the (?:links?|arrows?|lines?|ones?|rest|lower levels?|bottom layer)(?: (?:below|above|under|here|there))?|everything (?:below|under|beneath) (?:that|this|it|L\d))"
    r"(?:'s| is| are|'re| of (?:these|those|them) (?:is|are)| (?:two|three|links?|arrows?))?\s+(?:\w+\s+){0,3}?(?:a |an |just |only |all |still |really |purely |clearly )?"
    r"(?:causal|hypothes[ie]s|hypothesis|dotted|bets?|assumptions?|guess(?:es)?|influences?|things? (?:I'd|to) test|to (?:be )?test(?:ed)?|untested)",
    re.I,
)
_BACK_MATH = re.compile(
    r"^(?:(?:but|and|so|all|both|each)\s+)*(?:that|this|those|these|both|all|each|they|it|the (?:first|top) (?:two )?(?:levels?|splits?|layers?))"
    r"(?:'s| is| are|'re| (?:two|three) (?:levels?|splits?))?\s+(?:\w+\s+){0,3}?(?:identities|identity|by definition|mathematical|math|definitional|accounting)",
    re.I,
)
_GUARD_BACK = re.compile(r"^(?:and\s+|so\s+)?(?:those|these|they|both|that|this|the last (?:two|three))(?:\s+(?:two|three))?\s*(?:are|is|'re|'s|would be|will be)\s+(?:my|our|the)\s+(?:two\s+|three\s+)?", re.I)
_WATCH_SO = re.compile(r"\b(?:watch|track|monitor|keep an eye on|protect|hold)\s+(?P<x>.{3,120}?)\s*,?\s+(?:so|to make sure|making sure)\b", re.I)
_KEEP_X = re.compile(r"\bkeep(?:ing)?\s+(?P<x>[^,.;]{2,60}?)\s+(?:flat|stable|steady|in check|under control|healthy|level|from (?:rising|dropping|falling|getting worse|regressing|creeping up))\b", re.I)
_UNDER_PREFIX = re.compile(r"(?:^\W*(?:L\d\s+)?|,\s*|;\s*|\band\s+)(?:(?:and|so|then|now|okay|um)\s+)*(?:under|below|beneath|inside|within)\s+(?P<x>[^,:;]{2,50}?)(?:\s*[,:]\s*(?:it's|that's|it is|that is|it|that|we have|there's|there are|I'd|I have)?\b|(?=\s+(?:sits?|lives?|hangs?|is|are|comes?|we have|you have|I'd (?:put|hang|have)|there(?:'s| is| are))\b))", re.I)
_UNDER_HAS = re.compile(r"\s*,?\s*(?:you(?:'ve| have)? got|you have|there(?:'s| is| are)|we(?:'ve| have)? got|we have|I(?:'d)? (?:have|put|hang|place|add|attach|see|list|keep)|(?:it )?sits?|(?:it )?sit|lives?|are|is|comes?|:)\s+(?:like,?\s+|um,?\s+)*", re.I)
_BEHIND = re.compile(r"^[^:=]{0,60}?\b(?:behind|beneath|below|under|feeding|inside|of)\s+(?P<x>(?:the|that|this|our)\s+[\w%/ -]{2,40}?)\s*:\s+\S", re.I)
_BRANCHES_INTRO = re.compile(
    r"\b(?:(?:I|we)\s+(?:see|have|get|would see|'d see)|there\s+(?:are|is)|it\s+has|(?:has|have)|into)\s+(?:two|three|four|2|3|4)\s+"
    r"(?:main\s+|big\s+)?(?:branch|branches|parts|pieces|sides|components|buckets|drivers|levers|halves|groups)\b",
    re.I,
)
_BRANCH = re.compile(
    r"^\W*(?:(?:the\s+)?(?:one|first|second|third|fourth|other|another|last)(?:\s+(?:one|branch|part|side|piece))?)\s*(?:is|:|=)\s+"
    r"(?P<x>[^:,;.]{2,60}?)\s*(?::\s*(?P<rest>.+))?$",
    re.I,
)
_PLACEHOLDER = re.compile(r"^(?:something|one|a (?:metric|number|kpi|measure)|the one|the thing|a single (?:metric|number))\b[^,:—]{0,80}(?:,\s*(?:so|i\.e\.|namely|like|which is)?|:|\s[—–]\s)\s*(?=\S)", re.I)
# "the team can't move it", "a few things must not get worse": not metrics held as guardrails.
_NOT_GUARDED = re.compile(r"^\s*(?:the\s+|our\s+)?(?:team|teams|company|org|we|they|you|people|anyone|nobody|one|it|this|that|(?:a few|some|two|three|several|these|those|both|all) (?:things|numbers|metrics))\b", re.I)
_TRACK = re.compile(
    r"\b(?:track|measure|monitor|watch|look at|report(?: on)?|follow|review|keep an eye on|dashboard|put on a dashboard|use|check)(?:ing)?\s+(?:all of\s+|things like\s+|metrics like\s+)?",
    re.I,
)
# A hypothesis stated as one: the reader links its cause to the metric even without a verb it knows.
_HYPOTHESIS = re.compile(
    r"\b(?:(?:my|our|the|a|one|working|main|first)\s+)?(?:hypothes[ie]s|hunch|suspicion|theory|bet|guess)\b(?:\s+(?:going in|here|would be|is|:))?|"
    r"\b(?:I|we)\s+(?:also\s+|strongly\s+|really\s+)?(?:suspect|believe|bet|'d bet|would bet)\b|\b(?:likely|probable|root)\s+cause\b",
    re.I,
)
_ENUMERATED = re.compile(r"^\W*(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|one is|the other is|another is|also|and|plus|finally|last(?:ly)?|\d[.)])\b[\s,:]*", re.I)
_GUARD_SPLIT = re.compile(r";\s*(?:and\s+)?|,\s*and\s+|\.\s+")


@dataclass
class State:
    """What the reader carries from one sentence to the next."""

    focus: NodeEntry | None = None
    last_items: list[NodeEntry] = field(default_factory=list)
    section_kind: LinkKind | None = None
    in_guardrails: bool = False
    in_diagnosis: bool = False
    diagnosis_line: int = -1
    several_tops_at: int = -1


@dataclass
class Read:
    head: NodeEntry | None = None
    anchor: NodeEntry | None = None
    links: bool = False
    equation: bool = False
    guardrails: bool = False


class Reader:
    def __init__(self, b: Builder) -> None:
        self.b = b
        self.state = State()
        self._links = LinkReader(b, self._resolve)
        self._previous: Frag | None = None
        self._previous_links = 0
        self._previous_entries: list[NodeEntry] = []
        self._pending_top = False
        self._guard_pending = False
        self._branch_parent: NodeEntry | None = None

    # --- one sentence -------------------------------------------------------------
    def sentence(self, sent: Sentence, *, strip_arrow_lead: bool = False, parent: NodeEntry | None = None, label: LinkKind | None = None) -> Read:
        b, st = self.b, self.state
        frag = Frag(sent.text, sent.start)
        if strip_arrow_lead:
            m = _ARROW_LEAD.match(frag.text)
            if m:
                frag = frag.cut(m.end())
        label = label or self._label(frag.text)
        frag = _mask_labels(frag)
        text = frag.text
        entries_before = len(b.book.entries)
        n_links = len(b.links)
        causal = family("causal").search(text) is not None
        math = family("math").search(text) is not None
        kind: LinkKind | None = label or st.section_kind
        read = Read()

        opener = mentions(frag.cut(0, min(len(frag.text), 80)))
        if opener and re.fullmatch(r"\W*(?:(?:and|so|but|then|now|the|our|its|that|this)\s+)*", text[: opener[0].start - frag.start], re.I):
            # "The return rate is where the uncertainty sits; ... it depends on ...": the sentence is about that metric.
            known = self.b.book.find_loose(opener[0].text)
            if known is not None:
                st.focus = known
        under = _UNDER_PREFIX.search(text)
        if under:
            # "then under returning, that's last week's learners times retention": "that" is the metric named.
            named = self._resolve(frag.cut(under.start("x"), under.end("x")), True)
            if named is not None:
                st.focus = named
                has = _UNDER_HAS.match(text, under.end("x"))
                first_clause = re.split(r",\s|;\s", text[has.end():], maxsplit=1)[0] if has else ""
                if has and any(c.family in ("equals", "decomposes") for c in relation_cues(first_clause)):
                    has = None  # "Under previews: previews = requests × open rate" is an identity, read as one
                if has:
                    # "under returning you've got A and B": the children, stated without a verb of their own
                    # ("Below action rate sits the model layer, which I believe drives it: A and B" lists them after the colon).
                    k: LinkKind = label or st.section_kind or ("causal" if causal else "unlabelled")
                    colon = text.find(": ", has.end())
                    rest = frag.cut(colon + 2) if colon >= 0 else frag.cut(has.end())
                    for item in items(right_end(rest, list_items=colon >= 0)):
                        child = self.b.metric(item, avoid=named)
                        if child is not None:
                            self.b.link(named, child, k, (frag.start, frag.end), hypothesis=frag.text if k == "causal" else None)
        if self._branch(frag, label or st.section_kind or ("causal" if causal else None)):
            self._remember(frag, n_links, entries_before)
            return read
        if _BRANCHES_INTRO.search(text):
            self._branch_parent = st.focus  # "Under this I see two branches." - "One is ...", "Other is ..." follow
        if self._back_reference(frag, n_links):
            self._remember(frag, n_links, entries_before)
            return read

        self._north_star(frag, sent.text)
        behind = _BEHIND.search(text)
        above = self._resolve(frag.cut(behind.start("x"), behind.end("x")), True) if behind else None
        guard_cue = family("guardrail").search(text) or family("must_not").search(text)
        found = self._links.read(frag, kind, causal, math, sent.text if (kind or ("causal" if causal else None)) == "causal" else None, parent) if not (guard_cue and _guard_only(text)) else LinkRead()
        if found.head is None and len(b.links) == n_links and not guard_cue:
            self._hypothesis(frag, label or st.section_kind)
        read.head, read.anchor, read.equation = found.head, found.anchor, found.identity
        if above is not None and found.head is not None and not b.has_parent(found.head):
            # "The item-level identity behind the rate: fill rate = ...": the identity hangs under the metric named.
            if b.book.resolve(above) is not b.book.resolve(found.head):
                b.link(above, found.head, "math" if found.identity else "unlabelled", (frag.start, frag.end))
        read.links = len(b.links) > n_links
        if found.head is not None:
            st.focus = found.head

        read.guardrails = self._guardrails(frag)
        if not read.links and not read.guardrails:
            self._flat_list(frag)
        self._diagnosis(frag, sent, found)
        self._notes(frag)
        if read.head is None and b.north_star is not None and any(b.book.resolve(b.north_star) is b.book.resolve(e) for e in b.book.entries[entries_before:]):
            read.head = b.north_star
        self._remember(frag, n_links, entries_before)
        return read

    def _branch(self, frag: Frag, kind: LinkKind | None) -> bool:
        """"One is the traffic: sessions from app and from web." under a parent whose branches were announced."""
        parent = self._branch_parent
        m = _BRANCH.match(frag.text) if parent is not None else None
        if m is None:
            return False
        branch = self.b.metric(frag.cut(m.start("x"), m.end("x")), avoid=parent)
        if branch is None:
            return False
        span = (frag.start, frag.end)
        self.b.link(parent, branch, kind or "unlabelled", span)
        if m.group("rest"):
            for item in items(right_end(frag.cut(m.start("rest")), list_items=True)):
                child = self.b.metric(item, avoid=branch)
                if child is not None:
                    self.b.link(branch, child, kind or "unlabelled", span)
        self.state.focus = branch
        return True

    def _hypothesis(self, frag: Frag, kind: LinkKind | None) -> None:
        """"My hypothesis is that a bigger like allowance made liking effortless, so match rate fell": a hypothesis
        stated without a verb the link reader knows still links its cause to the metric it is about."""
        text = mask_parens(frag.text)
        marker = _HYPOTHESIS.search(text)
        if marker is None or kind == "math":
            return
        named = [self.b.book.find_loose(m.text) for m in mentions(frag)]
        known = [e for e in named if e is not None]
        effect = known[-1] if known else None
        if effect is None and re.search(r"\b(?:it|this|the drop|the decline|the dip|the fall)\b", text, re.I):
            effect = self.state.focus
        if effect is None:
            return
        rest = frag.cut(marker.end())
        rest = rest.cut(len(re.match(r"^[\s,:—–-]*(?:(?:is|was|would be|going in|here)\s+)?(?:that\s+)?", rest.text, re.I).group(0)))
        stop = re.search(r"\s+(?:is|are|was|were|will|would|could|can|might|may|made|makes|make|drives?|drove|raised|lowered|hurt|pushed|caused|causes|led|leads|reduced|increased|decreased|lost|broke|means)\b|[,;:—–(]|\s-\s", rest.text, re.I)
        cause_text = rest.cut(0, stop.start()) if stop else rest
        cause = self.b.cause(cause_text) if cause_text.text.strip() else None
        if cause is None or self.b.book.resolve(cause) is self.b.book.resolve(effect):
            others = [e for e in known if self.b.book.resolve(e) is not self.b.book.resolve(effect)]
            cause = others[0] if others else None
        if cause is not None and self.b.book.resolve(cause) is not self.b.book.resolve(effect):
            self.b.link(effect, cause, "causal", (frag.start, frag.end), hypothesis=frag.text)

    def _flat_list(self, frag: Frag) -> None:
        """"I'd track MAU, DAU, churn and NPS": metrics named without structure still belong in the tree, unlinked."""
        m = _TRACK.search(mask_parens(frag.text))
        if m is None:
            return
        named = items(right_end(frag.cut(m.end()), list_items=True))
        if len(named) >= 2:
            for item in named[:15]:
                self.b.metric(item)

    def _remember(self, frag: Frag, n_links: int, entries_before: int) -> None:
        self._previous = frag
        self._previous_links = n_links
        new = [self.b.book.resolve(e) for e in self.b.book.entries[entries_before:]]
        touched = [self.b.book.resolve(d.child) for d in self.b.links[n_links:]]
        group = list({id(e): e for e in (touched or new)}.values())
        if group:
            self.state.last_items = group
            self._previous_entries = group

    # --- scope: what a pronoun or a short name points back to -------------------------
    def _resolve(self, frag: Frag, refers_back: bool) -> NodeEntry | None:
        text = frag.text.strip(" ,.;:")
        if is_pronoun(text):
            return self.state.focus
        if is_group_ref(text):
            return self.state.last_items[-1] if self.state.last_items else None
        noun = noun_ref(text)
        if noun and not self.b.book.find(text):
            for e in reversed(self.b.book.entries):
                words = e.name.lower().split()
                if words and (words[-1] == noun or words[-1].rstrip("s") == noun.rstrip("s")):
                    return e
        return self.b.known_metric(frag) if refers_back else self.b.metric(frag)

    def _label(self, text: str) -> LinkKind | None:
        for m in _LABEL.finditer(text):
            inner = next(g for g in m.groups() if g)
            if family("causal").search(inner):
                return "causal"
            if family("math").search(inner):
                return "math"
        return None

    def _back_reference(self, frag: Frag, n_links: int) -> bool:
        """"Those are hypotheses" / "both are identities" label the links of the sentence before."""
        text = frag.text.strip()
        if _BACK_CAUSAL.match(text) and self._previous_links < n_links:
            self.b.relabel(self._previous_links, "causal", text)
            return not re.search(r"[=→←⇐⇒]|\bdrives?\b", text)
        if _BACK_MATH.match(text) and self._previous_links < n_links:
            self.b.relabel(self._previous_links, "math")
            return not re.search(r"[=→←⇐⇒]|\bdrives?\b", text)
        return False

    # --- north star ---------------------------------------------------------------
    def _north_star(self, frag: Frag, raw: str) -> None:
        text = mask_parens(frag.text)
        b, st = self.b, self.state
        if self._pending_top:
            # "What sits at the top? Daily meditation starts, the metric that moved."
            self._pending_top = False
            named = self._mentioned(frag)
            entry = named[0] if named else self._slot_metric(frag)
            if entry is not None:
                self._commit(entry, frag, personal=True, at=frag.start)
                return
        several = family("several_tops").search(text)
        if several:
            st.several_tops_at = frag.start
            b.several_tops_at = frag.start
            tops = self._mentioned(frag.cut(text.find(":") + 1)) if ":" in text[several.start():] else []
            if len(tops) < 2:
                tops = self._mentioned(frag) or []
            if len(tops) < 2 and self._previous is not None:
                tops = self._mentioned(self._previous) or tops
            b.candidates.extend(tops)
            if b.north_star is not None:
                b.candidates.append(b.north_star)
            return  # a sentence that keeps several tops does not also choose one
        if self._label_top(frag, raw):
            return
        cues = sorted([*family("top").finditer(text), *family("commit").finditer(text)], key=lambda m: m.start())
        for m in cues:
            if family("must_not").search(text, m.end()) and family("must_not").search(text, m.end()).start() - m.end() < 40:
                continue  # "the one thing I'd make sure doesn't tank is X" names a guardrail
            guard = family("guardrail").search(text, m.start())
            if guard and guard.start() - m.end() < 40:
                continue  # "the one thing I'd watch as a guardrail is X"
            entry = self._declared(frag, m)
            if entry is not None:
                personal = bool(re.search(r"\b(?:I|I'd|I'll|I'm|my|we|we'd|we'll|our|me|let's)\b|^\W*(?:north[- ]?star|NS|top(?: metric)?)\b", frag.text, re.I))
                self._commit(entry, frag, personal=personal, at=frag.start + m.start())
                return
        if cues and re.search(r"[?:]\s*$", frag.text):
            self._pending_top = True

    def _mentioned(self, frag: Frag) -> list[NodeEntry]:
        """The metrics a sentence names, found by their head words (no cue needed)."""
        found = [self.b.metric(m) for m in mentions(frag)]
        return list({id(e): e for e in found if e is not None}.values())

    def _commit(self, entry: NodeEntry, frag: Frag, *, personal: bool, at: int) -> None:
        self.b.declare(entry, personal=personal, at=at)
        self.state.focus = entry
        self._classify(frag.text, entry)

    def _label_top(self, frag: Frag, raw: str) -> bool:
        """"IT hours saved / customer / month (top)": a label that calls the line's metric the top."""
        for m in _LABEL.finditer(raw):
            inner = next(g for g in m.groups() if g)
            if not re.fullmatch(r"\s*(?:the\s+)?(?:top|NS|north[- ]?star|top metric|root)\b.*|\s*the one I\b.*", inner, re.I):
                continue
            before = frag.cut(0, m.start())
            before = before.cut(0, len(re.split(r"\s*(?:<-|←|⇐|--|—|\s-\s)", before.text)[0]))
            entry = self.b.metric(before.strip(" *_`")) if before.text.strip() else None
            if entry is not None:
                self._commit(entry, frag, personal=True, at=frag.start + m.start())
                return True
        return False

    def _slot_metric(self, slot: Frag) -> NodeEntry | None:
        slot = strip_belief(_lead_trim(slot))
        placeholder = _PLACEHOLDER.match(slot.text)
        if placeholder:
            slot = slot.cut(placeholder.end())  # "something that scales with usage, so completed orders per month"
        slot = _declaration_end(slot)
        if not slot.text or _NOT_A_METRIC_SLOT.match(slot.text.strip()):
            return None
        # A long definition: the name is the head before its relative clause.
        rel = re.search(r"\s(?:whose|who|that|which|where|when|within|after|before|defined as|measured as|meaning)\s", slot.text)
        if rel and len(slot.text.split()) > 6:
            slot = slot.cut(0, rel.start())
        if is_pronoun(slot.text):
            return self.state.focus
        return self.b.known_metric(slot) if self.b.book.find(slot.text) else self.b.metric(slot)

    def _declared(self, frag: Frag, m: re.Match[str]) -> NodeEntry | None:
        """The metric a top cue commits to: after it ("my north star is X"), inside it ("make X my top"),
        or before it ("X is my north star"); the first of those that names a metric."""
        after, before = frag.cut(m.end()), frag.cut(0, m.start())
        if m.re is family("commit").pattern:
            lead = re.match(r"\s*(?:is|would be|will be|to|:)\s+", after.text, re.I)
            return self._from_slot(frag, after.cut(lead.end()) if lead else after)
        lead = _TOP_BEFORE_METRIC.match(after.text)
        if re.search(r"\b(?:choose|chose|pick|take|use|set|make|select|define|have|put|propose|go with)\s+(?:as\s+)?(?:(?:the|my|our|a)\s+)?$", before.text, re.I) and after.text.strip():
            entry = self._from_slot(frag, after)  # "I will choose as north star the number of weekly users who ..."
            if entry is not None:
                return entry
        if lead and not re.match(r"\s*(?:is|are)\s+(?:not|n't|a|an|the)\s+(?:lagging|leading|input|output|good|bad|hard|useful)\b", after.text, re.I):
            entry = self._from_slot(frag, after.cut(lead.end()))
            if entry is not None:
                return entry
        made = _MAKE_X_TOP.search(before.text)
        if made:
            slot = before.cut(made.start("x"), made.end("x"))
            if is_pronoun(slot.text):
                here = self._mentioned(frag.cut(0, slot.start - frag.start))  # "NRR ..., so I'll use it as my top node"
                return (here[0] if here else None) or self.state.focus
            entry = self._from_slot(frag, slot)
            if entry is not None:
                return entry
        cut = _TOP_AFTER_METRIC.search(before.text)
        if cut:
            slot = subject(before.cut(0, cut.start()))
            said = _SAID.match(slot.text)
            slot = slot.cut(said.end()) if said else slot
            if not slot.text or is_pronoun(slot.text):
                # "X is ad revenue per viewer, so that's my north star": the metric just named in this sentence,
                # else the one in focus, else the first one the sentence before mentions.
                here = self._mentioned(frag.cut(0, slot.start - frag.start)) if slot.start > frag.start else []
                earlier = self._mentioned(self._previous) if self._previous is not None else []
                return (here[-1] if here else None) or self.state.focus or (self._previous_entries[0] if self._previous_entries else None) or (earlier[0] if earlier else None)
            return self._from_slot(frag, slot)
        return None

    def _from_slot(self, frag: Frag, slot: Frag) -> NodeEntry | None:
        if not slot.text.strip():
            return None
        options = _or_items(_declaration_end(slot))
        if len(options) >= 2 and not re.search(r"\bor more\b", slot.text):
            entries = [e for e in (self.b.metric(p) for p in options) if e]
            if len(entries) >= 2:
                self.b.candidates.extend(entries)
                self.b.several_tops_at = frag.start
                return None
        return self._slot_metric(slot)

    def declare_heading(self, frag: Frag) -> None:
        """The metric named right under a "North star" heading."""
        entry = self._slot_metric(frag)
        if entry is not None:
            self.b.declare(entry, personal=True, at=frag.start)
            self.state.focus = entry
            self._classify(frag.text, entry)

    def _classify(self, text: str, entry: NodeEntry) -> None:
        m = family("input_output").search(text)
        if m and m.lastgroup:
            self.b.node_type[id(self.b.book.resolve(entry))] = m.lastgroup

    # --- guardrails ----------------------------------------------------------------
    def _guardrails(self, frag: Frag) -> bool:
        text = mask_parens(frag.text)
        found: list[Frag] = []
        word = family("guardrail").search(text)
        must = family("must_not").search(text)
        colon = _colon_after(text, word or must)
        if self._guard_pending and not word and (must or _ENUMERATED.match(text)):
            # "For the guardrails I will put two. First, the certificate completion rate, it must not go down."
            lead = _ENUMERATED.match(text)
            found.extend(_guard_items(frag.cut(lead.end() if lead else 0)))
        elif word:
            front: list[Frag] = []
            back = _GUARD_BACK.match(text[: word.start()])
            after = text[word.end():]
            lead = re.match(r"\s*(?:metrics?\s+)?(?:\([^)]*\)\s*)?(?:(?:I|we)(?:'d| would| will|'ll)?\s+(?:\w+\s+){0,3}?(?:hold|keep|watch|protect|use|add|track|put|set|name|pick|monitor|want|have|choose|propose)\b[^:]*?\s*)?(?:[:—–]|-\s|are\b|is\b|would be\b|will be\b|include\b|here\b|,)\s*", after, re.I)
            watch = _WATCH_SO.search(text)
            as_guard = re.search(r"\bas\s+(?:my\s+|our\s+|the\s+)?$", text[: word.start()], re.I)
            if back and self._previous is not None:
                prev = self._previous
                cut = mask_parens(prev.text).rfind(":")
                found.extend(_guard_items(prev.cut(cut + 1) if cut >= 0 else prev))
            elif colon is not None:
                found.extend(_guard_items(frag.cut(colon)))
            elif as_guard and after.strip() and not re.match(r"\s*[.,;]?\s*$", after):
                found.extend(_guard_items(frag.cut(word.end())))  # "I'd watch as guardrails A and B"
            elif lead and after[lead.end():].strip():
                found.extend(_guard_items(frag.cut(word.end() + lead.end())))
            elif watch and watch.start() < word.end() + 5:
                found.extend(_guard_items(frag.cut(watch.start("x"), watch.end("x"))))
            if not back:
                before = text[: word.start()]
                treat = re.search(r"(?:\b(?:is|are|as|be|'s|stays?|remain)\s+(?:a|an|my|our|the|one|another)?\s*(?:second\s+|other\s+|extra\s+|additional\s+|key\s+)?)$", before, re.I)
                if treat:
                    subj = left_start(frag.cut(0, treat.start()))
                    fronted = re.search(r"\s+(?:I|we)(?:'d| would| will)?\s+(?:treat|consider|keep|hold|use|count|see|have|want)$", subj.text, re.I)
                    if fronted:
                        subj = subj.cut(0, fronted.start())  # "Courier churn I treat as a guardrail"
                    subj = subj.cut(len(re.match(r"^(?:.*\b(?:treat|consider|keep|hold|use|count|put|see|add|watch|have)\s+)?", subj.text, re.I).group(0)))
                    front.extend(items(subj) if not is_group_ref(subj.text) else [])
                    if is_group_ref(subj.text):
                        front.extend(Frag(e.name, -1) for e in self.state.last_items[:4])
            found[:0] = front
        elif colon is not None:
            found.extend(_guard_items(frag.cut(colon)))  # "we must not make worse two things: A, and B"
        if not found:
            for m in family("must_not").finditer(text):
                after_is = re.match(r"\s*(?:is|are|would be)\s+", text[m.end():], re.I)
                if after_is:
                    found.extend(items(right_end(frag.cut(m.end() + after_is.end()))))  # "... doesn't tank is X"
                    continue
                if re.match(r"(?:without|w/o)\b", m.group(0), re.I):
                    found.extend(items(right_end(frag.cut(m.end()))))
                    continue
                subj = left_start(frag.cut(0, m.start()))
                subj = subj.cut(len(re.match(r"^(?:.*\b(?:and|that|if|while|so|making sure|make sure|ensure|want|see|keep|keeping)\s+)?", subj.text, re.I).group(0)))
                if subj.text.strip() and not _NOT_GUARDED.match(subj.text):
                    found.extend(items(subj))
            for m in _KEEP_X.finditer(text):
                found.extend(items(frag.cut(m.start("x"), m.end("x"))))
        added = False
        for item in found:
            entry = self._guard_entry(item)
            if entry is not None:
                self.b.add_guardrail(entry)
                added = True
        # "Guardrails." or "There are three things I'd protect as guardrails." announce a list in the next sentences.
        self._guard_pending = bool(word) and not added or (self._guard_pending and added and not word)
        if added and family("decision_rule").search(text) is None and family("counter_reason").search(text):
            self.b.notes.append((frag.start, frag.end))
        return added

    def guardrail_items(self, frag: Frag) -> None:
        """A line under a "Guardrails" header: each item is a guardrail ("shipping cost per order: why it matters")."""
        colon = re.search(r":\s", mask_parens(frag.text))
        if colon and len(frag.text[: colon.start()].split()) <= 10:
            frag = frag.cut(0, colon.start())
        for item in _guard_items(frag):
            entry = self._guard_entry(item)
            if entry is not None:
                self.b.add_guardrail(entry)

    def _guard_entry(self, item: Frag) -> NodeEntry | None:
        if item.start < 0:
            return self.b.book.find(item.text)
        m = family("must_not").search(item.text)
        if m and m.start() > 0:
            item = item.cut(0, m.start())
        m = re.search(r"\s+(?:should|must|can|may|will|would|needs? to|has to|have to|stays?|remains?|is|are|going|goes|gets?)\b", item.text, re.I)
        if m:
            item = item.cut(0, m.start())
        item = item.strip(" ,.;:")
        text = item.text.strip()
        if not text or is_pronoun(text) or is_group_ref(text) or re.fullmatch(r"(?:not|no|none|nothing|them|it|both|either|neither)", text, re.I):
            return None
        return self.b.known_metric(item) if self.b.book.find(text) else self.b.metric(item)

    # --- diagnosis ---------------------------------------------------------------------
    def _diagnosis(self, frag: Frag, sent: Sentence, found: LinkRead) -> None:
        st = self.state
        text = mask_parens(frag.text)
        if family("diagnosis_section").search(text) and not family("guardrail").search(text):
            st.diagnosis_line = sent.line.index
        in_walk = st.in_diagnosis or st.diagnosis_line == sent.line.index
        step = frag
        if found.identity and found.end < len(frag.text):
            step = frag.cut(found.end).strip(" ,;")  # "MAU = A + B, so I'd check each of those separately"
        elif found.identity or (found.head is not None and not in_walk):
            return
        step_text = mask_parens(step.text)
        if family("guardrail").search(step_text) or not step_text.strip():
            return
        cued = any(family(f).search(step_text) for f in ("diagnosis", "components_together", "segment_cue", "fix", "handoff", "vague"))
        if in_walk and (cued or self.b.book.entries) or (cued and (family("diagnosis").search(step_text) or family("components_together").search(step_text))):
            extra = self._referenced_components(step_text)
            self.b.diagnose((step.start, step.end), extra)

    def _referenced_components(self, text: str) -> list[NodeEntry]:
        """"each of those three separately": the components of the metric just split."""
        if not family("components_together").search(text):
            return []
        focus = self.state.focus
        if focus is None:
            return []
        focus = self.b.book.resolve(focus)
        return [self.b.book.resolve(d.child) for d in self.b.links if self.b.book.resolve(d.parent) is focus]

    # --- notes --------------------------------------------------------------------------
    def _notes(self, frag: Frag) -> None:
        text = frag.text
        if family("timing").search(text) or family("owner").search(text):
            self.b.notes.append((frag.start, frag.end))
        if self.b.decision_rule is None and family("decision_rule").search(text):
            self.b.decision_rule = (frag.start, frag.end)
        ns = self.b.north_star
        if ns is not None and re.match(r"^(?:it|this|that)(?:'s| is)\b", text, re.I):
            self._classify(text, ns)
        m = family("stage").search(text)
        if m and m.lastgroup:
            for e in self.state.last_items:
                self.b.stage.setdefault(id(self.b.book.resolve(e)), m.lastgroup)


def _mask_labels(frag: Frag) -> Frag:
    text = frag.text
    for m in _LABEL.finditer(text):
        inner = next(g for g in m.groups() if g)
        if family("causal").search(inner) or family("math").search(inner):
            text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    return Frag(text, frag.start)


def _colon_after(text: str, cue: re.Match[str] | None) -> int | None:
    """"Guardrails while we respond: A and B": the list after a colon that follows the cue."""
    if cue is None:
        return None
    m = re.compile(r":\s+(?=\S)").search(text, cue.end())
    if m is None or m.start() - cue.end() > 80 or re.search(r"[.;?!]\s", text[cue.end():m.start()]):
        return None
    return m.end()


def _guard_only(text: str) -> bool:
    """A guardrail statement, not a tree statement (its arrows or "drives" explain the guardrail)."""
    return bool(re.match(r"^\W*(?:guard[- ]?rails?|counter[- ]?metrics?|health metrics?|check metrics?)\b", text, re.I))


def _guard_items(frag: Frag) -> list[Frag]:
    """"A, because ...; and B, which ...": each part names a guardrail before its explanation."""
    out: list[Frag] = []
    for i, part in enumerate(frag.split(_GUARD_SPLIT)):
        part = right_end(part, list_items=True)
        if i and re.search(r"\b(?:is|are|was|were|would|could|might|I|we|you)\b", part.text.split(",")[0]) and not family("must_not").search(part.text):
            break  # a new clause about the guardrails, not another one
        out.extend(items(part))
    return out


def _or_items(slot: Frag) -> list[Frag]:
    if not re.search(r"\s(?:or|vs\.?|versus)\s", slot.text):
        return [slot]
    return [p for p in slot.split(re.compile(r"\s+(?:or|vs\.?|versus)\s+|,\s*", re.I)) if p.text.strip()]


_DECLARATION_END = re.compile(r"\s=\s|\s(?:<-|->|→|←|⇐|⇒)\s|\s-\s|\s*\||,\s(?!or\b)")
_LEAD_TRIM = re.compile(
    r"^[\s,:;—–*_`-]*(?:(?:um+|uh+|er+|erm|hmm|like|you know|so|well|basically|just|I guess|I think|probably|actually|honestly|"
    r"simply|clearly|obviously|then|still|again|ok|okay|yeah|right)\b[\s,]*)*",
    re.I,
)
# "I want to say the conversion rate is main metric": what the speaker says is the slot, not the saying.
_SAID = re.compile(
    r"^(?:.*?\b(?:I|we)(?:'d|'ll| would| will| want to| wanna| have to| must| can)?\s+(?:\w+\s+){0,2}?"
    r"(?:say|think|believe|guess|feel|argue|suggest|propose|pick|choose|take|use|make|put|call|consider|keep|treat|set|define|see)\s+(?:that\s+)?)",
    re.I,
)


def _lead_trim(slot: Frag) -> Frag:
    m = _LEAD_TRIM.match(slot.text)
    return slot.cut(m.end()) if m else slot


def _declaration_end(slot: Frag) -> Frag:
    slot = right_end(slot)
    m = _DECLARATION_END.search(slot.text)
    return slot.cut(0, m.start()).strip(" ,*_`") if m else slot.strip(" ,*_`")
