"""The reader's word families: each one matches its examples and none of its counter-examples; the file is strict."""

from __future__ import annotations

import pytest

from coach.datafiles import parse_yaml_text, validate
from coach.errors import DataFileError
from coach.parse.words import WordsFile, load_words

FAMILIES = load_words()
EXAMPLES = [(name, text) for name, fam in FAMILIES.items() for text in fam.spec.examples]
COUNTERS = [(name, text) for name, fam in FAMILIES.items() for text in fam.spec.counter_examples]


@pytest.mark.parametrize(("name", "text"), EXAMPLES, ids=[f"{n}:{t[:30]}" for n, t in EXAMPLES])
def test_family_matches_its_examples(name: str, text: str) -> None:
    assert FAMILIES[name].search(text), f"{name} should match {text!r}"


@pytest.mark.parametrize(("name", "text"), COUNTERS, ids=[f"{n}:{t[:30]}" for n, t in COUNTERS])
def test_family_does_not_match_its_counter_examples(name: str, text: str) -> None:
    assert not FAMILIES[name].search(text), f"{name} should not match {text!r}"


def test_most_families_pin_their_meaning_with_examples() -> None:
    without = [name for name, fam in FAMILIES.items() if not fam.spec.examples and not fam.spec.groups]
    assert not without, f"families with no examples: {without}"


def test_a_cue_never_matches_inside_a_longer_word() -> None:
    assert not FAMILIES["drives"].search("the drive-through orders")
    assert not FAMILIES["drives"].search("because")
    assert FAMILIES["drives"].search("faster pickups drive rides")
    assert not FAMILIES["causal"].search("the contest results")


def test_the_lower_case_gate_never_hides_a_match() -> None:
    # The gate (a case-sensitive search of the lower-cased text) is an optimisation: it may only rule out a
    # text without a match, for every example and counter-example, in any case.
    for name, fam in FAMILIES.items():
        for text in [*fam.spec.examples, *fam.spec.counter_examples]:
            for variant in (text, text.upper(), text.title()):
                assert fam.gate(variant) or fam.pattern.search(variant) is None, (name, variant)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("families:\n  top:\n    doc: x\n", "give either patterns or groups"),
        ("families:\n  top:\n    doc: x\n    patterns: ['(unclosed']\n", "bad pattern"),
        ("families:\n  top:\n    doc: x\n    patterns: [a]\n    colour: red\n", "colour"),
    ],
)
def test_a_bad_words_file_names_the_problem_and_the_line(yaml_text: str, message: str) -> None:
    with pytest.raises(DataFileError, match=message) as err:
        validate(WordsFile, parse_yaml_text(yaml_text, "words.yaml"), "words.yaml", yaml_text)
    assert "words.yaml:" in str(err.value)
