"""The ``coach`` command line (``coach ...`` and ``python -m coach ...``).

``coach.cli.app`` holds the typer app and its root callback; each command
module registers its commands on it, and importing them here, in this order,
is what gives ``coach --help`` its order:

- ``grading``: score, parse (and ``print_result``, the terminal view of a result);
- ``batch``: batch;
- ``library``: scenarios, rubric, schema;
- ``settings_cmds``: practice, config, log;
- ``coach_mode``: grade; ``coach_results``: review, report, tree.

``coach.cli.common`` holds the helpers they share. The command modules import
the app and the helpers, never each other or this package's ``__init__``.

Start-up time matters (``coach score`` must finish in well under half a
second), so these modules import only typer at the top. Each command imports
what it needs inside itself, and nothing on the scoring path imports textual,
langchain or openai (tests/test_imports.py proves it).

Errors: a ``CoachError`` prints its message on stderr and exits with its code;
Ctrl-C exits 130; anything else is an internal error in one line (set
``COACH_DEBUG=1`` for the traceback). No traceback reaches a user otherwise.
"""

from __future__ import annotations

import os
import sys

from coach.cli.app import EXIT_INTERNAL, app
from coach.cli.common import fail
from coach.errors import CoachError

# Importing a command module registers its commands; --help lists them in the order imported here.
# isort: off
from coach.cli import grading  # noqa: F401  score, parse
from coach.cli import batch  # noqa: F401  batch
from coach.cli import library  # noqa: F401  scenarios, rubric, schema
from coach.cli import settings_cmds  # noqa: F401  practice, config, log
from coach.cli import coach_mode  # noqa: F401  grade
from coach.cli import coach_results  # noqa: F401  review, report, tree

# isort: on
from coach.cli.grading import print_result

__all__ = ["app", "main", "print_result"]


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every failure becomes a message and an exit code, never a traceback."""
    try:
        app(args=argv, prog_name="coach")
    except CoachError as exc:
        fail(exc.message)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        fail("interrupted")
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
        fail(f"internal error: {type(exc).__name__}: {exc} (set COACH_DEBUG=1 for the traceback)")
        sys.exit(EXIT_INTERNAL)
