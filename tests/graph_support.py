"""A networkx oracle for tree depth, shared by the scenario and tree-helper tests."""

from __future__ import annotations

import networkx as nx


def depth_below(g: nx.DiGraph, root: str) -> int:
    """Longest parent → child path from ``root`` in an acyclic graph, in edges."""
    if root not in g:
        return 0
    lengths = nx.single_source_shortest_path_length(g, root)
    best = {root: 0}
    for node in nx.topological_sort(g.subgraph(lengths)):
        for child in g.successors(node):
            best[child] = max(best.get(child, 0), best.get(node, 0) + 1)
    return max(best.values())
