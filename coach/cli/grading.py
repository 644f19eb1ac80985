"""``coach score`` (grade one answer) and ``coach parse`` (an answer's KPI tree), and the terminal view of a result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coach.answers import DEFAULT_MAX_BYTES, STDIN
from coach.cli.app import KindChoice, MaxBytes, app
from coach.cli.common import find_scenario, read_input, stderr_console, stdout_console, waiting, write_stdout
from coach.cli_model import ModelOpt, NoCacheOpt, OfflineOpt, TimeoutOpt, grader_for, model_settings
from coach.errors import EXIT_USAGE, CoachError
from coach.vocabulary import verdict_banner, verdict_style

if TYPE_CHECKING:
    from rich.console import Console

    from coach.result import GradeResult


# --- score ---------------------------------------------------------------------------


@app.command()
def score(
    answer: Annotated[
        str | None, typer.Argument(help="The answer file, or - to read stdin.", show_default=False)
    ] = None,
    question: Annotated[str | None, typer.Option("--question", "-q", help="The interview question.")] = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help="A shipped scenario id (see `coach scenarios`).")
    ] = None,
    kind: Annotated[KindChoice | None, typer.Option("--kind", help="The question kind; overrides recognition.")] = None,
    ai_product: Annotated[
        bool | None,
        typer.Option("--ai-product/--no-ai-product", help="Whether the product is AI-powered; overrides recognition."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result object as one line of JSON.")] = False,
    tree: Annotated[
        Path | None,
        typer.Option("--tree", help="Grade this (corrected) tree file instead of parsing the answer.", dir_okay=False),
    ] = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    answer_id: Annotated[
        str | None, typer.Option("--id", help="The id in the result.  [default: the answer file's name]")
    ] = None,
    model: ModelOpt = None,
    offline: OfflineOpt = False,
    timeout: TimeoutOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Grade one answer: verdict, score, criteria and feedback."""
    if answer is None and tree is None:
        raise CoachError("give an answer file, or - to read the answer from stdin (or --tree TREE.yaml)", EXIT_USAGE)
    settings = model_settings(model, offline, timeout, no_cache)
    grade = grader_for(settings)
    text = read_input(answer, max_bytes) if answer is not None else ""

    loaded_tree = None
    if tree is not None:
        from coach.datafiles import load_model
        from coach.tree import Tree

        loaded_tree = load_model(Tree, tree)
    found = find_scenario(scenario) if scenario else None
    if not question and found is None and kind is None:
        stderr_console().print(
            "note: no --question or --scenario given; grading it as a 'measure success' question.",
            markup=False,
            soft_wrap=True,
        )
    with waiting(f"grading with {settings.model_ref}" if settings.use_model else None):
        result = grade(
            text,
            question=question or "",
            scenario=found,
            kind=kind.value if kind else None,
            ai_product=ai_product,
            answer_id=answer_id or (Path(answer).stem if answer not in (None, STDIN) else None),
            tree=loaded_tree,
        )
    if as_json:
        if result.notice:
            # The JSON carries it too; stderr makes a fallback visible to whoever runs the command.
            stderr_console().print(f"note: {result.notice}", markup=False, soft_wrap=True)
        write_stdout(json.dumps(result.to_json_dict(), ensure_ascii=False, sort_keys=False) + "\n")
    else:
        print_result(stdout_console(), result)


_STATUS = {
    "pass": ("✔ pass", "bold green"),
    "fail": ("✘ fail", "bold red"),
    "not_applicable": ("– n/a", "dim"),
}


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def print_result(console: Console, result: GradeResult) -> None:
    """The human view of a graded answer. Everything from the answer goes through ``safe_text``."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from coach.answers import safe_text

    banner = Text()
    banner.append(f" {verdict_banner(result.verdict)} ", style=verdict_style(result.verdict))
    banner.append(f"   score {result.score}/100", style="bold")
    console.print(Panel(banner, title="coach", title_align="left", expand=False))
    if result.question:
        console.print(Text("Question: ", style="bold") + safe_text(result.question))
    if result.notice:
        console.print(safe_text(result.notice, style="yellow"))

    table = Table(expand=False)
    table.add_column("criterion", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("evidence / why", overflow="fold")
    core = [c for c in result.criteria if c.core]
    extended = [c for c in result.criteria if not c.core]
    for group in (core, extended):
        for c in group:
            label, style = _STATUS[c.status]
            cell = Text()
            for quote in c.evidence[:2]:
                if cell:
                    cell.append("\n")
                cell.append("“")
                cell.append_text(safe_text(_clip(quote), style="italic"))
                cell.append("”")
            if c.status != "pass" or not c.evidence:
                if cell and c.message:
                    cell.append("\n")
                cell.append_text(safe_text(c.message, style="dim" if c.status == "not_applicable" else ""))
            name = safe_text(c.id, style="bold" if c.core else "")
            table.add_row(name, Text(label, style=style), cell)
        if group is core and extended:
            table.add_section()
    console.print(table)
    if result.feedback:
        console.print(Panel(safe_text(result.feedback), title="feedback", title_align="left"))


# --- parse ---------------------------------------------------------------------------


@app.command()
def parse(
    answer: Annotated[str, typer.Argument(help="The answer file, or - to read stdin.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the tree here (.yaml, .yml or .json) instead of stdout."),
    ] = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
) -> None:
    """Parse an answer into its KPI tree (YAML by default) for a coach to read and correct."""
    suffix = output.suffix.lower() if output else ".yaml"
    if suffix not in (".yaml", ".yml", ".json"):
        raise CoachError(f"{output}: write the tree to a .yaml, .yml or .json file", EXIT_USAGE)
    text = read_input(answer, max_bytes)

    from coach.parse.offline import parse_answer

    tree = parse_answer(text)
    if suffix == ".json":
        data = tree.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        rendered = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        from coach.datafiles import dump_yaml

        rendered = dump_yaml(tree)
    if output is None:
        write_stdout(rendered)
        return
    try:
        output.write_text(rendered, encoding="utf-8")
    except OSError as exc:
        raise CoachError(f"{output}: cannot write: {exc.strerror or exc}") from None
    stderr_console().print(f"wrote {output}", markup=False)
