"""Coach mode on the command line: ``coach grade``, ``coach review``, ``coach report``, ``coach tree``.

Thin typer commands registered on ``coach.cli.app``; the work is done in
``coach.transcript`` (parsing), ``coach.coaching`` (grading per question),
``coach.overrides`` and ``coach.report``. Like the rest of the CLI, every
import beyond typer happens inside the command (textual only in ``review``),
and errors are ``CoachError`` subclasses: one line on stderr and an exit code.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from coach.answers import STDIN
from coach.cli import KindChoice, app
from coach.cli_model import ModelOpt, NoCacheOpt, OfflineOpt, TimeoutOpt
from coach.errors import EXIT_USAGE, CoachError
from coach.fileio import atomic_write

DEFAULT_TRANSCRIPT_BYTES = 1_000_000


class ReportFormat(StrEnum):
    md = "md"
    html = "html"
    json = "json"


class TreeFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"
    text = "text"


_SUFFIX_FORMAT = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json", ".jsonl": "json"}
_TREE_SUFFIX = {".mmd": "mermaid", ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot", ".svg": "svg", ".txt": "text"}


def _stderr_note(message: str) -> None:
    from coach.answers import terminal_safe

    sys.stderr.write(f"note: {terminal_safe(message)}\n")


def write_output(text: str, output: Path | None) -> None:
    """Text to ``output`` (atomically: a temporary file beside it, then a rename) or to stdout."""
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return
    atomic_write(output, text)
    _stderr_note(f"wrote {output}")


def _pick_format(fmt: str | None, output: Path | None, table: dict[str, str], default: str | None) -> str | None:
    if fmt is not None:
        return fmt
    if output is not None:
        found = table.get(output.suffix.lower())
        if found is None:
            raise CoachError(
                f"{output}: cannot tell the format from the extension; give --format ({', '.join(sorted(set(table.values())))})",
                EXIT_USAGE,
            )
        return found
    return default


def _tree_paths(base: Path, count: int) -> list[Path]:
    if count == 1:
        return [base]
    return [base.with_name(f"{base.stem}-q{i}{base.suffix}") for i in range(1, count + 1)]


def _load_tree(path: Path):
    from coach.datafiles import load_model
    from coach.tree import Tree

    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise CoachError(f"{path}: a tree file is .yaml, .yml or .json", EXIT_USAGE)
    return load_model(Tree, path)


# --- grade ---------------------------------------------------------------------------------------


@app.command()
def grade(
    transcript: Annotated[
        str, typer.Argument(help="The transcript: text with speaker labels, WebVTT, SRT or Markdown; - for stdin.")
    ],
    speaker: Annotated[
        str | None, typer.Option("--speaker", metavar="NAME", help="The candidate's name, when the labels are names.")
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario", "-s", metavar="ID", help="A shipped scenario id; once per question.  [default: matched]"
        ),
    ] = None,
    question: Annotated[
        list[str] | None,
        typer.Option(
            "--question",
            "-q",
            metavar="TEXT",
            help="The question to grade against; once per question.  [default: as asked]",
        ),
    ] = None,
    kind: Annotated[KindChoice | None, typer.Option("--kind", help="The question kind; overrides recognition.")] = None,
    ai_product: Annotated[
        bool | None,
        typer.Option("--ai-product/--no-ai-product", help="Whether the product is AI-powered; overrides recognition."),
    ] = None,
    tree: Annotated[
        list[Path] | None,
        typer.Option(
            "--tree",
            metavar="FILE",
            help="A corrected tree file (from --tree-out) to grade instead; once per question.",
        ),
    ] = None,
    tree_out: Annotated[
        Path | None,
        typer.Option(
            "--tree-out",
            metavar="FILE",
            help="Write the parsed tree here (.yaml or .json; -q2 … added for several questions).",
        ),
    ] = None,
    override: Annotated[
        list[str] | None,
        typer.Option(
            "--override",
            metavar="CRITERION=STATUS",
            help="CRITERION=pass|fail|not_applicable|auto, decided by the coach; N:… for question N.",
        ),
    ] = None,
    note: Annotated[
        list[str] | None,
        typer.Option("--note", metavar="CRITERION=TEXT", help='CRITERION="the coach\'s note"; N:… for question N.'),
    ] = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format", "-f", help="md, html or json (one JSON line per question).  [default: the terminal view]"
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here; the format follows the extension.")
    ] = None,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", min=1, help="Largest transcript accepted, in bytes.", show_default=True)
    ] = DEFAULT_TRANSCRIPT_BYTES,
    answer_id: Annotated[
        str | None, typer.Option("--id", help="The id in the results.  [default: the file's name; -q2 … per question]")
    ] = None,
    model: ModelOpt = None,
    offline: OfflineOpt = False,
    timeout: TimeoutOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Grade a mock-interview transcript: one graded section per question, follow-ups marked prompted."""
    from coach.answers import read_answer, source_name
    from coach.cli import _scenario
    from coach.cli_model import make_grader
    from coach.coaching import SectionInput, build_report, grade_transcript, per_section, record
    from coach.overrides import parse_overrides
    from coach.rubric.model import load_rubric
    from coach.transcript import Section, TranscriptError, parse_transcript, whole_answer

    chosen = _pick_format(fmt.value if fmt else None, output, _SUFFIX_FORMAT, None)
    if tree_out is not None and tree_out.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise CoachError(f"{tree_out}: write the tree to a .yaml, .yml or .json file", EXIT_USAGE)
    rubric = load_rubric()
    overrides = parse_overrides(override or [], note or [], rubric)
    grader = make_grader(model, offline, timeout, no_cache)
    if transcript == STDIN and sys.stdin.isatty():
        sys.stderr.write("Paste the transcript, then press Ctrl-D on a new line.\n")
    text = read_answer(transcript, max_bytes)
    name = source_name(transcript)
    given_scenarios = [_scenario(s) for s in scenario or []]
    questions = list(question or [])

    from coach.scenarios import load_scenarios

    library = load_scenarios()
    follow_up_texts = [s.follow_up for s in rubric.criteria] + [f for s in library for f in s.follow_ups]
    notices: list[str] = []
    try:
        parsed = parse_transcript(text, name=name, speaker=speaker, scenarios=library, follow_up_texts=follow_up_texts)
    except TranscriptError as exc:
        if not (questions or given_scenarios) or speaker is not None:
            raise TranscriptError(f"{name}: {exc.message}") from None
        # Best effort: no labels, but the coach told us the question, so the whole text is the answer.
        from coach.transcript import Transcript

        parsed = Transcript("plain", [], "", [], [Section(1, "", 0, answer=text.strip())])
        notices.append(f"{exc.message.split(':')[0]}: graded the whole file as the candidate's answer")
    else:
        notices.extend(parsed.notices)
        if not parsed.sections:
            if not (questions or given_scenarios):
                raise TranscriptError(
                    f"{name}: no question found: no interviewer turn asks anything. Give the question with "
                    "--question or --scenario to grade the candidate's turns against it"
                )
            parsed.sections = [Section(1, "", 0, answer=whole_answer(parsed))]
            notices.append("no interviewer question found: graded all the candidate's turns against the question given")
    count = len(parsed.sections)
    per_q = per_section(questions, count, "--question")
    per_s = per_section(given_scenarios, count, "--scenario")
    per_t = per_section(tree or [], count, "--tree")
    bad_section = [o.section for o in overrides if o.section is not None and o.section > count]
    if bad_section:
        raise CoachError(f"--override/--note for question {bad_section[0]}, but the transcript has {count}", EXIT_USAGE)
    inputs = []
    for section, q, sc, t in zip(parsed.sections, per_q, per_s, per_t, strict=True):
        found = sc
        if found is None and q is None and section.scenario:
            found = next((s for s in library if s.id == section.scenario), None)
        inputs.append(SectionInput(question=q or section.question, scenario=found, tree=_load_tree(t) if t else None))
    if not any(i.question or i.scenario for i in inputs) and kind is None:
        notices.append("no question to grade against: grading it as a 'measure success' question")
    base_id = answer_id or (Path(transcript).stem if transcript != STDIN else None)
    graded = grade_transcript(
        parsed,
        inputs,
        grader,
        kind=kind.value if kind else None,
        ai_product=ai_product,
        base_id=base_id,
        overrides=overrides,
        rubric=rubric,
    )
    for g, inp in zip(graded, inputs, strict=True):
        if inp.scenario is not None and not per_s[g.section.index - 1]:
            notices.append(f"question {g.section.index}: matched the shipped scenario {inp.scenario.id!r}")
    if tree_out is not None:
        from coach.datafiles import dump_yaml

        for g, path in zip(graded, _tree_paths(tree_out, len(graded)), strict=True):
            if path.suffix.lower() == ".json":
                data = g.result.tree.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
                atomic_write(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            else:
                atomic_write(path, dump_yaml(g.result.tree))
            _stderr_note(f"wrote the tree of question {g.section.index} to {path}")
    candidate = parsed.candidate or None
    if chosen == "json":
        lines = [json.dumps(record(g, source=name, candidate=candidate), ensure_ascii=False) for g in graded]
        for n in notices:
            _stderr_note(n)
        write_output("\n".join(lines) + "\n", output)
        return
    report = build_report(graded, source=name, candidate=candidate, notices=notices)
    if chosen == "md":
        from coach.report.markdown import render_markdown

        write_output(render_markdown(report, rubric), output)
    elif chosen == "html":
        from coach.report.html import render_html

        write_output(render_html(report, rubric), output)
    else:
        from rich.console import Console

        from coach.report.terminal import print_report

        print_report(Console(highlight=False, emoji=False), report, rubric)


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
    chosen = "html" if html else _pick_format(fmt.value if fmt else None, output, _SUFFIX_FORMAT, "md")
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

    chosen = _pick_format(fmt.value if fmt else None, output, _TREE_SUFFIX, "text")
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
        return _load_tree(Path(source))
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
