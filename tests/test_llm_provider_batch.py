"""The OpenAI Batch API path: upload, create, poll, download, ingest into the cache; resumable."""

from __future__ import annotations

import pytest
from fake_openai import (  # noqa: F401 - fixtures
    SAMPLE_ANSWER,
    SAMPLE_QUESTION,
    Reply,
    coach_home,
    feedback_for_request,
    make_settings,
    sample_tree,
    server,
)

from coach.errors import CoachError
from coach.llm.batch import GradeRequest
from coach.llm.provider_batch import run_provider_batch
from coach.llm.session import RunStats
from coach.llm.store import totals_by_model
from coach.settings import Settings

pytestmark = pytest.mark.usefixtures("coach_home")


def requests(n: int) -> list[GradeRequest]:
    return [
        GradeRequest(SAMPLE_ANSWER + f"\n(take {i})", question=SAMPLE_QUESTION, answer_id=f"a{i}") for i in range(n)
    ]


def test_grades_through_the_batch_api(server):  # noqa: F811
    server.parse_default = lambda req: Reply.json(sample_tree())
    server.feedback_default = feedback_for_request
    server.batch_polls_before_done = 1
    events = []
    stats = RunStats()
    outcomes = run_provider_batch(
        requests(3), make_settings(server), on_event=events.append, stats=stats, poll_interval=0.01
    )
    assert [o.result.id for o in outcomes] == ["a0", "a1", "a2"]
    for o in outcomes:
        assert o.result.parser == "llm" and o.result.notice is None and o.result.feedback.startswith("## Verdict")
    assert server.chat_requests() == []  # nothing went through the online endpoint
    assert len(server.batches) == 2
    assert {e.phase for e in events} == {"parse", "feedback"} and events[-1].status == "completed"
    assert stats.requests == 6 and stats.tokens > 0
    (totals,) = totals_by_model()
    assert totals.requests == 6 and totals.cache_hits == 6  # ingested, then graded from the cache
    # Nothing left to do on a second run.
    again = run_provider_batch(requests(3), make_settings(server), poll_interval=0.01)
    assert len(server.batches) == 2 and all(o.result.parser == "llm" for o in again)


def test_an_invalid_reply_falls_back_for_that_answer_only(server):  # noqa: F811
    replies = iter([Reply.raw("{broken"), Reply.json(sample_tree())])
    server.parse_default = lambda req: next(replies)
    server.feedback_default = feedback_for_request
    outcomes = run_provider_batch(requests(2), make_settings(server), poll_interval=0.01)
    parsers = sorted(o.result.parser for o in outcomes)
    assert parsers == ["llm", "offline"]
    bad = next(o for o in outcomes if o.result.parser == "offline")
    assert "provider batch" in bad.result.notice


def test_resumes_a_batch_in_flight(server):  # noqa: F811
    server.parse_default = lambda req: Reply.json(sample_tree())
    server.feedback_default = feedback_for_request
    server.batch_polls_before_done = 1000

    class Interrupted(Exception):
        pass

    def stop_after_submit(event):
        raise Interrupted

    with pytest.raises(Interrupted):
        run_provider_batch(requests(2), make_settings(server), on_event=stop_after_submit, poll_interval=0.01)
    assert len(server.batches) == 1
    (first_id,) = server.batches
    server.batch_polls_before_done = 0
    events = []
    outcomes = run_provider_batch(requests(2), make_settings(server), on_event=events.append, poll_interval=0.01)
    assert all(o.result.parser == "llm" for o in outcomes)
    assert events[0].batch_id == first_id and len(server.batches) == 2  # the parse batch was picked up, not redone


def test_resume_by_batch_id_and_unknown_ids(server):  # noqa: F811
    with pytest.raises(CoachError, match="unknown provider batch"):
        run_provider_batch(requests(1), make_settings(server), resume="batch_nope", poll_interval=0.01)


def test_needs_an_openai_model_and_the_cache():
    with pytest.raises(CoachError, match="OpenAI model"):
        run_provider_batch(requests(1), Settings(model="ollama:llama3.1"))
    with pytest.raises(CoachError, match="no-cache"):
        run_provider_batch(requests(1), Settings(model="openai:x", api_key="sk-x", cache=False))
    with pytest.raises(CoachError, match="needs a model"):
        run_provider_batch(requests(1), Settings())
