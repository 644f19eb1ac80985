"""Reading a candidate's answer safely, and making answer text safe to show in a terminal.

Answers arrive as files, on stdin, or as fields of a batch row. They are
checked the same way everywhere:

- binary input (a NUL byte, or mostly control characters) is rejected;
- input that is not valid UTF-8 is rejected, naming the byte offset (we do
  not guess an encoding and we never decode "with replacement");
- input over the size limit (default 100 KB) is rejected with its size;
- a UTF-8 byte-order mark is stripped and CRLF / CR line ends become LF;
- an empty answer is not an error: it grades as ``strong_no_hire``.

This module imports only the standard library: it is on the start-up path of
every command.
"""

from __future__ import annotations

import os
import sys
from typing import BinaryIO

from coach import regexes
from coach.errors import InputError

DEFAULT_MAX_BYTES = 100_000
STDIN = "-"

# Share of control bytes (other than tab, newline, CR, form feed) above which input counts as binary.
_BINARY_CONTROL_SHARE = 0.3
_SNIFF_BYTES = 8192
_COUNT_LIMIT = 1 << 30  # stop counting an oversized input here
_CONTROL_BYTES = frozenset(range(0x00, 0x20)) - {0x09, 0x0A, 0x0C, 0x0D} | {0x7F}


def source_name(path: str) -> str:
    return "<stdin>" if path == STDIN else path


def human_size(n: int) -> str:
    if n < 1000:
        return f"{n} bytes"
    if n < 1_000_000:
        return f"{n / 1000:.1f} KB ({n:,} bytes)"
    return f"{n / 1_000_000:.1f} MB ({n:,} bytes)"


def _where(source: str) -> str:
    return f"{source}: " if source else ""


def _too_large(source: str, size: int | None, max_bytes: int) -> InputError:
    what = f"is {human_size(size)}" if size is not None else f"is over {human_size(max_bytes)}"
    return InputError(
        f"{_where(source)}the answer {what}, over the limit of {human_size(max_bytes)} (raise it with --max-bytes)"
    )


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    sample = data[:_SNIFF_BYTES]
    if not sample:
        return False
    control = sum(1 for b in sample if b in _CONTROL_BYTES)
    return control / len(sample) > _BINARY_CONTROL_SHARE


def normalise_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def decode_answer(data: bytes, source: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Bytes of an answer → text, or ``InputError`` naming ``source`` (left out when empty)."""
    if len(data) > max_bytes:
        raise _too_large(source, len(data), max_bytes)
    if _looks_binary(data):
        raise InputError(f"{_where(source)}looks like binary data, not a text answer")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{_where(source)}not valid UTF-8 text (bad byte 0x{data[exc.start]:02x} at byte offset {exc.start}); "
            "save the answer as UTF-8 and try again"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return normalise_newlines(text)


def check_answer_text(text: str, source: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The same checks for an answer that is already text (a batch row's field)."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{_where(source)}the answer is not valid Unicode (lone surrogate at character {exc.start})"
        ) from None
    return decode_answer(data, source, max_bytes)


def _read_limited(stream: BinaryIO, source: str, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) <= max_bytes:
        return data
    # Count the rest without keeping it, so the error can give the size (up to a point: stdin may not end).
    size = len(data)
    while size <= _COUNT_LIMIT and (chunk := stream.read(1 << 16)):
        size += len(chunk)
    raise _too_large(source, size if size <= _COUNT_LIMIT else None, max_bytes)


def read_answer(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read an answer from a file, or from stdin when ``path`` is ``-``."""
    source = source_name(path)
    if max_bytes <= 0:
        raise InputError(f"--max-bytes must be a positive number of bytes, not {max_bytes}")
    if path == STDIN:
        return decode_answer(_read_limited(sys.stdin.buffer, source, max_bytes), source, max_bytes)
    if not path:
        raise InputError("no answer file given (use - to read stdin)")
    try:
        with open(path, "rb") as f:
            try:
                size = os.fstat(f.fileno()).st_size
            except OSError:
                size = 0
            if size > max_bytes:
                raise _too_large(source, size, max_bytes)
            data = _read_limited(f, source, max_bytes)
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{source}: is a directory, not an answer file") from None
    except PermissionError:
        raise InputError(f"{source}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    return decode_answer(data, source, max_bytes)


# --- terminal safety ---------------------------------------------------------

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte ESC sequences, and 8-bit CSI.
_ANSI = regexes.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional overrides/isolates
# that can make text display in a different order than it is stored.
_CONTROL = regexes.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Text with ANSI escape sequences and control characters removed (newline and tab kept).

    Use it for anything that came from an answer before showing it in a terminal,
    and always wrap the result in ``rich.text.Text`` (never pass it as markup).
    """
    if not text:
        return ""
    text = normalise_newlines(text)
    text = _ANSI.sub("", text)
    return _CONTROL.sub("", text)


def safe_text(text: str, style: str = ""):  # -> rich.text.Text
    """``terminal_safe`` text as a rich ``Text``: printed literally, markup such as ``[bold]`` included."""
    from rich.text import Text

    return Text(terminal_safe(text), style=style)
