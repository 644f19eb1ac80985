"""A KPI tree drawn as an SVG diagram: layered top-down, the north star at the top.

- Links: **solid** lines for mathematical links (an identity, with its operator
  on the line), **dotted** lines for causal links (a hypothesis), grey
  **dashed** lines for links the answer never labelled, and red dashed arcs for
  the link that closes a cycle. Each line carries an arrowhead at the parent
  end (the child drives the parent).
- Nodes: the north star, guardrails and AI (model-quality) inputs carry a word
  tag above the metric's name and a fill of their own, so colour is never the
  only signal and the diagram prints in black and white.
- A legend explains every mark; guardrails held beside the tree and metrics
  not linked to anything get rows of their own.

Every name goes through ``xml_text`` (invalid XML characters removed, then
``html.escape``), so a metric called ``<script>`` is drawn as text. The output
is deterministic: the same tree gives the same bytes. Elements carry classes
(``edge math``, ``node guardrail`` …) and ``data-`` attributes for tests and
for styling.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from coach import regexes
from coach.tree import Node, Tree, acyclic_view

# Characters XML 1.0 does not allow (C0 controls but tab/newline/CR, surrogates, U+FFFE/FFFF).
_XML_INVALID = regexes.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
CHAR_W = 6.9  # average advance of a 12 px sans-serif character
LINE_H = 15
WRAP = 26  # characters per line of a node's name
MAX_LINES = 3
PAD_X, PAD_Y = 10, 8
GAP_X, GAP_Y = 22, 58
MARGIN = 16
TAG_H = 13

EDGE_STYLE = {
    "math": {"stroke": "#1f2933", "stroke-width": "1.8", "dash": None, "word": "mathematical (identity)"},
    "causal": {"stroke": "#1f2933", "stroke-width": "1.8", "dash": "1.5 4.5", "word": "causal (hypothesis to test)"},
    "unlabelled": {"stroke": "#7b8794", "stroke-width": "1.4", "dash": "7 5", "word": "unlabelled (never said which)"},
}
CYCLE_STYLE = {"stroke": "#b42318", "stroke-width": "1.6", "dash": "5 3"}
ROLE_STYLE = {
    "north_star": {"fill": "#e6efff", "stroke": "#1d4ed8", "stroke-width": "2.6", "tag": "★ NORTH STAR"},
    "guardrail": {"fill": "#fff4dc", "stroke": "#b45309", "stroke-width": "1.6", "tag": "GUARDRAIL"},
    "ai_input": {"fill": "#f1e8ff", "stroke": "#6d28d9", "stroke-width": "1.6", "tag": "AI INPUT"},
    "driver": {"fill": "#ffffff", "stroke": "#52606d", "stroke-width": "1.2", "tag": ""},
}


def xml_text(text: str) -> str:
    """Text safe inside an XML/HTML element or a quoted attribute."""
    return html.escape(_XML_INVALID.sub("", text or ""), quote=True)


def wrap_name(name: str, width: int = WRAP, max_lines: int = MAX_LINES) -> list[str]:
    """A metric's name on at most ``max_lines`` lines of about ``width`` characters (cut with … past that)."""
    words = " ".join((name or "").split()).split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        while len(word) > width:  # one very long word: hard-break it
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = word
    if line or not lines:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


@dataclass
class Box:
    name: str
    role: str
    lines: list[str]
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    flags: list[str] = field(default_factory=list)

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


@dataclass
class Layout:
    boxes: dict[str, Box]
    rows: list[list[str]]
    row_titles: dict[int, str]
    edges: list[tuple[str, str, str, str | None]]  # parent, child, kind, operator
    cycle_edges: list[tuple[str, str]]
    width: float
    height: float


def _box(node: Node) -> Box:
    lines = wrap_name(node.name)
    tag = ROLE_STYLE.get(node.role, ROLE_STYLE["driver"])["tag"]
    text_w = max(len(line) for line in lines) * CHAR_W
    tag_w = len(tag) * 6.2 if tag else 0
    w = max(92.0, text_w, tag_w) + 2 * PAD_X
    h = len(lines) * LINE_H + 2 * PAD_Y + (TAG_H if tag else 0)
    return Box(node.name, node.role, lines, w=round(w, 1), h=h)


def layout(tree: Tree) -> Layout:
    """Place every node: layers by longest path from the top, ordered to keep children under parents."""
    g = tree.to_graph()
    h = acyclic_view(g)
    cycle_edges = sorted(set(g.edges()) - set(h.edges()))
    boxes = {n.name: _box(n) for n in tree.nodes}
    linked = {n for e in g.edges() for n in e}
    unlinked_guardrails = [n.name for n in tree.nodes if n.name not in linked and n.role == "guardrail"]
    unlinked_other = [n.name for n in tree.nodes if n.name not in linked and n.role != "guardrail"]
    if tree.north_star in unlinked_other:
        unlinked_other.remove(tree.north_star)  # a lone north star still sits on top

    level: dict[str, int] = {}
    if tree.north_star:
        level[tree.north_star] = 0
    order = [n for n in nx.topological_sort(h) if n in linked or n == tree.north_star]
    for n in order:
        level.setdefault(n, 0)
        for child in h.successors(n):
            level[child] = max(level.get(child, 0), level[n] + 1)

    rows: list[list[str]] = []
    first_seen = {n.name: i for i, n in enumerate(tree.nodes)}
    # Initial order: depth-first from the north star, then other tops, following link order.
    children: dict[str, list[str]] = defaultdict(list)
    for link in tree.links:
        if h.has_edge(link.parent, link.child) and link.child not in children[link.parent]:
            children[link.parent].append(link.child)
    tops = [n for n in order if h.in_degree(n) == 0]
    tops.sort(key=lambda n: (n != tree.north_star, first_seen.get(n, 0)))
    dfs: list[str] = []
    seen: set[str] = set()

    def visit(n: str) -> None:
        if n in seen:
            return
        seen.add(n)
        dfs.append(n)
        for c in children.get(n, []):
            visit(c)

    for t in tops:
        visit(t)
    rank = {n: i for i, n in enumerate(dfs)}
    depth = max(level.values(), default=-1)
    for lv in range(depth + 1):
        rows.append(sorted((n for n in level if level[n] == lv), key=lambda n: rank.get(n, 0)))
    # Barycentre passes: each node under the average position of its parents.
    for _ in range(2):
        for lv in range(1, len(rows)):
            pos = {n: i for i, n in enumerate(rows[lv - 1])}

            def bary(n: str, pos: dict[str, int] = pos) -> tuple[float, int]:
                ps = [pos[p] for p in h.predecessors(n) if p in pos]
                return (sum(ps) / len(ps) if ps else float(len(pos)), rank.get(n, 0))

            rows[lv].sort(key=bary)

    row_titles: dict[int, str] = {}
    if unlinked_guardrails:
        row_titles[len(rows)] = "Guardrails (held beside the tree)"
        rows.append(unlinked_guardrails)
    if unlinked_other:
        row_titles[len(rows)] = "Not linked to any other metric"
        rows.append(unlinked_other)

    reached = nx.descendants(g, tree.north_star) | {tree.north_star} if tree.north_star in g else set()
    for name, box in boxes.items():
        if tree.north_star and name not in reached and name in linked:
            box.flags.append("not connected to the north star")

    # Coordinates: the widest row sets the width; each node then sits under its parents where there is room.
    widths = [sum(boxes[n].w for n in row) + GAP_X * max(len(row) - 1, 0) for row in rows]
    full = max(widths + [380.0])
    y = MARGIN
    for i, row in enumerate(rows):
        if i in row_titles:
            y += 22  # room for the row's title
        row_h = max((boxes[n].h for n in row), default=0)
        x = MARGIN + (full - widths[i]) / 2
        for n in row:
            boxes[n].x = x
            x += boxes[n].w + GAP_X
        if i and i not in row_titles:
            _under_parents([boxes[n] for n in row], {n: list(h.predecessors(n)) for n in row}, boxes, full)
        for n in row:
            b = boxes[n]
            b.x, b.y = round(b.x, 1), round(y + (row_h - b.h) / 2, 1)
        y += row_h + GAP_Y
    edges = []
    for link in tree.links:
        if link.parent == link.child or not h.has_edge(link.parent, link.child):
            continue
        edges.append((link.parent, link.child, link.kind, link.operator))
    for link in tree.links:  # self-loops are cycles too
        if link.parent == link.child:
            cycle_edges.append((link.parent, link.child))
    height = y - GAP_Y + MARGIN if rows else 2 * MARGIN
    return Layout(boxes, rows, row_titles, edges, cycle_edges, full + 2 * MARGIN, height)


def _under_parents(row: list[Box], parents: dict[str, list[str]], boxes: dict[str, Box], full: float) -> None:
    """Move each box of a row towards the centre of its parents, keeping the order and the gaps."""
    if not row:
        return
    want = []
    for b in row:
        ps = [boxes[p] for p in parents.get(b.name, []) if p in boxes]
        want.append(sum(p.cx for p in ps) / len(ps) - b.w / 2 if ps else b.x)
    xs = []
    edge = float(MARGIN)
    for b, w in zip(row, want, strict=True):
        x = max(w, edge)
        xs.append(x)
        edge = x + b.w + GAP_X
    overflow = xs[-1] + row[-1].w - (MARGIN + full)
    if overflow > 0:  # pull back from the right, keeping the gaps
        limit = MARGIN + full
        for k in range(len(row) - 1, -1, -1):
            xs[k] = min(xs[k], limit - row[k].w)
            limit = xs[k] - GAP_X
    for b, x in zip(row, xs, strict=True):
        b.x = max(float(MARGIN), x)


def _dash(value: str | None) -> str:
    return f' stroke-dasharray="{value}"' if value else ""


def _edge_path(p: Box, c: Box) -> str:
    x1, y1 = p.cx, p.y + p.h
    x2, y2 = c.cx, c.y
    ym = (y1 + y2) / 2
    return f"M{x1:.1f},{y1:.1f} C{x1:.1f},{ym:.1f} {x2:.1f},{ym:.1f} {x2:.1f},{y2:.1f}"


def _cycle_path(a: Box, b: Box) -> str:
    """An arc on the right from ``a`` (the parent of the closing link) to ``b``."""
    if a is b:
        x, y = a.x + a.w, a.y + a.h / 2
        return f"M{x:.1f},{y - 6:.1f} C{x + 40:.1f},{y - 30:.1f} {x + 40:.1f},{y + 30:.1f} {x:.1f},{y + 6:.1f}"
    x1, y1 = a.x + a.w, a.y + a.h / 2
    x2, y2 = b.x + b.w, b.y + b.h / 2
    bulge = max(x1, x2) + 46
    return f"M{x1:.1f},{y1:.1f} C{bulge:.1f},{y1:.1f} {bulge:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"


def _node_svg(box: Box) -> list[str]:
    style = ROLE_STYLE.get(box.role, ROLE_STYLE["driver"])
    classes = f"node {box.role.replace('_', '-')}" + (" orphan" if box.flags else "")
    title = box.name + (f" ({style['tag'].strip('★ ').lower()})" if style["tag"] else "")
    if box.flags:
        title += f" - {'; '.join(box.flags)}"
    out = [
        f'<g class="{classes}" data-name="{xml_text(box.name)}" data-role="{box.role}">',
        f"<title>{xml_text(title)}</title>",
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="7" '
        f'fill="{style["fill"]}" stroke="{style["stroke"]}" stroke-width="{style["stroke-width"]}"'
        f"{_dash('4 3') if box.flags else ''}/>",
    ]
    if box.role == "north_star":
        out.append(
            f'<rect x="{box.x + 3:.1f}" y="{box.y + 3:.1f}" width="{box.w - 6:.1f}" height="{box.h - 6:.1f}" rx="5" '
            f'fill="none" stroke="{style["stroke"]}" stroke-width="0.8"/>'
        )
    ty = box.y + PAD_Y
    if style["tag"]:
        out.append(
            f'<text class="tag" x="{box.cx:.1f}" y="{ty + 9:.1f}" text-anchor="middle" font-size="9.5" '
            f'font-weight="700" letter-spacing="0.6" fill="{style["stroke"]}">{xml_text(style["tag"])}</text>'
        )
        ty += TAG_H
    weight = ' font-weight="700"' if box.role == "north_star" else ""
    out.append(
        f'<text class="name" x="{box.cx:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="12"{weight} fill="#111">'
    )
    for i, line in enumerate(box.lines):
        out.append(f'<tspan x="{box.cx:.1f}" dy="{LINE_H if i else 11.5}">{xml_text(line)}</tspan>')
    out.append("</text></g>")
    return out


def _legend(y: float, width: float, has_cycle: bool) -> tuple[list[str], float]:
    items: list[tuple[str, str]] = [
        ("math", EDGE_STYLE["math"]["word"]),
        ("causal", EDGE_STYLE["causal"]["word"]),
        ("unlabelled", EDGE_STYLE["unlabelled"]["word"]),
    ]
    if has_cycle:
        items.append(("cycle", "closes a cycle (a defect)"))
    out = [f'<g class="legend" transform="translate({MARGIN},{y:.1f})">']
    out.append('<text x="0" y="10" font-size="11" font-weight="700" fill="#111">Legend</text>')
    x, row_y = 56.0, 0.0
    for kind, word in items:
        st = CYCLE_STYLE if kind == "cycle" else EDGE_STYLE[kind]
        need = 44 + len(word) * 6.1 + 18
        if x + need > width - MARGIN and x > 56:
            x, row_y = 56.0, row_y + 18
        out.append(
            f'<line class="legend-edge {kind}" x1="{x:.1f}" y1="{row_y + 6:.1f}" x2="{x + 36:.1f}" y2="{row_y + 6:.1f}" '
            f'stroke="{st["stroke"]}" stroke-width="{st["stroke-width"]}"{_dash(st["dash"])} stroke-linecap="round"/>'
        )
        out.append(f'<text x="{x + 42:.1f}" y="{row_y + 10:.1f}" font-size="11" fill="#222">{xml_text(word)}</text>')
        x += need
    row_y += 22
    x = 56.0
    for role in ("north_star", "guardrail", "ai_input"):
        st = ROLE_STYLE[role]
        label = st["tag"]
        w = len(label) * 6.4 + 14
        if x + w > width - MARGIN and x > 56:
            x, row_y = 56.0, row_y + 22
        out.append(
            f'<g class="legend-node {role.replace("_", "-")}"><rect x="{x:.1f}" y="{row_y - 2:.1f}" width="{w:.1f}" '
            f'height="17" rx="4" fill="{st["fill"]}" stroke="{st["stroke"]}" stroke-width="1.2"/>'
            f'<text x="{x + w / 2:.1f}" y="{row_y + 10:.1f}" text-anchor="middle" font-size="9.5" font-weight="700" '
            f'fill="{st["stroke"]}">{xml_text(label)}</text></g>'
        )
        x += w + 12
    out.append("</g>")
    return out, row_y + 24


def tree_svg(tree: Tree, *, standalone: bool = False, title: str = "KPI tree") -> str:
    """The diagram as an ``<svg>`` element (``standalone`` adds the XML declaration for a .svg file)."""
    lay = layout(tree)
    body: list[str] = []
    width = max(lay.width, 440.0)
    if not tree.nodes:
        body.append(
            f'<text class="empty" x="{width / 2:.1f}" y="40" text-anchor="middle" font-size="13" fill="#52606d">'
            "No metrics were found in the answer.</text>"
        )
        diagram_h = 64.0
    else:
        diagram_h = lay.height
    # row titles
    for i, text in lay.row_titles.items():
        row = lay.rows[i]
        top = min(lay.boxes[n].y for n in row)
        body.append(
            f'<text class="row-title" x="{MARGIN}" y="{top - 8:.1f}" font-size="11" font-style="italic" '
            f'fill="#52606d">{xml_text(text)}</text>'
        )
    # edges first, so nodes sit on top of them
    for parent, child, kind, op in lay.edges:
        p, c = lay.boxes[parent], lay.boxes[child]
        st = EDGE_STYLE[kind]
        body.append(
            f'<path class="edge {kind}" data-parent="{xml_text(parent)}" data-child="{xml_text(child)}" '
            f'd="{_edge_path(p, c)}" fill="none" stroke="{st["stroke"]}" stroke-width="{st["stroke-width"]}"'
            f'{_dash(st["dash"])} stroke-linecap="round" marker-start="url(#arrow-{kind})"/>'
        )
        mark = op if kind == "math" and op else ("?" if kind == "unlabelled" else "")
        if mark:
            mx, my = (p.cx + c.cx) / 2, (p.y + p.h + c.y) / 2
            body.append(
                f'<g class="edge-label {kind}"><circle cx="{mx:.1f}" cy="{my:.1f}" r="8" fill="#fff" '
                f'stroke="{st["stroke"]}" stroke-width="1"/><text x="{mx:.1f}" y="{my + 4:.1f}" text-anchor="middle" '
                f'font-size="11" font-weight="700" fill="{st["stroke"]}">{xml_text(mark)}</text></g>'
            )
    for a, b in lay.cycle_edges:
        st = CYCLE_STYLE
        body.append(
            f'<path class="edge cycle" data-parent="{xml_text(a)}" data-child="{xml_text(b)}" '
            f'd="{_cycle_path(lay.boxes[a], lay.boxes[b])}" fill="none" stroke="{st["stroke"]}" '
            f'stroke-width="{st["stroke-width"]}"{_dash(st["dash"])} marker-end="url(#arrow-cycle)"/>'
        )
    extra_w = 60 if lay.cycle_edges else 0
    width += extra_w
    for name in (n for row in lay.rows for n in row):
        body.extend(_node_svg(lay.boxes[name]))
    legend, legend_h = _legend(diagram_h + 6, width, bool(lay.cycle_edges))
    height = diagram_h + 6 + legend_h
    markers = "".join(
        f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{st["stroke"]}"/></marker>'
        for k, st in [*EDGE_STYLE.items(), ("cycle", CYCLE_STYLE)]
    )
    summary = f"{len(tree.nodes)} metrics, {len(lay.edges)} links"
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    return (
        f'{head}<svg xmlns="http://www.w3.org/2000/svg" class="kpi-tree" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="{FONT}" aria-label="{xml_text(title)}: {summary}">'
        f"<title>{xml_text(title)}</title><desc>{xml_text(summary)}</desc>"
        f'<defs>{markers}</defs><rect class="bg" width="100%" height="100%" fill="#ffffff"/>'
        + "\n".join(body)
        + "\n"
        + "\n".join(legend)
        + "\n</svg>\n"
    )
