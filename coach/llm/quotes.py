"""Finding a model's quote in the answer, verbatim.

A quote counts when it occurs in the answer. Only differences a model
introduces without changing the words are forgiven: runs of whitespace,
letter case, curly vs straight quotes and dashes, surrounding quote marks and
a trailing full stop. The evidence stored is always the answer's own text at
the span found, so every quote in a tree is a substring of the answer.
"""

from __future__ import annotations

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)
MIN_QUOTE = 2


def _fold(text: str) -> tuple[str, list[int]]:
    """Text with whitespace runs collapsed, lower-cased and folded, and each char's index in ``text``."""
    out: list[str] = []
    index: list[int] = []
    last_space = False
    for i, ch in enumerate(text):
        ch = ch.translate(_FOLD)
        if ch.isspace():
            if last_space:
                continue
            ch = " "
            last_space = True
        else:
            last_space = False
        low = ch.lower()
        if len(low) != 1:
            low = ch
        out.append(low)
        index.append(i)
    return "".join(out), index


def _candidates(quote: str) -> list[str]:
    q = quote.strip()
    seen = [q]
    stripped = q.strip("\"'`\u201c\u201d\u2018\u2019 ")
    if stripped not in seen:
        seen.append(stripped)
    trimmed = stripped.rstrip(".,;:!? ")
    if trimmed not in seen:
        seen.append(trimmed)
    return [c for c in seen if len(c.strip()) >= MIN_QUOTE]


def locate(answer: str, quote: str, *, start: int = 0) -> tuple[int, int] | None:
    """The span ``(start, end)`` of ``quote`` in ``answer``, or None when it is not there."""
    if not quote:
        return None
    candidates = _candidates(quote)
    for cand in candidates:
        i = answer.find(cand, start)
        if i < 0 and start:
            i = answer.find(cand)
        if i >= 0:
            return i, i + len(cand)
    folded, index = _fold(answer)
    for cand in candidates:
        f, _ = _fold(cand.strip())
        if len(f) < MIN_QUOTE:
            continue
        i = folded.find(f)
        if i >= 0:
            return index[i], index[i + len(f) - 1] + 1
    return None
