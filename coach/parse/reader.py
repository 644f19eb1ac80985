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
from dataclasses import dataclass

from coach import regexes
from coach.parse.build import Builder
from coach.parse.declare import Declarations
from coach.parse.fragment import Frag, mask_parens
from coach.parse.guards import Guardrails, guard_only
from coach.parse.linkbase import LinkRead
from coach.parse.links import LinkReader, relation_cues
from coach.parse.lists import Lists
from coach.parse.mentions import mentions
from coach.parse.names import NodeEntry, clean
from coach.parse.scope import Scope
from coach.parse.segment import Sentence
from coach.parse.slots import is_group_count, is_pronoun, items, right_end
from coach.parse.state import LABEL, State, mask_labels
from coach.parse.steps import Steps
from coach.parse.words import family
from coach.tree import LinkKind

_ARROW_LEAD = regexes.compile(r"^(?:<-(?:\s*-)*|←|⇠|⇐|-{1,2}>|→|⟶|⇢|=>|↳)\s*")
_BACK_CAUSAL = regexes.compile(
    r"^(?:(?:but|and|so|all|both|each|every one|note|again)\s+)*(?:that|this|those|these|both|all|each|they|it|the (?:links?|arrows?|lines?|ones?|rest|lower levels?|bottom layer)(?: (?:below|above|under|here|there))?|everything (?:below|under|beneath) (?:that|this|it|L\d))"
    r"(?:'s| is| are|'re| of (?:these|those|them) (?:is|are)| (?:two|three|links?|arrows?))?\s+(?:\w+\s+){0,3}?(?:a |an |just |only |all |still |really |purely |clearly )?"
    r"(?:causal|hypothes[ie]s|hypothesis|dotted|bets?|assumptions?|guess(?:es)?|influences?|things? (?:I'd|to) test|to (?:be )?test(?:ed)?|untested)",
    re.I,
)
_BACK_TEST = regexes.compile(
    r"\W*(?:(?:and|so|but|then)\s+)?(?:I|we)(?:'d| would| could| can| will|'ll| should)?\s+(?:(?:want|need|have) to\s+)?"
    r"(?:A/B[- ]test|test|validate|prove|verify|experiment on)\s+(?:that|this|it|them|those|these|the (?:link|claim|idea))\b|"
    r"\W*(?:(?:I think so|probably|maybe|likely),?\s+(?:but\s+)?)?(?:I|we)(?:'d| would)\s+(?:run|need|want)\s+(?:an?\s+)?(?:experiment|A/B test|test|holdout)",
    re.I,
)
_BACK_MATH = regexes.compile(
    r"^(?:(?:but|and|so|all|both|each)\s+)*(?:that|this|those|these|both|all|each|they|it|the (?:first|top) (?:two )?(?:levels?|splits?|layers?))"
    r"(?:'s| is| are|'re| (?:two|three) (?:levels?|splits?))?\s+(?:\w+\s+){0,3}?(?:identities|identity|by definition|mathematical|math|definitional|accounting)",
    re.I,
)
_AND_THAT = regexes.compile(r",\s*(?:and\s+)?(?:that|this|it|which)\s+(?=\w)", re.I)
_UNDER_PREFIX = regexes.compile(
    r"(?:^\W*(?:L\d\s+)?|,\s*|;\s*|\band\s+)(?:(?:and|so|then|now|okay|um)\s+)*(?:under|underneath|below|beneath|inside|within|for|upstream of)\s+(?P<x>[^,:;]{2,50}?)(?:\s*[,:]\s*(?:it's|that's|it is|that is|it|that|we have|there's|there are|I'd|I have)?\b|(?=\s+(?:sits?|lives?|hangs?|is|are|comes?|we have|you have|(?:you|we|I)(?:'ve| have)? got|(?:you|we) get|(?:I|we)(?:'d|'ll| would| will)? (?:put|hang|have|place|add|attach|split|break|divide|decompose)|it's|that's|it is|that is|there(?:'s| is| are))\b))",
    re.I,
)
_WHAT_DRIVES_Q = regexes.compile(
    r"\W*(?:(?:so|and|now|then|okay|ok)\W+)*(?:what|which \w+)\s+(?:drives|moves|affects|feeds|determines|impacts|"
    r"influences|pushes|lifts|explains|is behind)\s+(?P<x>[^?,;:]{2,60}?)\s*\?",
    re.I,
)
_MOVED_LABEL = regexes.compile(
    r"\W*(?:the\s+)?(?:moved metric|metric that moved|what moved|the metric in question)\s*:\s*(?P<x>[^,;]+?)"
    r"(?=\s*(?:[,;(]|[-−–+]?\s*\d|\s(?:is\s+)?(?:down|up|fell|dropped|rose)\b|$))",
    re.I,
)
_FRONTED_UNDER = regexes.compile(
    r"\W*(?:(?:and|so|then|now)\s+)*(?P<x>[^,:;]{2,50}?),\s*(?:the\s+)?(?:things|metrics|drivers|pieces|inputs|levers|parts|"
    r"components|children|numbers)\s+(?:under|below|beneath|feeding|behind|driving)\s+(?:that|it|this|them)\s+(?:are|would be|is)\s+",
    re.I,
)
_STAGED = regexes.compile(r"\W*(?P<stage>offline|online)\b[^:]{0,30}:\s*(?P<x>[^,.;:]{2,60}?)\s*[.;]?\s*$", re.I)
_BACK_UPSTREAM = regexes.compile(
    r"\W*(?:and\s+)?(?:both|these|those|they|all three|all of them)(?:\s+(?:two|three))?\s+(?:sit|are|feed|go|roll up)\s+"
    r"(?:upstream of|under|below|beneath|into)\s+(?P<y>[^,.;]{2,60}?)\s*(?:[,.;]|$)",
    re.I,
)
_KNOWN_LEAD = regexes.compile(r"\W*(?P<x>[^,:;=()]{2,50}?)\s*:\s+(?=\S)")
_UNDER_HAS = regexes.compile(
    r"\s*,?\s*(?:you(?:'ve| have)? got|you have|there(?:'s| is| are)|we(?:'ve| have)? got|we have|I(?:'d)? (?:have|put|hang|place|add|attach|see|list|keep)|(?:it )?sits?|(?:it )?sit|lives?|are|is|comes?|:)(?:\s*,)?\s+(?:(?:like|um|uh|you know),?\s+)*",
    re.I,
)
_BEHIND = regexes.compile(
    r"^[^:=]{0,60}?\b(?:behind|beneath|below|under|feeding|inside|of)\s+(?P<x>(?:the|that|this|our)\s+[\w%/ -]{2,40}?)\s*:\s+\S",
    re.I,
)
_BRANCHES_INTRO = regexes.compile(
    r"\b(?:(?:I|we)\s+(?:see|have|get|would see|'d see)|there\s+(?:are|is)|it\s+has|(?:has|have)|into)\s+(?:two|three|four|2|3|4)\s+"
    r"(?:main\s+|big\s+)?(?:branch|branches|parts|pieces|sides|components|buckets|drivers|levers|halves|groups)\b",
    re.I,
)
_IF_BRANCH = regexes.compile(
    r"^\W*(?:(?:and|so|then|now|but)\s+)*(?:if|when|say|suppose|assuming)\s+(?:it'?s\s+|it\s+is\s+|it\s+was\s+)?(?:the\s+)?"
    r"(?P<x>[^,:;.]{2,50}?)\s+(?:that\s+|which\s+)?(?:fell|falls?|dropped|drops?|declined|decreased|is down|went down|moved|broke|"
    r"(?:is|are)\s+(?:decreasing|falling|dropping|declining|going down|shrinking|lower)|"
    r"is the one|was the one|shrank|is the culprit)\b",
    re.I,
)
# "if it's new merchants, that's a funnel: signups times activation", "say it's retained, meaning churn went up"
_IF_ITS = regexes.compile(
    r"^\W*(?:(?:and|so|then|now|but)\s+)*(?:if|when|say|suppose)\s+(?:instead\s+)?it(?:'s|\s+is|\s+was)\s+(?:instead\s+)?(?:the\s+)?"
    r"(?!(?:a|an|not|all|both|real|only|just|mostly|mainly|seasonal|seasonality|noise|broad|everywhere|bigger|smaller|worse|better|"
    r"in|on|at|across|from|due|because|because of|\w+ed|\w+ly)\b)(?P<x>[^,:;.]{2,40}?)\s*(?=,|:|\s[—–]\s|\s+(?:then|that|which)\b)",
    re.I,
)
_APART = regexes.compile(
    r"\s*,?\s*(?:(?:I|we)(?:'d|'ll| would| will)?\s+)?(?:separate|distinguish|tell apart|split out)\s+"
    r"(?P<a>[^,.;]{3,60}?)(?:,[^.;]*?)?,?\s+from\s+(?P<b>[^,.;]{3,60}?)\s*(?=[,.;]|$)",
    re.I,
)
_SPEAKER = regexes.compile(r"\b(?:I|we|you)\b", re.I)
_BRANCH_REF = regexes.compile(
    r"(?:the\s+)?(?:broken|worst|bad|failing|weak|losing|shrinking|dropping|higher|lower|bigger|smaller|affected)\s+"
    r"(?:one|ones|branch|piece|part|segment|cohort|group|term|factor|component|step)|whichever(?:\s+\w+){0,3}|that one",
    re.I,
)
_CHECK_VERB = regexes.compile(
    r"\b(?:I'd|I would|I'll|we'd|I|we|then)\s+(?:\w+\s+)?(?:check|look at|look into|dig into|pull|examine|compare)\s+",
    re.I,
)
_BRANCH = regexes.compile(
    r"^\W*(?:(?:the\s+)?(?:one|first|second|third|fourth|other|another|last)(?:\s+(?:one|branch|part|side|piece))?)\s*(?:is|:|=)\s+"
    r"(?P<x>[^:,;.]{2,60}?)\s*(?::\s*(?P<rest>.+))?$",
    re.I,
)


@dataclass
class Read:
    head: NodeEntry | None = None
    anchor: NodeEntry | None = None
    links: bool = False
    equation: bool = False
    guardrails: bool = False


class Reader(Declarations, Guardrails, Steps, Lists, Scope):
    def __init__(self, b: Builder) -> None:
        self.b = b
        self.state = State()
        self._links = LinkReader(b, self._resolve)
        self._previous: Frag | None = None
        self._previous_links = 0
        self._previous_entries: list[NodeEntry] = []
        self._pending_top = False
        self._options: dict[str, Frag] = {}
        self._guard_pending = False
        self._guard_list_open = False
        self._branch_parent: NodeEntry | None = None
        self._ordinal_parent: NodeEntry | None = None  # the split "the first piece" pointed into

    # --- one sentence -------------------------------------------------------------
    def sentence(
        self,
        sent: Sentence,
        *,
        strip_arrow_lead: bool = False,
        parent: NodeEntry | None = None,
        label: LinkKind | None = None,
    ) -> Read:
        b, st = self.b, self.state
        frag = Frag(sent.text, sent.start)
        if strip_arrow_lead:
            m = _ARROW_LEAD.match(frag.text)
            if m:
                frag = frag.cut(m.end())
        label = label or self._label(frag.text)
        frag = mask_labels(frag)
        text = frag.text
        entries_before = len(b.book.entries)
        n_links = len(b.links)
        causal = family("causal").search(text) is not None
        math = family("math").search(text) is not None
        kind: LinkKind | None = label or st.section_kind
        read = Read()

        opener = mentions(frag.cut(0, min(len(frag.text), 80)))
        if opener and re.fullmatch(
            r"\W*(?:(?:and|so|but|then|now|the|our|its|that|this)\s+)*", text[: opener[0].start - frag.start], re.I
        ):
            # "The return rate is where the uncertainty sits; ... it depends on ...": the sentence is about that metric.
            known = self.b.book.find_loose(opener[0].text)
            if known is not None:
                st.focus = known
        self._branch_in_question(frag, label or st.section_kind)
        # The metric a sentence's lead names is what the sentence is about: "What drives orders per customer? ...",
        # "Metric that moved: pipeline $ from AI-flagged leads, −14% QoQ" ("I'll treat that as the top" follows),
        # "Uses per holder: I suspect acceptance density is the main driver".
        for lead, named in (
            (_WHAT_DRIVES_Q, lambda x: self.b.book.find_loose(x.text)),
            (_MOVED_LABEL, self.b.metric),
            (_KNOWN_LEAD, lambda x: self.b.book.find(x.text)),
        ):
            m = lead.match(text)
            entry = named(frag.cut(m.start("x"), m.end("x"))) if m else None
            if entry is not None:
                st.focus = entry
        under = _UNDER_PREFIX.search(text)
        if under:
            # "then under returning, that's last week's learners times retention": "that" is the metric named.
            scope = frag.cut(under.start("x"), under.end("x"))
            if _BRANCH_REF.fullmatch(scope.text.strip()):
                named = None  # "inside the broken one: new vs returning" - a step of the walk, not a subtree
            elif (
                re.search(r"\bfor\s+$", text[: under.start("x")], re.I)
                and not re.match(r"\s*[,:]", text[under.end("x") :])
                and self.b.book.find_loose(scope.text) is None
            ):
                named = (
                    None  # "for me success is really about trust": "for X" opens a scope only for a metric named before
                )
            else:
                named = self._resolve(scope, True)
            if named is not None:
                st.focus = named
                has = _UNDER_HAS.match(text, under.end("x"))
                if has is None and _APART.match(text, under.end("x")):
                    has = re.compile(r"\s*,?").match(text, under.end("x"))
                if has is None:
                    # "and under those, autoship enrolment, reminder emails delivered, stock-outs": a bare list
                    bare = re.compile(r"\s*,\s+").match(text, under.end("x"))
                    after = text[bare.end() :] if bare else ""
                    if bare and not relation_cues(after) and not _SPEAKER.search(after):
                        has = bare
                first_clause = re.split(r",\s|;\s", text[has.end() :], maxsplit=1)[0] if has else ""
                if has and any(c.family in ("equals", "decomposes") for c in relation_cues(first_clause)):
                    has = None  # "Under previews: previews = requests × open rate" is an identity, read as one
                if has:
                    # "under returning you've got A and B": the children, stated without a verb of their own
                    # ("Below action rate sits the model layer, which I believe drives it: A and B" lists them after the colon).
                    k: LinkKind = label or st.section_kind or ("causal" if causal else "unlabelled")
                    colon = text.find(": ", has.end())
                    rest = frag.cut(colon + 2) if colon >= 0 else frag.cut(has.end())
                    apart = _APART.match(text, has.end()) if colon < 0 else None
                    if apart:
                        # "under the active share, I'd separate activation, meaning ..., from retention"
                        listed = [frag.cut(apart.start(g), apart.end(g)) for g in ("a", "b")]
                    else:
                        then = _AND_THAT.search(rest.text)
                        if then is not None and relation_cues(rest.text[then.end() :]):
                            # "under that you've got requests created, and that comes from A and B": the list ends
                            # where a clause about its item begins
                            rest = rest.cut(0, then.start())
                        listed = items(right_end(rest, list_items=colon >= 0))
                    groups = [p for p in listed if is_group_count(p.text)]
                    listed = [p for p in listed if p not in groups]
                    if groups and not listed:
                        # "Underneath it sit three groups of drivers." - "The first is discovery: ..." follows
                        self._branch_parent = named
                    for item in listed:
                        child = self.b.metric(item, avoid=named)
                        if child is not None:
                            self.b.link(
                                named, child, k, (frag.start, frag.end), hypothesis=frag.text if k == "causal" else None
                            )
                            if len(listed) == 1:
                                st.focus = child  # "..., and that comes from ...": "that" is the one item named
        fronted = _FRONTED_UNDER.match(text)
        if fronted:
            # "and returning drivers, the things under that are what a driver makes per hour and trips per hour"
            known = self.b.book.find_loose(fronted.group("x"))
            rest = frag.cut(fronted.end())
            for item in items(right_end(rest, list_items=True)) if known is not None else []:
                child = self.b.metric(item, avoid=known)
                if child is not None and child is not known:
                    kind0: LinkKind = label or st.section_kind or ("causal" if causal else "unlabelled")
                    self.b.link(
                        known, child, kind0, (frag.start, frag.end), hypothesis=frag.text if kind0 == "causal" else None
                    )
            if known is not None:
                st.focus = known
        if self._branch(frag, label or st.section_kind or ("causal" if causal else None)):
            self._remember(frag, n_links, entries_before)
            return read
        if _BRANCHES_INTRO.search(text):
            self._branch_parent = st.focus  # "Under this I see two branches." - "One is ...", "Other is ..." follow
        staged = _STAGED.match(text)
        if staged:
            # "Offline: eval pass rate." names a model metric and where it is measured
            entry = self.b.metric(frag.cut(staged.start("x"), staged.end("x")))
            if entry is not None:
                self.b.stage.setdefault(id(self.b.book.resolve(entry)), staged.group("stage").lower())
        upstream = _BACK_UPSTREAM.match(text)
        if upstream:
            # "Offline: eval pass rate. Online: thumbs-down rate. Both sit upstream of acceptance rate."
            below = self._resolve(frag.cut(upstream.start("y"), upstream.end("y")), True)
            n = 3 if re.search(r"three", upstream.group(0), re.I) else 2
            parents = {id(b.book.resolve(d.parent)) for d in b.links}
            loose = [
                e
                for e in reversed(b.book.entries)
                if not b.has_parent(e) and id(b.book.resolve(e)) not in parents and e is not b.north_star
            ]
            for e in loose[:n] if below is not None else []:
                if b.book.resolve(e) is not b.book.resolve(below):
                    b.link(below, e, label or st.section_kind or "unlabelled", (frag.start, frag.end))
        if self._back_reference(frag, n_links):
            self._remember(frag, n_links, entries_before)
            return read

        declared_before = len(b.declarations)
        self._north_star(frag, sent.text)
        self.naming(frag, declared_before)
        self._with_under(frag, label or st.section_kind or ("causal" if causal else None))
        self._level_list(frag, label or st.section_kind)
        self._split_x_into(frag, label or st.section_kind)
        self._fronted_list(frag, label or st.section_kind)
        self._colon_list(frag, label or st.section_kind)
        behind = _BEHIND.search(text)
        above = self._resolve(frag.cut(behind.start("x"), behind.end("x")), True) if behind else None
        guard_cue = family("guardrail").search(text) or family("must_not").search(text)
        found = (
            self._links.read(
                frag,
                kind,
                causal,
                math,
                sent.text if (kind or ("causal" if causal else None)) == "causal" else None,
                parent,
            )
            if not (guard_cue and guard_only(text))
            else LinkRead()
        )
        if causal:
            self._named_link(frag)
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
        if len(b.declarations) == declared_before:  # a sentence choosing the top is not a step of the walk
            self._diagnosis(frag, sent, found)
        self._notes(
            frag,
            [b.book.resolve(d.child) for d in b.links[n_links:]]
            or [b.book.resolve(e) for e in b.book.entries[entries_before:]],
        )
        if (
            read.head is None
            and b.north_star is not None
            and any(b.book.resolve(b.north_star) is b.book.resolve(e) for e in b.book.entries[entries_before:])
        ):
            read.head = b.north_star
        self._remember(frag, n_links, entries_before)
        return read

    def _branch_in_question(self, frag: Frag, kind: LinkKind | None) -> None:
        """ "and if it's new hosts that fell, that's the onboarding funnel — listing started, listing published,
        first booking": the branch named is in focus, and a list after a colon or a dash holds its parts."""
        m = _IF_BRANCH.match(frag.text) or _IF_ITS.match(frag.text)
        if m is None:
            return
        named = frag.cut(m.start("x"), m.end("x"))
        # "if even the legacy ones dropped": a branch is a metric already named, not a new one
        branch = self.b.book.find_loose(clean(named.text)) if not is_pronoun(named.text) else None
        if branch is None:
            return
        self.state.focus = branch
        lead = re.search(r":\s+|\s[—–]\s", frag.text[m.end() :])
        if lead is None:
            self._checked_under(branch, frag.cut(m.end()), kind)
            return
        rest = frag.cut(m.end() + lead.end())
        listed = [
            p for p in items(right_end(rest, list_items=True)) if not re.match(r"\s*(?:by|per|across)\b", p.text, re.I)
        ]
        parts = [e for e in (self.b.metric(p, avoid=branch) for p in listed) if e is not None and e is not branch]
        if len(parts) >= 2:
            for part in parts:
                self.b.link(branch, part, kind or "unlabelled", (frag.start, frag.end))

    def _checked_under(self, branch: NodeEntry, rest: Frag, kind: LinkKind | None) -> None:
        """ "If accepted drafts fell, I'd check the hallucination rate and latency p95": the metrics the walk checks
        inside a branch sit under it, when the answer has not placed them elsewhere."""
        check = _CHECK_VERB.search(rest.text)
        if check is None:
            return
        found = [self.b.book.find_loose(m.text) or self.b.metric(m) for m in mentions(rest.cut(check.end()))]
        for child in found:
            if (
                child is not None
                and child is not branch
                and not self.b.has_parent(child)
                and child is not self.b.north_star
            ):
                self.b.link(branch, child, kind or "unlabelled", (rest.start, rest.end))

    def _branch(self, frag: Frag, kind: LinkKind | None) -> bool:
        """ "One is the traffic: sessions from app and from web." under a parent whose branches were announced."""
        parent = self._branch_parent
        m = _BRANCH.match(frag.text) if parent is not None else None
        if m is None:
            return False
        branch = self.b.metric(frag.cut(m.start("x"), m.end("x")), avoid=parent)
        if branch is None:
            return False
        span = (frag.start, frag.end)
        self.b.link(parent, branch, kind or "unlabelled", span)
        rest = frag.cut(m.start("rest")) if m.group("rest") else None
        if rest is not None and any(c.family == "equals" for c in relation_cues(mask_parens(rest.text))):
            # "The first is the paid base: paid sites equal last month's sites plus upgrades minus cancellations"
            self.state.focus = branch
            self._links.read(rest, kind, False, True, None, branch)
            return True
        if rest is not None:
            for item in items(right_end(rest, list_items=True)):
                child = self.b.metric(item, avoid=branch)
                if child is not None:
                    self.b.link(branch, child, kind or "unlabelled", span)
        self.state.focus = branch
        return True

    def _remember(self, frag: Frag, n_links: int, entries_before: int) -> None:
        self._previous = frag
        self._previous_links = n_links
        new = [self.b.book.resolve(e) for e in self.b.book.entries[entries_before:]]
        touched = [self.b.book.resolve(d.child) for d in self.b.links[n_links:]]
        group = list({id(e): e for e in (touched or new)}.values())
        if group:
            self.state.last_items = group
            self._previous_entries = group

    def _label(self, text: str) -> LinkKind | None:
        for m in LABEL.finditer(text):
            inner = next(g for g in m.groups() if g)
            if family("causal").search(inner):
                return "causal"
            if family("math").search(inner):
                return "math"
        return None

    def _back_reference(self, frag: Frag, n_links: int) -> bool:
        """ "Those are hypotheses" / "both are identities" label the links of the sentence before."""
        text = frag.text.strip()
        if _BACK_CAUSAL.match(text) and self._previous_links < n_links:
            self.b.relabel(self._previous_links, "causal", text)
            return not re.search(r"[=→←⇐⇒]|\bdrives?\b", text)
        if _BACK_TEST.match(text) and self._previous_links < n_links:
            # "High occupancy could lower active hosts. I'd test that by ...": the claim before is a hypothesis; the
            # sentence goes on to say how, so it is read too.
            self.b.relabel(self._previous_links, "causal", text)
            return False
        if _BACK_MATH.match(text) and self._previous_links < n_links:
            self.b.relabel(self._previous_links, "math")
            return not re.search(r"[=→←⇐⇒]|\bdrives?\b", text)
        return False
