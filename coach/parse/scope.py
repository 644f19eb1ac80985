"""Scope: what a pronoun, a short name or a place in a split points back to ("it", "that rate", "the customer
side", "the second piece", "the numerator")."""

from __future__ import annotations

import re

from coach import regexes
from coach.parse.fragment import Frag
from coach.parse.linkbase import TOP_REF
from coach.parse.names import NodeEntry
from coach.parse.slots import is_group_ref, is_pronoun, noun_ref
from coach.parse.state import ReaderBase

_SIDE_REF = regexes.compile(
    r"(?:the|that|this|our)\s+(?P<w>[\w-]{3,})\s+(?:side|number|bit|part|piece|half|branch|term|count|figure|component)"
    r"(?:\s+itself|\s+in turn)?",
    re.I,
)
_ORDINAL_REF = regexes.compile(
    r"(?:the\s+)?(?P<n>first|second|third|fourth|last|former|latter)(?:\s+(?:one|piece|part|component|branch|term|bucket|"
    r"half|group|factor|driver|lever|input|side|leg|flow|stream))?",
    re.I,
)
_GENERIC_NOUNS = frozenset({"figure", "number", "metric", "kpi", "headline", "measure", "total", "count"})


class Scope(ReaderBase):
    _ordinal_parent: NodeEntry | None

    def _resolve(self, frag: Frag, refers_back: bool) -> NodeEntry | None:
        text = frag.text.strip(" ,.;:")
        if is_pronoun(text):
            return self.state.focus
        if TOP_REF.fullmatch(text) and self.b.north_star is not None:
            return self.b.north_star  # "Brand kit adoption → NS", "<- the one number"
        if is_group_ref(text):
            return self.state.last_items[-1] if self.state.last_items else None
        part = re.fullmatch(r"(?:the\s+|its\s+|that\s+)?(numerator|denominator)", text, re.I)
        if part:
            return self._ratio_part(part.group(1).lower())
        side = _SIDE_REF.fullmatch(text)
        if side:
            # "the customer side splits into ...", "the customer number itself is ...": the part named by its word
            word = side.group("w").lower().rstrip("s")
            ns = self.b.book.resolve(self.b.north_star) if self.b.north_star else None
            for e in reversed(self.b.book.entries):
                head = re.split(r"\s+(?:per|of|by)\s+", e.name.lower())[0].split()[-1:]  # "orders per customer": orders
                if self.b.book.resolve(e) is not ns and [h.rstrip("s") for h in head] == [word]:
                    return e
        nth = _ORDINAL_REF.fullmatch(text)
        if nth:
            found = self._nth_part(nth.group("n").lower())
            if found is not None:
                return found
        noun = noun_ref(text)
        if noun and not self.b.book.find(text):
            for e in reversed(self.b.book.entries):
                words = e.name.lower().split()
                if words and (words[-1] == noun or words[-1].rstrip("s") == noun.rstrip("s")):
                    return e
                if len(words) > 2 and words[0] == noun and words[1] in ("of", "that", "who", "which", "with"):
                    return e  # "that share" for "share that collaborate"
            if noun in _GENERIC_NOUNS:
                return self.state.focus or self.b.north_star  # "The figure is the sum of three flows: ..."
        return self.b.known_metric(frag) if refers_back else self.b.metric(frag)

    def _nth_part(self, which: str) -> NodeEntry | None:
        """ "That top number breaks into two pieces: A, and B. The first piece depends on ...": a part of the last
        metric split, by its place in the split."""
        book = self.b.book
        at = {"first": 0, "former": 0, "second": 1, "third": 2, "fourth": 3, "last": -1, "latter": -1}[which]
        # "The second piece" goes on from the split "the first piece" pointed into, not the first piece's own parts.
        parents = [self._ordinal_parent] if at != 0 and self._ordinal_parent is not None else []
        parents += [book.resolve(d.parent) for d in reversed(self.b.links)]
        for parent in parents:
            parts = list(
                {
                    id(c): c for c in (book.resolve(d.child) for d in self.b.links if book.resolve(d.parent) is parent)
                }.values()
            )
            if len(parts) >= 2:
                self._ordinal_parent = parent
                return parts[at] if at < len(parts) else None
        return None

    def _ratio_part(self, which: str) -> NodeEntry | None:
        """ "the numerator splits into ...": a term of the last ratio written as an identity."""
        for draft in reversed(self.b.links):
            if draft.operator == "÷":
                if which == "denominator":
                    return draft.child
                return next(
                    (
                        d.child
                        for d in self.b.links
                        if d.formula == draft.formula and d.parent is draft.parent and d.operator != "÷"
                    ),
                    None,
                )
        return None
