"""What kind of question was asked, recognised from its words (RUBRIC.md, "Which criteria apply").

Explicit fields (``kind``, ``ai_product``) always win over recognition. The
words are families in ``coach/parse/words.yaml`` (``moved_down``, ``moved_up``,
``moved_from_to``, ``contrast``, ``ai_product``, ``not_ai``), so the question is
read with the same vocabulary machinery as the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from coach import regexes
from coach.parse.words import family
from coach.vocabulary import METRIC_CHANGE_KINDS, Kind

Direction = Literal["down", "up"]

_NUMBER = regexes.compile(r"[$€£]?\d[\d.,]*\s*(?:%|k|m|bn|x)?", re.I)
# Words between the metric and its move that belong to neither ("has", "have been", "saw").
_AUX_TAIL = regexes.compile(
    r"(?:\s+(?:has|have|had|is|are|was|were|keeps?|has been|have been|been|got|went|go|going|to|slowly|steadily|sharply|suddenly|quickly|also|all))+\s*$",
    re.I,
)
_METRIC_HEAD = regexes.compile(
    r"^.*?\b(?:saw|see|sees|seeing|noticed|notice|seen|reports?|reported|observed?|watched)\s+(?:its\s+|their\s+|our\s+|the\s+)?",
    re.I,
)


@dataclass(frozen=True)
class MovedMetric:
    phrase: str
    direction: Direction
    after_contrast: bool = False


@dataclass(frozen=True)
class QuestionContext:
    question: str = ""
    kind: Kind = "measure_success"
    ai_product: bool = False
    moved: tuple[MovedMetric, ...] = field(default_factory=tuple)

    @property
    def metric_change(self) -> bool:
        return self.kind in METRIC_CHANGE_KINDS

    @property
    def wrong_way(self) -> MovedMetric | None:
        """The metric to diagnose: in a conflicting question, the one after "but" (or the one that fell)."""
        if not self.moved:
            return None
        if self.kind == "conflicting_metrics":
            contrasted = [m for m in self.moved if m.after_contrast]
            if contrasted:
                return contrasted[0]
            downs = [m for m in self.moved if m.direction == "down"]
            return downs[-1] if downs else self.moved[-1]
        downs = [m for m in self.moved if m.direction == "down"]
        return downs[0] if downs else self.moved[0]


def _clean_metric(phrase: str) -> str:
    phrase = _METRIC_HEAD.sub("", phrase)
    phrase = re.sub(
        r"^.*?\b(?:but|and|while|although|though|whereas|yet|so|since|after|because|when)\s+", "", phrase, flags=re.I
    )
    phrase = re.sub(r"^.*?:\s*", "", phrase)
    phrase = re.sub(r"\s*\([^)]*\)", "", phrase)
    if "," in phrase:
        head, _, tail = phrase.partition(",")
        # "On our grocery app, average basket size" vs "Weekly active merchants using Sidekick, the AI assistant"
        phrase = tail.split(",")[-1] if re.match(r"\s*(?:on|at|in|for|with|across|among)\b", head, re.I) else head
    phrase = _AUX_TAIL.sub("", phrase.strip())
    phrase = re.sub(r"^(?:[A-Z][\w.&-]*\s+){0,3}?[A-Z][\w.&-]*'s\s+", "", phrase.strip())
    phrase = re.sub(r"^(?:our|the|its|their|your|a|an|overall|total)\s+", "", phrase.strip(" ,;:"), flags=re.I)
    phrase = re.sub(r"\s+(?:on|at|for|in|of|from)\s+(?:our|the|its|their|your|[A-Z])[\w\- .]*$", "", phrase).strip()
    phrase = re.sub(r"\s+(?:by|this|last|over|in|on)\s*$", "", phrase, flags=re.I).strip()
    words = phrase.split()
    return " ".join(words[-10:])


_NOUN_MOVE = regexes.compile(
    r"\w+\s+(?:in|of)\s+(?:the\s+|our\s+)?(?P<x>[^,.;?!]{3,60}?)(?=\s+(?:since|after|over|this|last|in|on|from|for|across|among)\b|\s+(?:of|by)\s+[\d~]|[,.;?!]|$)",
    re.I,
)


def _moves(question: str) -> list[MovedMetric]:
    """Each clause's move: the metric phrase before the change word, and which way it went."""
    moved: list[MovedMetric] = []
    contrast_at = [m.start() for m in family("contrast").finditer(question)]
    clauses = re.split(
        r"(?<=[.?!;])\s+|,\s*(?=(?:but|and|while|whereas|yet)\b)|\s+(?=(?:but|while|whereas)\b)", question
    )
    pos = 0
    for clause in clauses:
        start = question.find(clause, pos)
        pos = max(pos, start)
        found: list[tuple[int, str]] = []
        for name, direction in (("moved_down", "down"), ("moved_up", "up"), ("moved_from_to", "")):
            for m in family(name).finditer(clause):
                found.append((m.start(), direction or _from_to_direction(m.group(0))))
        if not found:
            continue
        at, direction = min(found)
        noun = _NOUN_MOVE.search(clause, at)
        if noun is not None and noun.start() <= at + 1:
            # "There's a 15% dip in checkout completions": the metric is named after the change, as its object
            phrase = _clean_metric(noun.group("x"))
            if phrase and re.search(r"[A-Za-z]", phrase):
                moved.append(
                    MovedMetric(phrase, direction, any(c < start + at and c >= start - 2 for c in contrast_at))
                )
                continue
        before = clause[:at]
        before = re.sub(
            r"\b(?:went|go|gone|going|came|come|has|have|slipped|fell|dropped|moved)\s*$",
            "",
            before.strip(),
            flags=re.I,
        )
        phrase = _clean_metric(before)
        if phrase and re.search(r"[A-Za-z]", phrase) and not _NUMBER.fullmatch(phrase):
            moved.append(MovedMetric(phrase, direction, any(c < start + at and c >= start - 2 for c in contrast_at)))
    return moved


def _from_to_direction(text: str) -> str:
    values = [float(v.replace(",", "")) for v in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]
    return "down" if len(values) >= 2 and values[1] < values[0] else "up"


def classify(question: str, kind: Kind | None = None, ai_product: bool | None = None) -> QuestionContext:
    """Recognise the question kind and AI flag from its words; explicit values win."""
    q = question or ""
    moved = _moves(q)
    if kind is None:
        directions = {m.direction for m in moved}
        if len(moved) >= 2 and (len(directions) == 2 or any(m.after_contrast for m in moved)):
            kind = "conflicting_metrics"
        elif moved:
            kind = "metric_drop"
        elif re.search(r"\bnorth[- ]star\b", q, re.I):
            kind = "north_star"
        else:
            kind = "measure_success"
    if ai_product is None:
        scrubbed = family("not_ai").pattern.sub(" ", q)
        ai_product = family("ai_product").search(scrubbed) is not None
    return QuestionContext(question=q, kind=kind, ai_product=ai_product, moved=tuple(moved))
