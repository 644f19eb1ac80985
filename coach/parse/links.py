"""Links: the relation cues of a sentence ("=", "made up of", "driven by", "drives", arrows) and their slots.

Every relation cue in the sentence is found first, wherever it sits; the text
between two cues belongs to the slots of both (the right slot of one, the left
slot of the next), so "A drives B, which drives C" and "X = A + B, and
B = C × D" read as chains. A cue whose slot would be empty is a noun, not a
verb ("the home feed drives retention": "feed" is not the verb).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from coach.parse.build import Builder
from coach.parse.fragment import Frag, mask_parens
from coach.parse.names import NodeEntry
from coach.parse.slots import (
    DASH_ASIDE,
    has_operator,
    identity_end,
    is_group_count,
    is_group_ref,
    is_pronoun,
    items,
    left_start,
    noun_ref,
    right_end,
    strip_belief,
    subject,
    terms,
)
from coach.parse.words import family
from coach.tree import LinkKind

# A relative clause with its own subject is open just before the copula: "where at least one field was ...".
_CLAUSE_OPEN = re.compile(
    r"\b(?:where|when|whose)\s+(?:[\w'-]+\s+){1,5}$|"
    r"\b(?:once|if|when|while|until|because|since|after|before|unless)\s+(?:it|that|this|they|there)$",
    re.I,
)
_TRAILING_ADVERB = re.compile(
    r"(?:\s+(?:basically|just|really|simply|roughly|essentially|then|also|in turn|kind of|sort of|like|um+|uh+),?)+\s*$",
    re.I,
)
_SCOPE_THEN_PRONOUN = re.compile(
    r"\W*(?:(?:and|so|then|now)\s+)?(?:for|as for|on|regarding|about|with)\s+(?:the\s+)?(?P<x>[^,:;]{2,50}?)\s*,\s*(?:it|that|this|they|those)\s*$",
    re.I,
)
_LIST_LABEL = re.compile(r"\s*[\w -]{2,30}:\s+(?=\S[^:]*[,+&]|\S[^:]*\band\b)", re.I)
_RELATIONS = ("arrow", "equals", "driven_by", "decomposes", "drives")
_PRIORITY = {name: i for i, name in enumerate(_RELATIONS)}
# "X is A × B" and "X: A × B": a copula or colon followed by terms joined by operators is an identity too.
_COPULA = re.compile(
    r"(?:(?<![\w-])(?:is|are|was|becomes)|(?:(?<=\bit)|(?<=\bthat)|(?<=\bthis)|(?<=\bwhat)|(?<=\bwhich)|(?<=\bwho))'s)(?:\s+(?:itself|themselves|simply|just|basically|really|then|again|in turn|also|roughly|essentially))*(?![\w-])|:(?=\s)",
    re.I,
)
_DETERMINER_BEFORE = re.compile(r"(?:\b(?:the|a|an|our|my|their|its|your|this|that|each|every|per)|'s)\s*$", re.I)
# "the lever that drives": "that" after a noun; "because that kills conversion" has "that" as the subject.
_RELATIVE_BEFORE = re.compile(
    r"\b(?!(?:because|so|and|but|since|if|as|when|think|believe|say|said|is|was|means|know|hope|guess|suspect)\b)"
    r"[a-z]{3,}\s+(?:that|which)\s*$",
    re.I,
)
_WHAT_DRIVES = re.compile(
    r"\bwhat\s+(?:drives|moves|affects|feeds|determines|impacts|influences|pushes|makes)\s+(?P<x>[^,;:]{2,60}?)(?:\s+(?:better|worse|up|down|grow))?\s+(?:is|are|would be|:)\s+(?P<rest>.+)",
    re.I,
)
_MOVES = r"(?:goes?|go|went|gets?|got)\s+(?:way\s+|back\s+|right\s+)?(?:up|down|better|worse)|rises?|rose|falls?|fell|drops?|dropped|increases?|increased|decreases?|decreased|improves?|improved|grows?|grew|moves?|follows?|shrinks?|shrank"
_IF_THEN = re.compile(
    rf"(?<!\bsee )(?<!\bcheck )(?<!\bknow )(?<!\btest )(?<!\blearn )\b(?:if|when|whenever|once)\s+(?P<a>[^,;:]{{3,120}}?)\s*,?\s+(?:then\s+)?(?P<b>(?:the\s+)?[\w%/' -]{{2,60}}?)"
    rf"(?:\s+(?:should|would|will|could|might|may|can))?\s+(?:{_MOVES})\b",
    re.I,
)
# "eval pass rate goes up, minutes per session goes up": two moves side by side in a hypothesis.
_BOTH_MOVE = re.compile(
    rf"(?:^|:\s*|\bis\s+(?:that\s+)?)(?P<a>[^,;:]{{3,80}}?)\s+(?:{_MOVES})\b\s*,?\s*(?:and\s+|then\s+|so\s+)?(?P<b>(?:the\s+)?[\w%/' -]{{2,60}}?)\s+(?:{_MOVES})\b",
    re.I,
)
_SO_THEN = re.compile(
    rf"(?:^|:\s*)(?P<a>[^,;:]{{3,120}}?),?\s+so\s+(?P<b>(?:the\s+)?[\w%/'\"“” -]{{2,60}}?)\s+(?:{_MOVES})\b", re.I
)
_EACH = re.compile(
    r"(?:and\s+)?(?:each|both|either|every)\s+(?:one|half|halves|side|sides|branch|branches|piece|pieces|part|parts|direction|directions|term|terms|of (?:them|those|these|the two|the three))|both of them",
    re.I,
)
_SUM_OVER = re.compile(
    r"\s*(?:also\s+|basically\s+|just\s+|simply\s+)?(?:the\s+|a\s+)?(?:weighted\s+)?(?:sum|average|total|Σ)\s*,?\s*"
    r"(?:over|across)\s+[^,;:]{1,40}?,?\s+of\s+(?:\((?=[^()]+\)\s*(?:[÷/]|$)))?",
    re.I,
)
_FRONTED_SPEAKER = re.compile(
    r"\s+(?:you|we|I)(?:'d|'ll|\s+can|\s+could|\s+would|\s+will|\s+should|\s+might)?(?:\s+(?:further|then|also|again))?\s*$",
    re.I,
)
_COUNTED_BEFORE = re.compile(
    r"\b(?:two|three|four|five|2|3|4|5)\s+(?:[\w-]+\s+)?(?:groups?|things|parts|pieces|components|buckets|terms|factors|"
    r"flows|segments|types|kinds|sources|drivers|levers|branches|sides|pieces|numbers|metrics)\s*$",
    re.I,
)
_HOW_MANY_BEFORE = re.compile(r"\bhow (?:many|much)\s+(?:[\w-]+\s+){1,3}$", re.I)
_AGGREGATE = re.compile(r"\b(?:sum|total|product)\b", re.I)
_OVER_ASIDE = re.compile(
    r"\s*,?\s*(?:(?:summed|added(?: up)?|totall?ed|aggregated|taken)\s+)?(?:over|across)\s+(?:all\s+|each\s+|the\s+)?[^,;:=]{1,30}?,\s*",
    re.I,
)
_SIGMA_WRAPPED = re.compile(
    r"\s*(?:Σ|sum)\s*\((?P<terms>[^()]+)\)\s*(?:(?:over|across|for each|by)\b[^,;:]{0,30})?\s*$", re.I
)
# "equals the product of ...", "is equal to the sum of ...": the aggregate follows the cue.
_AGGREGATE_LEAD = re.compile(
    r"\s*(?:simply\s+|just\s+|basically\s+)?(?:the\s+|a\s+)?(?P<agg>sum|total|product)(?=\s+of\b)", re.I
)


@dataclass
class Cue:
    family: str
    start: int
    end: int
    group: str | None = None


@dataclass
class LinkRead:
    """What the links of one sentence were about: the first parent (head) and where deeper lines hang (anchor)."""

    head: NodeEntry | None = None
    anchor: NodeEntry | None = None
    identity: bool = False
    end: int = 0  # where the last relation's right slot ends, in the sentence


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


class LinkReader:
    """Reads the relation cues of one sentence into the Builder's links."""

    def __init__(self, b: Builder, resolve: Callable[[Frag, bool], NodeEntry | None]) -> None:
        self.b = b
        self.resolve = resolve  # (fragment, refers_back) -> entry; pronouns resolved by the caller's state

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
    def _identity(
        self,
        frag: Frag,
        left: Frag,
        right: Frag,
        cue: Cue,
        chain: list[NodeEntry],
        parent: NodeEntry | None,
        out: LinkRead,
    ) -> list[NodeEntry]:
        lhs = _relative_antecedent(left, chain) or subject(left)
        if re.match(r"(?:write|express|define)", frag.text[cue.start : cue.end], re.I):
            lhs = Frag("it", left.end)  # "and I'd write it as A plus B": "it" is the metric written out
        adverb = _TRAILING_ADVERB.search(lhs.text)
        if adverb and adverb.start() > 0:
            lhs = lhs.cut(0, adverb.start())  # "and that basically equals A times B": "that" is the metric
        right = Frag(DASH_ASIDE.sub(lambda a: " " * len(a.group(0)), right.text), right.start)
        rhs = identity_end(right)
        said = _WRITTEN_AS.match(rhs.text)
        if said:
            rhs = rhs.cut(said.end())  # "uploads is, um, you can write it as athletes uploading times ..."
        aggregate_by_verb: re.Match[str] | None = None
        thought = re.match(r"(?:think of|see|view|model|picture)\s+(.+?)\s+as$", frag.text[cue.start : cue.end], re.I)
        if thought:
            lhs = frag.cut(cue.start + thought.start(1), cue.start + thought.end(1))  # "think of X as A times B"
        if re.match(r"adds? up|multiply", frag.text[cue.start : cue.end], re.I):
            # "new + returning + resurrected add up to MAU": the terms come first.
            lhs, rhs = right_end(right), left_start(left)
            if not has_operator(rhs.text):
                # "A and B multiply to X", "C and D add up to A": the verb is the operator
                word = "product" if re.match(r"multiply", frag.text[cue.start : cue.end], re.I) else "sum"
                aggregate_by_verb = re.match(word, word)
        top_ref = (
            TOP_REF.fullmatch(lhs.text.strip()) is not None
            and self.b.north_star is not None
            and frag.text[cue.start : cue.end].strip() != ":"
        )
        if not top_ref and (family("top").search(lhs.text) or family("commit").search(lhs.text)):
            # "North star: weekly rides = riders × rides per rider": the metric after the declaration.
            declared = re.split(r"\b(?:is|are|would be|will be)\b|[:—]", lhs.text)[-1]
            if not declared.strip() or family("top").search(declared):
                return chain
            lhs = lhs.cut(len(lhs.text) - len(declared)).strip()
        aggregate = _AGGREGATE.search(frag.text[cue.start : cue.end]) or aggregate_by_verb
        aside = _OVER_ASIDE.match(rhs.text)
        if aside and has_operator(rhs.text[aside.end() :]):
            rhs = rhs.cut(aside.end())  # "equals, summed over segments, each segment's share times its rate"
        sigma = _SIGMA_WRAPPED.match(rhs.text)
        if sigma and has_operator(sigma.group("terms")):
            rhs = rhs.cut(sigma.start("terms"), sigma.end("terms"))  # "= Σ (customers × orders) over cities"
        over = _SUM_OVER.match(rhs.text)
        if over and has_operator(rhs.text[over.end() :]):
            rhs = rhs.cut(over.end())  # "the sum over categories of share times resolution": the terms summed
        lead = None if aggregate else _AGGREGATE_LEAD.match(rhs.text)
        if lead:
            aggregate = lead
            rhs = rhs.cut(lead.end())
        shared = self._each(lhs)
        if shared:
            # "Each half is requests times the share that complete": the identity holds under every branch.
            made: list[NodeEntry] = []
            for target in shared:
                if has_operator(rhs.text):
                    made += self.identity_terms(target, rhs, (frag.start, frag.end), frag.text.strip())
            if made:
                out.head = out.head or shared[0]
                out.identity = True
            return made or chain
        target = self._side(lhs, chain, parent, refers_back=True)
        if target is None:
            return chain
        span = (frag.start, frag.end)
        formula = frag.text.strip()
        made = []
        if aggregate:
            rhs_text = re.sub(r"^\s*of\b\s*", "", rhs.text, flags=re.I)
            rhs = rhs.cut(len(rhs.text) - len(rhs_text))
            spelled = re.search(r"(?:,\s*(?:so|i\.e\.|namely|that is)|:)\s+", right.text)
            if spelled and has_operator(right.text[spelled.end() :]):
                # "the product of the funnel steps, so A, times B, times C": the terms are spelled out after.
                aggregate = None
                rhs = identity_end(right.cut(spelled.end()))
            wrapped = re.match(r"\s*\(([^()]+)\)", right.text[rhs.start - right.start :]) if aggregate else None
            if wrapped and has_operator(wrapped.group(1)):
                # "Average CSAT = sum of (share of ticket type × CSAT of that type)": the summed product's terms
                aggregate = None
                rhs = right.cut(rhs.start - right.start + wrapped.start(1), rhs.start - right.start + wrapped.end(1))
        if aggregate:
            op = "×" if aggregate.group(aggregate.lastindex or 0).lower() == "product" else "+"
            for item in items(rhs):
                child = self.b.metric(item, avoid=target)
                if child is not None:
                    self.b.link(target, child, "math", span, operator=op, formula=formula)
                    made.append(child)
        elif has_operator(rhs.text):
            made = self.identity_terms(target, rhs, span, formula)
        else:
            other = self.b.metric(rhs) if len(rhs.text.split()) <= 6 else None
            if other is not None and other is not target and not self.b.has_parent(other):
                self.b.book.alias(target, other)
            out.head = out.head or target
            return [target]
        if made:
            out.head = out.head or target
            out.anchor = out.anchor or target
            out.identity = True
        return made or chain

    def identity_terms(self, target: NodeEntry, rhs: Frag, span: tuple[int, int], formula: str) -> list[NodeEntry]:
        """Link each term of an identity's right-hand side under ``target``, with its operator."""
        made = []
        for term in terms(rhs):
            text = term.frag
            filler = re.match(r"^(?:(?:like|um+|uh+|you know|I mean|so|basically|also)\b[\s,]*)+", text.text, re.I)
            if filler:
                text = text.cut(filler.end())
            # The last term of a sum ends where the list of terms does ("resurrected, and retained = ...").
            cut = re.search(r",\s|\s+and\s+(?=\S+\s*(?:=|equals))", mask_parens(text.text))
            if cut:
                text = text.cut(0, cut.start())
            child = self.b.metric(text, avoid=target)
            if child is not None:
                self.b.link(target, child, "math", span, operator=term.operator, formula=formula)
                made.append(child)
        return made

    # --- "X is made up of / driven by A and B" ------------------------------------
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
            _relative_antecedent(left, chain) or _fronted(left) or subject(left), chain, parent, refers_back=True
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
        lhs = _relative_antecedent(left, chain) or left_start(left)
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
    def _arrows(
        self, frag: Frag, arrows: list[Cue], kind: LinkKind | None, hypothesis: str | None, out: LinkRead
    ) -> None:
        segs: list[Frag] = []
        pos = 0
        for cue in arrows:
            segs.append(frag.cut(pos, cue.start))
            pos = cue.end
        segs.append(frag.cut(pos))
        for i, cue in enumerate(arrows):
            label = _LIST_LABEL.match(segs[i + 1].text) if cue.group == "left" else None
            if label:
                segs[i + 1] = segs[i + 1].cut(label.end())  # "acceptance rate <- model quality: A, B"
        segs[0] = left_start(segs[0])
        segs[-1] = right_end(segs[-1])

        groups = [
            [e for e in (self.resolve(p, True) for p in items(s)) if e is not None] if s.text.strip() else []
            for s in segs
        ]
        for one, other in ((0, 1), (1, 0)) if len(arrows) == 1 else ():
            # "Weekly orders ← ordering customers, orders per customer": the parts of a known metric are new
            # metrics, not that metric again ("ordering customers" is not "weekly orders").
            known = [self.b.book.resolve(e) for e in groups[one]]
            if (
                len(known) == 1
                and segs[other].text.strip()
                and (not groups[other] or any(self.b.book.resolve(e) is known[0] for e in groups[other]))
            ):
                fresh = [self.b.metric(p, avoid=known[0]) for p in items(segs[other])]
                groups[other] = [e for e in fresh if e is not None and self.b.book.resolve(e) is not known[0]]
                break
        span = (frag.start, frag.end)
        # "A -> B -> C" reads one way throughout: top-down when it starts from a known parent or fans out.
        first = next((i for i, c in enumerate(arrows) if c.group != "left" and groups[i] and groups[i + 1]), None)
        top_down = first is not None and (
            (len(groups[first + 1]) >= 2 and len(groups[first]) == 1)
            or self._is_above(groups[first][0], groups[first + 1][0])
        )
        for i, cue in enumerate(arrows):
            left, right = groups[i], groups[i + 1]
            if not left and i > 0 and re.search(r"\band\s*$", segs[i].text):
                left = groups[i - 1]
            if not left or not right:
                continue
            # "<- the one number" labels the line; "→ NS" is a link to the top.
            named_top = [
                j
                for j in (i, i + 1)
                if TOP_REF.fullmatch(segs[j].text.strip(" *_`()"))
                and re.match(r"\W*(?:the|my|our|this)\b|\W*(?:one|single)\b", segs[j].text, re.I)
            ]
            if named_top:
                # "accepted handovers / wk  <- the one number": a label that names the top, not a link
                other = groups[2 * i + 1 - named_top[0]]
                if len(other) == 1:
                    self.b.book.alias(self.b.book.resolve(groups[named_top[0]][0]), other[0])
                out.head = out.head or groups[named_top[0]][0]
                continue
            text = frag.text[cue.start : cue.end]
            k: LinkKind = "causal" if _dotted(text) else (kind or "unlabelled")
            hyp = hypothesis or (frag.text if k == "causal" else None)
            if cue.group == "left" or _dotted_left(text):
                top, below = left[-1], right
            elif top_down:
                top, below = left[-1], right
            else:
                for child in left:
                    for up in right:
                        self.b.link(up, child, k, span, hypothesis=hyp)
                out.head = out.head or right[0]
                out.anchor = out.anchor or left[0]
                continue
            for child in below:
                self.b.link(top, child, k, span, hypothesis=hyp)
            out.head = out.head or top
            out.anchor = below[-1]

    def _each(self, frag: Frag) -> list[NodeEntry]:
        """ "each half", "both sides", "each of them": the children of the metric in focus, one identity for each."""
        if not _EACH.fullmatch(frag.text.strip()):
            return []
        focus = self.resolve(Frag("it", frag.start), True)
        if focus is None:
            return []
        focus = self.b.book.resolve(focus)
        return list(
            {
                id(c): c
                for c in (self.b.book.resolve(d.child) for d in self.b.links if self.b.book.resolve(d.parent) is focus)
            }.values()
        )

    def _is_above(self, a: NodeEntry, b: NodeEntry) -> bool:
        """Whether ``a`` is already known as the top or an ancestor of ``b`` (then "a → b" reads top-down)."""
        ns = self.b.north_star
        if ns is not None and self.b.book.resolve(ns) is self.b.book.resolve(a):
            return True
        return any(self.b.book.resolve(d.parent) is self.b.book.resolve(a) for d in self.b.links) and not any(
            self.b.book.resolve(d.parent) is self.b.book.resolve(b) for d in self.b.links
        )

    def _side(
        self, frag: Frag, chain: list[NodeEntry], parent: NodeEntry | None, *, refers_back: bool
    ) -> NodeEntry | None:
        text = frag.text.strip()
        if not re.search(r"\w", text):
            # "= A × B", "**= A + B**", "made up of A and B": the metric of the line above, else the one in focus.
            return parent or self.resolve(Frag("it", frag.start), True)
        if re.fullmatch(r"(?:which|that|and that|and which|which in turn|who)", text, re.I) and chain:
            return chain[-1]
        if is_pronoun(text) or is_group_ref(text) or noun_ref(text):
            return self.resolve(frag, True) or parent
        if TOP_REF.fullmatch(text) and self.b.north_star is not None:
            return self.b.north_star  # "Main metric = A × B", "NS = ...": the top already chosen
        return self.resolve(frag, refers_back)


_AVOIDED = re.compile(
    r"(?:\b(?:so|so that|to make sure|making sure|make sure)\s+(?:we|it|they|you|people|nobody)\s+(?:don't|do not|won't|can't|aren't|never)|"
    r"\bwithout|\bto avoid|\bnot to)\s+$",
    re.I,
)
_WRITTEN_AS = re.compile(
    r"^[\s,]*(?:(?:um+|uh+|like|so|well|basically|simply|just|really),?\s+)*(?:(?:you|we|I|one)\s+(?:can|could|would)\s+"
    r"(?:write|express|think of|see|read|define)\s+(?:it|this|that)\s+as|(?:it\s+)?(?:can|could)\s+be\s+(?:written|expressed|"
    r"thought of|defined)\s+as)\s+",
    re.I,
)
_SPEAKER_ONLY = re.compile(r"\W*(?:(?:then|so|and|now|first|next)\s+)*(?:I|we)(?:'d| would| will|'ll| can)?\s*", re.I)
TOP_REF = re.compile(
    r"\W*(?:the\s+|my\s+|our\s+|that\s+|this\s+)?(?:main|top|primary|key|north[- ]?star|ns|nsm|headline|one|single)"
    r"(?:\s+(?:metric|kpi|number|node))?\W*",
    re.I,
)


_FRONTED = re.compile(
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


def _relative_antecedent(left: Frag, chain: list[NodeEntry]) -> Frag | None:
    """ "X, which is A × B": when no statement came before in the sentence, "which" is the phrase before it."""
    rel = re.search(r",?\s*\b(?:which|who)(?:\s+in turn)?\s*$", left.text)
    if rel is None or chain:
        return None
    before = subject(left.cut(0, rel.start()))
    return before if before.text else None


def _dotted(text: str) -> bool:
    return bool(re.fullmatch(r"⇠|⇢|<-\s*-+|-\s-\s->|~>|<~+|-\.->|\.\.\.>|<\.\.\.", text.strip()))


def _dotted_left(text: str) -> bool:
    return bool(re.fullmatch(r"⇠|<-\s*-+|<~+|<\.\.\.", text.strip()))
