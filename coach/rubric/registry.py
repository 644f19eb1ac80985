"""Rules registered by id. A rule is a pure function of the tree, the question context and the answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from coach.rubric.context import QuestionContext
from coach.tree import Tree


@dataclass(frozen=True)
class Outcome:
    """What a rule decided: pass or fail, the verbatim evidence, and a sentence saying why."""

    passed: bool
    why: str
    evidence: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RuleInput:
    tree: Tree
    ctx: QuestionContext
    answer: str
    params: dict[str, Any]


Rule = Callable[[RuleInput], Outcome]
RULES: dict[str, Rule] = {}


def rule(rule_id: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id!r} registered twice")
        RULES[rule_id] = fn
        return fn

    return register


def get_rule(rule_id: str) -> Rule:
    # Importing the package registers every rule module.
    import coach.rubric.rules  # noqa: F401

    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"no rule registered with id {rule_id!r}") from None
