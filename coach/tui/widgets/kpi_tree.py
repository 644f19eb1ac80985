"""A KPI tree drawn with Textual's Tree: link kinds told apart by a text marker, never by colour alone.

    ★ MAU  (north star)
    ├── = New listeners  (+)                 math link: an identity
    │   └── ┄⇠ First-week minutes  (causal)  causal link: a hypothesis to test
    └── ? Retained listeners  (unlabelled)   a link the answer never labelled

Guardrails and AI (model-quality) inputs carry a tag; guardrails without links,
metrics not connected to the north star (orphans) and cycles get their own
flagged branches, so a defect in the answer is shown rather than hidden.
"""

from __future__ import annotations

from collections import defaultdict

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from coach.tree import Link, Node
from coach.tree import Tree as KpiModel
from coach.tui.safe import one_line

MARK = {"math": "= ", "causal": "┄⇠ ", "unlabelled": "? "}
KIND_WORD = {"math": "math", "causal": "causal", "unlabelled": "unlabelled"}
LEGEND = "= math (identity)  ┄⇠ causal (hypothesis)  ? unlabelled"


def _tags(node: Node | None) -> list[str]:
    if node is None:
        return []
    tags = []
    if node.role == "guardrail":
        tags.append("[guardrail]")
    if node.role == "ai_input":
        tags.append("[AI input]")
    return tags


def link_label(link: Link, node: Node | None) -> Text:
    """``= New listeners  (math +)``: the marker, the metric, its tags, then the kind in words."""
    label = Text()
    label.append(MARK[link.kind], style="bold" if link.kind == "math" else "")
    name_style = {"math": "", "causal": "italic", "unlabelled": "dim"}[link.kind]
    label.append(one_line(link.child), style=name_style)
    for tag in _tags(node):
        label.append(f" {tag}", style="bold")
    kind = KIND_WORD[link.kind]
    if link.kind == "math" and link.operator:
        kind += f" {link.operator}"
    label.append(f"  ({kind})", style="dim")
    return label


def node_label(name: str, node: Node | None, *, top: bool = False) -> Text:
    label = Text()
    if top:
        label.append("★ ", style="bold")
    label.append(one_line(name), style="bold" if top else "")
    for tag in _tags(node):
        label.append(f" {tag}", style="bold")
    if top:
        label.append("  (north star)", style="dim")
    return label


class KpiTreeView(Tree[str]):
    """The tree itself. ``show(tree)`` rebuilds it; ``flags`` lists the defects found while drawing."""

    DEFAULT_CSS = """
    KpiTreeView { height: 1fr; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(Text("(no tree yet)"), id=id, classes=classes)
        self.guide_depth = 3
        self.flags: list[str] = []

    def show(self, model: KpiModel) -> list[str]:
        self.clear()
        self.flags = []
        nodes = {n.name: n for n in model.nodes}
        children: dict[str, list[Link]] = defaultdict(list)
        parents: dict[str, list[str]] = defaultdict(list)
        for link in model.links:
            children[link.parent].append(link)
            parents[link.child].append(link.parent)
        reached: set[str] = set()

        def grow(tnode: TreeNode[str], name: str, path: tuple[str, ...]) -> None:
            reached.add(name)
            for link in children.get(name, []):
                child = link.child
                if child in path or child == name:
                    loop = " → ".join([*path[path.index(child) :], child]) if child in path else f"{name} → {name}"
                    tnode.add_leaf(Text(f"↻ cycle: back to {one_line(child)}", style="bold"), data=child)
                    self.flags.append(f"cycle: {one_line(loop)}")
                    continue
                label = link_label(link, nodes.get(child))
                if len(parents.get(child, [])) > 1:
                    label.append(f"  feeds {len(parents[child])} parents", style="dim")
                if children.get(child):
                    grow(tnode.add(label, data=child, expand=True), child, (*path, child))
                else:
                    reached.add(child)
                    tnode.add_leaf(label, data=child)

        root = self.root
        if model.north_star is not None:
            root.set_label(node_label(model.north_star, nodes.get(model.north_star), top=True))
            root.data = model.north_star
            grow(root, model.north_star, (model.north_star,))
            tops: list[str] = []
        else:
            candidates = ", ".join(one_line(c) for c in model.north_star_candidates)
            text = "(no single north star" + (f": {candidates} offered" if candidates else "") + ")"
            root.set_label(Text(text, style="bold"))
            tops = [n.name for n in model.nodes if not parents.get(n.name) and n.role != "guardrail"]
            if not model.nodes:
                root.add_leaf(Text("no metrics found in the answer", style="dim"))
            for name in tops:
                branch = root.add(node_label(name, nodes.get(name)), data=name, expand=True)
                grow(branch, name, (name,))

        loose_guardrails = [n for n in model.nodes if n.role == "guardrail" and n.name not in reached]
        if loose_guardrails:
            section = root.add(Text("Guardrails (held beside the tree)", style="bold"), expand=True)
            for n in loose_guardrails:
                reached.add(n.name)
                section.add_leaf(node_label(n.name, n), data=n.name)

        orphans = [n for n in model.nodes if n.name not in reached]
        orphans.sort(key=lambda n: bool(parents.get(n.name)))  # the tops of loose branches first
        if orphans:
            plural = "s" if len(orphans) > 1 else ""
            self.flags.append(f"{len(orphans)} metric{plural} not connected to the north star")
            section = root.add(Text("⚠ Not connected to the north star (orphans)", style="bold"), expand=True)
            for n in orphans:
                if n.name in reached:
                    continue
                if children.get(n.name):
                    grow(section.add(node_label(n.name, n), data=n.name, expand=True), n.name, (n.name,))
                else:
                    reached.add(n.name)
                    section.add_leaf(node_label(n.name, n), data=n.name)
        root.expand()
        return self.flags


class KpiTree(Vertical):
    """A legend line, the flags (cycles, orphans) and the tree."""

    DEFAULT_CSS = """
    KpiTree { height: 1fr; }
    KpiTree > .legend { color: $text-muted; height: auto; padding: 0 1; }
    KpiTree > .flags { height: auto; padding: 0 1; text-style: bold; color: $warning; }
    """

    def __init__(
        self, model: KpiModel | None = None, *, legend: bool = True, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._model = model
        self._legend = legend

    def compose(self) -> ComposeResult:
        if self._legend:
            yield Static(Text(LEGEND), classes="legend")
        yield Static("", classes="flags")
        yield KpiTreeView()

    def on_mount(self) -> None:
        if self._model is not None:
            self.show(self._model)

    def show(self, model: KpiModel) -> None:
        self._model = model
        flags = self.query_one(KpiTreeView).show(model)
        flag_line = self.query_one(".flags", Static)
        flag_line.update(Text("\n".join(f"⚠ {f}" for f in dict.fromkeys(flags))))
        flag_line.display = bool(flags)
