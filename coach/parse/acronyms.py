"""Acronyms spelled out from a phrase's initials ("WAV per account" in "weekly active viewers per account")."""

from __future__ import annotations

import re

from coach import regexes

ACRONYM = regexes.compile(r"\b[A-Z]{2,5}\b")


def spelled(name: str, phrase: str) -> str:
    """``name`` with each acronym replaced by the words of ``phrase`` whose initials spell it, "/" read as "per"."""
    words = re.findall(r"[A-Za-z][\w'-]*", phrase)
    initials = "".join(w[0].lower() for w in words)

    def spell(m: re.Match[str]) -> str:
        at = initials.find(m.group(0).lower())
        return " ".join(words[at : at + len(m.group(0))]) if at >= 0 else m.group(0)

    return ACRONYM.sub(spell, name).replace("/", " per ")
