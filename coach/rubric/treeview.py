"""Questions rules ask of a tree: children, tops, depth, where a phrase of the question sits, the sentence a quote came from."""

from __future__ import annotations

import re
from functools import lru_cache

from coach.parse.acronyms import ACRONYM, spelled
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
    """The metrics a hierarchy is judged under: the north star, else the offered candidates, else every root.

    The other roots follow the north star: a breakdown the answer gives but the reader could not hang under
    the top ("DAU = new + returning" when the top was named "daily learners") is still the answer's structure.
    Guardrails' own breakdowns are not."""
    kids = children(tree)
    ups = parents(tree)
    guards = {n.name for n in tree.nodes if n.role == "guardrail"}
    roots = [n.name for n in tree.nodes if kids.get(n.name) and not ups.get(n.name)]
    if tree.north_star and kids.get(tree.north_star):
        return [tree.north_star, *(r for r in roots if r != tree.north_star and r not in guards)]
    offered = [c for c in tree.north_star_candidates if kids.get(c)]
    # A candidate may be named shorter than the root it heads ("GMV checked" for "GMV checked out per store").
    cand_keys = [set(key(c)) for c in tree.north_star_candidates]
    offered += [r for r in roots if r not in offered and any(len(k & set(key(r))) >= 2 for k in cand_keys)]
    if offered:
        return offered
    return roots


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
    for n in tree.nodes:
        # "WAV/acct" for "weekly active viewers per account": an acronym the candidate made from the phrase
        if any(key(spelled(name, phrase)) == want for name in (n.name, *n.aliases) if ACRONYM.search(name)):
            return n
    loose = [n for n in tree.nodes if any(set(want) <= set(key(name)) for name in (n.name, *n.aliases))]
    if len(loose) == 1:
        return loose[0]
    # "share of seats active each week" for the node "weekly active share": most of the words, in any order.
    want_set = _content(want)
    if not want_set:
        return None
    # "new-workspace activation rate" is about activation: the head word, when a node has it, decides.
    # "ad revenue per thousand hours watched" is about revenue: in a ratio the head comes before "per"
    # (unless that word names no node: "replies sent per user").
    before_per = key(re.split(r"\s+per\s+", phrase, maxsplit=1)[0]) or want
    for head in dict.fromkeys((before_per[-1], want[-1])):
        found = _closest_with_head(tree, want_set, _WINDOWS.get(head, head))
        if found is not None:
            return found
    return None


def _closest_with_head(tree: Tree, want_set: set[str], head: str) -> Node | None:
    kids = children(tree)
    best, best_score = None, 0.0
    with_head = [n for n in tree.nodes if any(head in _content(key(name)) for name in (n.name, *n.aliases))]
    for n in with_head or tree.nodes:
        for name in (n.name, *n.aliases):
            have = _content(key(name))
            # "acc. rate" for "acceptance rate": a clipped word matches the word it clips.
            shared = sum(
                1
                for w in want_set
                if w in have or any(len(h) >= 3 and (w.startswith(h) or h.startswith(w)) for h in have)
            )
            # "Activation rate" for "new-workspace activation rate": the node is the phrase without its qualifiers.
            unqualified = bool(with_head) and bool(have) and have <= want_set
            if not shared or (shared < 2 and len(want_set) > 1 and not unqualified):
                continue
            score = shared / max(len(want_set), len(have)) + (0.01 if kids.get(n.name) else 0.0)
            if unqualified:
                score = max(score, 0.5 + 0.01 * shared)
            if score > best_score:
                best, best_score = n, score
    return best if best_score >= 0.5 else None


_WINDOWS = {
    "weekly": "week",
    "daily": "day",
    "monthly": "month",
    "yearly": "year",
    "annual": "year",
    "quarterly": "quarter",
}
_FILLER = {
    "of",
    "each",
    "the",
    "a",
    "an",
    "per",
    "in",
    "on",
    "for",
    "that",
    "who",
    "which",
    "our",
    "all",
    "total",
    "number",
    "count",
}


def _content(tokens: tuple[str, ...]) -> set[str]:
    return {_WINDOWS.get(t, t) for t in tokens} - _FILLER


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


# networkx takes 0.13 s to import, a quarter of `coach score`'s budget, so the rules answer their graph
# questions here, on parent → child lists; the same answers as Tree.to_graph() with networkx.
def acyclic_children(tree: Tree) -> dict[str, list[str]]:
    """Children lists with each cycle broken at the edge that closes it, walking in answer order."""
    kids = children(tree)
    out: dict[str, list[str]] = {}
    state: dict[str, int] = {}  # 1 on the current path, 2 finished

    def visit(node: str) -> None:
        state[node] = 1
        for child in kids.get(node, []):
            if state.get(child) == 1:
                continue  # this edge closes a cycle
            out.setdefault(node, []).append(child)
            if child not in state:
                visit(child)
        state[node] = 2

    for n in [n.name for n in tree.nodes]:
        if n not in state:
            visit(n)
    return out


def descendants(kids: dict[str, list[str]], root: str) -> set[str]:
    seen: set[str] = set()
    stack = list(kids.get(root, []))
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(kids.get(node, []))
    return seen


def depth(kids: dict[str, list[str]], root: str) -> int:
    """Longest parent → child path below ``root`` in an acyclic children map, in edges."""
    memo: dict[str, int] = {}

    def longest(node: str) -> int:
        if node not in memo:
            memo[node] = max((1 + longest(c) for c in kids.get(node, [])), default=0)
        return memo[node]

    return longest(root)


def find_cycles(tree: Tree) -> list[list[str]]:
    """Each loop the links close, as the list of its metrics from where the walk entered it."""
    kids = children(tree)
    found: list[list[str]] = []
    path: list[str] = []
    state: dict[str, int] = {}

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for child in kids.get(node, []):
            if state.get(child) == 1:
                found.append(path[path.index(child) :])
            elif child not in state:
                visit(child)
        path.pop()
        state[node] = 2

    for n in [n.name for n in tree.nodes]:
        if n not in state:
            visit(n)
    return found


# Words that say what kind of number a metric is, not what it counts: two metrics sharing only these are not
# the same metric ("return rate" and "approval rate").
_KIND_WORDS = {
    "rate",
    "rates",
    "users",
    "user",
    "time",
    "share",
    "value",
    "average",
    "avg",
    "percent",
    "percentage",
    "ratio",
    "score",
    "metric",
    "metrics",
    "amount",
    "volume",
    "growth",
    "active",
    "new",
    "week",
    "day",
    "month",
    "year",
    "quarter",
    "people",
    "customers",
    "conversion",
    "total",
    "overall",
    "net",
    "gross",
}


def _gist(name: str) -> set[str]:
    """The words that say what a metric counts, each cut to its stem ("shelving", "shelved" → "shelv")."""
    return {_stem(t) for t in _content(key(name)) if len(t) > 2 and t not in _KIND_WORDS and not t.endswith("ly")}


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def grafted_depth(tree: Tree, kids: dict[str, list[str]], top: str) -> tuple[int, str | None, str | None]:
    """The top's depth when a breakdown the reader left apart is hung on the node of the top's tree it names.

    "Retained drivers = last week's actives × retention" sits under the L1 "drivers who stayed": the answer
    gives the structure, the reader could not tell the two names were one metric. Returns the depth and the
    (node, breakdown) pair that gave it.
    """
    level: dict[str, int] = {}
    frontier = [top]
    level[top] = 0
    while frontier:
        nxt = []
        for n in frontier:
            for c in kids.get(n, []):
                if c not in level:
                    level[c] = level[n] + 1
                    nxt.append(c)
        frontier = nxt
    guards = {n.name for n in tree.nodes if n.role == "guardrail"}
    ups = parents(tree)
    best: tuple[int, str | None, str | None] = (depth(kids, top), None, None)
    if top != tree.north_star and top not in tree.north_star_candidates:
        return best  # with no top committed to, there is no tree to hang a breakdown in
    top_gist = _gist(top)
    # A breakdown that names nothing the top does not ("shelving" under "monthly shelved books") is the top
    # named again, not a node below it.
    for root in kids:
        if root in level or root in guards or ups.get(root):
            continue
        gist = _gist(root)
        for node, lv in level.items():
            shared = gist & _gist(node)
            if lv >= 1 and shared and not gist <= top_gist:
                d = lv + depth(kids, root)
                if d > best[0]:
                    best = (d, node, root)
    return best
