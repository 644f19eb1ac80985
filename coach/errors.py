"""Errors a user can act on. The CLI prints their message and exits with their code; no traceback."""

from __future__ import annotations

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_ERRORS_IN_BATCH = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_DATA = 4


class CoachError(Exception):
    exit_code = EXIT_INPUT

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(CoachError):
    """The answer (or other user input) cannot be read: empty file name, binary, too large, not UTF-8."""

    exit_code = EXIT_INPUT


class DataFileError(CoachError):
    """A scenario, rubric, prompt or tree file is malformed; the message names the file and line."""

    exit_code = EXIT_DATA


class UnknownScenarioError(CoachError):
    exit_code = EXIT_USAGE
