"""The ``coach`` command line (``coach ...`` and ``python -m coach ...``).

Start-up time matters (``coach score`` must finish in well under half a
second), so this module imports only typer at the top. Each command imports
what it needs inside itself, and nothing on the scoring path imports textual,
langchain or openai (tests/test_imports.py proves it).

Errors: a ``CoachError`` prints its message on stderr and exits with its code;
Ctrl-C exits 130; anything else is an internal error in one line (set
``COACH_DEBUG=1`` for the traceback). No traceback reaches a user otherwise.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coach.answers import DEFAULT_MAX_BYTES, STDIN
from coach.cli_model import ModelOpt, NoCacheOpt, OfflineOpt, TimeoutOpt, grader_for, model_settings
from coach.errors import EXIT_USAGE, CoachError

EXIT_INTERNAL = 70  # an unexpected error in coach itself (EX_SOFTWARE)

if TYPE_CHECKING:
    from rich.console import Console

    from coach.llm.store import CallRow, ModelTotals
    from coach.result import GradeResult

app = typer.Typer(
    name="coach",
    help="A terminal interview coach and KPI-tree critic for product-manager candidates. "
    "With no command, opens the practice TUI.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class KindChoice(StrEnum):
    measure_success = "measure_success"
    metric_drop = "metric_drop"
    conflicting_metrics = "conflicting_metrics"
    north_star = "north_star"


MaxBytes = Annotated[
    int,
    typer.Option("--max-bytes", min=1, help="Largest answer accepted, in bytes.", show_default=True),
]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"coach {version('coach')}")
        except PackageNotFoundError:
            typer.echo("coach (not installed)")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    show_version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    model: ModelOpt = None,
    offline: OfflineOpt = False,
    timeout: TimeoutOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    if ctx.invoked_subcommand is None:
        _run_tui(model, offline, timeout, no_cache)
    elif model is not None or offline or timeout is not None or no_cache:
        # Only the TUI reads them here; a command's own options are given after its name.
        raise CoachError(
            f"give --model, --offline, --timeout and --no-cache after the command: coach {ctx.invoked_subcommand} ...",
            EXIT_USAGE,
        )


def _run_tui(model: str | None, offline: bool, timeout: float | None, no_cache: bool) -> None:
    settings = model_settings(model, offline, timeout, no_cache)
    if settings.use_model:
        from coach.llm.client import check_model

        check_model(settings)
    from coach.tui.app import run

    run(settings=settings)


def _stdout() -> Console:
    from rich.console import Console

    return Console(highlight=False, emoji=False)


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


def _read(answer: str, max_bytes: int) -> str:
    from coach.answers import read_answer

    if answer == STDIN and sys.stdin.isatty():
        sys.stderr.write("Type or paste the answer, then press Ctrl-D on a new line.\n")
    return read_answer(answer, max_bytes)


def _write_stdout(text: str) -> None:
    """UTF-8 to stdout whatever the locale, for machine-readable output."""
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


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
    text = _read(answer, max_bytes) if answer is not None else ""

    loaded_tree = None
    if tree is not None:
        from coach.datafiles import load_model
        from coach.tree import Tree

        loaded_tree = load_model(Tree, tree)
    found = _scenario(scenario) if scenario else None
    if not question and found is None and kind is None:
        _stderr().print(
            "note: no --question or --scenario given; grading it as a 'measure success' question.",
            markup=False,
            soft_wrap=True,
        )
    with _waiting(f"grading with {settings.model_ref}" if settings.use_model else None):
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
            _stderr().print(f"note: {result.notice}", markup=False, soft_wrap=True)
        _write_stdout(json.dumps(result.to_json_dict(), ensure_ascii=False, sort_keys=False) + "\n")
    else:
        print_result(_stdout(), result)


@contextmanager
def _waiting(message: str | None) -> Iterator[None]:
    """A spinner on a terminal's stderr while a model works; nothing offline, where grading is instant."""
    if message is None or not sys.stderr.isatty():
        yield
        return
    with _stderr().status(message):
        yield


def _scenario(scenario_id: str):
    """The scenario by id. Tries ``<id>.yaml`` alone first: loading the whole library costs ~20 ms a file."""
    import re

    from coach.scenarios import get_scenario

    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", scenario_id):
        from coach.datafiles import data_dir, load_model
        from coach.scenarios import Scenario

        path = data_dir("scenarios") / f"{scenario_id}.yaml"
        if path.is_file():
            found = load_model(Scenario, path)
            if found.id == scenario_id:
                return found
    return get_scenario(scenario_id)


_STATUS = {
    "pass": ("✔ pass", "bold green"),
    "fail": ("✘ fail", "bold red"),
    "not_applicable": ("– n/a", "dim"),
}
_VERDICT_STYLE = {
    "strong_hire": "bold white on green",
    "hire": "bold black on bright_green",
    "no_hire": "bold black on yellow",
    "strong_no_hire": "bold white on red",
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
    banner.append(f" {result.verdict.replace('_', ' ').upper()} ", style=_VERDICT_STYLE.get(result.verdict, "bold"))
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
    text = _read(answer, max_bytes)

    from coach.parse.offline import parse_answer

    tree = parse_answer(text)
    if suffix == ".json":
        data = tree.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        rendered = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        from coach.datafiles import dump_yaml

        rendered = dump_yaml(tree)
    if output is None:
        _write_stdout(rendered)
        return
    try:
        output.write_text(rendered, encoding="utf-8")
    except OSError as exc:
        raise CoachError(f"{output}: cannot write: {exc.strerror or exc}") from None
    _stderr().print(f"wrote {output}", markup=False)


# --- batch ---------------------------------------------------------------------------


@app.command()
def batch(
    infile: Annotated[str, typer.Argument(metavar="IN", help="Answers: a .jsonl or .csv file.")],
    out: Annotated[str, typer.Option("--out", "-o", help="Results: a .jsonl or .csv file (resumed if it exists).")],
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Worker processes offline; answers graded at once with a model.  "
            "[default: CPU count offline, 8 (or COACH_JOBS, or the config file) with a model]",
            show_default=False,
        ),
    ] = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    retry_errors: Annotated[
        bool, typer.Option("--retry-errors", help="Drop earlier error records from OUT and grade those rows again.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar and no summary; errors only.")] = False,
    model: ModelOpt = None,
    offline: OfflineOpt = False,
    timeout: TimeoutOpt = None,
    no_cache: NoCacheOpt = False,
    provider_batch: Annotated[
        bool,
        typer.Option(
            "--provider-batch",
            help="Send the model requests through the OpenAI Batch API (half the price, results within 24 h; "
            "resumable).",
        ),
    ] = False,
) -> None:
    """Grade a file of answers (JSONL or CSV), streaming, in parallel, resumably."""
    from coach.batch import run_batch

    settings = model_settings(model, offline, timeout, no_cache, jobs=jobs)
    code = run_batch(
        infile,
        out,
        jobs=jobs,
        max_bytes=max_bytes,
        retry_errors=retry_errors,
        quiet=quiet,
        settings=settings,
        provider_batch=provider_batch,
    )
    if code:
        raise typer.Exit(code)


# --- scenarios, rubric, schema, practice ----------------------------------------------


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
        _write_stdout(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    from coach.answers import safe_text

    console = _stdout()
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
        _write_stdout(json.dumps(rb.model_dump(mode="json"), ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    from coach.answers import safe_text

    console = _stdout()
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

    _write_stdout(json.dumps(Tree.model_json_schema(), ensure_ascii=False, indent=2) + "\n")


@app.command()
def practice(
    model: ModelOpt = None,
    offline: OfflineOpt = False,
    timeout: TimeoutOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Practise in the terminal UI (the same as `coach` with no command)."""
    _run_tui(model, offline, timeout, no_cache)


# --- config, log ---------------------------------------------------------------------


@app.command()
def config(
    as_json: Annotated[bool, typer.Option("--json", help="Print the settings as JSON.")] = False,
) -> None:
    """The model settings in force and where each came from (flag, environment, config file). Never the key."""
    from coach.settings import describe_settings

    rows = describe_settings()
    if as_json:
        data = [{"name": r.name, "value": r.value, "source": r.source} for r in rows]
        _write_stdout(json.dumps(data, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    from coach.answers import safe_text

    console = _stdout()
    wide = console.width >= 120
    table = Table(title="Settings (flags, then the environment, then the config file)", title_justify="left")
    table.add_column("setting", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_column("from", overflow="fold")
    if wide:
        table.add_column("meaning", style="dim")
    for r in rows:
        value = r.value
        if r.name == "config_file" and not Path(value).is_file():
            value += " (no such file)"
        cells = [safe_text(r.name, "bold"), safe_text(value), safe_text(r.source)]
        table.add_row(*cells, *([safe_text(r.description)] if wide else []))
    console.print(table)


@app.command()
def log(
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="How many recent calls to list.")] = 20,
    model: Annotated[str | None, typer.Option("--model", help="Only the calls to this model (as listed).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the totals and the calls as JSON.")] = False,
) -> None:
    """The model calls coach made (newest first), and the tokens used per model."""
    import sqlite3
    from dataclasses import asdict

    from coach.llm.store import default_path, list_calls, totals_by_model

    try:
        calls = list_calls(limit, model=model)
        totals = totals_by_model()
    except (OSError, sqlite3.Error) as exc:
        raise CoachError(f"{default_path()}: cannot read the model log: {exc}") from None
    if as_json:
        data = {
            "totals": [{**asdict(t), "tokens": t.tokens} for t in totals],
            "calls": [asdict(c) for c in calls],
        }
        _write_stdout(json.dumps(data, ensure_ascii=False) + "\n")
        return
    print_log(_stdout(), calls, totals)


def print_log(console: Console, calls: list[CallRow], totals: list[ModelTotals]) -> None:
    """``coach log``'s view: tokens per model, then the recent calls."""
    from datetime import datetime

    from rich.table import Table
    from rich.text import Text

    from coach.answers import safe_text

    if not totals:
        console.print("No model calls logged yet. Grading offline makes none.", markup=False)
        return
    per_model = Table(title="Tokens per model", title_justify="left")
    per_model.add_column("model", overflow="fold", min_width=16)
    for name in ("requests", "cache hits", "errors", "tokens (in / out)"):
        per_model.add_column(name, justify="right")
    for t in totals:
        per_model.add_row(
            safe_text(t.model),
            f"{t.requests:,}",
            f"{t.cache_hits:,}",
            f"{t.errors:,}",
            f"{t.tokens:,} ({t.input_tokens:,} / {t.output_tokens:,})",
        )
    console.print(per_model)
    if not calls:
        return
    # With one model, the table above already names it; the column would only squeeze the others.
    show_model = len({c.model for c in calls}) > 1
    recent = Table(title=f"The {len(calls)} most recent calls", title_justify="left")
    recent.add_column("time", no_wrap=True)
    if show_model:
        recent.add_column("model", overflow="fold")
    recent.add_column("prompt")
    recent.add_column("tokens in/out", justify="right")
    recent.add_column("ms", justify="right")
    recent.add_column("answer", overflow="fold")
    recent.add_column("result", overflow="fold")
    for c in calls:
        if c.cache_hit:
            outcome = Text("cache hit", style="dim")
        elif c.error:
            outcome = safe_text(c.error, style="red")
        else:
            outcome = Text("ok", style="green")
        if c.attempt > 1:
            outcome.append(f" (attempt {c.attempt})", style="dim")
        cells = [Text(datetime.fromtimestamp(c.ts).strftime("%m-%d %H:%M:%S"))]
        if show_model:
            cells.append(safe_text(c.model))
        cells += [
            safe_text(f"{c.prompt} v{c.prompt_version}"),
            Text(f"{c.input_tokens:,}/{c.output_tokens:,}"),
            Text(f"{c.latency_ms:,}"),
            safe_text(c.answer_id or "-"),
            outcome,
        ]
        recent.add_row(*cells)
    console.print(recent)


# --- entry point ---------------------------------------------------------------------


def _fail(message: str) -> None:
    from coach.answers import terminal_safe

    try:
        sys.stderr.write(f"Error: {terminal_safe(message)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every failure becomes a message and an exit code, never a traceback."""
    try:
        app(args=argv, prog_name="coach")
    except CoachError as exc:
        _fail(exc.message)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (``coach scenarios | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("COACH_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        _fail(f"internal error: {type(exc).__name__}: {exc} (set COACH_DEBUG=1 for the traceback)")
        sys.exit(EXIT_INTERNAL)


from coach import cli_coach  # noqa: E402,F401  (registers grade, review, report, tree)
