"""Model feedback: streamed, checked against the engine's verdict and score, offline when it fails."""

from __future__ import annotations

import pytest
from fake_openai import (  # noqa: F401 - fixtures
    SAMPLE_ANSWER,
    SAMPLE_QUESTION,
    Reply,
    coach_home,
    good_feedback,
    make_settings,
    server,
)

from coach.grade import grade
from coach.llm.feedback import LLMFeedbackWriter, check_feedback, mentions_verdict, verdicts_named
from coach.rubric.model import load_rubric

pytestmark = pytest.mark.usefixtures("coach_home")


@pytest.fixture
def graded():
    return grade(SAMPLE_ANSWER, question=SAMPLE_QUESTION, answer_id="a1")


def write(settings, result, on_token=None):
    writer = LLMFeedbackWriter(settings)
    return writer.write(result, answer=SAMPLE_ANSWER, rubric=load_rubric(), on_token=on_token)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Verdict: strong_no_hire", {"strong_no_hire"}),
        ("This is a Strong Hire.", {"strong_hire"}),
        ("no-hire, sadly", {"no_hire"}),
        ("Companies hire PMs who can decompose metrics.", set()),
        ("Verdict: hire (70/100)", {"hire"}),
        ("**Hire**", {"hire"}),
        ("strong no hire and strong hire", {"strong_no_hire", "strong_hire"}),
    ],
)
def test_verdicts_named(text, named):
    assert verdicts_named(text) == named


def test_mentions_verdict():
    assert mentions_verdict("## Verdict\nhire (70/100)", "hire")
    assert not mentions_verdict("## Verdict\nno_hire", "hire")
    assert mentions_verdict("no hire", "no_hire")


def test_check_feedback():
    ok = good_feedback("no_hire", 42)
    assert check_feedback(ok, "no_hire", 42) is None
    assert "empty" in check_feedback("  ", "no_hire", 42)
    assert "different verdict" in check_feedback(ok.replace("no_hire", "strong_hire"), "no_hire", 42)
    assert "score of 99" in check_feedback(ok.replace("42/100", "99/100"), "no_hire", 42)
    assert "section" in check_feedback(ok.replace("## What to fix", "## Fixes"), "no_hire", 42)
    assert "does not mention" in check_feedback(ok.replace("no_hire (42/100)", "(42/100)"), "no_hire", 42)
    moved = ok.replace("## Verdict", "## X").replace("## Next practice", "## Verdict") + "\n## Next practice\n."
    assert check_feedback(moved, "no_hire", 42) is not None


def test_streams_tokens_and_returns_model_feedback(server, graded):  # noqa: F811
    server.feedback.append(Reply.text(good_feedback(graded.verdict, graded.score)))
    tokens: list[str] = []
    text = write(make_settings(server), graded, tokens.append)
    assert text == good_feedback(graded.verdict, graded.score).strip()
    assert len(tokens) > 5 and "".join(tokens).strip() == text
    (req,) = server.chat_requests("feedback")
    assert req.body["stream"] is True
    assert f"the verdict is {graded.verdict}" in req.system and f"{graded.score}/100" in req.system
    for finding in graded.criteria:
        assert finding.id in req.user


def test_non_streaming_when_no_callback(server, graded):  # noqa: F811
    server.feedback.append(Reply.text(good_feedback(graded.verdict, graded.score)))
    write(make_settings(server), graded)
    assert not server.chat_requests("feedback")[0].body.get("stream")


def test_broken_stream_falls_back_to_offline(server, graded):  # noqa: F811
    server.feedback.append(Reply.broken_stream(good_feedback(graded.verdict, graded.score), after=4))
    tokens: list[str] = []
    text = write(make_settings(server), graded, tokens.append)
    assert text == graded.feedback  # the offline writer's
    assert 0 < len(tokens) <= 5


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "## Verdict\nstrong_hire (100/100)\n## What worked\n-\n## What to fix\n-\n## Next practice\n.",
        "Great answer, well done.",
    ],
)
def test_rejected_feedback_falls_back(server, graded, bad):  # noqa: F811
    if graded.verdict == "strong_hire":
        bad = bad.replace("strong_hire", "no_hire")
    server.feedback.append(Reply.text(bad))
    assert write(make_settings(server), graded) == graded.feedback


def test_feedback_is_cached(server, graded):  # noqa: F811
    server.feedback_default = lambda req: Reply.text(good_feedback(graded.verdict, graded.score))
    first = write(make_settings(server), graded)
    tokens: list[str] = []
    second = write(make_settings(server), graded, tokens.append)
    assert first == second == "".join(tokens) and len(server.chat_requests()) == 1
