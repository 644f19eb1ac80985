"""What the sentence reader carries between sentences, and what its parts share."""

from __future__ import annotations

from dataclasses import dataclass, field

from coach import regexes
from coach.parse.build import Builder
from coach.parse.fragment import Frag
from coach.parse.names import NodeEntry
from coach.parse.words import family
from coach.tree import LinkKind

# "(causal)", "[math]", "*top*": a label on a line, whose words say what the line is.
LABEL = regexes.compile(
    r"\(([^()]{2,120})\)|\[([^\[\]]{2,120})\]|(?<![*\w])\*([^*\n]{2,80})\*(?![*\w])|(?<![_\w])_([^_\n]{2,80})_(?![_\w])"
)


@dataclass
class State:
    """What the reader carries from one sentence to the next."""

    focus: NodeEntry | None = None
    last_items: list[NodeEntry] = field(default_factory=list)
    section_kind: LinkKind | None = None
    in_guardrails: bool = False
    in_diagnosis: bool = False
    diagnosis_line: int = -1
    several_tops_at: int = -1


class ReaderBase:
    """The attributes the reader's parts (declarations, guardrails, steps) read and write."""

    b: Builder
    state: State
    _previous: Frag | None
    _previous_entries: list[NodeEntry]
    _pending_top: bool
    _options: dict[str, Frag]
    _guard_pending: bool
    _guard_list_open: bool

    def _classify(self, text: str, entry: NodeEntry) -> None:
        m = family("input_output").search(text)
        if m and m.lastgroup:
            self.b.node_type[id(self.b.book.resolve(entry))] = m.lastgroup


def mask_labels(frag: Frag) -> Frag:
    text = frag.text
    for m in LABEL.finditer(text):
        inner = next(g for g in m.groups() if g)
        if family("causal").search(inner) or family("math").search(inner):
            text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    return Frag(text, frag.start)
