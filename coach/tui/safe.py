"""Show text from an answer literally: no markup, no escape sequences, no control characters.

Everything a candidate (or a model) wrote goes through ``literal()`` before it
reaches a widget. A ``rich.text.Text`` is never parsed for markup, so
``[bold]`` stays ``[bold]``; control characters (ESC of an ANSI sequence, BEL,
backspace, carriage return, C1 controls, bidi overrides) become visible
placeholders instead of reaching the terminal, so they can neither style nor
break the screen. Newlines and tabs are kept.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

_BIDI = {0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}


def _visible(code: int) -> str:
    if code < 0x20:
        return chr(0x2400 + code)  # control pictures: ␛ for ESC, ␇ for BEL ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


_TABLE = {c: _visible(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0), *_BIDI] if c not in (0x09, 0x0A)}
_TABLE[0x09] = "    "


def clean(text: str) -> str:
    """``text`` with control characters replaced by visible placeholders (newlines kept, tabs expanded)."""
    return text.replace("\r\n", "\n").translate(_TABLE)


def one_line(text: str) -> str:
    """``clean(text)`` on a single line: newlines become spaces."""
    return " ".join(clean(text).split())


def literal(text: str, style: str | Style = "") -> Text:
    """A Text that shows ``text`` exactly as written (after ``clean``), never as markup."""
    return Text(clean(text), style=style)


_EDITOR_TABLE = {c: v for c, v in _TABLE.items() if c != 0x09}


def editor_text(text: str) -> str:
    """Text fit for the editor: line endings made ``\\n``, other control characters made visible, tabs kept.

    The editor draws its document itself, so a raw escape sequence pasted into
    it would reach the terminal; this is applied to every paste and restore.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_EDITOR_TABLE)
