"""Is this a metric? The rubric's one notion of "something that can be counted or measured".

A count, rate, share, time, amount or score is measurable ("weekly orders",
"D7 retention", "p95 latency", "NPS"). A theme is not ("engagement", "user
happiness", "model quality", "the model's understanding of context"), nor is
a clause ("gamers feel at home"). Every rule that needs a metric (the north
star, guardrails, the model layer) asks here, so they all agree, and the
finding says why in the candidate's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from coach.parse.names import is_name
from coach.parse.words import family

_ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z][A-Z0-9/]{1,6}(?![a-z])")
_CLAUSE = re.compile(
    r"\b(?:feel|feels|felt|are|is|was|were|be|have|has|get|gets|love|loves|like|likes|enjoy|enjoys|think|thinks|want|wants|"
    r"trust|trusts|understand|understands|come back|keep coming|stick around)\b",
    re.I,
)
_COMPARATIVE = re.compile(r"^(?:better|more|greater|higher|faster|happier|stronger|richer|deeper|improved|good|great|overall)\s+", re.I)
_POSSESSIVE_MODEL = re.compile(r"\b(?:the\s+)?(?:model|ai|assistant|agent|bot|llm)(?:'s)?\s+(?:quality|understanding|intelligence|smartness|ability|capability|knowledge|performance|behaviou?r)\b", re.I)
_PLURAL = re.compile(r"[a-z]{3,}s$", re.I)
_NOT_COUNTED_PLURALS = {"analytics", "economics", "dynamics", "basics", "logistics", "news", "series", "status", "access", "success", "business", "happiness", "wellness", "fitness", "awareness", "usefulness", "helpfulness", "stickiness", "progress"}


@dataclass(frozen=True)
class Measurability:
    measurable: bool
    reason: str = ""


@lru_cache(maxsize=4096)
def measurable(name: str) -> Measurability:
    """Whether ``name`` can be counted or measured, and if not, why (in words a candidate understands)."""
    text = shown = name.strip()
    if text.isupper() and len(text) > 6:
        text = text.lower()  # "ROUTE ENGAGEMENT" is shouted, not an acronym
    if not text or not is_name(text):
        return Measurability(False, f"'{name.strip()}' is not a metric: name something you would count")
    strong = family("unit").search(text) or family("model_metric").search(text) or _ACRONYM.search(text)
    if _POSSESSIVE_MODEL.search(text) and not family("unit").search(text):
        return Measurability(False, f"'{shown}' describes the model, not a number: name the eval or live metric that measures it")
    if strong:
        return Measurability(True)
    words = re.findall(r"[A-Za-z][\w'-]*", text)
    if len(words) > 4 and _CLAUSE.search(text):
        return Measurability(False, f"'{shown}' is a statement, not a metric: name the number that would show it")
    head = _head(words)
    if family("countable").fullmatch(head) or (_PLURAL.search(head) and head.lower() not in _NOT_COUNTED_PLURALS and not family("theme").fullmatch(head)):
        return Measurability(True)
    if family("theme").fullmatch(head) or _COMPARATIVE.match(text) or family("theme").search(text):
        return Measurability(False, f"'{shown}' is a theme, not a measurable metric: name how you would count it")
    return Measurability(True)


def _head(words: list[str]) -> str:
    """The head noun: the last word before "of"/"for"/"in"/... ("health of the marketplace" → health)."""
    kept: list[str] = []
    for w in words:
        if w.lower() in {"of", "for", "in", "on", "across", "among", "with", "w", "from", "at", "by", "per", "to", "within", "who", "that", "which"}:
            break
        kept.append(w)
    return (kept or words)[-1] if (kept or words) else ""
