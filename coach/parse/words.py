"""The reader's word families (``words.yaml``), loaded through a strict model and compiled once.

A family is a list of regular-expression alternatives (``patterns``) or named
groups of them (``groups``: the group that matched says which operator, arrow
or stage it was). Alternatives are matched case-insensitively and never inside
a longer word: "feed" does not match in "home-feed", "drive" not in
"drive-through".
"""

from __future__ import annotations

import re
from functools import cache, cached_property
from pathlib import Path
from re import _constants as sre  # the stdlib's own pattern parser: the structure of the alternatives
from re import _parser

from pydantic import BaseModel, ConfigDict, Field, model_validator

from coach import regexes
from coach.datafiles import parse_yaml_text, validate

WORDS_FILE = Path(__file__).with_name("words.yaml")


class FamilySpec(BaseModel):
    """One family of cue words, with the examples that pin what it means."""

    model_config = ConfigDict(extra="forbid")

    doc: str = Field(min_length=1, description="What a match of this family tells the reader.")
    patterns: list[str] = Field(default_factory=list, description="Regular-expression alternatives.")
    groups: dict[str, list[str]] = Field(
        default_factory=dict, description="Named alternatives: the name is what matched."
    )
    examples: list[str] = Field(default_factory=list, description="Texts the family must match.")
    counter_examples: list[str] = Field(default_factory=list, description="Texts the family must not match.")

    @property
    def body(self) -> str:
        """The family as one alternation (named groups when it has groups)."""
        if self.groups:
            return "|".join(f"(?P<{g}>{'|'.join(f'(?:{p})' for p in ps)})" for g, ps in self.groups.items())
        return "|".join(f"(?:{p})" for p in self.patterns)

    @model_validator(mode="after")
    def _one_form(self) -> FamilySpec:
        if bool(self.patterns) == bool(self.groups):
            raise ValueError("give either patterns or groups")
        try:
            regexes.compile(self.body, re.I)  # the pattern the gates below are built on: remembered across runs
        except re.error:
            alternatives = [*self.patterns, *(p for ps in self.groups.values() for p in ps)]
            raise ValueError(_bad_alternative(alternatives)) from None
        return self


class WordsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    families: dict[str, FamilySpec]


# A match that starts (ends) with a letter must not have a letter or hyphen just before (after) it; a match that
# starts or ends with a symbol ("'s", "=", "→") needs no boundary.
_HEAD = r"(?:(?<![\w-])(?=\w)|(?=\W))"
_TAIL = r"(?:(?<=\w)(?![\w-])|(?<=\W))"


def _bounded(body: str, first: str | None) -> str:
    """The alternation, never matching inside a longer word (hyphenated words count as one).

    ``first`` holds the characters a match can start with: a look-ahead for them lets the regex engine skip
    most positions at once; without it every alternative is tried at every character (ten times slower).
    """
    gate = f"(?=[{''.join(re.escape(c) for c in sorted(first))}])" if first else ""
    return f"{gate}{_HEAD}(?:{body}){_TAIL}"


def _first_chars(body: str) -> str | None:
    """The characters a match of ``body`` can start with (both cases, sorted), or None when that cannot be told."""
    out: set[str] = set()
    return "".join(sorted(out)) if _firsts(list(_parser.parse(body, re.I)), out) else None


def _firsts(items: list, out: set[str]) -> bool:
    """Add the possible first characters of the sequence ``items``; False when any character could come first."""
    for op, av in items:
        if op is sre.LITERAL:
            ch = chr(av)
            out.update({ch.lower(), ch.upper()})
            return True
        if op is sre.IN:
            for iop, iav in av:
                if iop is sre.LITERAL:
                    ch = chr(iav)
                    out.update({ch.lower(), ch.upper()})
                elif iop is sre.RANGE:
                    lo, hi = iav
                    if hi - lo > 200:
                        return False
                    for code in range(lo, hi + 1):
                        out.update({chr(code).lower(), chr(code).upper()})
                else:
                    return False  # a category such as \w or \s, or a negated set
            return True
        if op is sre.SUBPATTERN:
            sub = list(av[-1])
            nullable = _nullable(sub)
            if not _firsts(sub, out):
                return False
            if not nullable:
                return True
            continue
        if op is sre.BRANCH:
            branches = av[1]
            if any(_nullable(list(b)) for b in branches):
                if not all(_firsts(list(b), out) for b in branches):
                    return False
                continue
            return all(_firsts(list(b), out) for b in branches)
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            lo, _hi, sub = av
            if not _firsts(list(sub), out):
                return False
            if lo > 0:
                return True
            continue
        if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
            continue  # look-arounds and anchors consume nothing
        return False
    return False  # the whole sequence can match empty: anything may follow


def _nullable(items: list) -> bool:
    for op, av in items:
        if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
            continue
        if op is sre.SUBPATTERN:
            if not _nullable(list(av[-1])):
                return False
            continue
        if op is sre.BRANCH:
            if not any(_nullable(list(b)) for b in av[1]):
                return False
            continue
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] == 0:
            continue
        return False
    return True


# Compiling a family's gate costs about as much as a few hundred searches without it: one answer graded
# alone never pays for it, a batch does after its first few answers.
_GATE_AFTER = 300


class Family:
    """A compiled family: ``search``/``finditer`` over text; ``kind(match)`` names the group that matched.

    Most texts hold no match of most families, and a case-sensitive search of the lower-cased text rules
    them out two to three times faster than a case-insensitive one; only texts that may match are searched
    in full. The regular expressions are compiled on first use: a short answer needs only some of them, and
    the gate only once the family has been asked often enough for it to pay. The reader asks each family about the
    same sentence several times, so the matches of the last texts seen are kept (a small cache, cleared
    when it fills).
    """

    def __init__(self, name: str, spec: FamilySpec) -> None:
        self.name = name
        self.spec = spec
        self._first: str | None = regexes.derived("first-chars", spec.body, _first_chars)
        self._seen: dict[str, tuple[re.Match[str], ...]] = {}
        self._whole: dict[str, bool] = {}
        self._asked = 0

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return regexes.compile(_bounded(self.spec.body, self._first), re.I)

    @cached_property
    def _gates(self) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
        lowered, exact = _case_split(self.spec.body)
        lower_first = "".join(sorted({c.lower() for c in self._first})) if self._first else None
        quick = regexes.compile(_bounded(lowered, lower_first))
        # "(?-i:NS)": a text with one of the case-sensitive parts is searched in full.
        return quick, regexes.compile("|".join(f"(?:{p})" for p in exact)) if exact else None

    def finditer(self, text: str) -> tuple[re.Match[str], ...]:
        found = self._seen.get(text)
        if found is None:
            if len(self._seen) > 2048:
                self._seen.clear()
            found = tuple(self.pattern.finditer(text)) if self._may_match(text) else ()
            self._seen[text] = found
        return found

    def _may_match(self, text: str) -> bool:
        self._asked += 1
        return self._asked < _GATE_AFTER or self.gate(text)

    def gate(self, text: str) -> bool:
        """False only when ``text`` holds no match: a cheaper search that rules most texts out."""
        quick, exact = self._gates
        if exact is not None and exact.search(text):
            return True
        low = text.lower()
        return len(low) != len(text) or quick.search(low) is not None

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        if pos:
            return self.pattern.search(text, pos)
        found = self.finditer(text)
        return found[0] if found else None

    def fullmatch(self, text: str) -> bool:
        text = text.strip()
        hit = self._whole.get(text)
        if hit is None:
            if len(self._whole) > 4096:
                self._whole.clear()
            hit = self._whole[text] = self.pattern.fullmatch(text) is not None
        return hit

    @staticmethod
    def kind(match: re.Match[str]) -> str | None:
        return match.lastgroup


def _case_split(body: str) -> tuple[str, list[str]]:
    """``body`` lower-cased for a case-sensitive search of lower-cased text, with each "(?-i:...)" part
    (which must keep its case) replaced by a pattern that never matches; and those parts."""
    out: list[str] = []
    exact: list[str] = []
    i, n = 0, len(body)
    while i < n:
        if body[i] == "\\":
            out.append(body[i : i + 2])  # escapes keep their case: \W is not \w
            i += 2
        elif body.startswith("(?-i:", i):
            depth, j = 0, i
            while j < n:
                if body[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(body[j], 0)
                if depth == 0:
                    break
                j += 1
            exact.append(body[i + 5 : j])
            out.append("(?!)")
            i = j + 1
        elif body.startswith(("(?P<", "(?P="), i):
            j = body.index(">" if body[i + 3] == "<" else ")", i)
            out.append(body[i : j + 1])  # group names keep their case
            i = j + 1
        else:
            out.append(body[i].lower())
            i += 1
    return "".join(out), exact


@cache
def load_words() -> dict[str, Family]:
    text = WORDS_FILE.read_text(encoding="utf-8")
    spec = validate(WordsFile, parse_yaml_text(text, str(WORDS_FILE)), str(WORDS_FILE), text)
    return {name: Family(name, fam) for name, fam in spec.families.items()}


def _bad_alternative(alternatives: list[str]) -> str:
    """Which alternative does not compile (checked one by one only when the family as a whole failed)."""
    for alternative in alternatives:
        try:
            re.compile(alternative)
        except re.error as exc:
            return f"bad pattern {alternative!r}: {exc}"
    return "the patterns do not combine into one alternation"


def family(name: str) -> Family:
    return load_words()[name]
