"""The draft offer: reopening a scenario with an unsent answer asks whether to restore it."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from coach.history import Draft
from coach.scenarios import Scenario
from coach.tui.safe import one_line


def ago(then: float, now: float) -> str:
    seconds = max(0, int(now - then))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(then))


class DraftPrompt(ModalScreen[str | None]):
    """Dismisses with "restore", "fresh" (discard the draft) or None (cancel)."""

    BINDINGS = [
        Binding("r,enter", "choose('restore')", "Restore draft"),
        Binding("n", "choose('fresh')", "Start over"),
        Binding("escape", "choose(None)", "Cancel"),
    ]

    def __init__(self, scenario: Scenario, draft: Draft, *, now: float) -> None:
        super().__init__()
        self.scenario = scenario
        self.draft = draft
        self._now = now

    def compose(self) -> ComposeResult:
        words = len(self.draft.text.split())
        first = one_line(self.draft.text)
        preview = first[:160] + ("…" if len(first) > 160 else "")
        text = Text("You have an unsent answer\n", style="bold")
        text.append(one_line(self.scenario.title), style="italic")
        text.append(f"\n{words} words, saved {ago(self.draft.updated_at, self._now)}\n\n", style="dim")
        text.append(preview)
        with Vertical(id="dialog", classes="dialog"):
            yield Static(text)
            with Horizontal(classes="buttons"):
                yield Button("Restore (r)", id="restore", variant="primary", compact=True)
                yield Button("Start over (n)", id="fresh", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        choice = event.button.id
        self.dismiss(None if choice == "cancel" else choice)

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
