"""Is this a metric? The rubric's one notion of "something that can be counted or measured".

A count, rate, share, time, amount or score is measurable ("weekly orders",
"D7 retention", "p95 latency", "NPS"). A theme is not ("engagement", "user
happiness", "model quality", "the model's understanding of context"), nor is
a statement ("gamers feel at home") or a word that names nothing ("not",
"the model itself"). Every rule that needs a metric (the north star,
guardrails, the model layer) asks here, so they all agree, and the finding
says why in words a candidate understands.

Themes fail where the rubric asks for a measurable top; a guardrail only has
to name something watched (RUBRIC.md asks for two "metrics explicitly named as
guardrails" and its labellers count "CSAT" and "call quality" alike), so the
guardrails rule rejects non-metrics but not themes (``Measurability.kind``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from coach import regexes
from coach.parse.words import family

Kind = Literal["metric", "theme", "model", "statement", "nothing"]

_ACRONYM = regexes.compile(r"(?<![A-Za-z])[A-Z][A-Z0-9/]{1,6}(?![a-z])")
_VERB = regexes.compile(
    r"\b(?:feel|feels|felt|are|is|was|were|be|have|has|get|gets|love|loves|like|likes|enjoy|enjoys|think|thinks|want|wants|"
    r"trust|trusts|understand|understands|come back|keep coming|stick around|seems?|looks?)\b",
    re.I,
)
_RELATIVE = regexes.compile(r"\b(?:who|that|which|whose|where|when|whom)\b", re.I)
# "making riders successful", "helping people learn": an aim, not something counted
_GERUND_AIM = regexes.compile(
    r"^(?:making|helping|getting|building|improving|creating|delivering|enabling|giving)\s+(?!(?:rate|share|time)\b)",
    re.I,
)
_COMPARATIVE = regexes.compile(
    r"^(?:better|more|greater|higher|faster|happier|stronger|richer|deeper|improved|good|great|overall)\s+", re.I
)
_MODEL_THEME = regexes.compile(
    r"\b(?:the\s+)?(?:model|ai|assistant|agent|bot|llm)(?:'s)?\s+(?:quality|understanding|intelligence|smartness|ability|capability|knowledge|performance|behaviou?r)\b|"
    r"^(?:the\s+)?(?:underlying\s+)?(?:model|ai|llm|assistant|agent|bot)(?:'s)?(?:\s+(?:itself|version|change|update|upgrade|choice))?$",
    re.I,
)
_NOTHING = regexes.compile(
    r"^(?:not|no|none|it|this|that|they|them|those|these|both|all|everything|something|anything|nothing|team|teams|we|us|you)$",
    re.I,
)
_PLURAL = regexes.compile(r"[a-z]{3,}s$", re.I)
_NOT_COUNTED_PLURALS = {
    "analytics",
    "economics",
    "dynamics",
    "basics",
    "logistics",
    "news",
    "series",
    "status",
    "access",
    "success",
    "business",
    "happiness",
    "wellness",
    "fitness",
    "awareness",
    "usefulness",
    "helpfulness",
    "stickiness",
    "progress",
}
_BREAKS = {
    "of",
    "for",
    "in",
    "on",
    "across",
    "among",
    "with",
    "w",
    "from",
    "at",
    "by",
    "per",
    "to",
    "within",
    "who",
    "that",
    "which",
}


@dataclass(frozen=True)
class Measurability:
    measurable: bool
    reason: str = ""
    kind: Kind = "metric"


# "writing", "self-sufficiency", "ownership": an activity or a quality, with no unit to count it in.
_ABSTRACT = regexes.compile(r"(?:ing|ness|ency|ity|ship|hood|ism|ment)$", re.I)


# an acronym ("DAU") or a plural noun ("sessions") on its own
_COUNTED = regexes.compile(r"^(?:[A-Z][A-Z0-9]{1,6}|.*[a-z]{3,}s)$")


def counted(name: str) -> bool:
    """Stricter than ``measurable``: the name plainly counts something (a unit word, an acronym, a plural noun).

    For the terms of a formula written beside a theme word ("stickiness (DAU/MAU)"), where a gloss such as
    "supply/demand balance" must not pass.
    """
    return bool(_COUNTED.search(name) or family("unit").search(name))


@lru_cache(maxsize=4096)
def measurable(name: str) -> Measurability:
    """Whether ``name`` can be counted or measured, and if not, why (in words a candidate understands)."""
    shown = " ".join(name.split())
    text = (
        shown.lower() if shown.isupper() and len(shown) > 6 else shown
    )  # "ROUTE ENGAGEMENT" is shouted, not an acronym
    text = text.strip(" .,;:*_`\"'")
    if not re.search(r"[A-Za-z]{2,}", text) or _NOTHING.match(text):
        return Measurability(False, f"'{shown}' is not a metric: name something you would count", "nothing")
    if _MODEL_THEME.search(text) and not family("unit").search(text):
        return Measurability(
            False,
            f"'{shown}' describes the model, not a number: name the eval or live metric that measures it",
            "model",
        )
    if family("unit").search(text) or family("model_metric").search(text) or _ACRONYM.search(text):
        return Measurability(True)
    words = re.findall(r"[A-Za-z][\w'-]*", text)
    verb = _VERB.search(text)
    if verb and (len(words) > 4 or verb.start() == 0) and not _RELATIVE.search(text[: verb.start()]):
        return Measurability(
            False, f"'{shown}' is a statement, not a metric: name the number that would show it", "statement"
        )
    if _GERUND_AIM.match(text):
        return Measurability(
            False, f"'{shown}' is an aim, not a measurable metric: name the number that shows it happening", "theme"
        )
    head = _head(words)
    if family("countable").fullmatch(head) or (
        _PLURAL.search(head)
        and head.lower() not in _NOT_COUNTED_PLURALS
        and not head.lower().endswith(("ness", "ss"))  # "mindfulness" is a quality, not a count of mindfulnes
        and not family("theme").fullmatch(head)
    ):
        return Measurability(True)
    if (
        family("theme").fullmatch(head)
        or _COMPARATIVE.match(text)
        or family("theme").search(text)
        or (_ABSTRACT.search(head) and not any(_PLURAL.search(w) for w in _modifiers(words)))
    ):
        return Measurability(
            False, f"'{shown}' is a theme, not a measurable metric: name how you would count it", "theme"
        )
    return Measurability(True)


def _head(words: list[str]) -> str:
    """The head noun: the last word before "of"/"for"/"in"/... ("health of the marketplace" → health)."""
    kept = _before_break(words)
    return (kept or words)[-1] if (kept or words) else ""


def _modifiers(words: list[str]) -> list[str]:
    """The words before the head ("purchases" in "purchases coming from search")."""
    return (_before_break(words) or words)[:-1]


def _before_break(words: list[str]) -> list[str]:
    kept: list[str] = []
    for w in words:
        if w.lower() in _BREAKS:
            break
        kept.append(w)
    return kept
