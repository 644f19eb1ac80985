"""Per-criterion pass rates over first answers: which habit to work on next."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from coach.history import PassRate
from coach.rubric.model import Rubric

BAR = 10


def bar(rate: float) -> str:
    filled = round(rate * BAR)
    return "█" * filled + "░" * (BAR - filled)


def pass_rates_renderable(rates: Sequence[PassRate], rubric: Rubric | None) -> RenderableType:
    if not rates:
        return Text("No attempts yet: answer a question to see your habits here.", style="italic")
    titles = {c.id: c.title for c in rubric.criteria} if rubric else {}
    parts: list[RenderableType] = []
    core = [r for r in rates if r.core]
    focus = core[0] if core and core[0].rate < 1 else next((r for r in rates if r.rate < 1), None)
    if focus is not None:
        head = Text("Work on next: ", style="bold")
        head.append(titles.get(focus.criterion_id, focus.criterion_id), style="bold")
        head.append(f" (passed in {focus.passed} of {focus.applicable} first answers)\n")
    else:
        head = Text("Every criterion passed in every first answer so far.\n", style="bold")
    parts.append(head)
    for heading, group in (("Core", core), ("Extended", [r for r in rates if not r.core])):
        if not group:
            continue
        table = Table.grid(padding=(0, 1))
        table.add_column(max_width=42, no_wrap=True, overflow="ellipsis")
        table.add_column(width=BAR, no_wrap=True)
        table.add_column(width=4, justify="right", no_wrap=True)
        table.add_column(width=5, no_wrap=True)
        for r in group:
            table.add_row(
                Text(titles.get(r.criterion_id, r.criterion_id)),
                Text(bar(r.rate), style="bold" if r.core else ""),
                Text(f"{round(100 * r.rate)}%"),
                Text(f"{r.passed}/{r.applicable}"),
            )
        parts.append(Text(heading, style="bold underline"))
        parts.append(table)
        parts.append(Text(""))
    return Group(*parts)


class PassRates(Static):
    DEFAULT_CSS = """
    PassRates { height: auto; padding: 0 1; }
    """

    def show(self, rates: Sequence[PassRate], rubric: Rubric | None) -> None:
        self.update(pass_rates_renderable(rates, rubric))
