"""The rules' light graph helpers give the same answers as networkx on the same trees."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from graph_support import depth_below

from coach.parse.offline import parse_answer
from coach.rubric.treeview import acyclic_children, children, depth, descendants, find_cycles
from coach.tree import Link, Node, Tree, acyclic_view, cycles

ANSWERS = [
    json.loads(line)["answer"] for line in (Path(__file__).parent / "data" / "heldout.jsonl").read_text().splitlines()
]
LOOP = Tree(
    north_star="orders",
    nodes=[Node(name=n) for n in ("orders", "selection", "restaurants", "couriers")],
    links=[
        Link(parent="orders", child="selection"),
        Link(parent="selection", child="restaurants"),
        Link(parent="restaurants", child="orders"),
        Link(parent="orders", child="couriers"),
    ],
)


@pytest.mark.parametrize("tree", [LOOP, *(parse_answer(a) for a in ANSWERS)])
def test_helpers_match_networkx(tree: Tree) -> None:
    g = tree.to_graph()
    # The light helper reports one loop per edge that closes one; networkx lists every elementary cycle.
    light_loops = {frozenset(c) for c in find_cycles(tree)}
    nx_loops = {frozenset(c) for c in cycles(tree)}
    assert bool(light_loops) == bool(nx_loops)
    assert light_loops <= nx_loops
    light = acyclic_children(tree)
    assert sum(map(len, light.values())) == acyclic_view(g).number_of_edges()
    for node in g.nodes:
        assert descendants(children(tree), node) - {node} == nx.descendants(g, node) - {node}
    if not cycles(tree) and tree.north_star:
        assert depth(light, tree.north_star) == depth_below(acyclic_view(g), tree.north_star)


def test_a_loop_is_found_and_broken() -> None:
    assert sorted(find_cycles(LOOP)[0]) == ["orders", "restaurants", "selection"]
    assert depth(acyclic_children(LOOP), "orders") == 2


def test_a_question_phrase_finds_the_acronym_the_candidate_made_of_it() -> None:
    from coach.rubric.treeview import find_node

    tree = Tree(nodes=[Node(name="WAV/acct"), Node(name="dashboards per account"), Node(name="total WAV")])
    found = find_node(tree, "weekly active viewers per account")
    assert found is not None and found.name == "WAV/acct"
    assert find_node(tree, "monthly active buyers") is None
