"""Metric mentions: noun phrases whose head is something counted or measured, wherever they sit in a sentence.

The reader attaches most metrics through a cue's slot; this finds the ones a
sentence names without a cue ("it could be completed rides, it could be gross
bookings"), so scope can point at them: the tops a candidate weighs, the
metric a "that's my north star" points back to. A mention is built around a
head word from the ``countable`` or ``unit`` families ("seats", "rate",
"revenue"), widened left over its modifiers and right over "per X", "of X"
and a trailing participle ("receipts submitted").
"""

from __future__ import annotations

import re
from functools import lru_cache

from coach import regexes
from coach.parse.fragment import Frag
from coach.parse.words import family

_TOKEN = regexes.compile(r"[%#$]?[A-Za-z0-9][\w'%/&.+-]*[\w%]|[%#$]?[A-Za-z0-9]")
_STOP = frozenset(
    """a an the this that these those it its it's they them their there here we our us i i'd i'm i'll you your he she
    is are was were be been being am do does did have has had will would should could can may might must shall
    and or but so then than if when while because since as at by for from in into of on onto to with without about
    over under after before during between through across per not no nor just only also very really quite like um uh
    er well yeah okay ok right what which who whom whose where why how all both each every any some many much more most
    less fewer few other another such same own too again ever never always often sometimes maybe perhaps probably
    say says said think thought believe guess mean means want need get gets got make makes made go goes went see look
    let lets check split cut compare track watch keep hold pick choose use call take put drive drives driven could""".split()
)
_PARTICIPLE = regexes.compile(
    r"^(?:[a-z]+(?:ed|en)|sold|made|sent|built|paid|won|lost|read|written|taken|given|seen|kept|held|run|done|shown|grown|spent|bought)$",
    re.I,
)
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten several few couple".split())
_BARE = frozenset(
    "number numbers metric metrics thing things team teams people times time rate rates share total count".split()
)
_TIME_ADVERBS = frozenset("daily weekly monthly yearly quarterly hourly nightly early".split())


@lru_cache(maxsize=2048)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    toks = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)]
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        word = toks[i][2]
        if not _is_head(word):
            i += 1
            continue
        lo = i
        while lo > 0 and _modifier(toks[lo - 1][2]) and i - lo < 4 and not _gap(text, toks[lo - 1][1], toks[lo][0]):
            lo -= 1
        hi = i
        # "... per active developer", "... of paying members", "receipts submitted"
        while hi + 1 < len(toks) and not _gap(text, toks[hi][1], toks[hi + 1][0]):
            nxt = toks[hi + 1][2].lower()
            if (
                nxt in ("per", "of")
                and hi + 2 < len(toks)
                and not _gap(text, toks[hi + 1][1], toks[hi + 2][0])
                and toks[hi + 2][2].lower() not in _STOP
            ):
                hi += 2
                while (
                    hi + 1 < len(toks)
                    and _modifier(toks[hi + 1][2])
                    and not _gap(text, toks[hi][1], toks[hi + 1][0])
                    and hi - i < 7
                ):
                    hi += 1
            elif _PARTICIPLE.match(nxt) and nxt not in _STOP and hi == i:
                hi += 1
            elif _is_head(toks[hi + 1][2]) and hi - i < 3:
                hi += 1
            else:
                break
        if hi > lo or word.lower() not in _BARE:
            out.append((toks[lo][0], toks[hi][1]))
        i = hi + 1
    return tuple(out)


def mentions(frag: Frag) -> list[Frag]:
    """The metric mentions in ``frag``, in order, each with its span."""
    return [frag.cut(a, b) for a, b in _spans(frag.text)]


def _is_head(word: str) -> bool:
    return (
        word.lower() not in ("times", "per")
        and bool(family("countable").fullmatch(word) or family("unit").fullmatch(word))
        and word.lower() not in _STOP
    )


def _modifier(word: str) -> bool:
    low = word.lower()
    if low in _STOP or low in _NUMBER_WORDS or low in ("times", "x"):
        return False
    return (low in _TIME_ADVERBS or not low.endswith("ly")) and bool(re.match(r"^[%#$]?[\w'/&.+-]+$", word))


def _gap(text: str, a: int, b: int) -> bool:
    """Punctuation between two tokens ends a phrase (a hyphen inside a word does not)."""
    return bool(re.search(r"[,;:.!?()\[\]—–|=→←⇐⇒]|\s[-+×*/÷]\s", text[a:b]))
