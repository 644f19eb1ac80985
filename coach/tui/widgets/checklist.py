"""The rubric checklist: each criterion pass / fail / not applicable, with the candidate's own words.

Status is spelled out (PASS / FAIL / N/A, plus "prompted") next to a symbol,
so it reads the same in monochrome. Evidence quotes are shown literally.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from coach.result import CriterionResult, GradeResult
from coach.rubric.model import Rubric
from coach.tui.safe import literal, one_line

STATUS = {
    "pass": ("✔ PASS", "bold green"),
    "fail": ("✘ FAIL", "bold red"),
    "not_applicable": ("– N/A", "dim"),
}


def status_text(c: CriterionResult) -> Text:
    word, style = STATUS[c.status]
    text = Text(word, style=style)
    if c.prompted:
        text.append("\n(prompted)", style="italic")
    if c.source == "coach":
        text.append("\n(coach)", style="italic")
    return text


def criterion_body(c: CriterionResult, rubric: Rubric | None, *, show_fix: bool = True) -> Text:
    spec = next((s for s in rubric.criteria if s.id == c.id), None) if rubric else None
    body = Text(spec.title if spec else c.id, style="bold")
    for quote in c.evidence[:3]:
        body.append("\n  “")
        body.append_text(literal(one_line(quote), style="italic"))
        body.append("”")
    if len(c.evidence) > 3:
        body.append(f"\n  … and {len(c.evidence) - 3} more quotes", style="dim")
    if c.message and c.status != "not_applicable":
        body.append("\n")
        body.append_text(literal(c.message, style="dim"))
    if c.note:
        body.append("\nCoach: ", style="bold")
        body.append_text(literal(c.note))
    if show_fix and spec and c.status == "fail":
        body.append("\nFix: ", style="bold")
        body.append(spec.fix)
    if c.status == "not_applicable":
        body.append(f"  {literal(c.message).plain or 'not applicable'}", style="dim")
    return body


def checklist_renderable(result: GradeResult, rubric: Rubric | None) -> Group:
    parts = []
    for heading, core in (
        ("Core criteria: these decide the verdict", True),
        ("Extended: coaching notes and the score", False),
    ):
        rows = [c for c in result.criteria if c.core == core]
        if not rows:
            continue
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(width=11, no_wrap=True)
        table.add_column(ratio=1)
        for c in rows:
            table.add_row(status_text(c), criterion_body(c, rubric, show_fix=core))
        parts.append(Text(heading, style="bold underline"))
        parts.append(table)
        parts.append(Text(""))
    return Group(*parts)


class Checklist(Static):
    DEFAULT_CSS = """
    Checklist { height: auto; padding: 0 1; }
    """

    def show(self, result: GradeResult, rubric: Rubric | None) -> None:
        self.update(checklist_renderable(result, rubric))
