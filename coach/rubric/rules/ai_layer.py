"""ai_layer: a measurable model-quality metric sits on the tree as an input of user behaviour (or as a latency-style guardrail)."""

from __future__ import annotations

import re

from coach import regexes
from coach.parse.segment import lines, sentences
from coach.parse.words import family
from coach.rubric.measurable import measurable
from coach.rubric.registry import Outcome, RuleInput, rule
from coach.rubric.treeview import node_quote, parents
from coach.tree import Node


def is_model_metric(node: Node) -> bool:
    names = (node.name, *node.aliases)
    named = node.role == "ai_input" or any(family("model_metric").search(n) for n in names)
    return named and measurable(node.name).measurable


@rule("ai_layer")
def ai_layer(inp: RuleInput) -> Outcome:
    tree = inp.tree
    ups = parents(tree)
    model = [n for n in tree.nodes if is_model_metric(n) and n.name != tree.north_star]
    placed = [n for n in model if ups.get(n.name) or n.role == "guardrail"]
    if placed:
        first = placed[0]
        where = f"under '{ups[first.name][0]}'" if ups.get(first.name) else "as a guardrail"
        return Outcome(
            True,
            f"Model-quality input on the tree: '{first.name}' {where}.",
            tuple(node_quote(inp.answer, n) for n in placed[:3]),
        )
    placing = _placing_sentence(inp.answer)
    if placing is not None:
        # "I believe a lower hallucination rate lifts acceptance": the answer puts a model metric upstream of what
        # users do, in words the reader could not tie to a node.
        return Outcome(True, "A model-quality metric is placed upstream of user behaviour.", (placing,))
    if model:
        return Outcome(
            False,
            f"Model metrics are listed ('{model[0].name}') but not placed under the user behaviour they drive.",
            (node_quote(inp.answer, model[0]),),
        )
    vague = [
        n
        for n in tree.nodes
        if (n.role == "ai_input" or family("model_metric").search(n.name)) and not measurable(n.name).measurable
    ]
    if vague:
        return Outcome(
            False,
            measurable(vague[0].name).reason[0].upper() + measurable(vague[0].name).reason[1:] + ".",
            (node_quote(inp.answer, vague[0]),),
        )
    if re.search(r"\b(?:the )?model(?:'s)?\b|\bmodel quality\b", inp.answer, re.I):
        return Outcome(
            False,
            "The model is mentioned, but no model-quality metric (eval pass rate, hallucination rate, p95 latency ...) is on the tree.",
        )
    return Outcome(
        False, "No model-quality metric (eval pass rate, hallucination rate, p95 latency ...) is on the tree."
    )


_UPSTREAM = regexes.compile(r"\b(?:upstream|inputs?|feeds?|feeding|underneath|beneath|below|under)\b", re.I)


_ANNOUNCED = regexes.compile(
    r"\s*(?:(?:two|three|four|a few|several|a couple of)\s+(?:\w+\s+)?(?:things|inputs|factors|levers|drivers)|(?:the\s+)?model)\b",
    re.I,
)
_THOSE = regexes.compile(
    r"^\W*(?:and\s+|so\s+)?(?:(?:my\s+)?(?:hypothesis|bet|guess)\s+is\s+(?:that\s+)?)?(?:those|these|they|both|all three|each)\b",
    re.I,
)


def _placing_sentence(answer: str) -> str | None:
    """A sentence that names a measurable model-quality metric and says it drives, feeds or sits under something.

    The saying may come in the next sentence, pointing back: "... eval pass rate, hallucinated hints and p95
    latency. My hypothesis is those feed into kids getting stuck."
    """
    sents = [s.text for line in lines(answer) for s in sentences(line)]
    for i, text in enumerate(sents):
        after = sents[i + 1] if i + 1 < len(sents) else ""
        if (
            _THOSE.match(after)
            and _cues(after)
            and any(measurable(m.group(0)).measurable for m in family("model_metric").finditer(text))
        ):
            return f"{text} {after}"
        cues = _cues(text)
        for metric in family("model_metric").finditer(text):
            if not measurable(metric.group(0)).measurable:
                continue
            for cue in cues:
                # the cue in the metric's own clause: "a lower hallucination rate lifts acceptance"
                a, b = (
                    sorted((metric.end(), cue.start())) if cue.start() >= metric.end() else (cue.end(), metric.start())
                )
                if 0 <= b - a <= 60 and not re.search(r"[.;:!?]|\bbut\b|\bso\b", text[a:b]):
                    return text
            # "X is driven by two things: how good the flag is, so precision at the top decile, ...": the things
            # announced after "driven by" are its inputs, however long the list runs
            for cue in family("driven_by").finditer(text[: metric.start()]):
                if _ANNOUNCED.match(text, cue.end()) and not re.search(
                    r"[.;!?]|\bbut\b", text[cue.end() : metric.start()]
                ):
                    return text
    return None


def _cues(text: str) -> list[re.Match[str]]:
    """The words in ``text`` that put one thing upstream of another ("drives", "driven by", "feeds", "under")."""
    return [*family("drives").finditer(text), *family("driven_by").finditer(text), *_UPSTREAM.finditer(text)]
