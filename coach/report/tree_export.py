"""A KPI tree exported for other tools: Mermaid, Graphviz DOT, SVG, or a plain-text outline.

Link kinds keep their meaning in every format: solid = mathematical, dotted =
causal, dashed = unlabelled. Names are escaped for each format (Mermaid entity
codes, DOT quoted strings, XML text), so a metric's name can never break out
of its label.
"""

from __future__ import annotations

from collections import defaultdict

from coach.tree import Link, Node, Tree

FORMATS = ("mermaid", "dot", "svg", "text")


def _ids(tree: Tree) -> dict[str, str]:
    return {n.name: f"n{i}" for i, n in enumerate(tree.nodes)}


_MERMAID_KEEP = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-_/%+×÷=()'’:?!*")


def mermaid_text(text: str) -> str:
    """A label safe inside Mermaid's ``["…"]``: every character outside a plain set becomes ``#code;``."""
    text = " ".join((text or "").split())
    return "".join(ch if ch in _MERMAID_KEEP or (ch.isalnum() and ord(ch) > 127) else f"#{ord(ch)};" for ch in text)


def _tag(node: Node) -> str:
    return {"north_star": "★ ", "guardrail": "guardrail: ", "ai_input": "AI input: "}.get(node.role, "")


def to_mermaid(tree: Tree) -> str:
    ids = _ids(tree)
    lines = ["flowchart TD"]
    shapes = {"north_star": ('(["', '"])'), "guardrail": ('{{"', '"}}'), "ai_input": ('[/"', '"/]')}
    for n in tree.nodes:
        open_, close = shapes.get(n.role, ('["', '"]'))
        lines.append(f"    {ids[n.name]}{open_}{mermaid_text(_tag(n) + n.name)}{close}")
    for link in tree.links:
        a, b = ids[link.parent], ids[link.child]
        if link.kind == "math":
            label = f'|"{mermaid_text(link.operator)}"|' if link.operator else ""
            lines.append(f"    {a} -->{label} {b}")
        elif link.kind == "causal":
            lines.append(f'    {a} -.->|"causal"| {b}')
        else:
            lines.append(f'    {a} -.->|"?"| {b}')
    for role, style in (
        ("north_star", "fill:#e6efff,stroke:#1d4ed8,stroke-width:3px"),
        ("guardrail", "fill:#fff4dc,stroke:#b45309"),
        ("ai_input", "fill:#f1e8ff,stroke:#6d28d9"),
    ):
        members = [ids[n.name] for n in tree.nodes if n.role == role]
        if members:
            lines.append(f"    classDef {role.replace('_', '')} {style}")
            lines.append(f"    class {','.join(members)} {role.replace('_', '')}")
    unlabelled = [i for i, link in enumerate(tree.links) if link.kind == "unlabelled"]
    if unlabelled:
        lines.append(f"    linkStyle {','.join(map(str, unlabelled))} stroke:#7b8794,stroke-dasharray:7 5")
    return "\n".join(lines) + "\n"


def dot_text(text: str) -> str:
    """A DOT quoted string's content: backslashes and quotes escaped, line breaks as \\n."""
    text = (text or "").replace("\\", "\\\\").replace('"', '\\"')
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def to_dot(tree: Tree) -> str:
    lines = [
        "digraph kpi_tree {",
        "  rankdir=TB;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
        '  edge [dir=back, arrowtail=normal, fontname="Helvetica"];',
    ]
    role_attrs = {
        "north_star": 'fillcolor="#e6efff", color="#1d4ed8", penwidth=2.6, peripheries=2',
        "guardrail": 'fillcolor="#fff4dc", color="#b45309", shape=hexagon',
        "ai_input": 'fillcolor="#f1e8ff", color="#6d28d9", shape=parallelogram',
    }
    for n in tree.nodes:
        extra = role_attrs.get(n.role)
        label = dot_text(_tag(n) + n.name)
        lines.append(f'  "{dot_text(n.name)}" [label="{label}"' + (f", {extra}" if extra else "") + "];")
    for link in tree.links:
        style = {"math": "solid", "causal": "dotted", "unlabelled": "dashed"}[link.kind]
        attrs = [f"style={style}"]
        if link.kind == "math" and link.operator:
            attrs.append(f'label="{dot_text(link.operator)}"')
        if link.kind == "unlabelled":
            attrs.append('color="#7b8794"')
        lines.append(f'  "{dot_text(link.parent)}" -> "{dot_text(link.child)}" [{", ".join(attrs)}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


MARK = {"math": "=", "causal": "┄", "unlabelled": "?"}


def _label(name: str, node: Node | None, link: Link | None = None) -> str:
    tags = ""
    if node is not None and node.role == "guardrail":
        tags = " [guardrail]"
    elif node is not None and node.role == "ai_input":
        tags = " [AI input]"
    one = " ".join(name.split())
    if link is None:
        return one + tags
    kind = link.kind + (f" {link.operator}" if link.kind == "math" and link.operator else "")
    return f"{MARK[link.kind]} {one}{tags}  ({kind})"


def outline(tree: Tree) -> list[tuple[str, int, str]]:
    """The tree as outline rows ``(prefix, depth, label)``; depth -1 marks a heading row.

    ``★`` the north star, then ``=`` math, ``┄`` causal, ``?`` unlabelled
    children; a link back into the path is shown as a cycle, not followed.
    Guardrails held beside the tree and metrics not connected to the north star
    get their own headings.
    """
    nodes = {n.name: n for n in tree.nodes}
    children: dict[str, list[Link]] = defaultdict(list)
    for link in tree.links:
        children[link.parent].append(link)
    has_parent = {link.child for link in tree.links}
    rows: list[tuple[str, int, str]] = []
    reached: set[str] = set()

    def grow(name: str, prefix: str, depth: int, path: tuple[str, ...]) -> None:
        reached.add(name)
        kids = children.get(name, [])
        for i, link in enumerate(kids):
            last = i == len(kids) - 1
            branch = prefix + ("└── " if last else "├── ")
            if link.child in path:
                rows.append((branch, depth, f"↻ cycle: back to {' '.join(link.child.split())}"))
                continue
            rows.append((branch, depth, _label(link.child, nodes.get(link.child), link)))
            grow(link.child, prefix + ("    " if last else "│   "), depth + 1, (*path, link.child))

    if tree.north_star:
        rows.append(("", 0, "★ " + _label(tree.north_star, nodes.get(tree.north_star)) + "  (north star)"))
        grow(tree.north_star, "", 1, (tree.north_star,))
    elif tree.north_star_candidates:
        rows.append(("", -1, "(no single north star: " + ", ".join(tree.north_star_candidates) + " offered)"))
    else:
        rows.append(("", -1, "(no north star)"))
    if not tree.nodes:
        rows.append(("", -1, "no metrics found"))
    loose = [n for n in tree.nodes if n.name not in reached and n.role == "guardrail" and n.name not in has_parent]
    if loose:
        rows.append(("", -1, "Guardrails (held beside the tree):"))
        for n in loose:
            reached.add(n.name)
            rows.append(("  ", 0, _label(n.name, n)))
    rest = [n for n in tree.nodes if n.name not in reached]
    if rest:
        rows.append(("", -1, "Not connected to the north star:" if tree.north_star else "Metrics:"))
        for n in rest:
            if n.name in reached or n.name in has_parent:
                continue  # drawn under its parent
            rows.append(("  ", 0, _label(n.name, n)))
            grow(n.name, "  ", 1, (n.name,))
        for n in rest:  # anything reachable only through a cycle
            if n.name not in reached:
                rows.append(("  ", 0, _label(n.name, n)))
                reached.add(n.name)
    return rows


LEGEND = "legend: = math (identity)  ┄ causal (hypothesis)  ? unlabelled"


def to_text(tree: Tree) -> str:
    """The outline as text with box-drawing guides, then the legend."""
    out = []
    for prefix, depth, label in outline(tree):
        if depth < 0 and out:
            out.append("")
        out.append(prefix + label)
    return "\n".join([*out, "", LEGEND]) + "\n"


def export_tree(tree: Tree, fmt: str) -> str:
    if fmt == "mermaid":
        return to_mermaid(tree)
    if fmt == "dot":
        return to_dot(tree)
    if fmt == "svg":
        from coach.report.svg import tree_svg

        return tree_svg(tree, standalone=True)
    if fmt == "text":
        return to_text(tree)
    raise ValueError(f"unknown tree format {fmt!r}")
