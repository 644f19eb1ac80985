"""The report in the terminal (rich): every piece of answer text through ``safe_text``, never as markup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coach.answers import safe_text
from coach.overrides import coach_decisions
from coach.report.model import Report, criterion_title, decided_by, status_text
from coach.report.tree_export import to_text
from coach.vocabulary import verdict_banner, verdict_style

if TYPE_CHECKING:
    from rich.console import Console

    from coach.rubric.model import Rubric

_STYLE = {"pass": "bold green", "fail": "bold red", "not_applicable": "dim"}


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def print_report(console: Console, report: Report, rubric: Rubric | None = None, *, show_tree: bool = True) -> None:
    from rich.panel import Panel
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    for notice in report.notices:
        console.print(safe_text(f"note: {notice}", style="yellow"))
    for sec in report.sections:
        r = sec.result
        if sec.heading:
            console.print(Rule(safe_text(sec.heading, style="bold"), align="left"))
        banner = Text()
        banner.append(f" {verdict_banner(r.verdict)} ", style=verdict_style(r.verdict))
        banner.append(f"   score {r.score}/100", style="bold")
        if any(c.source == "coach" for c in r.criteria):
            banner.append("   (with the coach's overrides)", style="magenta")
        console.print(Panel(banner, title="coach", title_align="left", expand=False))
        if r.question:
            where = f" (line {sec.line})" if sec.line else ""
            console.print(Text(f"Question{where}: ", style="bold") + safe_text(r.question))
        if r.scenario:
            console.print(Text("Scenario: ", style="bold") + safe_text(r.scenario))
        if r.notice:
            console.print(safe_text(r.notice, style="yellow"))
        table = Table(expand=False)
        table.add_column("criterion", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("by", no_wrap=True)
        table.add_column("evidence / why / note", overflow="fold")
        core = [c for c in r.criteria if c.core]
        extended = [c for c in r.criteria if not c.core]
        for group in (core, extended):
            for c in group:
                cell = Text()
                for quote in c.evidence[:2]:
                    if cell:
                        cell.append("\n")
                    cell.append("“")
                    cell.append_text(safe_text(_clip(quote), style="italic"))
                    cell.append("”")
                if (c.status != "pass" or not c.evidence) and c.message:
                    if cell:
                        cell.append("\n")
                    cell.append_text(safe_text(c.message, style="dim" if c.status == "not_applicable" else ""))
                if c.note:
                    if cell:
                        cell.append("\n")
                    cell.append("coach's note: ", style="bold magenta")
                    cell.append_text(safe_text(c.note))
                by = Text(decided_by(c), style="bold magenta" if c.source == "coach" else "dim")
                table.add_row(
                    safe_text(c.id, style="bold" if c.core else ""),
                    Text(status_text(c), style=_STYLE[c.status]),
                    by,
                    cell,
                )
            if group is core and extended:
                table.add_section()
        console.print(table)
        decisions = coach_decisions(r)
        if decisions:
            lines = Text()
            for c in decisions:
                if lines:
                    lines.append("\n")
                lines.append(f"{criterion_title(c, rubric)} ({c.id}): {status_text(c)}", style="bold")
                if c.source == "coach":
                    lines.append(f"  (the grader said {c.auto_status})", style="dim")
                if c.note:
                    lines.append(": ")
                    lines.append_text(safe_text(c.note))
            console.print(Panel(lines, title="coach's overrides and notes", title_align="left"))
        if sec.follow_ups:
            qa = Text()
            for fu in sec.follow_ups:
                if qa:
                    qa.append("\n")
                qa.append("Interviewer: ", style="bold")
                qa.append_text(safe_text(_clip(fu.question, 300)))
                qa.append("\nCandidate: ", style="bold")
                qa.append_text(safe_text(_clip(fu.answer, 300) or "(no answer)"))
            console.print(Panel(qa, title="follow-ups", title_align="left"))
        if show_tree:
            console.print(Panel(safe_text(to_text(r.tree).rstrip("\n")), title="KPI tree", title_align="left"))
        if r.feedback:
            stale = any(c.source == "coach" for c in r.criteria)
            title = "feedback (written before the coach's overrides)" if stale else "feedback"
            console.print(Panel(safe_text(r.feedback), title=title, title_align="left"))
