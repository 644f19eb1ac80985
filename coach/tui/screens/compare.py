"""Compare two attempts at the same question: criteria that flipped, metrics added or dropped, both trees."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from coach import history
from coach.tui.safe import one_line
from coach.tui.screens.base import CoachScreen
from coach.tui.screens.history import short_time
from coach.tui.widgets.kpi_tree import LEGEND, KpiTree
from coach.vocabulary import VERDICT


def comparison_text(cmp: history.Comparison, titles: dict[str, str]) -> Text:
    text = Text()
    text.append("Verdict ", style="bold")
    text.append(f"{VERDICT[cmp.before.verdict].words} → {VERDICT[cmp.after.verdict].words}")
    sign = "+" if cmp.score_delta >= 0 else ""
    text.append("   Score ", style="bold")
    text.append(f"{cmp.before.score} → {cmp.after.score} ({sign}{cmp.score_delta})")
    if not cmp.flipped:
        text.append("\nNo criterion changed status.", style="dim")
    for f in cmp.flipped:
        if not f.core:
            continue
        text.append(f"\n{_arrow(f.before, f.after)} ", style="bold")
        text.append(titles.get(f.criterion_id, f.criterion_id))
    extended = [f for f in cmp.flipped if not f.core]
    if extended:
        up = [titles.get(f.criterion_id, f.criterion_id) for f in extended if f.after == "pass"]
        down = [titles.get(f.criterion_id, f.criterion_id) for f in extended if f.before == "pass"]
        if up:
            text.append("\nExtended now passing: ", style="bold")
            text.append("; ".join(up))
        if down:
            text.append("\nExtended now failing: ", style="bold")
            text.append("; ".join(down))
    text.append("\nMetrics added: ", style="bold")
    text.append(", ".join(one_line(m) for m in cmp.metrics_added) or "none")
    text.append("\nMetrics dropped: ", style="bold")
    text.append(", ".join(one_line(m) for m in cmp.metrics_dropped) or "none")
    text.append(f"\nTrees below: {LEGEND}", style="dim")
    return text


def _arrow(before: str, after: str) -> str:
    word = {"pass": "PASS", "fail": "FAIL", "not_applicable": "N/A"}
    mark = "✔" if after == "pass" else "✘" if after == "fail" else "–"
    return f"{mark} {word[before]} → {word[after]}:"


class CompareScreen(CoachScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("question_mark", "app.help", "Help", show=False),
    ]

    def __init__(self, before: history.Attempt, after: history.Attempt, *, title: str = "") -> None:
        super().__init__()
        self.before = before
        self.after = after
        self.title_text = title
        self.comparison = history.compare(before.result, after.result)

    def compose(self) -> ComposeResult:
        top = Text("Compare", style="bold")
        if self.title_text:
            top.append(f" · {self.title_text}", style="bold")
        top.append(f" · {short_time(self.before.created_at)} vs {short_time(self.after.created_at)}", style="dim")
        yield Static(top, classes="topbar")
        titles = {c.id: c.title for c in self.coach.rubric.criteria}
        with VerticalScroll(id="compare-summary"):
            yield Static(comparison_text(self.comparison, titles))
        with Horizontal(id="compare-trees"):
            with Vertical(classes="side"):
                yield Static(
                    Text(f"Before · {short_time(self.before.created_at)} · {self.before.score}/100", style="bold"),
                    classes="side-title",
                )
                yield KpiTree(self.before.result.tree, legend=False, id="tree-before")
            with Vertical(classes="side"):
                yield Static(
                    Text(f"After · {short_time(self.after.created_at)} · {self.after.score}/100", style="bold"),
                    classes="side-title",
                )
                yield KpiTree(self.after.result.tree, legend=False, id="tree-after")
        yield Footer()
