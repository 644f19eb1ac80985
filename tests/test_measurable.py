"""One notion of "a measurable metric", shared by the north star, guardrail and model-layer rules."""

from __future__ import annotations

import pytest

from coach.rubric.measurable import measurable


@pytest.mark.parametrize(
    "name",
    [
        "weekly active learners",
        "D7 retention",
        "time spent per session",
        "p95 latency",
        "NPS",
        "GMV",
        "hallucination rate",
        "eval pass rate",
        "completed rides",
        "share of seats active each week",
        "accepted suggestions per active developer per week",
        "monthly rides from subscribers who have renewed",
        "% of answers rated helpful",
        "number of merchants who integrated the API",
        "retention",
        "revenue per booking",
        "basket value",
        "lifetime value",
    ],
)
def test_counts_rates_times_amounts_and_scores_are_metrics(name: str) -> None:
    assert measurable(name).measurable, measurable(name).reason


@pytest.mark.parametrize(
    ("name", "kind", "says"),
    [
        ("engagement", "theme", "theme"),
        ("making riders successful", "theme", "aim"),
        ("helping people learn faster", "theme", "aim"),
        ("user happiness", "theme", "theme"),
        ("marketplace health", "theme", "count"),
        ("ROUTE ENGAGEMENT", "theme", "theme"),
        ("mindfulness", "theme", "theme"),
        ("calm-ness of users", "theme", "theme"),
        ("model quality", "model", "describes the model"),
        ("the model's understanding of context", "model", "eval or live metric"),
        ("the model itself", "model", "describes the model"),
        ("gamers feel like they are at home with their friends", "statement", "statement"),
        ("not", "nothing", "not a metric"),
        ("customer value", "theme", "theme"),
    ],
)
def test_themes_statements_and_empty_words_are_not(name: str, kind: str, says: str) -> None:
    verdict = measurable(name)
    assert not verdict.measurable and verdict.kind == kind
    assert says in verdict.reason and name.strip() in verdict.reason
