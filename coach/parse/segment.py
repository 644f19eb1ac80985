"""Split an answer into logical lines and sentences, keeping absolute character offsets.

Both are cached: the parser and the rules' evidence quotes split the same answer.

Candidates write prose paragraphs, hard-wrapped prose, bullets, indented
outlines and ASCII trees. A logical line is one bullet / outline row / paragraph
(hard-wrapped continuation lines are joined); its ``indent`` is the column where
its content starts, so outline structure can be read from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from coach import regexes

# Tree-drawing characters, bullets, numbering, markdown headings and quotes before the content.
_LEAD = regexes.compile(
    r"^(?:[ \t]+|[│├└┬┼─┌┐┘┤|`]+[ \t]*|(?:[-*•·+]|\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}[a-z]?[.)]|[a-hA-H][.)]|\(\d{1,2}[a-z]?\))[ \t]+|#{1,6}[ \t]+|>[ \t]+)*"
)
# "Q: So what's the one number?" / "A: Words generated per month.": a self-interview's turn marker, not content.
_TURN = regexes.compile(r"^[QA]:[ \t]+")
_ARROW_LEAD = regexes.compile(r"^(?:<-(?:\s*-)*|←|⇠|⇐|-{1,2}>|→|⟶|⇢|=>|↳)\s*")
_STRUCTURE = regexes.compile(r"[=→←⇠⇢]|<-|->")
# A sentence ends at . ! ? followed by a space, whatever comes next: spoken answers are often all lower case.
_SENTENCE_END = regexes.compile(r"(?<=[.!?])[\"')\]*_]*\s+|(?<=[.!?])\s*\n\s*")
_ABBREV_BEFORE = regexes.compile(
    r"\b(?:vs|e\.g|i\.e|etc|approx|avg|incl|no|mr|ms|dr|st|wk|mo|yr|eg|ie|cf|w/o|w)\.$|(?:^|\s)[A-Za-z]\.$", re.I
)


@dataclass(frozen=True)
class Line:
    index: int
    start: int
    end: int
    text: str
    indent: int
    bullet: bool
    arrow_lead: str | None
    heading: bool = False
    marker: str = ""  # the bullet character, kept because "+ new users" or "- churned users" is an operator
    table: bool = False  # a markdown table row: cells between "|"


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    line: Line


def _physical_lines(answer: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for raw in answer.split("\n"):
        out.append((pos, raw))
        pos += len(raw) + 1
    return out


@lru_cache(maxsize=32)
def lines(answer: str) -> tuple[Line, ...]:
    """Logical lines with the bullet/tree prefix removed and continuation lines joined."""
    result: list[Line] = []
    pending: list[int] | None = None  # [start, end, indent, bullet, heading]
    pending_arrow: str | None = None
    pending_marker = ""
    pending_table = False
    previous_width = 0  # of the last physical line: hard-wrapped prose breaks before about 100 characters

    def flush() -> None:
        nonlocal pending, pending_arrow, pending_marker, pending_table
        if pending is not None:
            s, e, indent, bullet, heading = pending
            result.append(
                Line(
                    len(result),
                    s,
                    e,
                    answer[s:e],
                    indent,
                    bool(bullet),
                    pending_arrow,
                    bool(heading),
                    pending_marker,
                    pending_table,
                )
            )
        pending, pending_arrow, pending_marker, pending_table = None, None, "", False

    for offset, raw in _physical_lines(answer):
        turn = _TURN.match(raw)
        if turn:
            offset, raw = offset + turn.end(), raw[turn.end() :]
        stripped = raw.rstrip()
        if not stripped.strip():
            flush()
            continue
        if (
            stripped.lstrip().startswith("|")
            and stripped.count("|") >= 2
            and (stripped.endswith("|") or re.search(r"\|\s*:?-{3,}", stripped))
        ):
            # A table row is one line; its cells are read by the outline, not as prose.
            flush()
            first = offset + len(raw) - len(raw.lstrip())
            pending = [first, offset + len(stripped), first - offset, 0, 0]
            pending_table = True
            flush()
            continue
        lead = _LEAD.match(stripped)
        content_col = lead.end() if lead else 0
        prefix = stripped[:content_col]
        bullet = bool(
            re.search(
                r"[-*•·+]\s|\d(?:\.\d{1,2})+\.?\s|\d[a-z]?[.)]\s|(?<![A-Za-z])[a-hA-H][.)]\s|\(\d{1,2}[a-z]?\)\s|[├└]",
                prefix,
            )
        )
        arrow = _ARROW_LEAD.match(stripped[content_col:])
        is_new_item = (
            bullet
            or arrow is not None
            or content_col > (pending[2] if pending else 0)
            or (pending is not None and pending[4] == 1)
            or stripped.lstrip().startswith("#")
        )
        # Hard-wrapped prose joins up; short rows and rows with identities or arrows are outline rows.
        continuation = (
            pending is not None
            and not is_new_item
            and len(answer[pending[0] : pending[1]]) >= 50
            and previous_width <= 110
            and not _STRUCTURE.search(stripped)
            and not _STRUCTURE.search(answer[pending[0] : pending[1]])
            and content_col == pending[2]
            and not re.search(r"[.:!?]$", answer[pending[0] : pending[1]])
            and stripped[content_col : content_col + 1].islower()
            and not re.match(r"^[\w' /%#&()-]{1,40}:\s", stripped[content_col:])  # "active share: mix of ..." is a row
        )
        previous_width = len(stripped)
        if continuation and pending is not None:
            pending[1] = offset + len(stripped)
            continue
        flush()
        # "**Acquisition**" alone on a line is a title; "**= new + retained**" is an identity in bold.
        heading = bool(re.match(r"^\s*#{1,6}\s", stripped)) or bool(
            re.fullmatch(r"\*\*[^*=+×÷<>→←⇐]{1,80}\*\*:?", stripped.strip())
        )
        pending = [offset + content_col, offset + len(stripped), content_col, int(bullet), int(heading)]
        pending_arrow = arrow.group(0).strip() if arrow else None
        marker = re.search(r"([-*•·+])\s+$", prefix)
        pending_marker = marker.group(1) if marker else ""
    flush()
    return tuple(result)


_CLIPPED = frozenset(
    "acc conf conv impr sess txn mgmt dept est excl min max hr hrs qty amt pct cust prob perf avg approx incl req "
    "resp bal info admin stats eval evals config temp".split()
)


def _short_abbreviation(head: str, following: str) -> bool:
    """ "acc. rate", "conf. threshold", "txn. volume": a clipped word with lower-case text right after is not a
    sentence end. A clipped word is one of the usual clippings, or has no vowel; "real. weekly" ends a sentence."""
    m = re.search(r"(?:^|\s)([A-Za-z]{2,5})\.$", head)
    if not m or not following[:1].islower() or not m.group(1).islower():
        return False
    word = m.group(1)
    return word in _CLIPPED or not re.search(r"[aeiouy]", word)


@lru_cache(maxsize=512)
def sentences(line: Line) -> tuple[Sentence, ...]:
    out: list[Sentence] = []
    text, base, pos = line.text, line.start, 0
    for m in _SENTENCE_END.finditer(text):
        head = text[pos : m.start()].rstrip()
        if _ABBREV_BEFORE.search(head) or not head or _short_abbreviation(head, text[m.end() : m.end() + 12]):
            continue
        out.append(Sentence(base + pos, base + pos + len(head), head, line))
        pos = m.end()
    tail = text[pos:].rstrip()
    if tail.strip():
        out.append(Sentence(base + pos, base + pos + len(tail), tail, line))
    return tuple(out)
