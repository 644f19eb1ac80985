"""The shipped question library (scenarios/*.yaml): it loads, it covers the ground, its trees are sound,
and every model answer is graded strong hire by the offline grader."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from graph_support import depth_below

from coach.datafiles import load_model
from coach.errors import DataFileError
from coach.grade import grade
from coach.rubric.context import classify
from coach.scenarios import Scenario, load_scenarios, scenario_files
from coach.tree import acyclic_view, cycles

KINDS = {"measure_success", "metric_drop", "conflicting_metrics", "north_star"}
SEGMENTS = {"consumer", "b2b_saas", "marketplace", "ecommerce"}
METRIC_CHANGE = {"metric_drop", "conflicting_metrics"}

SCENARIOS = load_scenarios()
BY_ID = {s.id: s for s in SCENARIOS}
IDS = sorted(BY_ID)
AI_IDS = [s.id for s in SCENARIOS if s.ai_product]
CHANGE_IDS = [s.id for s in SCENARIOS if s.kind in METRIC_CHANGE]
CONFLICT_IDS = [s.id for s in SCENARIOS if s.kind == "conflicting_metrics"]


def _norm(text: str) -> str:
    return " ".join(text.split())


# --- the library as a whole -------------------------------------------------


def test_every_file_loads_and_ids_match_file_names() -> None:
    files = scenario_files()
    assert len(SCENARIOS) == len(files)
    for path in files:
        scenario = load_model(Scenario, path)
        assert scenario.id == path.stem, f"{path.name}: id {scenario.id!r} must equal the file name"


def test_ids_are_unique() -> None:
    dupes = [i for i, n in Counter(s.id for s in SCENARIOS).items() if n > 1]
    assert not dupes


def test_library_size() -> None:
    assert len(SCENARIOS) >= 16


def test_coverage_of_kinds_segments_and_ai() -> None:
    assert {s.kind for s in SCENARIOS} == KINDS
    assert {s.segment for s in SCENARIOS} == SEGMENTS
    assert len(AI_IDS) >= 5
    assert sum(1 for s in SCENARIOS if s.ai_product and s.kind == "metric_drop") >= 2
    assert len(CONFLICT_IDS) >= 2


def test_spotify_mau_drop_is_shipped() -> None:
    s = BY_ID["spotify-mau-drop"]
    assert s.kind == "metric_drop"
    assert s.question.startswith("Spotify's monthly active users dropped 5% last month")


# --- each scenario's text ---------------------------------------------------


@pytest.mark.parametrize("sid", IDS)
def test_fields_within_bounds(sid: str) -> None:
    s = BY_ID[sid]
    assert 5 <= s.time_limit <= 15
    words = len(s.model_answer.split())
    assert 150 <= words <= 400, f"model answer has {words} words"
    sentences = len(re.findall(r"[.!?](?:\s|$)", s.context.strip()))
    assert 2 <= sentences <= 4, f"context has {sentences} sentences"
    assert 2 <= len(s.follow_ups) <= 3
    assert all(f.strip().endswith("?") for f in s.follow_ups)
    assert s.title.strip() and s.question.strip().endswith(("?", "."))


@pytest.mark.parametrize("sid", IDS)
def test_question_words_are_recognised_as_the_declared_kind(sid: str) -> None:
    """Recognition works from the question's words; the question must say what the fields say."""
    s = BY_ID[sid]
    ctx = classify(s.question)
    assert ctx.kind == s.kind, f"question reads as {ctx.kind}: {s.question}"
    assert ctx.ai_product == s.ai_product, f"question reads as ai_product={ctx.ai_product}: {s.question}"


# --- each reference tree ----------------------------------------------------


@pytest.mark.parametrize("sid", IDS)
def test_reference_tree_is_sound(sid: str) -> None:
    tree = BY_ID[sid].reference_tree
    ns = tree.north_star
    assert ns is not None and tree.node(ns) is not None
    assert tree.node(ns).role == "north_star" and tree.node(ns).level == 0
    assert [n.name for n in tree.nodes if n.role == "north_star"] == [ns]
    assert len(tree.guardrails()) >= 2

    assert cycles(tree) == []
    g = acyclic_view(tree.to_graph())
    assert depth_below(g, ns) >= 2
    reachable = {ns} | nx.descendants(g, ns)
    assert any(len(list(g.successors(n))) >= 2 for n in reachable), "no branching node under the north star"

    # Every driver hangs somewhere under the north star; guardrails sit beside the tree.
    for n in tree.nodes:
        if n.role in ("driver", "ai_input"):
            assert n.name in reachable, f"{n.name!r} is not under the north star"

    kinds = {link.kind for link in tree.links}
    assert {"math", "causal"} <= kinds
    for link in tree.links:
        if link.kind == "math":
            assert link.operator and link.formula and "=" in link.formula, link
        elif link.kind == "causal":
            assert link.hypothesis, link
        else:
            pytest.fail(f"unlabelled link in a reference tree: {link}")


@pytest.mark.parametrize("sid", AI_IDS)
def test_ai_scenarios_put_model_metrics_under_user_behaviour(sid: str) -> None:
    tree = BY_ID[sid].reference_tree
    ai_nodes = {n.name for n in tree.nodes if n.role == "ai_input"}
    assert ai_nodes
    roles = {n.name: n.role for n in tree.nodes}
    fed = [
        link
        for link in tree.links
        if link.child in ai_nodes and roles[link.parent] in ("driver", "north_star") and link.kind == "causal"
    ]
    assert fed, "no ai_input node is a causal child of a user-behaviour node"
    assert {n.stage for n in tree.nodes if n.role == "ai_input"} >= {"offline"}


@pytest.mark.parametrize("sid", CHANGE_IDS)
def test_metric_change_scenarios_walk_a_diagnosis(sid: str) -> None:
    s = BY_ID[sid]
    tree = s.reference_tree
    assert tree.diagnosis
    names = {n.name for n in tree.nodes}
    for step in tree.diagnosis:
        assert set(step.metrics) <= names, f"diagnosis names unknown metrics: {set(step.metrics) - names}"
        assert _norm(step.quote) in _norm(s.model_answer), f"diagnosis quote not in the model answer: {step.quote}"
    assert any(len(step.metrics) >= 2 for step in tree.diagnosis), "no step checks two components"
    assert any(step.segments for step in tree.diagnosis), "no step segments the moved branch"


@pytest.mark.parametrize("sid", CONFLICT_IDS)
def test_conflicting_scenarios_state_a_decision_rule(sid: str) -> None:
    s = BY_ID[sid]
    rule = s.reference_tree.decision_rule
    assert rule is not None
    assert _norm(rule.quote) in _norm(s.model_answer)


# --- the model answers meet the bar -------------------------------------------


@pytest.mark.parametrize("sid", IDS)
def test_model_answer_grades_strong_hire(sid: str) -> None:
    s = BY_ID[sid]
    result = grade(s.model_answer, scenario=s)
    failing = [f"{c.id}: {c.message}" for c in result.criteria if c.core and c.status == "fail"]
    assert result.verdict == "strong_hire", f"{sid} graded {result.verdict}; failing: {failing}"
    statuses = {c.id: c.status for c in result.criteria if c.core}
    assert statuses["ai_layer"] == ("pass" if s.ai_product else "not_applicable")
    assert statuses["rca"] == ("pass" if s.kind in METRIC_CHANGE else "not_applicable")


# --- a broken file is reported with its name and line ------------------------


def _valid_text() -> str:
    return scenario_files()[0].read_text(encoding="utf-8")


def _break(text: str, line_no: int, replacement: str) -> str:
    lines = text.splitlines(keepends=True)
    lines.insert(line_no - 1, replacement + "\n")
    return "".join(lines)


@pytest.mark.parametrize(
    ("inserted", "what"),
    [
        ("colour: blue", "extra field"),
        ("title: a: b", "YAML syntax"),
        ("time_limit: ten minutes", "wrong type"),
    ],
)
def test_malformed_scenario_names_file_and_line(tmp_path: Path, inserted: str, what: str) -> None:
    text = _valid_text()
    if inserted.startswith("time_limit"):
        text = re.sub(r"(?m)^time_limit:.*\n", "", text)
    if inserted.startswith("title"):
        text = re.sub(r"(?m)^title:.*\n", "", text)
    broken = _break(text, 3, inserted)
    path = tmp_path / "broken.yaml"
    path.write_text(broken, encoding="utf-8")

    with pytest.raises(DataFileError) as info:
        load_scenarios(tmp_path)
    message = info.value.message
    assert str(path) in message, f"{what}: the message does not name the file: {message}"
    m = re.search(re.escape(str(path)) + r":(\d+)", message)
    assert m, f"{what}: the message does not give a line: {message}"
    assert m.group(1) == "3", f"{what}: the broken line is 3: {message}"


def test_valid_copy_in_a_fresh_folder_loads(tmp_path: Path) -> None:
    src = scenario_files()[0]
    (tmp_path / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    loaded = load_scenarios(tmp_path)
    assert [s.id for s in loaded] == [src.stem]
