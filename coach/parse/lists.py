"""Lists a sentence hangs under a metric by scope rather than by a relation word: "L1: A, B", "I'd split X into
A and B", "Drivers of X: A and B", "X, that's A and B", "with A and B underneath it", and a link named as a
hypothesis ("the precision-to-conversion link")."""

from __future__ import annotations

import re
from collections.abc import Callable

from coach import regexes
from coach.parse.fragment import Frag, mask_parens
from coach.parse.links import LinkReader, relation_cues
from coach.parse.names import NodeEntry, clean
from coach.parse.slots import has_operator, identity_end, is_pronoun, items, right_end
from coach.parse.state import ReaderBase
from coach.tree import LinkKind

# "the precision-to-conversion link", "the ETA → conversion arrow", "the link from precision to conversion"
_NAMED_LINK = regexes.compile(
    r"\b(?P<a>[\w%]+(?:-[\w%]+){0,2}?)(?:-to-|\s*(?:→|->)\s*)(?P<b>[\w%]+(?:-[\w%]+){0,2}?)[ -]+"
    r"(?:link|arrow|relationship|edge)\b|\b(?:link|arrow|edge|line)\s+from\s+(?:the\s+)?(?P<a2>[\w% -]{2,40}?)\s+to\s+"
    r"(?:the\s+)?(?P<b2>[\w% -]{2,40}?)\b(?=\s+(?:as|is|a|an|should|would|needs?|I|we|with|by|using|via|through|in|that|which)\b|[,.;:]|$)",
    re.I,
)
_COLON_LIST = regexes.compile(r"^\W*(?P<x>[^:,;]{2,50}?)\s*:\s+(?P<list>[^:]+?)\W*$")
_FRONTED_LIST = regexes.compile(
    r"^\W*(?:(?:and|so|then|now)\s+)?(?P<x>[^,:;]{2,40}),\s*(?:that's|that is|it's|it is|those are)\s+"
    r"(?:like\s+|basically\s+|just\s+|um\s+)*(?P<list>\S.*)$",
    re.I,
)
_SPLIT_X_INTO = regexes.compile(
    r"(?:\b(?:I|we)(?:'d|'ll| would| will| can| could)?\s+|\b(?:then|and then|first)\s+)(?:first\s+|then\s+)?"
    r"(?:split|break|divide|decompose|separate)\s+(?!(?:it|this|that|them|those|these)\b)(?P<x>[^,.;:]{2,40}?)\s+"
    r"(?:down\s+|up\s+)?into(?:\s*,?\s*(?:um+|uh+|like|basically),)?\s+",
    re.I,
)
_DRIVERS_OF = regexes.compile(
    r"^\W*(?:(?:the\s+)?(?:main\s+|key\s+)?(?:[\w-]+\s+)?(?:drivers|inputs|levers|components|parts|branches|metrics)\s+"
    r"(?:of|for|under|behind|below|feeding|driving|upstream of)\s+|"
    r"(?:the\s+)?(?:two|three|four|a few|several)\s+(?:main\s+|key\s+)?(?:drivers|inputs|levers|things|factors|metrics)\s+"
    r"(?:feed|feeding|drive|driving|move|moving|shape|determine|roll up into|sit under)\s+|"
    r"(?:I'd|I would|we'd|we would)\s+add\s+(?:an?\s+)?(?:[\w-]+\s+)?(?:layer|level)\s+(?:below|under|beneath|feeding)\s+)"
    r"(?P<x>[^:—–]{2,60}?)\s*(?::|\s(?:are|is|would be)\b|\s[—–])\s*",
    re.I,
)
_LEVEL_LIST = regexes.compile(
    r"^\W*(?:(?:L|level|tier)\s*(?P<n>[1-4])\b|(?:the\s+)?(?P<w>first|second|third|1st|2nd|3rd)\s+(?:level|layer|tier))\s*"
    r"(?:\(?(?:under|below|of|for)\s+(?P<x>[^()]{2,60}?)\)?)?\s*(?:[:—–-]|\bis\b|\bare\b)\s*(?P<list>\S.*)$",
    re.I,
)
_TO_TOP_LIST = regexes.compile(
    r"\b(?:to|into|under|below|beneath)\s+(?:the\s+|my\s+|our\s+)?(?:main|top|primary|north[- ]?star)"
    r"(?:\s+(?:metric|kpi|number|node))?\s*:\s*",
    re.I,
)
_WITH_UNDER = regexes.compile(
    r",\s*with\s+(?P<list>[^.;:]{3,120}?)\s+(?:underneath|under|below|beneath)\s+(?:it|that|this|them)\b", re.I
)


class Lists(ReaderBase):
    _links: LinkReader
    _resolve: Callable[[Frag, bool], NodeEntry | None]  # the reader's: pronouns, "the numerator", names

    def _named_link(self, frag: Frag) -> None:
        """ "I'd treat the precision-to-conversion link as a hypothesis": that link is causal."""
        m = _NAMED_LINK.search(frag.text)
        if m is None:
            return
        if m.group("a"):  # "the model-to-rep link": clipped words, so only metrics already named
            cause, effect = (self.b.book.find_loose(m.group(g).replace("-", " ")) for g in ("a", "b"))
        else:
            cause, effect = (self._resolve(frag.cut(m.start(g), m.end(g)), True) for g in ("a2", "b2"))
        if cause is None or effect is None or self.b.book.resolve(cause) is self.b.book.resolve(effect):
            return
        resolve = self.b.book.resolve
        reverse = any(resolve(d.parent) is resolve(cause) and resolve(d.child) is resolve(effect) for d in self.b.links)
        parent, child = (cause, effect) if reverse else (effect, cause)
        self.b.link(parent, child, "causal", (frag.start, frag.end), hypothesis=frag.text)

    def _colon_list(self, frag: Frag, kind: LinkKind | None) -> None:
        """ "Active customers: new customers, returning customers." - a metric named before, then its parts."""
        m = _COLON_LIST.match(frag.text)
        if (
            m is None
            or relation_cues(m.group("list"))
            or has_operator(m.group("list"))
            or re.match(r"\s*(?:the\s+)?(?:sum|product)\s+of\b", m.group("list"), re.I)  # an identity in words
        ):
            return
        parent = self.b.book.find(clean(m.group("x")))
        if parent is None:
            return
        listed = [
            self.b.metric(item, avoid=parent) for item in items(right_end(frag.cut(m.start("list")), list_items=True))
        ]
        children = [c for c in listed if c is not None and c is not parent]
        if len(children) >= 2 and len(children) == len(listed):
            for child in children:
                if not self.b.has_parent(child):
                    self.b.link(parent, child, kind or "unlabelled", (frag.start, frag.end))

    def _fronted_list(self, frag: Frag, kind: LinkKind | None) -> None:
        """ "companies, that's new companies signing and the ones that stay": a metric named before, put first,
        and its parts after "that's" (with no operator, so the link reader has nothing to read)."""
        m = _FRONTED_LIST.match(frag.text)
        if m is None or relation_cues(m.group("list")) or has_operator(m.group("list")):
            return
        parent = self.b.book.find_loose(clean(m.group("x")))
        if parent is None:
            return
        listed = [
            self.b.metric(item, avoid=parent) for item in items(right_end(frag.cut(m.start("list")), list_items=True))
        ]
        children = [c for c in listed if c is not None and c is not parent]
        if len(children) < 2:
            return
        for child in children:
            if not self.b.has_parent(child):
                self.b.link(parent, child, kind or "unlabelled", (frag.start, frag.end))

    def _split_x_into(self, frag: Frag, kind: LinkKind | None) -> None:
        """ "I'd split orders into A and B, then break A into C and D": the speaker splits a metric named between
        the verb and "into" (the link reader reads "X splits into ..." and "split it into ...");
        "Drivers of weekly orders: A and B", "Two drivers feed weekly orders: A and B" list a metric's drivers."""
        splits = list(_SPLIT_X_INTO.finditer(frag.text))
        lists = [m for m in (_DRIVERS_OF.match(frag.text),) if m is not None]
        for i, m in enumerate([*splits, *lists]):
            if is_pronoun(m.group("x")):
                continue
            parent = self.b.book.find_loose(clean(m.group("x"))) or self._resolve(
                frag.cut(m.start("x"), m.end("x")), True
            )
            if parent is None:
                continue
            end = splits[i + 1].start() if i + 1 < len(splits) else len(frag.text)
            rest = frag.cut(m.end(), end)
            k: LinkKind = "math" if has_operator(mask_parens(rest.text)) else (kind or "unlabelled")
            if k == "math":
                # "I'd break clicks into, um, users times close-ups per user times CTR": an identity's terms
                terms_of = identity_end(rest.cut(len(rest.text) - len(rest.text.lstrip(" ,:")))).strip(" ,")
                filler = re.match(r"(?:(?:um+|uh+|like|basically|just),?\s+)+", terms_of.text, re.I)
                made = self._links.identity_terms(
                    parent,
                    terms_of.cut(filler.end()) if filler else terms_of,
                    (frag.start, frag.end),
                    frag.text.strip(),
                )
                if made:
                    self.state.focus = parent
                    continue
            for item in items(right_end(rest, list_items=True)):
                child = self.b.metric(item, avoid=parent)
                if child is None or child is parent:
                    continue
                self.b.link(parent, child, k, (frag.start, frag.end))
                spelled = re.search(r"\(([^()]+)\)", item.text)
                if spelled and has_operator(spelled.group(1)):
                    # "active customers (new + retained)": the item's own identity, in brackets
                    inner = item.cut(spelled.start(1), spelled.end(1))
                    self._links.identity_terms(child, inner, (frag.start, frag.end), item.text.strip())
            self.state.focus = parent

    def _level_list(self, frag: Frag, kind: LinkKind | None) -> None:
        """ "L1: customers, orders per customer" under the top; "L2 (under customers): new, returning" under the
        metric named. A level with an identity in it is read by the link reader instead."""
        m = _LEVEL_LIST.match(frag.text)
        if m is None or relation_cues(m.group("list")):
            return
        level = m.group("n") or {"first": "1", "1st": "1"}.get((m.group("w") or "").lower(), "2")
        if m.group("x"):
            parent = self.b.book.find_loose(clean(m.group("x")))
        else:
            parent = self.b.north_star if level == "1" else None
        if parent is None:
            return
        for item in items(right_end(frag.cut(m.start("list")), list_items=True)):
            child = self.b.metric(item, avoid=parent)
            if child is not None and not self.b.has_parent(child):
                self.b.link(parent, child, kind or "unlabelled", (frag.start, frag.end))

    def _with_under(self, frag: Frag, kind: LinkKind | None) -> None:
        """ "X is my top metric, with A and B underneath it": A and B hang under the metric in focus;
        "two model metrics connected directly to the main metric: A and B" hang under the top."""
        top = _TO_TOP_LIST.search(frag.text)
        if top is not None and self.b.north_star is not None:
            for item in items(right_end(frag.cut(top.end()), list_items=True)):
                child = self.b.metric(item, avoid=self.b.north_star)
                if child is not None:
                    self.b.link(self.b.north_star, child, kind or "unlabelled", (frag.start, frag.end))
            return
        m = _WITH_UNDER.search(frag.text)
        parent = self.state.focus
        if m is None or parent is None:
            return
        for item in items(frag.cut(m.start("list"), m.end("list"))):
            child = self.b.metric(item, avoid=parent)
            if child is not None and child is not parent:
                self.b.link(parent, child, kind or "unlabelled", (frag.start, frag.end))
