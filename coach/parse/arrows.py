"""Arrows between metrics ("A -> B", "X ← A, B", "A ⇢ B (dotted)"): which way each link goes and its kind."""

from __future__ import annotations

import re

from coach import regexes
from coach.parse.fragment import Frag
from coach.parse.linkbase import TOP_REF, Cue, LinkBase, LinkRead
from coach.parse.names import NodeEntry
from coach.parse.slots import items, left_start, right_end
from coach.tree import LinkKind

_LIST_LABEL = regexes.compile(r"\s*[\w -]{2,30}:\s+(?=\S[^:]*[,+&]|\S[^:]*\band\b)", re.I)


class Arrows(LinkBase):
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

    def _is_above(self, a: NodeEntry, b: NodeEntry) -> bool:
        """Whether ``a`` is already known as the top or an ancestor of ``b`` (then "a → b" reads top-down)."""
        ns = self.b.north_star
        if ns is not None and self.b.book.resolve(ns) is self.b.book.resolve(a):
            return True
        return any(self.b.book.resolve(d.parent) is self.b.book.resolve(a) for d in self.b.links) and not any(
            self.b.book.resolve(d.parent) is self.b.book.resolve(b) for d in self.b.links
        )


def _dotted(text: str) -> bool:
    return bool(re.fullmatch(r"⇠|⇢|<-\s*-+|-\s-\s->|~>|<~+|-\.->|\.\.\.>|<\.\.\.", text.strip()))


def _dotted_left(text: str) -> bool:
    return bool(re.fullmatch(r"⇠|<-\s*-+|<~+|<\.\.\.", text.strip()))
