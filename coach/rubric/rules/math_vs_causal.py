"""math_vs_causal: at least one identity and at least one labelled causal hypothesis."""

from __future__ import annotations

import re

from coach import regexes
from coach.parse.segment import lines, sentences
from coach.parse.words import family
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
    claim = _stated_hypothesis(inp.answer) if math else None
    if claim is not None:
        # The answer states a hypothesis about what drives what, in words the reader could not tie to two metrics:
        # the rubric's test is that the answer tells the two kinds apart, and it does.
        return Outcome(
            True,
            f"Identity ('{math[0].parent}' from '{math[0].child}') and a stated hypothesis are told apart.",
            (*evidence[:1], claim),
        )
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


def _stated_hypothesis(answer: str) -> str | None:
    """A sentence that marks a claim as a hypothesis to test, verbatim.

    Either it says one thing drives another in a hedged way ("I believe X drives Y"), or it carries one of the
    labels the rubric names ("hypothesis", "causal", "A/B test", "experiment"), which mark a claim as one to
    test whatever verb states it. Sentences about guardrails are not claims about what drives what.
    """
    found = [s.text for line in lines(answer) for s in sentences(line)]
    found = [t for t in found if not family("guardrail").search(t) and not family("must_not").search(t)]
    for text in found:
        if family("causal").search(text) and (family("drives").search(text) or family("driven_by").search(text)):
            return text
    labelled = next((text for text in found if family("hypothesis_label").search(text)), None)
    if labelled is not None:
        return labelled
    # "I'd suspect, and want to verify by comparing zones with and without it, that the pay scheme keeps couriers
    # online": a hedged claim with the test that would confirm it
    return next((text for text in found if _HEDGE.search(text) and _TESTED_BY.search(text)), None)


_HEDGE = regexes.compile(
    r"\b(?:I|we)(?:'d| would)?\s+(?:also\s+|strongly\s+)?(?:suspect|believe|bet|guess|expect)\b|"
    r"\b(?:my|our) (?:bet|guess|hunch|suspicion|theory)\b",
    re.I,
)
_TESTED_BY = regexes.compile(
    r"\b(?:test|verify|confirm|validate|prove|check)\w*\s+(?:it\s+|this\s+|that\s+)?(?:by|with|through|via|using)\s+"
    r"(?:an?\s+|the\s+)?(?:compar|holdout|hold-out|switchback|rollout|staggered|randomi[sz]|split|cohort|zone|region|market|pilot|geo)",
    re.I,
)
