"""Coach mode after grading: ``coach review`` (step through and override), ``coach report`` (a cohort summary)
and ``coach tree`` (export a KPI tree).

Thin typer commands; every import beyond typer happens inside the command
(textual only in ``review``), and errors are ``CoachError`` subclasses.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from coach.answers import STDIN
from coach.cli.app import app
from coach.cli.common import DEFAULT_TRANSCRIPT_BYTES, SUFFIX_FORMAT, ReportFormat, load_tree, pick_format, write_output
from coach.errors import EXIT_USAGE, CoachError


class TreeFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"
    text = "text"


_TREE_SUFFIX = {".mmd": "mermaid", ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot", ".svg": "svg", ".txt": "text"}


# --- review --------------------------------------------------------------------------------------


@app.command()
def review(
    graded: Annotated[Path, typer.Argument(help="A .jsonl file from `coach batch` or `coach grade --format json`.")],
) -> None:
    """Step through graded answers in the TUI, override criteria with notes; every change is saved at once."""
    from coach.review_file import load_review_file

    doc = load_review_file(graded)  # errors (missing file, no graded records) before textual loads

    from coach.tui.review import run_review

    run_review(doc)


# --- report --------------------------------------------------------------------------------------


@app.command()
def report(
    graded: Annotated[Path, typer.Argument(help="A .jsonl or .csv file from `coach batch`.")],
    html: Annotated[bool, typer.Option("--html", help="The same as --format html.")] = False,
    fmt: Annotated[
        ReportFormat | None, typer.Option("--format", "-f", help="md, html or json.  [default: md, or -o's extension]")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the summary here.")] = None,
    title: Annotated[str, typer.Option("--title", help="The summary's title.")] = "coach cohort summary",
) -> None:
    """A cohort summary of a batch: verdicts, pass rates, weakest criteria, and coach-grader agreement."""
    from coach.report.cohort import read_graded, summarise

    if html and fmt is not None and fmt.value != "html":
        raise CoachError("--html and --format disagree; give one of them", EXIT_USAGE)
    chosen = "html" if html else pick_format(fmt.value if fmt else None, output, SUFFIX_FORMAT, "md")
    rows, errors = read_graded(graded)
    if not rows:
        raise CoachError(
            f"{graded}: no graded records in the file" + (f" ({len(errors)} error records)" if errors else "")
        )
    summary = summarise(rows, errors)
    if chosen == "json":
        from coach.report.cohort_render import cohort_json

        write_output(json.dumps(cohort_json(summary), ensure_ascii=False, indent=2) + "\n", output)
    elif chosen == "html":
        from coach.report.cohort_render import render_cohort_html

        write_output(render_cohort_html(summary, title=title, source=str(graded)), output)
    else:
        from coach.report.cohort_render import render_cohort_markdown

        write_output(render_cohort_markdown(summary, title=title, source=str(graded)), output)


# --- tree ----------------------------------------------------------------------------------------


@app.command("tree")
def tree_command(
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A tree file (.yaml/.json), a graded result (.json), or an answer or transcript (text); - for stdin.",
        ),
    ],
    fmt: Annotated[
        TreeFormat | None,
        typer.Option("--format", "-f", help="mermaid, dot, svg or text.  [default: text, or -o's extension]"),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write it here instead of stdout.")] = None,
    section: Annotated[
        int, typer.Option("--section", min=1, help="For a transcript: which question's answer (1 = the first).")
    ] = 1,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", min=1, help="Largest answer accepted, in bytes.", show_default=True)
    ] = DEFAULT_TRANSCRIPT_BYTES,
) -> None:
    """Export a KPI tree as Mermaid, Graphviz DOT, SVG or a text outline."""
    from coach.report.tree_export import export_tree

    chosen = pick_format(fmt.value if fmt else None, output, _TREE_SUFFIX, "text")
    tree = load_any_tree(source, section, max_bytes)
    text = export_tree(tree, chosen)
    if chosen == "text" and output is None:
        from coach.answers import terminal_safe

        text = terminal_safe(text)
    write_output(text, output)


def load_any_tree(source: str, section: int, max_bytes: int):
    """The tree in a tree file or a graded result, or the tree parsed (offline) from an answer or a transcript."""
    from coach.tree import Tree

    suffix = Path(source).suffix.lower() if source != STDIN else ""
    if suffix in (".yaml", ".yml"):
        return load_tree(Path(source))
    if suffix == ".json":
        from coach.datafiles import read_text, validate

        path = Path(source)
        try:
            data = json.loads(read_text(path))
        except json.JSONDecodeError as exc:
            from coach.errors import DataFileError

            raise DataFileError(f"{path}:{exc.lineno}: malformed JSON: {exc.msg}") from None
        if isinstance(data, dict) and isinstance(data.get("tree"), dict) and "verdict" in data:
            data = data["tree"]  # a graded result
        return validate(Tree, data, str(path))
    from coach.answers import read_answer, source_name
    from coach.parse.offline import parse_answer
    from coach.transcript import TranscriptError, parse_transcript

    text = read_answer(source, max_bytes)
    try:
        parsed = parse_transcript(text, name=source_name(source))
    except TranscriptError:
        parsed = None
    if parsed is not None and parsed.sections and (parsed.interviewers or parsed.format in ("vtt", "srt")):
        if section > len(parsed.sections):
            raise CoachError(f"--section {section}: the transcript has {len(parsed.sections)} question(s)", EXIT_USAGE)
        return parse_answer(parsed.sections[section - 1].combined_answer)
    return parse_answer(text)
