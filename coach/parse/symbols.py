"""Single-letter symbols an answer defines before using them in formulas ("Let W = weekly active boards",
"where N is boards created this week", "with U = users creating boards and b = boards per user")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach import regexes
from coach.parse.names import clean, is_name
from coach.parse.slots import has_operator

# The symbol is one letter; "a", "A" and "I" are words too, so they count only with "=" (and "x" is "times").
_DEFINITION = regexes.compile(
    r"(?:\blet\s+|\bdefine\s+|\bwhere\s+|\bwith\s+|\band\s+|[,;(]\s*|^\s*|(?<=[.:])\s+)"
    r"(?P<sym>(?![aAIxX]\s*(?:is|be|denotes|stands)\b)[A-Za-z])(?![\w'’(])\s*"
    r"(?:=|:=|is|be|denotes|stands for|means)\s+(?:the\s+)?"
    r"(?P<name>[^,;.=()\n]{3,80}?)(?=\s*(?:[,;.)\n]|\band\s+[A-Za-z]\s*(?:=|is)\s|\bwith\s+[A-Za-z]\s*=|$))",
    re.I | re.M,
)


@dataclass(frozen=True)
class Symbol:
    name: str
    span: tuple[int, int]  # where the answer spells the name out


def symbols(answer: str) -> dict[str, Symbol]:
    """Each letter the answer defines, with the metric it stands for (its first definition wins)."""
    out: dict[str, Symbol] = {}
    for m in _DEFINITION.finditer(answer):
        sym, raw = m.group("sym"), m.group("name")
        if sym in out or has_operator(raw):
            continue
        name = clean(raw)
        if not is_name(name) or len(name) < 3:
            continue
        at = answer.find(name, m.start("name"))
        out[sym] = Symbol(name, (at, at + len(name)) if at >= 0 else (m.start("name"), m.end("name")))
    return out
