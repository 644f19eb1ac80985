"""What kind of question was asked, recognised from its words (RUBRIC.md, "Which criteria apply").

Explicit fields (``kind``, ``ai_product``) always win over recognition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["measure_success", "metric_drop", "conflicting_metrics", "north_star"]
Direction = Literal["down", "up"]

_DOWN = r"(?:dropped|drops?|fell|fallen|falls|falling|declin\w*|decreas\w*|plummet\w*|plunged|dipped|dips?|shr[aiu]nk\w*|tanked|sliding|slid|lower|lost|(?:is|are|was|were|went|has gone|have gone|gone|came|come)\s+down|down)"
_UP = r"(?:spiked|spikes?|surged|jumped|soared|rose|risen|rising|climbed|grew|growing|increas\w*|doubled|(?:is|are|was|were|went|has gone|have gone|gone|keeps? going)\s+up|up)"
_CHANGE_NUMBER = r"(?:by\s+)?\d+(?:\.\d+)?\s*(?:%|percent|pp|points?|percentage points?)"
_DROP_NOUN = re.compile(r"\b(?:the\s+)?(?:drop|decline|dip|fall|spike|decrease)\s+in\b", re.I)
_FROM_TO = re.compile(r"\bfrom\s+\$?\d[\d.,]*\s*%?\s+to\s+\$?\d[\d.,]*\s*%?", re.I)
_DIRECTION = re.compile(
    rf"\b(?P<down>{_DOWN})\b(?!-)(?:\s+{_CHANGE_NUMBER})?|\b(?P<up>{_UP})\b(?!-)(?:\s+{_CHANGE_NUMBER})?",
    re.I,
)
# "down"/"up" only count with a number or a copula, so "break it down" or "sign up" do not.
_BARE_DIRECTION = re.compile(r"^(?:down|up|lower|lost)$", re.I)

_AI = re.compile(
    r"\b(?:A\.?I\.?|AI-(?:powered|driven|based|native)|LLMs?|GPT\w*|gen(?:erative)?\s*AI|generative|copilots?|"
    r"chat\s?bots?|agents?|agentic|assistants?|machine[- ]learning|ML|large language models?|"
    r"(?:the|our|its|their|a|an|new|base|underlying|language|foundation|ranking|recommendation)\s+models?(?:\s+versions?)?)\b",
)
_NOT_AI = re.compile(
    r"\b(?:business|pricing|revenue|operating|subscription|freemium|data|mental|role|delivery|distribution|"
    r"marketplace|franchise|ad|advertising|growth|staffing|service|engagement|hybrid|commission|platform)\s+models?\b|"
    r"\b(?:human|support|customer[- ](?:service|support)|service|sales|travel|insurance|real[- ]estate|call[- ]cent(?:er|re)|"
    r"booking|ticket|field|live)\s+agents?\b|\bagents?\s+(?:of change|handle|answer|respond)\w*|"
    r"\b(?:executive|personal|administrative|store|shop|teaching|research|dental|medical)\s+assistants?\b|"
    r"\bassistant\s+(?:manager|director|professor)\b|\bmodel\s+(?:answer|tree|airplanes?|trains?)\b|\brole[- ]model\b",
    re.I,
)


@dataclass(frozen=True)
class MovedMetric:
    phrase: str
    direction: Direction


@dataclass(frozen=True)
class QuestionContext:
    question: str = ""
    kind: Kind = "measure_success"
    ai_product: bool = False
    moved: tuple[MovedMetric, ...] = field(default_factory=tuple)

    @property
    def metric_change(self) -> bool:
        return self.kind in ("metric_drop", "conflicting_metrics")

    @property
    def wrong_way(self) -> MovedMetric | None:
        """The metric to diagnose: in a conflicting question, the one that moved the wrong way."""
        if not self.moved:
            return None
        downs = [m for m in self.moved if m.direction == "down"]
        if self.kind == "conflicting_metrics" and downs:
            return downs[-1]
        return downs[0] if downs else self.moved[0]


def _clean_metric(phrase: str) -> str:
    phrase = re.sub(r"^.*?\b(?:but|and|while|although|though|whereas|yet|so|since|after|because)\s+", "", phrase, flags=re.I)
    phrase = re.sub(r"^(?:[\w-]+\s+)*?[\w-]+'s\s+", "", phrase.strip())
    phrase = re.sub(r"^(?:our|the|its|their|your|a|an|overall|total)\s+", "", phrase.strip(" ,;:"), flags=re.I)
    phrase = re.sub(r"\b(?:on|at|for|in|of)\s+(?:our|the|its|their|your)\s+[\w\- ]+$", "", phrase, flags=re.I).strip()
    words = phrase.split()
    return " ".join(words[-6:])


def _moved_metrics(question: str) -> list[MovedMetric]:
    moved: list[MovedMetric] = []
    for sentence in re.split(r"(?<=[.?!;])\s+|,\s*(?:but|and|while)\s+|\s+but\s+", question):
        for m in _DIRECTION.finditer(sentence):
            word = m.group("down") or m.group("up")
            has_number = bool(re.search(r"\d", m.group(0)))
            if _BARE_DIRECTION.match(word.split()[-1]) and " " not in word and not has_number:
                if not re.search(r"\b(?:is|are|was|were|went)\s*$", sentence[: m.start()], re.I):
                    continue
            before = sentence[: m.start()]
            before = re.sub(r"\b(?:has|have|had|is|are|was|were|keeps?|has been|have been)\s*$", "", before.strip(), flags=re.I)
            phrase = _clean_metric(before)
            if phrase and re.search(r"[A-Za-z]", phrase):
                moved.append(MovedMetric(phrase, "down" if m.group("down") else "up"))
                break
    return moved


def classify(question: str, kind: Kind | None = None, ai_product: bool | None = None) -> QuestionContext:
    """Recognise the question kind and AI flag from its words; explicit values win."""
    q = question or ""
    moved = _moved_metrics(q)
    if kind is None:
        directions = {m.direction for m in moved}
        if len(directions) == 2:
            kind = "conflicting_metrics"
        elif moved or _DROP_NOUN.search(q) or _FROM_TO.search(q):
            kind = "metric_drop"
        elif re.search(r"\bnorth[- ]star\b", q, re.I):
            kind = "north_star"
        else:
            kind = "measure_success"
    if ai_product is None:
        scrubbed = _NOT_AI.sub(" ", q)
        ai_product = bool(_AI.search(scrubbed))
    return QuestionContext(question=q, kind=kind, ai_product=ai_product, moved=tuple(moved))
