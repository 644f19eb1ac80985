"""``coach scenarios``, ``coach rubric`` and ``coach schema``: what ships with coach (questions, rubric, tree format)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from coach.cli.app import app
from coach.cli.common import stdout_console, write_stdout


@app.command()
def scenarios(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """The shipped practice questions."""
    from coach.scenarios import load_scenarios

    found = load_scenarios()
    if as_json:
        rows = [
            {
                "id": s.id,
                "title": s.title,
                "kind": s.kind,
                "segment": s.segment,
                "ai_product": s.ai_product,
                "time_limit": s.time_limit,
                "question": s.question,
            }
            for s in found
        ]
        write_stdout(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    from coach.answers import safe_text

    console = stdout_console()
    table = Table(title=f"{len(found)} scenarios", title_justify="left")
    wide = console.width >= 110
    table.add_column("id", no_wrap=True)
    if wide:
        table.add_column("kind", no_wrap=True)
        table.add_column("segment", no_wrap=True)
        table.add_column("AI", no_wrap=True)
    table.add_column("title" if wide else "title · kind · segment · AI")
    for s in found:
        ai = "yes" if s.ai_product else ""
        if wide:
            table.add_row(safe_text(s.id, "bold"), s.kind, s.segment, ai, safe_text(s.title))
        else:
            details = safe_text(s.title)
            details.append(f"\n{s.kind} · {s.segment}" + (" · AI" if s.ai_product else ""), style="dim")
            table.add_row(safe_text(s.id, "bold"), details)
    console.print(table)


@app.command()
def rubric(
    as_json: Annotated[bool, typer.Option("--json", help="Print the rubric as JSON.")] = False,
) -> None:
    """The criteria, weights, applicability and verdict rules in force."""
    from coach.rubric.model import load_rubric

    rb = load_rubric()
    if as_json:
        write_stdout(json.dumps(rb.model_dump(mode="json"), ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    from coach.answers import safe_text

    console = stdout_console()
    applies = {"always": "always", "ai_product": "AI product", "metric_change": "metric change"}
    table = Table(title=safe_text(rb.title), title_justify="left", show_lines=True)
    table.add_column("criterion", no_wrap=True)
    table.add_column("weight", justify="right", no_wrap=True)
    table.add_column("applies")
    table.add_column("passes when")
    for c in rb.criteria:
        name = safe_text(c.id, "bold" if c.core else "")
        name.append("\ncore" if c.core else "\nextended", style="dim")
        table.add_row(
            name, f"{c.weight:g}", applies.get(c.applies, c.applies.replace("_", " ")), safe_text(c.passes_when)
        )
    console.print(table)
    verdicts = Table(title="Verdict (from the applicable core criteria only)", title_justify="left")
    verdicts.add_column("verdict", no_wrap=True)
    verdicts.add_column("rule")
    for name, rule in rb.verdicts.items():
        verdicts.add_row(safe_text(name, "bold"), safe_text(rule))
    console.print(verdicts)


@app.command()
def schema() -> None:
    """The JSON Schema of the tree file format."""
    from coach.tree import Tree

    write_stdout(json.dumps(Tree.model_json_schema(), ensure_ascii=False, indent=2) + "\n")
