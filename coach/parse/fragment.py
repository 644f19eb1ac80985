"""A piece of the answer that remembers where it came from, so every name keeps its verbatim span."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from coach import regexes

_PAREN = regexes.compile(r"\([^()]*\)|\[[^\[\]]*\]")


@dataclass(frozen=True)
class Frag:
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def cut(self, a: int, b: int | None = None) -> Frag:
        b = len(self.text) if b is None else b
        return Frag(self.text[a:b], self.start + a)

    def strip(self, chars: str | None = None) -> Frag:
        left = len(self.text) - len(self.text.lstrip(chars))
        right = len(self.text.rstrip(chars))
        if right <= left:
            return Frag("", self.start + left)
        return self.cut(left, right)

    def split(self, pattern: re.Pattern[str], *, outside_parens: bool = True) -> list[Frag]:
        """Pieces between matches of ``pattern``; separators inside (...) or [...] do not split."""
        masked = mask_parens(self.text) if outside_parens else self.text
        pieces, pos = [], 0
        for m in pattern.finditer(masked):
            if m.end() == m.start():
                continue
            pieces.append(self.cut(pos, m.start()))
            pos = m.end()
        pieces.append(self.cut(pos))
        return [p for p in (q.strip() for q in pieces) if p.text]

    def search(self, pattern: re.Pattern[str], *, outside_parens: bool = True) -> re.Match[str] | None:
        return pattern.search(mask_parens(self.text) if outside_parens else self.text)


@lru_cache(maxsize=2048)
def mask_parens(text: str) -> str:
    """The text with bracketed content replaced by underscores (same length, so offsets still hold)."""
    for _ in range(3):
        masked = _PAREN.sub(lambda m: "_" * len(m.group(0)), text)
        if masked == text:
            break
        text = masked
    return text
