"""The deterministic parser: a free-text answer in, a KPI tree out, with no model and no network.

Lines carry the outline (indentation, leading arrows, bullets under a header);
sentences carry the statements (identities, arrows, "drives", guardrails,
diagnosis). Both are read in one pass, in answer order, because candidates
refer back ("it equals ...", "those are hypotheses").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.parse.build import Builder
from coach.parse.fragment import Frag
from coach.parse.names import NodeEntry, clean
from coach.parse.segment import Line, lines, sentences
from coach.parse.statements import Reader, phrase_end
from coach.parse.vocab import CAUSAL_LABEL, GUARDRAIL_WORD, MATH_LABEL
from coach.tree import LinkKind, Tree

_GUARD_HEADER = re.compile(GUARDRAIL_WORD, re.I)
_UNDER_HEADER = re.compile(
    r"^(?:L\d\s*)?(?:[\w' -]{0,40}\s)?(?:under|below|beneath|feeding|feeds|driving|drives|into)\s+(?P<x>[^,:]+?)\s*(?:,[^:]*)?:$", re.I
)
_NOT_METRIC_HEADER = re.compile(
    r"\b(?:north[- ]?star|tree|diagnos\w*|walk-?through|guardrails?|metrics|kpis?|plan|approach|summary|why|how|"
    r"hypothes\w+|causal|math\w*|identit\w+|inputs?|outputs?|layer|level|notes?|context|question|answer|steps?|"
    r"first|then|next|finally|drivers?|tl;?dr|decision|offline|online|underneath|beneath|below|above|breakdown)\b",
    re.I,
)
_DOTTED_LEAD = re.compile(r"^(?:⇠|⇢|<-\s*-)")


@dataclass
class _Open:
    """An outline line deeper lines may hang from."""

    indent: int
    anchor: NodeEntry
    arrow_lead: bool


def parse_answer(answer: str) -> Tree:
    """The KPI tree an answer describes. Never raises on text; an answer with no metrics gives an empty tree."""
    b = Builder(answer)
    reader = Reader(b)
    stack: list[_Open] = []
    header: Line | None = None
    header_kind: str | None = None
    header_entry: NodeEntry | None = None

    for line in lines(answer):
        text = line.text.strip()
        is_header = line.heading or (text.endswith(":") and len(text) <= 120)
        if header is not None:
            if header.heading:
                in_block = not is_header
            else:
                in_block = line.indent > header.indent or (line.bullet and not header.bullet)
            if not in_block:
                header, header_kind, header_entry = None, None, None
                reader.state.section_kind = None
                reader.state.in_diagnosis = False

        while stack and (stack[-1].indent > line.indent or (stack[-1].indent == line.indent and (
            line.arrow_lead is None or stack[-1].arrow_lead
        ))):
            stack.pop()
        outline_parent = stack[-1].anchor if stack else None
        if header_kind == "metric" and header_entry is not None and outline_parent is None:
            outline_parent = header_entry

        if header_kind == "guardrail" and (line.bullet or len(text.split()) <= 12):
            reader.guardrail_items(Frag(line.text, line.start))
            continue
        if header_kind == "north_star":
            header_kind = "other"
            first = sentences(line)[0] if b.north_star is None else None
            if first is not None:
                frag = Frag(first.text, first.start)
                reader.declare_north_star(frag.cut(0, phrase_end(frag.text)))
        if is_header:
            header, header_kind, header_entry = line, *_header(text.rstrip(":").strip() + ":", line, b, reader)
            if header_entry is not None:
                if outline_parent is not None and not b.has_parent(header_entry):
                    b.link(outline_parent, header_entry, "unlabelled", (line.start, line.end))
                stack.append(_Open(line.indent, header_entry, line.arrow_lead is not None))
            continue

        head = anchor = None
        ns_before = b.north_star
        for i, sent in enumerate(sentences(line)):
            read = reader.sentence(sent, strip_arrow_lead=i == 0 and line.arrow_lead is not None)
            if i == 0:
                head, anchor = read.head, read.anchor or read.head
        if head is None and b.north_star is not None and b.north_star is not ns_before:
            head = anchor = b.north_star  # "North star: X." heads the outline rows below it
        stage = re.match(r"^(?:offline|online)\s*:\s*", line.text, re.I)
        if head is None and header_kind == "metric" and stage:
            # "- online: thumbs-down rate" under a metric header: the stage is a label, the metric the child.
            head = anchor = b.metric(Frag(line.text, line.start).cut(stage.end()))
            if head is not None:
                b.stage[id(head)] = stage.group(0).split(":")[0].strip().lower()
        if head is None and header_kind == "metric" and ":" in text and _bare(text.split(":")[0]):
            # "- item: why it matters" under a metric header: the item is the child.
            head = anchor = b.metric(Frag(line.text[: line.text.find(":")], line.start))
        if head is None and header_kind == "metric" and line.bullet and not re.search(r"[=<>→←⇠]", text):
            head = anchor = b.metric(Frag(line.text, line.start))  # a bullet under a metric header is its child
        if head is None and _bare(text):
            body = Frag(line.text, line.start)
            if line.arrow_lead:
                body = body.cut(line.text.find(line.arrow_lead) + len(line.arrow_lead))
            head = anchor = b.metric(body)
        if head is None:
            continue
        if outline_parent is not None and head is not outline_parent and not b.has_parent(head):
            kind: LinkKind = "unlabelled"
            if line.arrow_lead and _DOTTED_LEAD.match(line.arrow_lead):
                kind = "causal"
            elif reader.state.section_kind:
                kind = reader.state.section_kind
            b.link(outline_parent, head, kind, (line.start, line.end), hypothesis=line.text if kind == "causal" else None)
        stack.append(_Open(line.indent, anchor or head, line.arrow_lead is not None))
    return b.build()


def _header(text: str, line: Line, b: Builder, reader: Reader) -> tuple[str, NodeEntry | None]:
    """What a line ending in ':' opens: a guardrail list, a metric's children, a labelled section, or nothing."""
    body = text[:-1].strip()
    if _GUARD_HEADER.search(body):
        return "guardrail", None
    if re.search(r"\bnorth[- ]?star\b|\btop (?:metric|node)\b|\broot metric\b|^(?:NS|OMTM)$", body, re.I):
        return "north_star", None
    reader.state.in_diagnosis = bool(re.match(r"^(?:diagnosis|walk-?through|investigation|root[- ]cause|rca|triage)\b", body, re.I))
    if CAUSAL_LABEL.search(body):
        reader.state.section_kind = "causal"
    elif MATH_LABEL.search(body):
        reader.state.section_kind = "math"
    under = _UNDER_HEADER.match(text)
    if under:
        start = line.start + line.text.find(under.group("x"))
        name = under.group("x")
        ref = re.fullmatch(r"(?:it|that|this)(?:\s+(?P<noun>[a-z]+))?", name.strip(), re.I)
        if ref:
            # "that rate": the latest metric named ... rate; "it": the metric in focus.
            noun = (ref.group("noun") or "").lower()
            named = [e for e in reversed(b.book.entries) if noun and e.name.lower().split()[-1:] == [noun]]
            entry = named[0] if named else reader.state.focus
        else:
            entry = b.known_metric(Frag(name, start))
        return "metric", entry
    if not line.heading and not _NOT_METRIC_HEADER.search(body) and _bare(body) and clean(body):
        return "metric", b.metric(Frag(line.text[: line.text.rstrip().rfind(":")], line.start))
    return "other", None


def _bare(text: str) -> bool:
    """A line that is only a metric name (an outline row), not a sentence."""
    body = re.sub(r"^(?:<-(?:\s*-)*|←|⇠|⇐|-{1,2}>|→|⟶|⇢|=>|↳)\s*", "", text.strip())
    body = re.sub(r"\s*[(\[][^)\]]*[)\]]\s*$", "", body)
    return 0 < len(body.split()) <= 7 and not re.search(r"[.!?;:]\s|[=<>→←⇠]|\b(?:I|we|you|is|are|would|should|will)\b", body)
