"""The tree as the model is asked to write it, and its conversion into ``coach.tree.Tree``.

The model writes quotes, never character offsets: offsets are filled in here by
finding each quote in the answer. The schema is strict-mode friendly (every
field required, nullable where optional, no extra keys), so OpenAI's structured
outputs can enforce it; other providers get it as guidance and the reply is
validated here all the same.

``to_tree`` is where "no invented metrics" is enforced: every quote must occur
in the answer; a node or link left without a quote that does is dropped, and
each drop is reported.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from coach.llm.quotes import locate
from coach.tree import DiagnosisStep, Evidence, Link, Node, Tree


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LLMNode(_Strict):
    name: str = Field(description="The metric as the candidate wrote it. Unique in the tree; not empty.")
    role: Literal["north_star", "driver", "guardrail", "ai_input"] = Field(
        description="north_star for the committed top metric; guardrail for counter / must-not-get-worse metrics; "
        "ai_input for model-quality metrics (eval pass rate, hallucination rate, p95 latency ...); driver otherwise."
    )
    level: int | None = Field(description="0 for the north star, 1 for its direct drivers, and so on; null if unclear.")
    aliases: list[str] = Field(description="Other ways the answer writes the same metric (abbreviations ...).")
    type: Literal["input", "output"] | None = Field(description="Only if the answer itself classifies the metric.")
    timing: Literal["leading", "lagging"] | None = Field(description="Only if the answer says so.")
    owner: str | None = Field(description="The team or person the answer names as owner, if any.")
    frequency: str | None = Field(description="How often it is measured, if the answer says.")
    stage: Literal["offline", "online"] | None = Field(description="For AI inputs: measured offline or online.")
    quotes: list[str] = Field(description="Exact, verbatim excerpts of the answer that mention this metric.")


class LLMLink(_Strict):
    parent: str = Field(description="The name of the node this link drives (closer to the north star).")
    child: str = Field(description="The name of the driving node.")
    kind: Literal["math", "causal", "unlabelled"] = Field(
        description="math: the answer writes an identity (=, +, x, /, equals, times, sum of ...). causal: the answer "
        "explicitly calls it a hypothesis / causal / to be tested. unlabelled: neither."
    )
    operator: Literal["+", "-", "×", "÷"] | None = Field(description="For math links: how the child enters.")
    formula: str | None = Field(description="For math links: the identity as the answer writes it.")
    hypothesis: str | None = Field(description="For causal links: the hypothesis or test the answer names.")
    quotes: list[str] = Field(description="Exact, verbatim excerpts of the answer that state this link.")


class LLMDiagnosisStep(_Strict):
    quote: str = Field(description="The exact sentence of the answer where the candidate checks or segments.")
    metrics: list[str] = Field(description="Names of tree nodes this step checks.")
    segments: list[str] = Field(description="Dimensions it cuts by: platform, cohort, region, channel ...")


class LLMTree(_Strict):
    north_star: str | None = Field(description="The name of the ONE top metric the answer commits to, else null.")
    north_star_candidates: list[str] = Field(
        description="Top metrics offered without choosing one (empty when the answer commits to one)."
    )
    nodes: list[LLMNode]
    links: list[LLMLink]
    diagnosis: list[LLMDiagnosisStep] = Field(description="The root-cause walk, in the answer's order; may be empty.")
    decision_rule: str | None = Field(description="Verbatim: the rule for trading two conflicting metrics, if any.")
    notes: list[str] = Field(description="Other verbatim statements a coach would want (leading/lagging, owners).")

    @model_validator(mode="after")
    def _references(self) -> LLMTree:
        names = [n.name.strip() for n in self.nodes]
        if any(not n for n in names):
            raise ValueError("every node needs a non-empty name")
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"node names must be unique; repeated: {', '.join(dupes)}")
        by_fold = {n.casefold(): n for n in names}

        def resolve(ref: str, what: str) -> str:
            found = by_fold.get(ref.strip().casefold())
            if found is None:
                raise ValueError(f"{what} {ref!r} is not the name of a node in `nodes`")
            return found

        if self.north_star is not None:
            self.north_star = resolve(self.north_star, "north_star")
        for i, link in enumerate(self.links):
            link.parent = resolve(link.parent, f"links[{i}].parent")
            link.child = resolve(link.child, f"links[{i}].child")
        for node in self.nodes:
            node.name = node.name.strip()
        return self


def _compact(obj: Any) -> Any:
    """The schema without titles: they add nothing for the model and cost on every request."""
    if isinstance(obj, dict):
        return {k: _compact(v) for k, v in obj.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(obj, list):
        return [_compact(v) for v in obj]
    return obj


@lru_cache(maxsize=1)
def _schema_text() -> str:
    schema = _compact(LLMTree.model_json_schema())
    schema["title"] = "kpi_tree"
    return json.dumps(schema)


def tree_json_schema() -> dict[str, Any]:
    """The JSON schema sent as the structured-output format (a fresh copy each call)."""
    return json.loads(_schema_text())


def _evidence(answer: str, quotes: list[str]) -> tuple[list[Evidence], list[str]]:
    found: list[Evidence] = []
    missing: list[str] = []
    for q in quotes:
        span = locate(answer, q)
        if span is None:
            missing.append(q)
            continue
        s, e = span
        ev = Evidence(quote=answer[s:e], start=s, end=e)
        if ev not in found:
            found.append(ev)
    return found, missing


def to_tree(llm: LLMTree, answer: str) -> tuple[Tree, list[str]]:
    """The ``Tree`` with spans filled, and a line per quote, node or link dropped for not being in the answer."""
    dropped: list[str] = []
    nodes: list[Node] = []
    for n in llm.nodes:
        evidence, missing = _evidence(answer, n.quotes)
        dropped += [f"node {n.name!r}: quote not in the answer: {q!r}" for q in missing]
        if not evidence:
            # A node whose name (or an alias) is in the answer is still grounded.
            evidence, _ = _evidence(answer, [n.name, *n.aliases])
        if not evidence:
            dropped.append(f"node {n.name!r} dropped: neither a quote nor its name occurs in the answer")
            continue
        aliases = [a for a in n.aliases if a.strip() and a.strip() != n.name and locate(answer, a)]
        nodes.append(
            Node(
                name=n.name,
                role=n.role,
                level=n.level if n.level is not None and n.level >= 0 else None,
                aliases=list(dict.fromkeys(aliases)),
                type=n.type,
                timing=n.timing,
                owner=n.owner or None,
                frequency=n.frequency or None,
                stage=n.stage,
                evidence=evidence,
            )
        )
    known = {n.name for n in nodes}
    links: list[Link] = []
    seen_pairs: set[tuple[str, str]] = set()
    for link in llm.links:
        label = f"link {link.parent!r} <- {link.child!r}"
        if link.parent not in known or link.child not in known:
            dropped.append(f"{label} dropped: one of its nodes was dropped")
            continue
        evidence, missing = _evidence(answer, link.quotes)
        dropped += [f"{label}: quote not in the answer: {q!r}" for q in missing]
        if not evidence:
            dropped.append(f"{label} dropped: no quote of it occurs in the answer")
            continue
        if (link.parent, link.child) in seen_pairs:
            continue
        seen_pairs.add((link.parent, link.child))
        links.append(
            Link(
                parent=link.parent,
                child=link.child,
                kind=link.kind,
                operator=link.operator if link.kind == "math" else None,
                formula=link.formula if link.kind == "math" else None,
                hypothesis=link.hypothesis if link.kind == "causal" else None,
                evidence=evidence,
            )
        )
    north_star = llm.north_star if llm.north_star in known else None
    if llm.north_star is not None and north_star is None:
        dropped.append(f"north star {llm.north_star!r} dropped with its node")
    candidates = [c for c in llm.north_star_candidates if locate(answer, c)]
    dropped += [
        f"north-star candidate not in the answer: {c!r}" for c in llm.north_star_candidates if c not in candidates
    ]
    diagnosis: list[DiagnosisStep] = []
    for step in llm.diagnosis:
        span = locate(answer, step.quote)
        if span is None:
            dropped.append(f"diagnosis step: quote not in the answer: {step.quote!r}")
            continue
        s, e = span
        diagnosis.append(
            DiagnosisStep(
                quote=answer[s:e],
                metrics=[m for m in step.metrics if m in known],
                segments=[seg for seg in step.segments if seg.strip()],
                start=s,
                end=e,
            )
        )
    decision_rule = None
    if llm.decision_rule:
        found, missing = _evidence(answer, [llm.decision_rule])
        decision_rule = found[0] if found else None
        dropped += [f"decision rule: quote not in the answer: {q!r}" for q in missing]
    notes, missing = _evidence(answer, llm.notes)
    dropped += [f"note: quote not in the answer: {q!r}" for q in missing]
    tree = Tree(
        north_star=north_star,
        north_star_candidates=candidates,
        nodes=nodes,
        links=links,
        diagnosis=diagnosis,
        decision_rule=decision_rule,
        notes=notes,
    )
    return tree, dropped
