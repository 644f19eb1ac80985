"""The reader's word families (``words.yaml``), loaded through a strict model and compiled once.

A family is a list of regular-expression alternatives (``patterns``) or named
groups of them (``groups``: the group that matched says which operator, arrow
or stage it was). Alternatives are matched case-insensitively and never inside
a longer word: "feed" does not match in "home-feed", "drive" not in
"drive-through".
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from coach.datafiles import parse_yaml_text, validate

WORDS_FILE = Path(__file__).with_name("words.yaml")


class FamilySpec(BaseModel):
    """One family of cue words, with the examples that pin what it means."""

    model_config = ConfigDict(extra="forbid")

    doc: str = Field(min_length=1, description="What a match of this family tells the reader.")
    patterns: list[str] = Field(default_factory=list, description="Regular-expression alternatives.")
    groups: dict[str, list[str]] = Field(default_factory=dict, description="Named alternatives: the name is what matched.")
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


def _bounded(alternative: str) -> str:
    """The alternative, never matching inside a longer word (hyphenated words count as one)."""
    return f"{_HEAD}(?:{alternative}){_TAIL}"


class Family:
    """A compiled family: ``search``/``finditer`` over text; ``kind(match)`` names the group that matched."""

    def __init__(self, name: str, spec: FamilySpec) -> None:
        self.name = name
        self.spec = spec
        if spec.groups:
            body = "|".join(f"(?P<{g}>{'|'.join(_bounded(p) for p in ps)})" for g, ps in spec.groups.items())
        else:
            body = "|".join(_bounded(p) for p in spec.patterns)
        self.pattern = re.compile(body, re.I)

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.pattern.search(text, pos)

    def finditer(self, text: str) -> list[re.Match[str]]:
        return list(self.pattern.finditer(text))

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
