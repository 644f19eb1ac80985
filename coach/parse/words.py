"""The reader's word families (``words.yaml``), loaded through a strict model and compiled once.

A family is a list of regular-expression alternatives (``patterns``) or named
groups of them (``groups``: the group that matched says which operator, arrow
or stage it was). Alternatives are matched case-insensitively and never inside
a longer word: "feed" does not match in "home-feed", "drive" not in
"drive-through".
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

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

    @model_validator(mode="after")
    def _one_form(self) -> FamilySpec:
        if bool(self.patterns) == bool(self.groups):
            raise ValueError("give either patterns or groups")
        for alternative in [*self.patterns, *(p for ps in self.groups.values() for p in ps)]:
            try:
                re.compile(alternative)
            except re.error as exc:
                raise ValueError(f"bad pattern {alternative!r}: {exc}") from None
        return self


class WordsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    families: dict[str, FamilySpec]


# A match that starts (ends) with a letter must not have a letter or hyphen just before (after) it; a match that
# starts or ends with a symbol ("'s", "=", "→") needs no boundary.
_HEAD = r"(?:(?<![\w-])(?=\w)|(?=\W))"
_TAIL = r"(?:(?<=\w)(?![\w-])|(?<=\W))"


def _bounded(body: str) -> str:
    """The alternation, never matching inside a longer word (hyphenated words count as one).

    A look-ahead for the characters a match can start with lets the regex engine skip most positions at
    once; without it every alternative is tried at every character (ten times slower on an answer).
    """
    first = _first_chars(body)
    gate = f"(?=[{''.join(re.escape(c) for c in sorted(first))}])" if first else ""
    return f"{gate}{_HEAD}(?:{body}){_TAIL}"


def _first_chars(body: str) -> set[str] | None:
    """The characters a match of ``body`` can start with (both cases), or None when that cannot be told."""
    from re import _parser  # the stdlib's own pattern parser: the structure of the alternatives

    try:
        parsed = _parser.parse(body, re.I)
    except re.error:
        return None
    out: set[str] = set()
    return out if _firsts(list(parsed), out) else None


def _firsts(items: list, out: set[str]) -> bool:
    """Add the possible first characters of the sequence ``items``; False when any character could come first."""
    from re import _constants as c

    for op, av in items:
        if op is c.LITERAL:
            ch = chr(av)
            out.update({ch.lower(), ch.upper()})
            return True
        if op is c.IN:
            for iop, iav in av:
                if iop is c.LITERAL:
                    ch = chr(iav)
                    out.update({ch.lower(), ch.upper()})
                elif iop is c.RANGE:
                    lo, hi = iav
                    if hi - lo > 200:
                        return False
                    for code in range(lo, hi + 1):
                        out.update({chr(code).lower(), chr(code).upper()})
                else:
                    return False  # a category such as \w or \s, or a negated set
            return True
        if op is c.SUBPATTERN:
            sub = list(av[-1])
            nullable = _nullable(sub)
            if not _firsts(sub, out):
                return False
            if not nullable:
                return True
            continue
        if op is c.BRANCH:
            branches = av[1]
            if any(_nullable(list(b)) for b in branches):
                if not all(_firsts(list(b), out) for b in branches):
                    return False
                continue
            return all(_firsts(list(b), out) for b in branches)
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            lo, _hi, sub = av
            if not _firsts(list(sub), out):
                return False
            if lo > 0:
                return True
            continue
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            continue  # look-arounds and anchors consume nothing
        return False
    return False  # the whole sequence can match empty: anything may follow


@lru_cache(maxsize=4096)
def _lower(text: str) -> str:
    return text.lower()


def _required(body: str) -> frozenset[str] | None:
    """Lower-case strings one of which every match of ``body`` contains, or None when there is no such set."""
    from re import _parser

    try:
        parsed = _parser.parse(body, re.I)
    except re.error:
        return None
    found = _seq_required(list(parsed))
    return frozenset(found) if found else None


def _seq_required(items: list) -> set[str] | None:
    """The best requirement of a sequence: its longest literal run, or a branch whose every arm has one."""
    from re import _constants as c

    candidates: list[set[str]] = []
    run = ""
    for op, av in items:
        if op is c.LITERAL:
            run += chr(av).lower()
            continue
        if len(run) >= 2:
            candidates.append({run})
        run = ""
        if op is c.SUBPATTERN and not _nullable(list(av[-1])):
            sub = _seq_required(list(av[-1]))
            if sub:
                candidates.append(sub)
        elif op is c.BRANCH:
            arms = [_seq_required(list(b)) for b in av[1]]
            if all(arms):
                candidates.append(set().union(*arms))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] > 0:
            sub = _seq_required(list(av[2]))
            if sub:
                candidates.append(sub)
    if len(run) >= 2:
        candidates.append({run})
    if not candidates:
        return None
    # The set whose shortest member is longest rules out the most text.
    return max(candidates, key=lambda cand: (min(len(x) for x in cand), -len(cand)))


def _nullable(items: list) -> bool:
    from re import _constants as c

    for op, av in items:
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            continue
        if op is c.SUBPATTERN:
            if not _nullable(list(av[-1])):
                return False
            continue
        if op is c.BRANCH:
            if not any(_nullable(list(b)) for b in av[1]):
                return False
            continue
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] == 0:
            continue
        return False
    return True


class Family:
    """A compiled family: ``search``/``finditer`` over text; ``kind(match)`` names the group that matched.

    The reader asks each family about the same sentence several times, so the matches of the last texts
    seen are kept (a small cache, cleared when it fills).
    """

    def __init__(self, name: str, spec: FamilySpec) -> None:
        self.name = name
        self.spec = spec
        if spec.groups:
            body = "|".join(f"(?P<{g}>{'|'.join(f'(?:{p})' for p in ps)})" for g, ps in spec.groups.items())
        else:
            body = "|".join(f"(?:{p})" for p in spec.patterns)
        self.pattern = re.compile(_bounded(body), re.I)
        # Every match contains one of these words: a substring test (in C) rules most texts out at once.
        hints = _required(body)
        self.hints = re.compile("|".join(re.escape(h) for h in sorted(hints, key=len, reverse=True))) if hints else None
        self._seen: dict[str, tuple[re.Match[str], ...]] = {}

    def finditer(self, text: str) -> tuple[re.Match[str], ...]:
        found = self._seen.get(text)
        if found is None:
            if len(self._seen) > 2048:
                self._seen.clear()
            if self.hints is not None and self.hints.search(_lower(text)) is None:
                found = ()
            else:
                found = tuple(self.pattern.finditer(text))
            self._seen[text] = found
        return found

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        if pos:
            return self.pattern.search(text, pos)
        found = self.finditer(text)
        return found[0] if found else None

    def fullmatch(self, text: str) -> bool:
        return self.pattern.fullmatch(text.strip()) is not None

    @staticmethod
    def kind(match: re.Match[str]) -> str | None:
        return match.lastgroup


@cache
def load_words() -> dict[str, Family]:
    text = WORDS_FILE.read_text(encoding="utf-8")
    spec = validate(WordsFile, parse_yaml_text(text, str(WORDS_FILE)), str(WORDS_FILE), text)
    return {name: Family(name, fam) for name, fam in spec.families.items()}


def family(name: str) -> Family:
    return load_words()[name]
