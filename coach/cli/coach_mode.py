"""``coach grade``: a mock-interview transcript graded one section per question, follow-ups marked prompted.

A thin typer command; the work is done in ``coach.transcript`` (parsing),
``coach.coaching`` (grading per question), ``coach.overrides`` and
``coach.report``. Like the rest of the CLI, every import beyond typer happens
inside the command, and errors are ``CoachError`` subclasses: one line on
stderr and an exit code. ``coach.cli.coach_results`` holds the other
coach-mode commands (review, report, tree).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coach.answers import STDIN
from coach.cli.app import KindChoice, app
from coach.cli.common import (
    DEFAULT_TRANSCRIPT_BYTES,
    SUFFIX_FORMAT,
    ReportFormat,
    find_scenario,
    load_tree,
    pick_format,
    stderr_note,
    write_output,
)
from coach.cli_model import ModelOpt, NoCacheOpt, OfflineOpt, TimeoutOpt
from coach.errors import EXIT_USAGE, CoachError
from coach.fileio import atomic_write

if TYPE_CHECKING:
    from coach.coaching import GradedSection, SectionInput
    from coach.overrides import Override
    from coach.rubric.model import Rubric
    from coach.scenarios import Scenario
    from coach.transcript import Transcript


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
    from coach.answers import source_name
    from coach.cli_model import make_grader
    from coach.coaching import grade_transcript
    from coach.overrides import parse_overrides
    from coach.rubric.model import load_rubric
    from coach.scenarios import load_scenarios

    chosen = pick_format(fmt.value if fmt else None, output, SUFFIX_FORMAT, None)
    if tree_out is not None and tree_out.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise CoachError(f"{tree_out}: write the tree to a .yaml, .yml or .json file", EXIT_USAGE)
    rubric = load_rubric()
    overrides = parse_overrides(override or [], note or [], rubric)
    grader = make_grader(model, offline, timeout, no_cache)
    text = _read_transcript(transcript, max_bytes)
    name = source_name(transcript)
    given_scenarios = [find_scenario(s) for s in scenario or []]
    questions = list(question or [])
    library = load_scenarios()
    parsed, notices = _parse_transcript(text, name, speaker, library, rubric, given=bool(questions or given_scenarios))
    inputs, scenario_given = _section_inputs(parsed, questions, given_scenarios, tree or [], overrides, library)
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
        if inp.scenario is not None and not scenario_given[g.section.index - 1]:
            notices.append(f"question {g.section.index}: matched the shipped scenario {inp.scenario.id!r}")
    if tree_out is not None:
        _write_trees(graded, tree_out)
    _write_results(
        graded, chosen, output, source=name, candidate=parsed.candidate or None, notices=notices, rubric=rubric
    )


def _read_transcript(transcript: str, max_bytes: int) -> str:
    """The transcript file's text, or stdin's for ``-`` (with a hint on a terminal)."""
    from coach.answers import read_answer

    if transcript == STDIN and sys.stdin.isatty():
        sys.stderr.write("Paste the transcript, then press Ctrl-D on a new line.\n")
    return read_answer(transcript, max_bytes)


def _parse_transcript(
    text: str, name: str, speaker: str | None, library: tuple[Scenario, ...], rubric: Rubric, *, given: bool
) -> tuple[Transcript, list[str]]:
    """The transcript's sections and the notices about them.

    When the coach ``given`` the question (--question or --scenario), a text
    without labels or without an interviewer question is graded whole as the
    candidate's answer instead of refused.
    """
    from coach.transcript import Section, TranscriptError, parse_transcript, whole_answer

    follow_up_texts = [s.follow_up for s in rubric.criteria] + [f for s in library for f in s.follow_ups]
    notices: list[str] = []
    try:
        parsed = parse_transcript(text, name=name, speaker=speaker, scenarios=library, follow_up_texts=follow_up_texts)
    except TranscriptError as exc:
        if not given or speaker is not None:
            raise TranscriptError(f"{name}: {exc.message}") from None
        # Best effort: no labels, but the coach told us the question, so the whole text is the answer.
        from coach.transcript import Transcript

        parsed = Transcript("plain", [], "", [], [Section(1, "", 0, answer=text.strip())])
        notices.append(f"{exc.message.split(':')[0]}: graded the whole file as the candidate's answer")
    else:
        notices.extend(parsed.notices)
        if not parsed.sections:
            if not given:
                raise TranscriptError(
                    f"{name}: no question found: no interviewer turn asks anything. Give the question with "
                    "--question or --scenario to grade the candidate's turns against it"
                )
            parsed.sections = [Section(1, "", 0, answer=whole_answer(parsed))]
            notices.append("no interviewer question found: graded all the candidate's turns against the question given")
    return parsed, notices


def _section_inputs(
    parsed: Transcript,
    questions: list[str],
    given_scenarios: list[Scenario],
    trees: list[Path],
    overrides: list[Override],
    library: tuple[Scenario, ...],
) -> tuple[list[SectionInput], list[Scenario | None]]:
    """What to grade each section against, and the scenario given by hand per section (None: none given).

    The options given once per question are checked against the number of
    sections; a section with neither a question nor a scenario given uses the
    shipped scenario its question matched, if any.
    """
    from coach.coaching import SectionInput, per_section

    count = len(parsed.sections)
    per_q = per_section(questions, count, "--question")
    per_s = per_section(given_scenarios, count, "--scenario")
    per_t = per_section(trees, count, "--tree")
    bad_section = [o.section for o in overrides if o.section is not None and o.section > count]
    if bad_section:
        raise CoachError(f"--override/--note for question {bad_section[0]}, but the transcript has {count}", EXIT_USAGE)
    inputs = []
    for section, q, sc, t in zip(parsed.sections, per_q, per_s, per_t, strict=True):
        found = sc
        if found is None and q is None and section.scenario:
            found = next((s for s in library if s.id == section.scenario), None)
        inputs.append(SectionInput(question=q or section.question, scenario=found, tree=load_tree(t) if t else None))
    return inputs, per_s


def _write_trees(graded: list[GradedSection], tree_out: Path) -> None:
    """Each question's parsed tree to ``tree_out`` (-q1, -q2 … added for several), YAML or JSON by its extension."""
    from coach.datafiles import dump_yaml

    for g, path in zip(graded, _tree_paths(tree_out, len(graded)), strict=True):
        if path.suffix.lower() == ".json":
            data = g.result.tree.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
            atomic_write(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            atomic_write(path, dump_yaml(g.result.tree))
        stderr_note(f"wrote the tree of question {g.section.index} to {path}")


def _tree_paths(base: Path, count: int) -> list[Path]:
    if count == 1:
        return [base]
    return [base.with_name(f"{base.stem}-q{i}{base.suffix}") for i in range(1, count + 1)]


def _write_results(
    graded: list[GradedSection],
    chosen: str | None,
    output: Path | None,
    *,
    source: str,
    candidate: str | None,
    notices: list[str],
    rubric: Rubric,
) -> None:
    """The graded questions as JSON lines, Markdown, HTML or (``chosen`` None) the terminal view."""
    from coach.coaching import build_report, record

    if chosen == "json":
        lines = [json.dumps(record(g, source=source, candidate=candidate), ensure_ascii=False) for g in graded]
        for n in notices:
            stderr_note(n)
        write_output("\n".join(lines) + "\n", output)
        return
    report = build_report(graded, source=source, candidate=candidate, notices=notices)
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
