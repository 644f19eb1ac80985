"""Help: every key on every screen (read from the screens' own bindings), and how to read the results."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from coach.tui.widgets.kpi_tree import LEGEND

NAMES = {
    "slash": "/",
    "question_mark": "?",
    "escape": "Esc",
    "enter": "Enter",
    "space": "Space",
    "ctrl+s": "Ctrl+S",
    "ctrl+t": "Ctrl+T",
    "ctrl+q": "Ctrl+Q",
    "down": "↓",
}


def key_name(keys: str) -> str:
    return " / ".join(NAMES.get(k, k.upper() if k.startswith("f") and k[1:].isdigit() else k) for k in keys.split(","))


def _describe(binding: Binding) -> str:
    if binding.tooltip:
        return binding.tooltip
    if binding.description:
        return binding.description
    return binding.action.replace("_", " ")


def key_table() -> Table:
    from coach.tui.app import CoachApp
    from coach.tui.screens.answer import AnswerScreen
    from coach.tui.screens.compare import CompareScreen
    from coach.tui.screens.draft import DraftPrompt
    from coach.tui.screens.history import HistoryScreen
    from coach.tui.screens.pick import PickScreen
    from coach.tui.screens.results import ResultsScreen

    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold")
    table.add_column()
    sections = [
        ("Everywhere", CoachApp.BINDINGS),
        ("Question library", PickScreen.BINDINGS),
        ("Answer and follow-up", AnswerScreen.BINDINGS),
        ("Results", ResultsScreen.BINDINGS),
        ("History", HistoryScreen.BINDINGS),
        ("Compare", CompareScreen.BINDINGS),
        ("Draft offer", DraftPrompt.BINDINGS),
    ]
    for title, bindings in sections:
        table.add_row(Text(title, style="bold underline"), "")
        seen = set()
        for b in bindings:
            if not isinstance(b, Binding) or b.key in ("down",):
                continue
            if b.action.startswith("tab(") and not b.show:
                continue  # covered by the visible "1-6 Tabs" binding
            description = _describe(b)
            if (b.key, description) in seen:
                continue
            seen.add((b.key, description))
            table.add_row(b.key_display or key_name(b.key), description)
        table.add_row("", "")
    table.add_row(Text("Anywhere", style="bold underline"), "")
    table.add_row("Tab, Shift+Tab", "Move between parts of the screen")
    table.add_row("↑ ↓ PgUp PgDn", "Scroll, or move in a list")
    table.add_row("Space, Enter", "In a tree: fold or unfold a branch")
    return table


def reading_guide() -> Text:
    text = Text("Reading the results\n", style="bold underline")
    text.append("Checklist: ✔ PASS, ✘ FAIL, – N/A (not applicable to this question); ")
    text.append("(prompted) means it passed only after the follow-up.\n")
    text.append("Tree links: " + LEGEND + "\n")
    text.append("⚠ flags a cycle or metrics not connected to the north star.\n")
    text.append("Colour only repeats what the words say; NO_COLOR=1 turns it off.\n")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,f1,question_mark", "app.pop_screen", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(Text("coach · keys", style="bold"))
            yield Static(key_table())
            yield Static(reading_guide())
            yield Static(Text("Esc closes this help.", style="italic"))

    def on_mount(self) -> None:
        self.query_one("#help").focus()
