"""Markdown tables: a header row says what the rows hold; a row names a metric and what it is made of, a
guardrail, or a step of the diagnosis."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach import regexes
from coach.parse.build import Builder
from coach.parse.fragment import Frag
from coach.parse.reader import Reader
from coach.parse.segment import Line, Sentence
from coach.parse.slots import has_operator, items, right_end
from coach.parse.words import family


@dataclass
class Table:
    """What a markdown table's header row says its rows hold."""

    header: list[str]
    guardrails: bool
    diagnosis: bool
    parent_col: int | None = None  # "| Metric | Parent | Link |": each row names its parent


_SEPARATOR = regexes.compile(r"^\s*:?-{2,}:?\s*$")
_RELATION_CELL = regexes.compile(
    r"^\s*(?:=|≡|⇐|⇠|<-|←|<~|(?:causal|hypothes\w*|drivers?|driven by|levers?|inputs?)\b[^:|]{0,40}:)", re.I
)
_CAUSAL_CELL = regexes.compile(r"^\s*(?:causal|hypothes\w*|drivers?|driven by|levers?|inputs?)\b[^:|]{0,40}:\s*", re.I)
_PARENT_HEADER = regexes.compile(
    r"parent(?: metric| node)?|under|feeds(?: into)?|rolls? up (?:in)?to|child of|sits under", re.I
)
_NO_PARENT = regexes.compile(r"[-—–/]*|none|n/?a|\(top\)", re.I)
_LEVEL_CELL = regexes.compile(r"^\s*(?:L\d|level \d|tier \d|top|root|ns|north[- ]?star|l\d\s*\(.*\))\s*$", re.I)


def _cells(line: Line) -> list[Frag]:
    out, pos = [], 0
    for part in line.text.split("|"):
        frag = Frag(part, line.start + pos).strip()
        pos += len(part) + 1
        out.append(frag)
    return [c for c in out if c.text] if line.text.strip().endswith("|") else [c for c in out if c.text]


def _columns(line: Line) -> list[Frag]:
    """The cells of a row in their columns, empty ones kept (so a column is found by its header's place)."""
    parts, pos = [], 0
    for part in line.text.split("|"):
        parts.append(Frag(part, line.start + pos).strip())
        pos += len(part) + 1
    if line.text.lstrip().startswith("|"):
        parts = parts[1:]
    if line.text.rstrip().endswith("|"):
        parts = parts[:-1]
    return parts


def _parent_row(line: Line, table: Table, b: Builder, reader: Reader) -> bool:
    """ "| Payroll locations | EPM | × (EPM = locations × paid per location) |": the row's metric hangs under the metric
    its parent column names; a row with no parent (or "top") names the top. Other columns say the kind of link."""
    cols = _columns(line)
    at = table.parent_col
    if at is None or at >= len(cols):
        return False
    named = [
        (i, c)
        for i, c in enumerate(cols)
        if i != at and c.text and not _LEVEL_CELL.match(c.text) and not _SEPARATOR.match(c.text)
    ]
    if not named:
        return False
    i, cell = named[0]
    cell = cell.cut(0, len(re.split(r"\s\(", cell.text, maxsplit=1)[0])).strip(" *_`")  # "X (logged ≥1 ...)"
    rest = " ".join(c.text for j, c in enumerate(cols) if j not in (i, at) and not _LEVEL_CELL.match(c.text))
    parent_text = cols[at].text.strip(" *_`")
    to_top = re.fullmatch(r"(?:the\s+)?(?:top|root|ns|nsm|north[- ]?star)", parent_text, re.I)
    if not to_top and (not parent_text or _NO_PARENT.fullmatch(parent_text)):
        if b.north_star is None and (re.search(r"\btop\b|\broot\b|north[- ]?star", line.text, re.I)):
            reader.declare_heading(cell)
        return True
    parent = (
        b.north_star
        if to_top
        else (b.known_metric(cols[at]) if b.book.find(parent_text) else b.metric(cols[at].strip(" *_`")))
    )
    child = b.metric(cell)
    if parent is None or child is None or b.book.resolve(parent) is b.book.resolve(child):
        return True
    kind = (
        "math"
        if has_operator(rest)
        or re.match(r"\s*[+×*÷/−=](?:\s|\(|$)", rest)
        or re.search(r"(?<![<>!])=|\b(?:math\w*|identity|definition\w*|sum|product)\b", rest, re.I)
        else "causal"
        if family("causal").search(rest)
        else "unlabelled"
    )
    b.link(parent, child, kind, (line.start, line.end), hypothesis=rest if kind == "causal" else None)
    return True


def table_row(line: Line, table: Table | None, b: Builder, reader: Reader, *, diagnosis: bool) -> Table | None:
    """One row of a markdown table: a header, a separator, or a row whose cells name a metric and what it is made of."""
    cells = _cells(line)
    if not cells or all(_SEPARATOR.match(c.text) for c in cells):
        return table
    relation = next(
        (i for i, c in enumerate(cells) if i and (_RELATION_CELL.match(c.text) or has_operator(c.text))), None
    )
    if table is None and relation is None:
        header = [c.text.lower() for c in cells]
        joined = " ".join(header)
        columns = [c.text.strip().lower() for c in _columns(line)]
        return Table(
            header,
            bool(family("guardrail").search(joined)),
            diagnosis
            or bool(
                re.search(r"\b(?:step|check|if it|then|segment|cut|hypothes\w*|cause|finding|diagnos\w*)\b", joined)
            ),
            next((i for i, c in enumerate(columns) if _PARENT_HEADER.fullmatch(c)), None),
        )
    table = table or Table([], False, False)
    if table.guardrails:
        reader.guardrail_items(cells[0])
        return table
    if table.parent_col is not None and _parent_row(line, table, b, reader):
        return table
    if relation is not None:
        # "| Shop Pay orders | = sessions × completion rate | math |": the metric, its relation, its label.
        label_text = " ".join(c.text for i, c in enumerate(cells) if i > relation)
        label = reader._label(f"({label_text})") if label_text else None
        named = [c for c in cells[:relation] if not _LEVEL_CELL.match(c.text)]
        if not named:
            return table
        first, rel = named[-1], cells[relation]
        if any(re.fullmatch(r"\s*(?:top|root|ns|north[- ]?star)\s*", c.text, re.I) for c in cells[:relation]):
            reader.declare_heading(first)  # "| Top | Course completions | = starts × completion rate |"
        causal_cell = _CAUSAL_CELL.match(rel.text)
        if causal_cell:
            # "| Completion rate | causal: course length, relevance (hypotheses) |": the drivers, labelled in the cell.
            parent = b.known_metric(first) if b.book.find(first.text) else b.metric(first)
            for item in items(right_end(rel.cut(causal_cell.end()), list_items=True)) if parent else []:
                child = b.cause(item)
                if child is not None:
                    b.link(parent, child, "causal", (line.start, line.end), hypothesis=rel.text)
            return table
        text = b.answer[first.start : rel.end]
        masked = "".join(
            ch if first.start + i < first.end or first.start + i >= rel.start else " " for i, ch in enumerate(text)
        )
        gap = rel.start - first.start - 2
        if (
            gap > len(first.text)
            and not _RELATION_CELL.match(rel.text)
            and not re.match(r"\s*(?:[=≡←→⇐⇒]|<-|->)", rel.text)
        ):
            masked = masked[:gap] + "=" + masked[gap + 1 :]  # "| weekly orders | customers × orders per customer |"
        reader.sentence(Sentence(first.start, rel.end, masked, line), label=label)
        return table
    if table.diagnosis or diagnosis:
        b.diagnose((cells[0].start, cells[-1].end), [])
        return table
    return table
