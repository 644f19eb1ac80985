"""The deterministic parser: a free-text answer in, a KPI tree out, with no model and no network.

Three steps, each on its own: ``segment`` cuts the answer into logical lines
(bullets, outline rows, headings, table rows) and sentences, with offsets;
the sentence reader (``reader``/``links``) finds each sentence's cues and the
metrics they attach to; this module supplies the scope that layout gives: a
heading or an "X:" line opens a section (guardrails, diagnosis, the north star,
causal or math links, or a metric whose children follow), and indentation or
bullets under a metric line make children of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach import regexes
from coach.parse.build import Builder
from coach.parse.declare_shapes import POINTED_TOP
from coach.parse.fragment import Frag
from coach.parse.names import NodeEntry, clean
from coach.parse.reader import Reader
from coach.parse.segment import Line, lines, sentences
from coach.parse.slots import has_operator, items, right_end
from coach.parse.tables import Table, table_row
from coach.parse.words import family
from coach.tree import LinkKind, Tree

_UNDER_HEADER = regexes.compile(
    r"^(?:L\d\s*)?(?:[\w' -]{0,40}\s)?(?:under|below|beneath|inside|feeding|feeds|driving|drives|within)\s+(?P<x>[^,:.]+?)\s*(?:\([^)]*\)\s*)?(?:,[^:]*)?:$",
    re.I,
)
_TITLE_WORDS = regexes.compile(
    r"\b(?:guard[- ]?rails?|counter[- ]?metrics?|tripwires?|diagnos\w*|north[- ]?star|must not)\b", re.I
)
_NOT_METRIC_HEADER = regexes.compile(
    r"\b(?:north[- ]?star|tree|diagnos\w*|walk-?through|guardrails?|metrics|kpis?|plan|approach|summary|why|how|what|"
    r"hypothes\w+|causal|math\w*|identit\w+|inputs?|outputs?|layer|level|notes?|context|question|answer|steps?|"
    r"first|then|next|finally|drivers?|tl;?dr|decision|offline|online|underneath|beneath|below|above|breakdown|"
    r"clarif\w*|assum\w+|definitions?|goal|mission|recap|conclusion|actions?|fixes|ideas|risks?|caveats?|"
    r"root|cause|investigation|triage|checks?|segments?|tradeoffs?|trade-offs?|recommendation|decomposition|structure|"
    r"framework|framing|setup|set-up|overview|background|reasoning|logic|formulas?|equations?|hierarchy|map|bets?|levers?|"
    r"options|candidates|choice|proposal|thinking|process|scorecard|dashboard|instrumentation|experiments?|tests?|"
    r"testing|validation|rollout|follow-?ups?|monitoring)\b|"
    r"^(?:walk|do|check|find|look|start|build|pick|define|measure|diagnose|split|break|segment|decompose|track|watch|protect|"
    r"confirm|verify|size|sanity|quantify|compute|calculate|work|dig|drill|think|frame|set|choose|interpret|read|explain)\b",
    re.I,
)
_OPERATOR_LEAD = regexes.compile(r"^(?P<op>[+×*·÷−]|x\s|-\s(?=\S))\s*")
_ARROW_HEADER = regexes.compile(
    r"^(?P<x>[^:⇐←<]{2,60}?)\s*(?:(?:⇐|<-+|←|<~+)\s*(?:\([^)]*\)|\*[^*]*\*)?\s*|:\s*(?:[^:]{0,60}?\b(?:what drives? it|what moves? it|its drivers|drivers|levers|inputs|causes)\b[^:]{0,20}))$",
    re.I,
)
_WHAT_HEADER = regexes.compile(
    r"^(?:\W*(?:and|so)\s+)?what\s+(?:makes?|make|drives?|moves?|improves?|affects?|increases?|lifts?|raises?|grows?|feeds?|determines?)\s+"
    r"(?P<x>(?:the\s+)?[\w%/' -]{2,40}?)(?:\s+(?:better|worse|up|down|grow|higher|move))?(?=\s+(?:is|are|:|,|\()|\s*$|\s*[,(])",
    re.I,
)
_LABELLED = regexes.compile(r"^[A-Za-z][\w &/'()-]{0,30}:\s+(?P<x>\S.*)$")
_FILLER = regexes.compile(
    r",\s*(?:like|um+|uh+|erm|er|you know|I mean|sort of|kind of|basically|I guess|right)\s*(?=,)", re.I
)
_STAGE_LEAD = regexes.compile(r"^(?P<stage>offline|online)\b[^:]{0,30}:\s*", re.I)


@dataclass
class _Open:
    """An outline line deeper lines may hang from."""

    indent: int
    anchor: NodeEntry
    arrow_lead: bool
    bullet: bool = False


@dataclass
class _Section:
    line: Line
    kind: str  # guardrail | north_star | diagnosis | metric | other
    entry: NodeEntry | None


def parse_answer(answer: str) -> Tree:
    """The KPI tree an answer describes. Never raises on text; an answer with no metrics gives an empty tree."""
    b = Builder(answer)
    reader = Reader(b)
    stack: list[_Open] = []
    section: _Section | None = None
    # ", like,", ", um,", ", you know,": spoken fillers set off by commas are blanked (same length, so every span
    # still points into the answer) before the lines are read; "and that, like, breaks down into" reads as
    # "and that breaks down into"
    all_lines = lines(_FILLER.sub(lambda m: " " * len(m.group(0)), answer))
    plus_indents = {line.indent for line in all_lines if line.marker == "+"}
    # A line with deeper lines right under it is an outline row even without a bullet.
    opens = {
        a.index
        for a, nxt in zip(all_lines, all_lines[1:], strict=False)
        if (nxt.indent > a.indent or (nxt.arrow_lead and not a.arrow_lead and nxt.indent == a.indent and not a.bullet))
        and answer.count("\n", a.end, nxt.start) == 1
    }

    lists = {
        a.index
        for a, nxt in zip(all_lines, all_lines[1:], strict=False)
        if nxt.bullet and not re.search(r"[.?!]$", a.text)
    }
    last_head: NodeEntry | None = None
    table: Table | None = None
    pending_kind: LinkKind | None = None
    for line in all_lines:
        text = line.text.strip()
        if line.table:
            table = table_row(line, table, b, reader, diagnosis=section is not None and section.kind == "diagnosis")
            continue
        table = None
        connector = _CONNECTOR.match(text)
        if connector:
            # "┊ causal (hypothesis; test with a holdback)" between two rows of a drawn tree labels the link below it
            rest = connector.group("rest")
            if not rest:
                continue
            if re.match(r"\W*(?:causal|hypothes[ie]s|dotted|a bet|bet)\b", rest, re.I):
                pending_kind = "causal"
                continue
        is_header = (
            line.heading
            or (text.endswith(":") and len(text) <= 120)
            # "3) Guardrails while fixing" over a list: a title without its colon
            or (
                line.index in lists
                and not line.bullet
                and len(text.split()) <= 6
                and _TITLE_WORDS.search(text) is not None
            )
        )
        if (
            section is not None
            and section.kind == "north_star"
            and line.heading
            and not text.startswith("#")
            and not line.text.lstrip().startswith("#")
            and not re.match(r"\s*#", answer[line.start - 8 if line.start >= 8 else 0 : line.start].rsplit("\n", 1)[-1])
        ):
            is_header = False  # "**Weekly orders**" right under a "North star" heading is the metric, not a new section
        if (
            section is not None
            and not (section.kind == "north_star" and not is_header)
            and not _in_section(section, line, is_header)
        ):
            section = None
            reader.state.section_kind = None
            reader.state.in_diagnosis = False

        if line.heading and re.match(r"\s*#", answer[max(0, line.start - 8) : line.start].rsplit("\n", 1)[-1]):
            stack[:] = [o for o in stack if not o.bullet]  # a heading never hangs under a bullet of the section before
        while stack and (
            stack[-1].indent > line.indent
            or (
                stack[-1].indent == line.indent
                # "- ⇠ X" after "- Y" in one list is another item, not Y's child
                and (line.arrow_lead is None or stack[-1].arrow_lead or (line.bullet and stack[-1].bullet))
            )
        ):
            stack.pop()
        outline_parent = stack[-1].anchor if stack else None
        if re.match(r"^(?:=|≡)\s", text) and last_head is not None:
            outline_parent = last_head  # "= A × B" under the line that named the metric
            nxt = all_lines[line.index + 1].text.strip() if line.index + 1 < len(all_lines) else ""
            first_term = _OPERATOR_LEAD.match(nxt)
            if first_term and not has_operator(text[1:]):
                # "= ordering customers" over "× orders per customer": the first term of a formula written down the page
                child = b.metric(Frag(line.text, line.start).cut(line.text.find(text) + 1), avoid=last_head)
                if child is not None:
                    op = {"x": "×", "*": "×", "·": "×", "-": "-", "−": "-"}.get(
                        first_term.group("op").strip(), first_term.group("op").strip()
                    )
                    b.link(last_head, child, "math", (line.start, line.end), operator=op)
                continue
        if section is not None and section.kind == "metric" and section.entry is not None and outline_parent is None:
            outline_parent = section.entry

        if (
            section is not None
            and section.kind == "guardrail"
            and not is_header
            and (line.bullet or len(text.split()) <= 14)
        ):
            reader.guardrail_items(Frag(line.text, line.start))
            continue
        if section is not None and section.kind == "north_star" and not is_header:
            section.kind = "other"
            if not b.declarations:
                first = sentences(line)[0]
                reader.declare_heading(Frag(first.text, first.start))
                stack.append(_Open(line.indent, b.north_star, False)) if b.north_star else None
                if len(sentences(line)) == 1 and _bare(text):
                    continue
        if is_header:
            section = _open_section(line, text, b, reader)
            if section.entry is not None:
                if (
                    outline_parent is not None
                    and not b.has_parent(section.entry)
                    and section.entry is not outline_parent
                ):
                    b.link(outline_parent, section.entry, _line_kind(line, reader), (line.start, line.end))
                stack.append(_Open(line.indent, section.entry, line.arrow_lead is not None))
            if section.kind == "north_star" and (re.search(r":\s*[*_`\"']*\w", text) or POINTED_TOP.match(text)):
                # "## North Star: weekly orders" ("weekly orders <-- north star") names the top in the heading itself.
                before = len(b.declarations)
                for sent in sentences(line):
                    reader.sentence(sent)
                if len(b.declarations) > before:
                    section.kind = "other"
                continue
            if section.kind in ("guardrail", "north_star") or section.entry is not None or not _has_statement(line):
                continue

        head = anchor = None
        read_links = False
        for i, sent in enumerate(sentences(line)):
            read = reader.sentence(sent, strip_arrow_lead=i == 0 and line.arrow_lead is not None, parent=outline_parent)
            read_links = read_links or read.links
            if i == 0:
                head, anchor = read.head, read.anchor or read.head
                if read.guardrails and outline_parent is None:
                    head = anchor = None
        op = _OPERATOR_LEAD.match(text) if line.bullet or line.indent else None
        # "+ new", "+ retained", "- churned": a "-" bullet is a minus only among "+" bullets.
        marker_op = "+" if line.marker == "+" else ("-" if line.marker == "-" and line.indent in plus_indents else None)
        body = Frag(line.text, line.start)
        if head is None and section is not None and section.kind == "metric" and _STAGE_LEAD.match(text):
            stage = _STAGE_LEAD.match(text)
            head = anchor = b.metric(body.cut(stage.end()))
            if head is not None:
                b.stage[id(head)] = stage.group("stage").lower()  # "Offline eval: …" is the offline stage
        if head is None and op is not None and outline_parent is not None:
            head = anchor = b.metric(body.cut(op.end()))
        if (
            head is None
            and section is not None
            and section.kind == "metric"
            and ":" in text
            and _bare(text.split(":")[0])
        ):
            head = anchor = b.metric(Frag(line.text[: line.text.find(":")], line.start))  # "- item: why it matters"
        if (
            head is None
            and line.bullet
            and outline_parent is not None
            and not read_links
            and _label_list(line, text, outline_parent, b, pending_kind or _line_kind(line, reader))
        ):
            continue
        label = _LABELLED.match(text)
        if (
            head is None
            and label
            and _bare(label.group("x"))
            and (outline_parent is not None or line.bullet or line.indent or line.index in opens)
        ):
            head = anchor = b.metric(body.cut(line.text.find(label.group("x"))))  # "Reach: weekly route planners"
        if (
            head is None
            and section is not None
            and section.kind == "metric"
            and line.bullet
            and not read_links
            and outline_parent is not None
        ):
            # A bullet under a metric's header is its child, named before any explanation.
            first = re.split(r",\s|\s[-–—]\s|\s*\(|:\s", text, maxsplit=1)[0]
            head = anchor = b.metric(Frag(first, line.start + line.text.find(first))) if first else None
        if (
            head is None
            and _bare(text)
            and (outline_parent is not None or line.bullet or line.indent or line.arrow_lead or line.index in opens)
        ):
            if line.arrow_lead:
                body = body.cut(line.text.find(line.arrow_lead) + len(line.arrow_lead))
            head = anchor = b.metric(body)
        led = _STAGE_LEAD.match(text)
        if led and head is not None and line.bullet:
            b.stage[id(b.book.resolve(head))] = led.group("stage").lower()  # "- online check: correction rate"
        if head is None:
            last_head = b.north_star if b.north_star is not None and not b.links else last_head
            continue
        last_head = head
        if (
            outline_parent is not None
            and b.book.resolve(head) is not b.book.resolve(outline_parent)
            and not b.has_parent(head)
        ):
            kind = pending_kind or _line_kind(line, reader)
            pending_kind = None
            operator = None
            if op is not None:
                kind, operator = (
                    "math",
                    {"+": "+", "×": "×", "*": "×", "·": "×", "÷": "÷", "−": "-", "-": "-", "x": "×"}[
                        op.group("op").strip()
                    ],
                )
            elif marker_op is not None:
                kind, operator = "math", marker_op
            b.link(
                outline_parent,
                head,
                kind,
                (line.start, line.end),
                operator=operator,
                hypothesis=line.text if kind == "causal" else None,
                formula=line.text.strip() if kind == "math" else None,
            )
        stack.append(_Open(line.indent, anchor or head, line.arrow_lead is not None, line.bullet))
    return b.build()


def _in_section(section: _Section, line: Line, is_header: bool) -> bool:
    if section.line.heading:
        return not (line.heading and _heading_level(line) <= _heading_level(section.line)) and not (
            is_header and not line.bullet
        )
    return (
        line.indent > section.line.indent
        or (line.bullet and not section.line.bullet)
        or (section.kind in ("guardrail", "diagnosis") and not is_header and line.indent >= section.line.indent)
    )


def _heading_level(line: Line) -> int:
    m = re.match(r"\s*(#{1,6})", line.text)
    return len(m.group(1)) if m else 3


def _label_list(line: Line, text: str, parent: NodeEntry, b: Builder, kind: LinkKind) -> bool:
    """ "- upstream from the model: eval pass rate, hallucination rate, latency p95": under a bullet's label that
    names no metric, the metrics listed after the colon hang under the row above."""
    colon = re.match(r"^(?P<label>[^:]{3,60}?):\s+(?=\S)", text)
    if colon is None or b.book.find(colon.group("label")) or "," not in text[colon.end() :]:
        return False
    rest = Frag(line.text, line.start).cut(line.text.find(text) + colon.end())
    listed = [c for c in (b.metric(item, avoid=parent) for item in items(right_end(rest, list_items=True))) if c]
    if len(listed) < 2:
        return False
    for child in listed:
        if not b.has_parent(child):
            b.link(parent, child, kind, (line.start, line.end))
    return True


_CONNECTOR = regexes.compile(r"^[┊¦⋮╎┆│^]+\s*(?P<rest>.*)$")


def _line_kind(line: Line, reader: Reader) -> LinkKind:
    text = line.text
    if line.arrow_lead and re.match(r"^(?:⇠|⇢|<-\s*-)", line.arrow_lead):
        return "causal"
    labelled = reader._label(text)
    if labelled:
        return labelled
    if reader.state.section_kind:
        return reader.state.section_kind
    if family("causal").search(text):
        return "causal"
    return "unlabelled"


_MOVED_HEADER = regexes.compile(
    r"(?:if\s+)?(?P<x>[^,:;]{2,60}?)\s+(?:fell|dropped|declined|is down|went down|broke|moved|shrank|is the one)\b"
    r"[^:]{0,40}?\b(?:cut|split|segment|break|drill|slice|look)\w*(?:\s+(?:it|that|this|into|down))*\s*$",
    re.I,
)


def _open_section(line: Line, text: str, b: Builder, reader: Reader) -> _Section:
    """What a heading or a line ending in ':' opens."""
    body = re.sub(r"^#+\s*|\*\*|__", "", text).rstrip(":").strip()
    st = reader.state
    st.section_kind = None
    st.in_diagnosis = False
    if (family("guardrail").search(body) and len(body.split()) <= 10) or (
        family("must_not").search(body) and len(body.split()) <= 6
    ):
        return _Section(line, "guardrail", None)
    if (
        (family("top").search(body) or family("commit").search(body))
        and not re.search(r"\b(?:is|are|=)\b|[=→←]", body)
        and len(body.split()) <= 12
    ):
        labelled = re.fullmatch(
            r"(?P<x>[^()]{2,80}?)\s*\((?:my|our|the)?\s*(?:north[- ]?star|top|main metric|NS)\)", body, re.I
        )
        if labelled:
            # "Weekly orders (my north star)" over its drivers: the heading names the top and opens its subtree
            for sent in sentences(line):
                reader.sentence(sent)
            if b.north_star is not None:
                return _Section(line, "metric", b.north_star)
        return _Section(line, "north_star", None)
    if family("diagnosis_section").search(body) and not _UNDER_HEADER.match(body + ":"):
        st.in_diagnosis = True
        return _Section(line, "diagnosis", None)
    label = reader._label(body)
    if label is None and family("causal").search(body):
        label = "causal"
    elif label is None and family("math").search(body):
        label = "math"
    st.section_kind = label
    arrow_head = _ARROW_HEADER.match(body)
    if arrow_head:
        # "% retained ⇐ (hypothesis → A/B):", "% ordering 4+ times: what drives it:" - the lines below drive the metric.
        st.section_kind = reader._label(body) or ("causal" if family("causal").search(body) else None)
        name = arrow_head.group("x")
        start = line.start + max(line.text.find(name), 0)
        entry = b.known_metric(Frag(name, start)) if b.book.find(name) else b.metric(Frag(name, start))
        if entry is not None:
            return _Section(line, "metric", entry)
    what = _WHAT_HEADER.match(body)
    if what:
        # "What makes retention better is not math, it's my hypothesis:" - the bullets below drive retention.
        st.section_kind = st.section_kind or ("causal" if family("causal").search(body) else None)
        start = line.start + max(line.text.find(what.group("x")), 0)
        return _Section(line, "metric", b.known_metric(Frag(what.group("x"), start)))
    moved = _MOVED_HEADER.match(body)
    if moved and b.book.find_loose(moved.group("x")) is not None:
        # "Follow rate fell, so cut it:" - the lines below cut the metric that fell.
        return _Section(line, "metric", b.book.find_loose(moved.group("x")))
    under = _UNDER_HEADER.match(body + ":")
    if under:
        name = under.group("x")
        start = line.start + line.text.find(name)
        ref = re.fullmatch(r"(?:it|that|this)(?:\s+(?P<noun>[a-z]+))?", name.strip(), re.I)
        if ref:
            noun = (ref.group("noun") or "").lower()
            named = [e for e in reversed(b.book.entries) if noun and e.name.lower().split()[-1:] == [noun]]
            entry = named[0] if named else st.focus
        else:
            entry = b.known_metric(Frag(name, start))
        return _Section(line, "metric", entry)
    if not _NOT_METRIC_HEADER.search(body) and _bare(body) and clean(body):
        start = line.start + line.text.find(body) if body in line.text else line.start
        return _Section(
            line, "metric", b.known_metric(Frag(body, start)) if b.book.find(body) else b.metric(Frag(body, start))
        )
    return _Section(line, "other", None)


def _has_statement(line: Line) -> bool:
    """A header line that says something besides opening a section ("The metric I'd optimise is X. Below it:")."""
    text = line.text.strip()
    return (
        len(sentences(line)) > 1
        or ":" in text.rstrip(":")
        or bool(re.search(r"[=→←⇐⇒]", text))
        or not _bare(text.rstrip(":"))
    )


def _bare(text: str) -> bool:
    """A line that is only a metric name (an outline row), not a sentence."""
    body = re.sub(r"^(?:<-(?:\s*-)*|←|⇠|⇐|-{1,2}>|→|⟶|⇢|=>|↳)\s*", "", text.strip())
    body = re.sub(r"\s*[(\[][^)\]]*[)\]]\s*\**$", "", body)
    return 0 < len(body.split()) <= 12 and not re.search(
        r"[.!?;:]\s|[=<>→←⇠]|\b(?:I|we|you|is|are|would|should|will|was|were|it's|that's|because|if)\b", body
    )
