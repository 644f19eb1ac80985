"""Identities: "X = A × B" and its spellings in words ("the product of", "sum over cohorts of", "think of X as"),
each term linked under the metric with its operator."""

from __future__ import annotations

import re

from coach import regexes
from coach.parse.fragment import Frag, mask_parens
from coach.parse.linkbase import TOP_REF, Cue, LinkBase, LinkRead, relative_antecedent
from coach.parse.names import NodeEntry
from coach.parse.slots import DASH_ASIDE, has_operator, identity_end, items, left_start, right_end, subject, terms
from coach.parse.words import family

_OVER_ASIDE = regexes.compile(
    r"\s*,?\s*(?:(?:summed|added(?: up)?|totall?ed|aggregated|taken)\s+)?(?:over|across)\s+(?:all\s+|each\s+|the\s+)?[^,;:=]{1,30}?,\s*",
    re.I,
)
_SIGMA_WRAPPED = regexes.compile(
    r"\s*(?:Σ|sum)\s*\((?P<terms>[^()]+)\)\s*(?:(?:over|across|for each|by)\b[^,;:]{0,30})?\s*$", re.I
)
_AGGREGATE = regexes.compile(r"\b(?:sum|total|product)\b", re.I)
# "equals the product of ...", "is equal to the sum of ...": the aggregate follows the cue.
_AGGREGATE_LEAD = regexes.compile(
    r"\s*(?:simply\s+|just\s+|basically\s+)?(?:the\s+|a\s+)?(?P<agg>sum|total|product)(?=\s+of\b)", re.I
)
_SUM_OVER = regexes.compile(
    r"\s*(?:also\s+|basically\s+|just\s+|simply\s+)?(?:the\s+|a\s+)?(?:weighted\s+)?(?:sum|average|total|Σ)\s*,?\s*"
    r"(?:over|across)\s+[^,;:]{1,40}?,?\s+of\s+(?:\((?=[^()]+\)\s*(?:[÷/]|$)))?",
    re.I,
)
_WRITTEN_AS = regexes.compile(
    r"^[\s,]*(?:(?:um+|uh+|like|so|well|basically|simply|just|really),?\s+)*(?:(?:you|we|I|one)\s+(?:can|could|would)\s+"
    r"(?:write|express|think of|see|read|define)\s+(?:it|this|that)\s+as|(?:it\s+)?(?:can|could)\s+be\s+(?:written|expressed|"
    r"thought of|defined)\s+as)\s+",
    re.I,
)
_TRAILING_ADVERB = regexes.compile(
    r"(?:\s+(?:basically|just|really|simply|roughly|essentially|then|also|in turn|kind of|sort of|like|um+|uh+),?)+\s*$",
    re.I,
)
_EACH = regexes.compile(
    r"(?:and\s+)?(?:each|both|either|every)\s+(?:one|half|halves|side|sides|branch|branches|piece|pieces|part|parts|direction|directions|term|terms|of (?:them|those|these|the two|the three))|both of them",
    re.I,
)


class Identities(LinkBase):
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
        lhs = relative_antecedent(left, chain) or subject(left)
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
