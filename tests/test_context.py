"""Question recognition: which kind of question it is, what moved and which way, and whether the product is AI."""

from __future__ import annotations

import pytest

from coach.rubric.context import classify


@pytest.mark.parametrize(
    ("question", "kind", "moved"),
    [
        (
            "A food-delivery app saw completed orders fall 11% week over week. How would you investigate?",
            "metric_drop",
            "completed orders",
        ),
        (
            "Weekly listings on our marketplace went from 40k to 31k in a month. What happened?",
            "metric_drop",
            "listings",
        ),
        ("DAU is down 6% month over month, what happened?", "metric_drop", "DAU"),
        (
            "Completed rides on Lyft in Chicago are 8% lower than the same week last year. How would you dig in?",
            "metric_drop",
            "Completed rides",
        ),
        (
            "Users of our AI chatbot are asking for a human agent 40% more often this month. What's going on?",
            "metric_drop",
            None,
        ),
        ("Refund requests spiked 40% this month.", "metric_drop", "Refund requests"),
        (
            "Streams per user are up 12% but premium conversions fell 5%. How do you reconcile this?",
            "conflicting_metrics",
            "premium conversions",
        ),
        (
            "Our AI shopping assistant increased add-to-cart rate by 6%, but returns rose from 18% to 23%.",
            "conflicting_metrics",
            "returns",
        ),
        (
            "Suggestions shown per developer rose 30%, while the acceptance rate fell from 31% to 24%.",
            "conflicting_metrics",
            "acceptance rate",
        ),
        (
            "There's a 15% dip in checkout completions since Monday. What's going on?",
            "metric_drop",
            "checkout completions",
        ),
        ("We saw a drop in conversion of 5% this week.", "metric_drop", "conversion"),
        (
            "Daily actives grew 5% while revenue per user dropped 7%. Good or bad?",
            "conflicting_metrics",
            "revenue per user",
        ),
        ("How would you measure success for Duolingo?", "measure_success", None),
        ("What north star would you pick for Discord?", "north_star", None),
        ("Break it down: how would you measure success for a sign up flow?", "measure_success", None),
    ],
)
def test_kind_and_the_metric_that_moved(question: str, kind: str, moved: str | None) -> None:
    ctx = classify(question)
    assert ctx.kind == kind
    if moved is not None:
        assert ctx.wrong_way is not None and moved.lower() in ctx.wrong_way.phrase.lower()


@pytest.mark.parametrize(
    ("question", "ai"),
    [
        ("How would you measure success for an LLM-powered search bar in Confluence?", True),
        ("Our AI coding assistant's acceptance rate fell. What's happening?", True),
        ("After the latest model rollout, our writing assistant's acceptance fell.", True),
        ("How would you measure success for Amazon's Rufus shopping assistant?", False),
        ("Slack's business model is per-seat subscriptions. What north star would you pick?", False),
        ("Calls to our bank's human agents spiked 30%. How would you investigate?", False),
        ("Atlassian's business model is per-agent pricing. What north star for Jira Service Management?", False),
    ],
)
def test_ai_product_from_the_words_only(question: str, ai: bool) -> None:
    assert classify(question).ai_product is ai


def test_explicit_fields_win() -> None:
    ctx = classify("How would you measure success for Duolingo?", kind="metric_drop", ai_product=True)
    assert ctx.kind == "metric_drop" and ctx.ai_product
