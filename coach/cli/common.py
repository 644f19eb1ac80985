"""Helpers the command modules share: consoles, reading input, writing output, scenarios, error lines.

Only the standard library and small coach modules at the top; rich is
imported inside the functions that make a console.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from coach.answers import STDIN
from coach.errors import EXIT_USAGE, CoachError
from coach.fileio import atomic_write

if TYPE_CHECKING:
    from rich.console import Console

    from coach.scenarios import Scenario
    from coach.tree import Tree


def stdout_console() -> Console:
    from rich.console import Console

    return Console(highlight=False, emoji=False)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


def read_input(answer: str, max_bytes: int) -> str:
    """An answer file's text, or stdin's for ``-`` (with a hint on a terminal)."""
    from coach.answers import read_answer

    if answer == STDIN and sys.stdin.isatty():
        sys.stderr.write("Type or paste the answer, then press Ctrl-D on a new line.\n")
    return read_answer(answer, max_bytes)


def write_stdout(text: str) -> None:
    """UTF-8 to stdout whatever the locale, for machine-readable output."""
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def stderr_note(message: str) -> None:
    from coach.answers import terminal_safe

    sys.stderr.write(f"note: {terminal_safe(message)}\n")


def write_output(text: str, output: Path | None) -> None:
    """Text to ``output`` (atomically: a temporary file beside it, then a rename) or to stdout."""
    if output is None:
        write_stdout(text)
        return
    atomic_write(output, text)
    stderr_note(f"wrote {output}")


@contextmanager
def waiting(message: str | None) -> Iterator[None]:
    """A spinner on a terminal's stderr while a model works; nothing offline, where grading is instant."""
    if message is None or not sys.stderr.isatty():
        yield
        return
    with stderr_console().status(message):
        yield


def find_scenario(scenario_id: str) -> Scenario:
    """The scenario by id. Tries ``<id>.yaml`` alone first: loading the whole library costs ~20 ms a file."""
    import re

    from coach.scenarios import get_scenario

    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", scenario_id):
        from coach.datafiles import load_model, package_data_dir
        from coach.scenarios import Scenario

        path = package_data_dir("scenarios") / f"{scenario_id}.yaml"
        if path.is_file():
            found = load_model(Scenario, path)
            if found.id == scenario_id:
                return found
    return get_scenario(scenario_id)


class ReportFormat(StrEnum):
    md = "md"
    html = "html"
    json = "json"


SUFFIX_FORMAT = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json", ".jsonl": "json"}
DEFAULT_TRANSCRIPT_BYTES = 1_000_000


def pick_format(fmt: str | None, output: Path | None, table: dict[str, str], default: str | None) -> str | None:
    """``--format`` if given, else the format ``output``'s extension names (per ``table``), else ``default``."""
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


def load_tree(path: Path) -> Tree:
    """A tree file (.yaml, .yml or .json)."""
    from coach.datafiles import load_model
    from coach.tree import Tree

    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise CoachError(f"{path}: a tree file is .yaml, .yml or .json", EXIT_USAGE)
    return load_model(Tree, path)


def fail(message: str) -> None:
    """``Error: message`` on stderr, terminal-safe; never raises."""
    from coach.answers import terminal_safe

    try:
        sys.stderr.write(f"Error: {terminal_safe(message)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
