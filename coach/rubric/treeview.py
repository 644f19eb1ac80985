"""Questions rules ask of a tree: children, tops, depth, where a phrase of the question sits, the sentence a quote came from."""

from __future__ import annotations

from functools import lru_cache

from coach.parse.names import key, same_metric
from coach.parse.segment import lines, sentences
from coach.tree import Node, Tree


def children(tree: Tree) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for link in tree.links:
        if link.parent != link.child and link.child not in out.setdefault(link.parent, []):
            out[link.parent].append(link.child)
    return out


def parents(tree: Tree) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for link in tree.links:
        if link.parent != link.child and link.parent not in out.setdefault(link.child, []):
            out[link.child].append(link.parent)
    return out


def tops(tree: Tree) -> list[str]:
    """The metrics a hierarchy is judged under: the north star, else the offered candidates, else every root."""
    kids = children(tree)
    if tree.north_star and kids.get(tree.north_star):
        return [tree.north_star]
    offered = [c for c in tree.north_star_candidates if kids.get(c)]
    if offered:
        return offered
    ups = parents(tree)
    return [n.name for n in tree.nodes if kids.get(n.name) and not ups.get(n.name)]


def find_node(tree: Tree, phrase: str) -> Node | None:
    """The node a phrase of the question names ("weekly active buyers" for the node "WAB")."""
    want = key(phrase)
    if not want:
        return None
    for n in tree.nodes:
        if any(key(name) == want for name in (n.name, *n.aliases)):
            return n
    for n in tree.nodes:
        if any(same_metric(key(name), want) for name in (n.name, *n.aliases)):
            return n
    loose = [n for n in tree.nodes if any(set(want) <= set(key(name)) for name in (n.name, *n.aliases))]
    return loose[0] if len(loose) == 1 else None


@lru_cache(maxsize=8)
def _sentence_spans(answer: str) -> tuple[tuple[int, int], ...]:
    return tuple((s.start, s.end) for line in lines(answer) for s in sentences(line))


def sentence_of(answer: str, start: int | None, fallback: str) -> str:
    """The whole sentence around a character offset: the quote a coach would read as evidence."""
    if start is None:
        return fallback
    for s, e in _sentence_spans(answer):
        if s <= start < e:
            return answer[s:e]
    return fallback


def node_quote(answer: str, node: Node) -> str:
    if not node.evidence:
        return node.name
    ev = node.evidence[0]
    return sentence_of(answer, ev.start, ev.quote)
