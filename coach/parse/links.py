"""Links: the relation cues of a sentence ("=", "made up of", "driven by", "drives", arrows) and their slots.

Every relation cue in the sentence is found first, wherever it sits; the text
between two cues belongs to the slots of both (the right slot of one, the left
slot of the next), so "A drives B, which drives C" and "X = A + B, and
B = C × D" read as chains. A cue whose slot would be empty is a noun, not a
verb ("the home feed drives retention": "feed" is not the verb).
"""

from __future__ import annotations

import re

from coach import regexes
from coach.parse.arrows import Arrows
from coach.parse.fragment import Frag, mask_parens
from coach.parse.identities import Identities
from coach.parse.linkbase import Cue, LinkRead, relative_antecedent
from coach.parse.names import NodeEntry
from coach.parse.slots import (
    DASH_ASIDE,
    has_operator,
    identity_end,
    is_group_count,
    is_pronoun,
    items,
    left_start,
    right_end,
    strip_belief,
    subject,
)
from coach.parse.words import family
from coach.tree import LinkKind

# A relative clause with its own subject is open just before the copula: "where at least one field was ...".
_CLAUSE_OPEN = regexes.compile(
    r"\b(?:where|when|whose)\s+(?:[\w'-]+\s+){1,5}$|"
    r"\b(?:once|if|when|while|until|because|since|after|before|unless)\s+(?:it|that|this|they|there)$",
    re.I,
)
_SCOPE_THEN_PRONOUN = regexes.compile(
    r"\W*(?:(?:and|so|then|now)\s+)?(?:for|as for|on|regarding|about|with)\s+(?:the\s+)?(?P<x>[^,:;]{2,50}?)\s*,\s*(?:it|that|this|they|those)\s*$",
    re.I,
)
_RELATIONS = ("arrow", "equals", "driven_by", "decomposes", "drives")
_PRIORITY = {name: i for i, name in enumerate(_RELATIONS)}
# "X is A × B" and "X: A × B": a copula or colon followed by terms joined by operators is an identity too.
_COPULA = regexes.compile(
    r"(?:(?<![\w-])(?:is|are|was|becomes)|(?:(?<=\bit)|(?<=\bthat)|(?<=\bthis)|(?<=\bwhat)|(?<=\bwhich)|(?<=\bwho))'s)(?:\s+(?:itself|themselves|simply|just|basically|really|then|again|in turn|also|roughly|essentially))*(?![\w-])|:(?=\s)",
    re.I,
)
_DETERMINER_BEFORE = regexes.compile(r"(?:\b(?:the|a|an|our|my|their|its|your|this|that|each|every|per)|'s)\s*$", re.I)
# "the lever that drives": "that" after a noun; "because that kills conversion" has "that" as the subject.
_RELATIVE_BEFORE = regexes.compile(
    r"\b(?!(?:because|so|and|but|since|if|as|when|think|believe|say|said|is|was|means|know|hope|guess|suspect)\b)"
    r"[a-z]{3,}\s+(?:that|which)\s*$",
    re.I,
)
_WHAT_DRIVES = regexes.compile(
    r"\bwhat\s+(?:drives|moves|affects|feeds|determines|impacts|influences|pushes|makes)\s+(?P<x>[^,;:]{2,60}?)(?:\s+(?:better|worse|up|down|grow))?\s+(?:is|are|would be|:)\s+(?P<rest>.+)",
    re.I,
)
_MOVES = r"(?:goes?|go|went|gets?|got)\s+(?:way\s+|back\s+|right\s+)?(?:up|down|better|worse)|rises?|rose|falls?|fell|drops?|dropped|increases?|increased|decreases?|decreased|improves?|improved|grows?|grew|moves?|follows?|shrinks?|shrank"
_IF_THEN = regexes.compile(
    rf"(?<!\bsee )(?<!\bcheck )(?<!\bknow )(?<!\btest )(?<!\blearn )\b(?:if|when|whenever|once)\s+(?P<a>[^,;:]{{3,120}}?)\s*,?\s+(?:then\s+)?(?P<b>(?:the\s+)?[\w%/' -]{{2,60}}?)"
    rf"(?:\s+(?:should|would|will|could|might|may|can))?\s+(?:{_MOVES})\b",
    re.I,
)
# "eval pass rate goes up, minutes per session goes up": two moves side by side in a hypothesis.
_BOTH_MOVE = regexes.compile(
    rf"(?:^|:\s*|\bis\s+(?:that\s+)?)(?P<a>[^,;:]{{3,80}}?)\s+(?:{_MOVES})\b\s*,?\s*(?:and\s+|then\s+|so\s+)?(?P<b>(?:the\s+)?[\w%/' -]{{2,60}}?)\s+(?:{_MOVES})\b",
    re.I,
)
_SO_THEN = regexes.compile(
    rf"(?:^|:\s*)(?P<a>[^,;:]{{3,120}}?),?\s+so\s+(?P<b>(?:the\s+)?[\w%/'\"“” -]{{2,60}}?)\s+(?:{_MOVES})\b", re.I
)
_FRONTED_SPEAKER = regexes.compile(
    r"\s+(?:you|we|I)(?:'d|'ll|\s+can|\s+could|\s+would|\s+will|\s+should|\s+might)?(?:\s+(?:further|then|also|again))?\s*$",
    re.I,
)
_COUNTED_BEFORE = regexes.compile(
    r"\b(?:two|three|four|five|2|3|4|5)\s+(?:[\w-]+\s+)?(?:groups?|things|parts|pieces|components|buckets|terms|factors|"
    r"flows|segments|types|kinds|sources|drivers|levers|branches|sides|pieces|numbers|metrics)\s*$",
    re.I,
)
_HOW_MANY_BEFORE = regexes.compile(r"\bhow (?:many|much)\s+(?:[\w-]+\s+){1,3}$", re.I)


def relation_cues(masked: str) -> list[Cue]:
    found = [Cue(name, m.start(), m.end(), m.lastgroup) for name in _RELATIONS for m in family(name).finditer(masked)]
    for m in _COPULA.finditer(masked):
        if _HOW_MANY_BEFORE.search(masked, 0, m.start()):
            continue  # "how many sellers are listing times listings per seller": the "are" is inside a term
        if m.group(0) != ":" and _CLAUSE_OPEN.search(masked, 0, m.start()):
            continue  # "the share of receipts where at least one field was auto-filled wrongly, times ...": a clause's verb
        if m.group(0) == ":" and _COUNTED_BEFORE.search(masked, 0, m.start()):
            continue  # "is the sum of three groups: A, plus B, plus C": the colon spells out the groups
        # "the rate is hit rate – did it pull a relevant article – times correctness": an aside between dashes
        rest = DASH_ASIDE.sub(lambda a: " " * len(a.group(0)), masked[m.end() :])
        # "it's real: MAU is A + B": a colon right after a word or two ends the clause ("is the product of four: ..." does not)
        stop = re.search(r"[;.?!]\s|^\s*\S{1,30}:\s|,\s*(?:so|but|which|because)\b|\s[—–]\s", rest)
        clause = rest[: stop.start() if stop else len(rest)]
        if m.group(0) == ":" and (family("equals").search(clause) or re.search(r"\b(?:is|are)\b", clause)):
            continue  # "Write it out: new subs = A + B": the identity is the "=", not the colon
        if m.group(0) == ":" and re.match(r"\s*(?:the\s+)?(?:sum|product)\s+of\b", rest, re.I):
            found.append(Cue("equals", m.start(), m.end(), "copula"))  # "Weekly orders: the product of A and B"
            continue
        if (
            has_operator(clause)
            and not re.match(r"\s*(?:driven|made|split|broken|a function)", rest)
            and not family("drives").pattern.match(rest.lstrip())  # "X is driving less bookings": a verb, not "="
        ):
            found.append(Cue("equals", m.start(), m.end(), "copula"))
    found.sort(key=lambda c: (c.start, -(c.end - c.start), _PRIORITY[c.family]))
    kept: list[Cue] = []
    for cue in found:
        if kept and cue.start < kept[-1].end:
            continue
        if kept and cue.family == kept[-1].family == "equals" and not masked[kept[-1].end : cue.start].strip():
            continue  # "= Σ over cohorts of ...": one identity
        if (
            kept
            and cue.family == "decomposes"
            and kept[-1].family != "arrow"
            and re.fullmatch(r"\s*(?:of|into|in|as)?\s*(?:the\s+)?", masked[kept[-1].end : cue.start])
        ):
            continue  # "is the sum of three groups: A, B, C" is one statement
        kept.append(cue)
    return kept


class LinkReader(Identities, Arrows):
    """Reads the relation cues of one sentence into the Builder's links."""

    def read(
        self,
        frag: Frag,
        kind: LinkKind | None,
        causal: bool,
        math: bool,
        hypothesis: str | None,
        parent: NodeEntry | None,
    ) -> LinkRead:
        masked = mask_parens(frag.text)
        cues = [c for c in relation_cues(masked)]
        cues = self._verbs_only(cues, masked)
        # "3.4→2.9", "92 → 86%": an arrow between two values says how a number moved, not that one metric feeds another.
        cues = [
            c
            for c in cues
            if not (
                c.family == "arrow"
                and re.search(r"[\d%]\s*[kKmM]?\s*$", masked[: c.start])
                and re.match(r"\s*[~$€£]?\d", masked[c.end :])
            )
        ]
        out = LinkRead()
        arrows = [c for c in cues if c.family == "arrow"]
        if arrows:
            self._arrows(
                frag, arrows, kind or ("causal" if causal else None), hypothesis or (frag.text if causal else None), out
            )
            cues = [c for c in cues if c.family != "arrow" and (c.start > arrows[-1].end or c.end < arrows[0].start)]
        what = _WHAT_DRIVES.search(masked)
        if what and not any(c.family != "drives" and what.start() <= c.start < what.end() for c in cues):
            target = self.resolve(frag.cut(what.start("x"), what.end("x")), True)
            k0: LinkKind = kind or ("causal" if causal else "unlabelled")
            for item in items(right_end(frag.cut(what.start("rest"), what.end("rest")))) if target else []:
                child = self.b.metric(item, avoid=target)
                if child is not None and target is not None:
                    self.b.link(
                        target, child, k0, (frag.start, frag.end), hypothesis=hypothesis if k0 == "causal" else None
                    )
                    out.head = out.head or target
            return out
        chain: list[NodeEntry] = []
        for i, cue in enumerate(cues):
            lo = cues[i - 1].end if i else 0
            hi = cues[i + 1].start if i + 1 < len(cues) else len(frag.text)
            left, right = frag.cut(lo, cue.start), frag.cut(cue.end, hi)
            if i + 1 < len(cues) and cue.family != "equals":
                # "A drives X, and B drives it too": the next statement's subject is not part of this one's object.
                nxt = subject(right) if cues[i + 1].family != "drives" else left_start(right)
                if (
                    nxt.text
                    and nxt.start > right.start
                    and re.search(r"(?:,|\band|;)\s*$", frag.text[right.start - frag.start : nxt.start - frag.start])
                ):
                    right = frag.cut(cue.end, nxt.start - frag.start)
            if cue.family == "equals":
                chain = self._identity(frag, left, right, cue, chain, parent, out)
            elif cue.family in ("decomposes", "driven_by"):
                k: LinkKind
                if cue.family == "decomposes" or kind == "math":
                    k = "math" if (math or has_operator(right.text)) else (kind if kind == "math" else "unlabelled")
                else:
                    k = kind or ("causal" if causal else "unlabelled")
                if (_SPEAKER_ONLY.fullmatch(left.text) or _FRONTED_SPEAKER.search(" " + left.text)) and re.search(
                    r"\b(?:it|this|that|them)\b", frag.text[cue.start : cue.end], re.I
                ):
                    left = Frag("it", left.start)  # "Then I divide it in the parts:" - "it" is the metric split
                scoped = _SCOPE_THEN_PRONOUN.match(left.text)
                if scoped:
                    # "For new listeners, it depend on ...": the pronoun is the metric the scope names
                    left = left.cut(scoped.start("x"), scoped.end("x"))
                speaker = _FRONTED_SPEAKER.search(left.text)
                if speaker and left.text[: speaker.start()].strip():
                    left = left.cut(0, speaker.start())  # "and sellers you can split into pros plus private sellers"
                chain = self._parent_first(
                    frag, left, right, k, hypothesis if k == "causal" else None, chain, parent, out
                )
            else:
                k = kind or ("causal" if causal else "unlabelled")
                chain = self._child_first(frag, left, right, k, hypothesis if k == "causal" else None, chain, out)
            out.end = max(out.end, right_end(right, list_items=True).end - frag.start)
        if causal and out.head is None:
            self._conditional(frag, hypothesis, out)
        return out

    def _conditional(self, frag: Frag, hypothesis: str | None, out: LinkRead) -> None:
        """ "if the admin can push the install, installed share goes up" / "A, so B grew": a hypothesis without a verb cue."""
        masked = mask_parens(frag.text)
        m = _IF_THEN.search(masked) or _SO_THEN.search(masked) or _BOTH_MOVE.search(masked)
        if m is None:
            return
        cause_text = re.sub(
            r"\s+(?:goes?|went|gets?|got)\s+(?:way\s+)?(?:up|down|better|worse)$|\s+(?:rises?|rose|falls?|fell|drops?|dropped)$",
            "",
            m.group("a").strip(),
            flags=re.I,
        )
        cause = self.b.cause(strip_belief(frag.cut(m.start("a"), m.start("a") + len(cause_text))))
        effect = self.resolve(frag.cut(m.start("b"), m.end("b")), True)
        if cause is not None and effect is not None and cause is not effect:
            self.b.link(effect, cause, "causal", (frag.start, frag.end), hypothesis=hypothesis or frag.text)
            out.head, out.anchor = effect, cause

    def _verbs_only(self, cues: list[Cue], masked: str) -> list[Cue]:
        """Drop cue words used as nouns: after a determiner, or with nothing before or after them."""
        kept: list[Cue] = []
        for i, cue in enumerate(cues):
            if cue.family == "drives":
                before = masked[kept[-1].end if kept else 0 : cue.start]
                after_end = cues[i + 1].start if i + 1 < len(cues) else len(masked)
                after = masked[cue.end : after_end]
                # A verb has a subject: "lower hourly earnings reduce hours", not "I believe lower hourly earnings".
                subject_text = left_start(Frag(before, 0)).text
                infinitive = re.search(r"\b(?:to|easy to|hard to)\s*$", before, re.I)
                believed = re.search(r"\b(?:expect|believe|think|bet|suspect|assume|guess|want|need)\b", before, re.I)
                relative = _RELATIVE_BEFORE.search(before) and re.search(
                    r"(?<!s)s$", masked[cue.start : cue.end].split()[0]
                )  # "the lever that drives X": a relative clause, not "that drive"
                if (
                    (_DETERMINER_BEFORE.search(before) and not relative)
                    or _AVOIDED.search(before)  # "so we don't push acceptance up": what must not happen, not a claim
                    or re.search(r"[+×÷*/=−]\s*$", before)  # "wait + drive to restaurant": a term of a sum
                    or not re.search(r"\w", after)
                    or not re.search(r"\w", subject_text)
                    or (infinitive and not believed)
                ):
                    continue
            kept.append(cue)
        return kept

    # --- identities ---------------------------------------------------------------
    def _parent_first(
        self,
        frag: Frag,
        left: Frag,
        right: Frag,
        kind: LinkKind,
        hypothesis: str | None,
        chain: list[NodeEntry],
        parent: NodeEntry | None,
        out: LinkRead,
    ) -> list[NodeEntry]:
        target = self._side(
            relative_antecedent(left, chain) or _fronted(left) or subject(left), chain, parent, refers_back=True
        )
        if target is None:
            return chain
        rhs = identity_end(right) if has_operator(right.text) else right_end(right, list_items=True)
        span = (frag.start, frag.end)
        made = []
        if kind == "math" and has_operator(rhs.text):
            made = self.identity_terms(target, rhs, span, frag.text.strip())
        else:
            for item in items(rhs):
                if is_group_count(item.text):
                    continue  # "Under it I'd put two branches.": the branches follow
                child = self.b.metric(item, avoid=target)
                if child is None and kind == "causal":
                    child = self.b.cause(strip_belief(item))  # a lever named as a clause: "how close the race feels"
                if child is not None and child is not target:
                    self.b.link(target, child, kind, span, hypothesis=hypothesis)
                    made.append(child)
        if made or not right.text.strip(" .:;,"):
            # With nothing after the cue ("it breaks into three parts:"), the lines below list the parts.
            out.head = out.head or target
            out.anchor = out.anchor or target
        return made or chain

    # --- "A and B drive X" ----------------------------------------------------------
    def _child_first(
        self,
        frag: Frag,
        left: Frag,
        right: Frag,
        kind: LinkKind,
        hypothesis: str | None,
        chain: list[NodeEntry],
        out: LinkRead,
    ) -> list[NodeEntry]:
        lhs = relative_antecedent(left, chain) or left_start(left)
        lhs = lhs.cut(
            0,
            len(
                re.sub(
                    r"(?:\s+(?:will|would|should|could|can|may|might|also|really|actually|directly|probably|likely|mostly|mainly|largely|in turn|to))+\s*$",
                    "",
                    lhs.text,
                    flags=re.I,
                )
            ),
        )
        if is_pronoun(lhs.text) or re.fullmatch(
            r"(?:which|that|and that|who|in turn|which in turn|that in turn)", lhs.text.strip(), re.I
        ):
            causes = chain[-1:] if chain else [e for e in [self.resolve(lhs, True)] if e is not None]
        else:
            causes = [
                e
                for e in (self.resolve(p, False) or (self.b.cause(p) if kind == "causal" else None) for p in items(lhs))
                if e is not None
            ]
        targets = [e for e in (self.resolve(_particle_off(p), True) for p in items(right_end(right))) if e is not None]
        if not causes or not targets:
            return chain
        span = (frag.start, frag.end)
        for target in targets:
            for cause in causes:
                if cause is not target:
                    self.b.link(target, cause, kind, span, hypothesis=hypothesis)
        out.head = out.head or targets[0]
        out.anchor = out.anchor or causes[-1]
        return targets

    # --- arrows ----------------------------------------------------------------------


_AVOIDED = regexes.compile(
    r"(?:\b(?:so|so that|to make sure|making sure|make sure)\s+(?:we|it|they|you|people|nobody)\s+(?:don't|do not|won't|can't|aren't|never)|"
    r"\bwithout|\bto avoid|\bnot to)\s+$",
    re.I,
)
_SPEAKER_ONLY = regexes.compile(
    r"\W*(?:(?:then|so|and|now|first|next)\s+)*(?:I|we)(?:'d| would| will|'ll| can)?\s*", re.I
)


_FRONTED = regexes.compile(
    r"^\W*(?P<x>[^,]{2,60}?),\s*(?:(?:I|we)\s+(?:think|believe|guess|suspect|expect|bet|'d say|would say),?\s*)?"
    r"(?:it|this|that|they)\s*$",
    re.I,
)


def _fronted(left: Frag) -> Frag | None:
    """ "Percent with 4+ days, I think it depends on ...": the pronoun stands for the phrase put before it."""
    m = _FRONTED.match(left.text)
    return left.cut(m.start("x"), m.end("x")) if m else None


def _particle_off(item: Frag) -> Frag:
    """ "drag the rate down": the metric is "the rate"."""
    m = re.search(r"\s+(?:down|up)\s*$", item.text, re.I)
    return item.cut(0, m.start()) if m else item
