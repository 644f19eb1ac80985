"""math_vs_causal: at least one identity and at least one labelled causal hypothesis."""

from __future__ import annotations

from coach.rubric.registry import Outcome, RuleInput, rule


@rule("math_vs_causal")
def math_vs_causal(inp: RuleInput) -> Outcome:
    links = inp.tree.links
    math = [link for link in links if link.kind == "math"]
    causal = [link for link in links if link.kind == "causal"]
    unlabelled = [link for link in links if link.kind == "unlabelled"]
    evidence = tuple(ev.quote for link in (math[:1] + causal[:1]) for ev in link.evidence[:1])
    if math and causal:
        return Outcome(
            True,
            f"Identity ('{math[0].parent}' from '{math[0].child}') and hypothesis ('{causal[0].child}' drives '{causal[0].parent}') are told apart.",
            evidence,
        )
    if not links:
        return Outcome(False, "No links between metrics, so nothing is marked as identity or hypothesis.")
    if math:
        return Outcome(False, "Every link is an identity; none is labelled as a causal hypothesis to test.", evidence)
    if causal:
        return Outcome(
            False, "Every link is a causal hypothesis; no split is written as an identity (=, +, ×).", evidence
        )
    return Outcome(
        False,
        f"{len(unlabelled)} links are drawn but never labelled as identity or hypothesis.",
        tuple(ev.quote for link in unlabelled[:2] for ev in link.evidence[:1]),
    )
