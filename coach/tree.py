"""The KPI tree: metric nodes, links between them, guardrails and the diagnosis.

The tree is what every later step reads. It is a plain pydantic model so it
round-trips through YAML/JSON (coaches write and correct it by hand), and it
converts to a ``networkx.DiGraph`` for graph questions (depth, cycles, paths).
networkx is imported only when a graph is built: the rules answer their few
graph questions from ``coach.rubric.treeview`` so that grading one answer
starts fast.
Edges in the graph point from parent to child: the north star is the source.

Node names are the identifiers: links and the north star refer to nodes by
name, which keeps hand-written tree files short and readable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    import networkx as nx

Role = Literal["north_star", "driver", "guardrail", "ai_input"]
LinkKind = Literal["math", "causal", "unlabelled"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(Strict):
    """A verbatim quote of the answer, with its character span when known."""

    quote: str
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)


class Node(Strict):
    """One metric (or a bucket such as "demand side" with metrics below it)."""

    name: str = Field(min_length=1, description="The metric as the candidate wrote it; unique in the tree.")
    role: Role = "driver"
    level: int | None = Field(default=None, ge=0, description="0 for the north star, 1 for L1 drivers, ...")
    aliases: list[str] = Field(default_factory=list, description="Other ways the answer wrote the same metric.")
    type: Literal["input", "output"] | None = Field(
        default=None, description="Input or output metric, as the answer classifies it."
    )
    timing: Literal["leading", "lagging"] | None = None
    owner: str | None = Field(default=None, description="The team or person the answer names as owner.")
    frequency: str | None = Field(default=None, description="How often it is measured, e.g. 'weekly'.")
    stage: Literal["offline", "online"] | None = Field(
        default=None, description="For AI inputs: measured offline (evals) or online (live traffic)."
    )
    evidence: list[Evidence] = Field(default_factory=list)


class Link(Strict):
    """``child`` drives ``parent``: mathematically (an identity) or causally (a hypothesis)."""

    parent: str
    child: str
    kind: LinkKind = "unlabelled"
    operator: Literal["+", "-", "×", "÷"] | None = Field(
        default=None, description="For math links: how the child enters the parent's identity."
    )
    formula: str | None = Field(default=None, description="The identity as written, for math links.")
    hypothesis: str | None = Field(default=None, description="The hypothesis or experiment note, for causal links.")
    evidence: list[Evidence] = Field(default_factory=list)


class DiagnosisStep(Strict):
    """One step of a root-cause walk: the metrics it checks and how it segments them."""

    quote: str
    metrics: list[str] = Field(default_factory=list, description="Tree metrics this step checks.")
    segments: list[str] = Field(default_factory=list, description="Dimensions it cuts by: platform, cohort, region ...")
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)


class Tree(Strict):
    """A candidate's KPI tree. ``north_star`` names a node, or is None when none was committed to."""

    north_star: str | None = None
    north_star_candidates: list[str] = Field(
        default_factory=list,
        description="Top metrics the answer offered without choosing one (two or more means no commitment).",
    )
    nodes: list[Node] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    diagnosis: list[DiagnosisStep] = Field(default_factory=list)
    decision_rule: Evidence | None = Field(
        default=None, description="For conflicting metrics: the rule for trading one against the other."
    )
    notes: list[Evidence] = Field(
        default_factory=list, description="Other statements a coach may want to see (leading/lagging, owners ...)."
    )

    @model_validator(mode="after")
    def _references_exist(self) -> Tree:
        names = [n.name for n in self.nodes]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"duplicate node names: {', '.join(sorted(dupes))}")
        known = set(names)
        if self.north_star is not None and self.north_star not in known:
            raise ValueError(f"north_star {self.north_star!r} is not a node")
        for link in self.links:
            for end in (link.parent, link.child):
                if end not in known:
                    raise ValueError(f"link {link.parent!r} -> {link.child!r}: {end!r} is not a node")
        return self

    def node(self, name: str) -> Node | None:
        return next((n for n in self.nodes if n.name == name), None)

    def guardrails(self) -> list[Node]:
        return [n for n in self.nodes if n.role == "guardrail"]

    def to_graph(self) -> nx.DiGraph:
        """Parent → child edges for every link; guardrails are nodes without edges unless linked."""
        import networkx as nx  # 0.13 s to import: only here, not at module load

        g = nx.DiGraph()
        for n in self.nodes:
            g.add_node(n.name, role=n.role)
        for link in self.links:
            if link.parent == link.child:
                continue
            g.add_edge(link.parent, link.child, kind=link.kind)
        return g


def acyclic_view(g: nx.DiGraph) -> nx.DiGraph:
    """The graph with each cycle broken at its last-added edge, so depth can still be judged."""
    import networkx as nx

    h = g.copy()
    while True:
        try:
            cycle = nx.find_cycle(h)
        except nx.NetworkXNoCycle:
            return h
        h.remove_edge(*cycle[-1][:2])


def cycles(tree: Tree) -> list[list[str]]:
    import networkx as nx

    return [c for c in nx.simple_cycles(tree.to_graph())]
