"""``coach practice`` (the TUI), ``coach config`` (the settings in force) and ``coach log`` (the model calls made)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coach.cli.app import app, run_tui
from coach.cli.common import stdout_console, write_stdout
from coach.cli_model import ModelOpt, NoCacheOpt, OfflineOpt, TimeoutOpt
from coach.errors import CoachError

if TYPE_CHECKING:
    from rich.console import Console

    from coach.llm.store import CallRow, ModelTotals


@app.command()
def practice(
    model: ModelOpt = None,
    offline: OfflineOpt = False,
    timeout: TimeoutOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Practise in the terminal UI (the same as `coach` with no command)."""
    run_tui(model, offline, timeout, no_cache)


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
        write_stdout(json.dumps(data, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    from coach.answers import safe_text

    console = stdout_console()
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
        write_stdout(json.dumps(data, ensure_ascii=False) + "\n")
        return
    print_log(stdout_console(), calls, totals)


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
