"""Patterns remembered across processes behave exactly as ``re.compile``'s, and a bad cache costs nothing."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from coach import regexes
from coach.parse.words import load_words

TEXTS = [
    "My north star is weekly active riders; rides = riders x rides per rider.",
    "I believe faster pickups drive retention, but I'd guard cancellation rate so it must not regress.",
    "If new users fell, cut by platform and region, then check the onboarding funnel step by step.",
    "NS: GMV. Guardrails: refund rate, p95 latency. The model's precision@5 feeds search conversion.",
]


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A process's view before it has loaded the cache, with the cache in a folder of its own."""
    monkeypatch.setenv("COACH_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(regexes, "_table", None)
    monkeypatch.setattr(regexes, "_derived", {})
    monkeypatch.setattr(regexes, "_dirty", False)
    monkeypatch.setattr(regexes, "_used", set())
    return tmp_path


def _same(a: re.Pattern[str], b: re.Pattern[str]) -> None:
    assert (a.pattern, a.flags, a.groups, a.groupindex) == (b.pattern, b.flags, b.groups, b.groupindex)
    for text in TEXTS:
        assert [m.span() for m in a.finditer(text)] == [m.span() for m in b.finditer(text)]
        assert [m.lastgroup for m in a.finditer(text)] == [m.lastgroup for m in b.finditer(text)]


def test_every_family_matches_as_re_compile_would_cold_and_from_the_file(fresh) -> None:
    families = load_words()
    cold = {name: regexes.compile(f.spec.body, re.I) for name, f in families.items()}
    regexes.save()
    assert regexes.cache_file().is_file()
    regexes._table = None  # a later process: everything comes from the file
    for name, family in families.items():
        warm = regexes.compile(family.spec.body, re.I)
        expected = re.compile(family.spec.body, re.I)
        _same(cold[name], expected)
        _same(warm, expected)
    assert not regexes._dirty, "a warm run compiled something the cache already held"


def test_a_later_process_reads_what_an_earlier_one_wrote(fresh) -> None:
    probe = (
        "import re; from coach import regexes; t = regexes._load(); print(len(t)); "
        "print(bool(regexes.compile(r'(?P<x>rides?) per (?P<y>rider)', re.I).search('Rides per rider')))"
    )
    env = {"COACH_CACHE_DIR": str(fresh), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    second = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert first.stdout.split() == ["0", "True"]
    assert int(second.stdout.split()[0]) >= 1 and second.stdout.split()[1] == "True"


def test_a_corrupt_or_foreign_cache_is_ignored_and_replaced(fresh) -> None:
    regexes.cache_file().parent.mkdir(parents=True, exist_ok=True)
    regexes.cache_file().write_bytes(b"\x00not marshal at all")
    assert regexes.compile(r"\brides?\b").findall("rides ride riders") == ["rides", "ride"]
    regexes.save()
    regexes._table = None
    assert (r"\brides?\b", 0) in regexes._load()


def test_a_bad_pattern_raises_as_re_compile_does(fresh) -> None:
    with pytest.raises(re.error):
        regexes.compile(r"(unclosed")
    assert regexes._load() == {}


def test_a_folder_that_cannot_be_written_costs_speed_not_the_run(fresh, monkeypatch) -> None:
    blocker = fresh / "file-not-folder"
    blocker.write_text("x")
    monkeypatch.setenv("COACH_CACHE_DIR", str(blocker / "cache"))
    assert regexes.compile(r"orders?").search("two orders")
    regexes.save()  # must not raise
    assert not (blocker / "cache").exists()


def test_a_file_grown_past_its_cap_keeps_only_what_is_in_use(fresh, monkeypatch) -> None:
    for stale in ("old one", "old two", "old three"):
        regexes.compile(stale)
    regexes.save()
    monkeypatch.setattr(regexes, "_table", None)
    monkeypatch.setattr(regexes, "_used", set())  # a later process, after words.yaml changed
    monkeypatch.setattr(regexes, "_MAX_ENTRIES", 3)
    assert regexes.compile(r"new (?:one|two)").search("a new one")
    regexes.save()
    monkeypatch.setattr(regexes, "_table", None)
    assert set(regexes._load()) == {(r"new (?:one|two)", 0)}
