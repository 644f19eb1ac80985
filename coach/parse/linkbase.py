"""What the link reader shares: the cue and read types, the slot a cue points at, and "the top" as a reference."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from coach import regexes
from coach.parse.build import Builder
from coach.parse.fragment import Frag
from coach.parse.names import NodeEntry
from coach.parse.slots import is_group_ref, is_pronoun, noun_ref, subject

TOP_REF = regexes.compile(
    r"\W*(?:the\s+|my\s+|our\s+|that\s+|this\s+)?(?:main|top|primary|key|north[- ]?star|ns|nsm|headline|one|single)"
    r"(?:\s+(?:metric|kpi|number|node))?\W*",
    re.I,
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


class LinkBase:
    """The Builder the links go to, and how a slot's words are resolved to a metric."""

    def __init__(self, b: Builder, resolve: Callable[[Frag, bool], NodeEntry | None]) -> None:
        self.b = b
        self.resolve = resolve  # (fragment, refers_back) -> entry; pronouns resolved by the caller's state

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


def relative_antecedent(left: Frag, chain: list[NodeEntry]) -> Frag | None:
    """ "X, which is A × B": when no statement came before in the sentence, "which" is the phrase before it."""
    rel = re.search(r",?\s*\b(?:which|who)(?:\s+in turn)?\s*$", left.text)
    if rel is None or chain:
        return None
    before = subject(left.cut(0, rel.start()))
    return before if before.text else None
