"""North-star declarations: which metric a sentence commits to as the top.

A top cue ("north star", "the one metric", "I'd optimise for") finds its metric
after it ("my north star is X"), inside it ("make X my top"), or before it ("X is
my north star"); a question cue ("what sits at the top?") looks in the next sentence.
"""

from __future__ import annotations

import re

from coach.parse import declare_shapes as shapes
from coach.parse.fragment import Frag, mask_parens
from coach.parse.mentions import mentions
from coach.parse.names import NodeEntry, clean, is_name
from coach.parse.slots import has_operator, is_pronoun, right_end, strip_belief, subject
from coach.parse.state import LABEL, ReaderBase
from coach.parse.words import family


class Declarations(ReaderBase):
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
        if self._correction(frag):
            return
        several = family("several_tops").search(text)
        if (
            several
            and re.match(r"(?:it )?depends", several.group(0), re.I)
            and b.declarations
            and not family("top").search(text)
            and not self._mentioned(frag)
        ):
            several = None  # "Top: acceptance rate ..." - "Fix depends on which hypothesis holds": not about tops
        if several:
            st.several_tops_at = frag.start
            b.several_tops_at = frag.start
            tops = self._mentioned(frag.cut(text.find(":") + 1)) if ":" in text[several.start() :] else []
            if len(tops) < 2:
                tops = self._mentioned(frag) or []
            declared = list({id(e): e for e, _, _ in b.declarations}.values())
            if len(tops) < 2 and not tops and len(declared) >= 2:
                # "I'd bring both to the team", paragraphs after "One option is X ... Another is Y": the tops offered
                tops = declared
            if len(tops) < 2 and self._previous is not None:
                # "My north star is X. But Y matters just as much": the tops of both sentences
                earlier = self._mentioned(self._previous)
                tops = [*tops, *(e for e in earlier if all(e is not t for t in tops))] if earlier else tops
            b.candidates.extend(tops)
            if b.north_star is not None:
                b.candidates.append(b.north_star)
            return  # a sentence that keeps several tops does not also choose one
        if self._label_top(frag, raw) or self._choice(frag):
            return
        cues = sorted([*family("top").finditer(text), *family("commit").finditer(text)], key=lambda m: m.start())
        for m in cues:
            if (
                family("must_not").search(text, m.end())
                and family("must_not").search(text, m.end()).start() - m.end() < 40
            ):
                continue  # "the one thing I'd make sure doesn't tank is X" names a guardrail
            guard = family("guardrail").search(text, m.start())
            if guard and guard.start() - m.end() < 40:
                continue  # "the one thing I'd watch as a guardrail is X"
            entry = self._declared(frag, m)
            if entry is not None:
                personal = bool(
                    re.search(
                        r"\b(?:I|I'd|I'll|I'm|my|we|we'd|we'll|our|me|let's)\b|^\W*(?:north[- ]?star|NS|top(?: metric)?)\b",
                        frag.text,
                        re.I,
                    )
                )
                self._commit(entry, frag, personal=personal, at=frag.start + m.start())
                return
        if (
            cues
            and (
                re.search(r"[?:]\s*$", frag.text)
                # "North Star Metric" alone on its line, the metric in the paragraph below
                or len(text.strip(" *#_:.-")) <= cues[-1].end() - cues[0].start() + 2
                # "Here's the tree; the top is what I'd steer the hosting team by.": the tree that follows names it
                or shapes.ROLE_ONLY.match(text, cues[-1].end()) is not None
            )
            and not re.match(r"\W*(?:start|begin|starting|beginning)\s+(?:at|from)\s+the\s+top\b", frag.text, re.I)
        ):
            self._pending_top = True  # "Start at the top: is it A or B?" is a walk beginning, not a top to name

    def _choice(self, frag: Frag) -> bool:
        """ "Options: (a) weekly listeners, (b) minutes." - "I pick (a)."; "..., so weekly listeners it is."."""
        text = frag.text
        options = {m.group("k").lower(): m for m in shapes.OPTION.finditer(text)}
        if len(options) >= 2:
            self._options = {k: frag.cut(m.start("x"), m.end("x")) for k, m in options.items()}
        picked = shapes.PICKED.search(text)
        if picked and picked.group("k").lower() in self._options:
            entry = self._slot_metric(self._options[picked.group("k").lower()])
            if entry is not None:
                self._commit(entry, frag, personal=True, at=frag.start + picked.start())
                return True
        so = shapes.SO_IT_IS.search(text)
        if so:
            entry = self._slot_metric(frag.cut(so.start("x"), so.end("x")))
            if entry is not None:
                self._commit(entry, frag, personal=True, at=frag.start + so.start())
                return True
        return False

    def _correction(self, frag: Frag) -> bool:
        """ "X, or maybe Y, no wait, let me stick with Z": the metric after the last take-back is the top, when
        this sentence or one just before declared one."""
        text = mask_parens(frag.text)
        found = family("correction").finditer(text)
        if not found:
            return False
        cue = found[-1]
        declared_here = any(
            m.start() < cue.start() for m in (*family("top").finditer(text), *family("commit").finditer(text))
        )
        recent = bool(self.b.declarations) and self.b.declarations[-1][2] >= frag.start - 300
        if not (declared_here or recent):
            return False
        slot = frag.cut(cue.end())
        lead = shapes.CORRECTION_LEAD.match(slot.text)
        entry = self._slot_metric(slot.cut(lead.end()) if lead else slot)
        if entry is None:
            return False
        self._commit(entry, frag, personal=True, at=frag.start + cue.start())
        return True

    def naming(self, frag: Frag, declared_before: int) -> None:
        """ "..., let's call them 'habit learners'": the short name is another name of the metric just named."""
        text = mask_parens(frag.text)
        cue = family("naming").search(text)
        if cue is None:
            return
        name = shapes.NAME.match(text, cue.end())
        if name is None:
            return
        if len(self.b.declarations) > declared_before:
            target = self.b.declarations[-1][0]
        else:
            here = self._mentioned(frag.cut(0, cue.start()))
            target = here[-1] if here else self.state.focus
        if target is None:
            return
        group = "x" if name.group("x") else "y"
        short = frag.cut(name.start(group), name.end(group))
        existing = self.b.book.find(short.text)
        other = existing if existing is not None else self.b.book.add(short.text, (short.start, short.end))
        self.b.book.alias(self.b.book.resolve(target), self.b.book.resolve(other))

    def _mentioned(self, frag: Frag) -> list[NodeEntry]:
        """The metrics a sentence names, found by their head words (no cue needed)."""
        found = [self.b.metric(m) for m in mentions(frag)]
        return list({id(e): e for e in found if e is not None}.values())

    def _commit(self, entry: NodeEntry, frag: Frag, *, personal: bool, at: int) -> None:
        self.b.declare(entry, personal=personal, at=at)
        self.state.focus = entry
        self._classify(frag.text, entry)

    def _label_top(self, frag: Frag, raw: str) -> bool:
        """ "IT hours saved / customer / month (top)": a label that calls the line's metric the top."""
        for m in LABEL.finditer(raw):
            inner = next(g for g in m.groups() if g)
            if not re.fullmatch(
                r"\s*(?:the\s+|my\s+|our\s+)?(?:top|NS|north[- ]?star|top metric|main metric|root)\b.*|\s*the one I\b.*",
                inner,
                re.I,
            ):
                continue
            before = frag.cut(0, m.start())
            before = before.cut(0, len(re.split(r"\s*(?:<-|←|⇐|--|—|\s-\s)", before.text)[0]))
            entry = self.b.metric(before.strip(" *_`")) if before.text.strip() else None
            if entry is not None:
                self._commit(entry, frag, personal=True, at=frag.start + m.start())
                return True
        pointed = shapes.POINTED_TOP.match(frag.text)
        if pointed:
            # "[ outbound clicks / week ]  ← the top": an arrow that points at the line's metric and calls it the top.
            entry = self.b.metric(frag.cut(pointed.start("x"), pointed.end("x")))
            if entry is not None:
                self._commit(entry, frag, personal=True, at=frag.start)
                return True
        return False

    def _and_items(self, slot: Frag) -> list[Frag]:
        """ "I'd optimise for weekly riders and gross bookings": two metrics, each with its own head, are two tops;
        "riders who book and ride" is one."""
        parts = [p for p in slot.split(re.compile(r"\s+and\s+|\s*&\s*", re.I)) if p.text.strip()]
        if len(parts) != 2 or any(len(p.text.split()) > 6 for p in parts):
            return [slot]
        if (
            any(not mentions(p) or not is_name(clean(p.text)) for p in parts)
            or re.search(r"\b(?:who|that|which|with|per)\b", parts[0].text, re.I)
            or shapes.VERB_LEAD.match(parts[1].text)  # "anchor on weekly uploads and treat subscribers as downstream"
        ):
            return [slot]
        return parts

    def _slot_metric(self, slot: Frag) -> NodeEntry | None:
        slot = strip_belief(_lead_trim(slot))
        placeholder = shapes.PLACEHOLDER.match(slot.text)
        if placeholder:
            slot = slot.cut(placeholder.end())  # "something that scales with usage, so completed orders per month"
        if self.b.north_star is not None and has_operator(slot.text):
            return None  # "Main metric = A × B" after the top was named: an identity for the link reader, not a new top
        symbol = shapes.SYMBOL.match(slot.text)
        if symbol:
            slot = slot.cut(symbol.end())  # "N = good first-contact resolutions per 100 tickets"
        restated = shapes.RESTATED.search(slot.text)
        head = slot.text[: restated.start()] if restated else ""
        if restated and (not is_name(clean(head)) or shapes.CLAUSE_HEAD.match(head)):
            slot = slot.cut(restated.start("x"))  # "whether people come back every week, so weekly returning listeners"
        slot = _declaration_end(slot)
        if not slot.text or shapes.NOT_A_METRIC_SLOT.match(slot.text.strip()):
            return None
        if is_pronoun(slot.text):
            return self.state.focus
        if shapes.GENERIC_REF.match(slot.text.strip()):
            # "I'll keep the ratio as my top metric": the metric the answer has been splitting, not a node called "ratio"
            top = self._tree_top()
            if top is not None:
                return top
        entry = self._named(slot) if len(slot.text.split()) <= 14 else None
        # A definition too long to be a name: the name is the head before its relative clause.
        rel = re.search(
            r"\s(?:whose|who|that|which|where|when|within|after|before|defined as|measured as|meaning)\s", slot.text
        )
        if entry is None and rel:
            entry = self._named(slot.cut(0, rel.start()))
        if entry is None and len(slot.text.split()) > 14:
            entry = self._named(slot)
        return entry

    def _tree_top(self) -> NodeEntry | None:
        """The first metric broken down so far that sits under nothing."""
        for draft in self.b.links:
            parent = self.b.book.resolve(draft.parent)
            if not self.b.has_parent(parent):
                return parent
        return None

    def _named(self, slot: Frag) -> NodeEntry | None:
        return self.b.known_metric(slot) if self.b.book.find(slot.text) else self.b.metric(slot)

    def _declared(self, frag: Frag, m: re.Match[str]) -> NodeEntry | None:
        """The metric a top cue commits to: after it ("my north star is X"), inside it ("make X my top"),
        or before it ("X is my north star"); the first of those that names a metric."""
        after, before = frag.cut(m.end()), frag.cut(0, m.start())
        aside = shapes.LEAD_ASIDE.match(after.text)
        if aside:
            # "the number I'd run the team on is — let me say it properly — weekly kept drafts": the aside is blanked
            # (same length, so the metric keeps its span)
            a, b = aside.span("aside")
            after = Frag(after.text[:a] + " " * (b - a) + after.text[b:], after.start)
        pointer = shapes.POINTS_BACK.search(before.text)
        named = self._mentioned(before.cut(0, pointer.start())) if pointer else []
        if named:
            return named[-1]  # "..., that would be my north star i guess and um that breaks into ...": that metric
        rather = shapes.NOT_X_BUT.match(after.text)
        if rather:
            # "what I'd steer by isn't sign-ups, it's new streamers who stream twice"
            entry = self._from_slot(frag, after.cut(rather.end()))
            if entry is not None:
                return entry
        if m.re is family("commit").pattern:
            lead = re.match(
                r"\s*(?:(?:is|would be|will be|to)(?:\s*,)?\s+|(?:(?:that|this|it)\s*)?[:—–]\s*)", after.text, re.I
            )
            rest = after.cut(lead.end()) if lead else after
            # "I choose as main metric the number of learners ...": the slot starts after the top word.
            named = shapes.AS_TOP.match(rest.text)
            if named:
                rest = rest.cut(named.end())
            return self._from_slot(frag, rest)
        lead = shapes.TOP_BEFORE_METRIC.match(after.text)
        if (
            re.search(
                r"\b(?:choose|chose|pick|take|use|set|make|select|define|have|put|propose|go with)\s+(?:as\s+)?(?:(?:the|my|our|a)\s+)?$",
                before.text,
                re.I,
            )
            and after.text.strip()
        ):
            entry = self._from_slot(frag, after)  # "I will choose as north star the number of weekly users who ..."
            if entry is not None:
                return entry
        made = shapes.MAKE_X_TOP.search(before.text)
        if made and not is_pronoun(made.group("x")):
            # "I'll put the request rate at the top: conversations in which ...": the metric put there, not its definition
            entry = self._from_slot(frag, before.cut(made.start("x"), made.end("x")))
            if entry is not None:
                return entry
        if (
            lead
            and not re.match(
                r"\s*(?:is|are)\s+(?:not|n't|a|an|the)\s+(?:lagging|leading|input|output|good|bad|hard|useful)\b",
                after.text,
                re.I,
            )
            # "X is my top metric, with A and B underneath it": what follows the comma hangs under X
            and not re.match(r"\s*,\s*(?:with|plus|along with|alongside|together with)\b", after.text, re.I)
        ):
            entry = self._from_slot(frag, after.cut(lead.end()))
            if entry is not None:
                return entry
        if made and is_pronoun(made.group("x")):
            here = self._mentioned(frag.cut(0, made.start("x")))  # "NRR ..., so I'll use it as my top node"
            return (here[0] if here else None) or self.state.focus
        cut = shapes.TOP_AFTER_METRIC.search(before.text)
        if cut:
            slot = subject(before.cut(0, cut.start()))
            said = shapes.SAID.match(slot.text)
            slot = slot.cut(said.end()) if said else slot
            if not slot.text or is_pronoun(slot.text):
                # "X is ad revenue per viewer, so that's my north star": the metric just named in this sentence,
                # else the one in focus, else the first one the sentence before mentions.
                here = self._mentioned(frag.cut(0, slot.start - frag.start)) if slot.start > frag.start else []
                earlier = self._mentioned(self._previous) if self._previous is not None else []
                return (
                    (here[-1] if here else None)
                    or self.state.focus
                    or (self._previous_entries[0] if self._previous_entries else None)
                    or (earlier[0] if earlier else None)
                )
            return self._from_slot(frag, slot)
        return None

    def _from_slot(self, frag: Frag, slot: Frag) -> NodeEntry | None:
        slot = _lead_trim(slot)  # "what I'd steer by is, like, weekly trips, across all stores"
        say = shapes.SAY_LEAD.match(slot.text)
        if say:
            slot = slot.cut(say.end())  # "If I had to pick one, after all that, I'd say edit rate"
        if not slot.text.strip():
            return None
        options = _or_items(_declaration_end(slot))
        if len(options) < 2:
            options = self._and_items(_declaration_end(slot))
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


def _or_items(slot: Frag) -> list[Frag]:
    if not re.search(r"\s(?:or|vs\.?|versus)\s", slot.text):
        return [slot]
    parts = [p for p in slot.split(re.compile(r"\s+(?:or|vs\.?|versus)\s+|,\s*", re.I)) if p.text.strip()]
    # "weekly riders, or maybe gross bookings": the hedge is not part of the second option's name
    hedge = re.compile(r"(?:maybe|perhaps|possibly|probably|potentially)\s+", re.I)
    return [p.cut(m.end()) if (m := hedge.match(p.text)) else p for p in parts]


def _lead_trim(slot: Frag) -> Frag:
    m = shapes.LEAD_TRIM.match(slot.text)
    return slot.cut(m.end()) if m else slot


def _declaration_end(slot: Frag) -> Frag:
    slot = right_end(slot)
    m = shapes.DECLARATION_END.search(slot.text)
    return slot.cut(0, m.start()).strip(" ,*_`") if m else slot.strip(" ,*_`")
