"""Many answers through a model: bounded concurrency, a shared 429 pause, outcomes as they complete."""

from __future__ import annotations

import asyncio

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

from coach.llm.batch import GradeRequest, agrade_many, iter_grade_many
from coach.llm.session import RunStats

pytestmark = pytest.mark.usefixtures("coach_home")


def requests(n: int) -> list[GradeRequest]:
    # Distinct answers, so nothing is served from the cache.
    return [
        GradeRequest(SAMPLE_ANSWER + f"\n(take {i})", question=SAMPLE_QUESTION, answer_id=f"a{i}", label={"i": i})
        for i in range(n)
    ]


def test_concurrency_is_bounded(server):  # noqa: F811
    server.delay = 0.1
    server.parse_default = lambda req: Reply.json(sample_tree())
    server.feedback_default = feedback_for_request
    stats = RunStats()
    outcomes = asyncio.run(agrade_many(requests(12), make_settings(server), jobs=4, stats=stats))
    assert [o.index for o in outcomes] == list(range(12))
    assert all(o.result is not None and o.result.parser == "llm" and o.result.notice is None for o in outcomes)
    assert [o.result.id for o in outcomes] == [f"a{i}" for i in range(12)]
    assert outcomes[3].result.label == {"i": 3}
    assert server.max_in_flight <= 4
    assert stats.requests == 24 and stats.answers == 12 and stats.tokens > 0 and stats.errors == 0


def test_a_429_pauses_every_task(server):  # noqa: F811
    first = {"done": False}

    def parse(req):
        if not first["done"]:
            first["done"] = True
            return Reply.error(429, "rate limited", {"retry-after-ms": "400"})
        return Reply.json(sample_tree())

    server.parse_default = parse
    server.feedback_default = feedback_for_request
    outcomes = asyncio.run(agrade_many(requests(6), make_settings(server), jobs=1))
    assert all(o.result.parser == "llm" for o in outcomes)
    times = [r["t"] for r in server.requests]
    assert times[1] - times[0] >= 0.4  # with one job, the very next request waited for Retry-After


def test_the_gate_is_shared(server):  # noqa: F811
    """After a 429, no task starts a request until Retry-After has passed."""
    state = {"n": 0}

    def parse(req):
        state["n"] += 1
        if state["n"] == 3:
            return Reply.error(429, "rate limited", {"retry-after": "0.5"})
        return Reply.json(sample_tree())

    server.parse_default = parse
    server.feedback_default = feedback_for_request
    server.delay = 0.05
    asyncio.run(agrade_many(requests(8), make_settings(server), jobs=4))
    limited = [r for r in server.requests if r["body"] and "response_format" in r["body"]][2]["t"]
    quiet = [r["t"] for r in server.requests if limited + 0.15 < r["t"] < limited + 0.45]
    assert quiet == []


def test_iter_grade_many_yields_as_completed(server):  # noqa: F811
    server.parse_default = lambda req: Reply.json(sample_tree())
    server.feedback_default = feedback_for_request
    stats = RunStats()
    outcomes = list(iter_grade_many(requests(5), make_settings(server), jobs=2, stats=stats))
    assert sorted(o.index for o in outcomes) == list(range(5)) and stats.answers == 5
    # A second run is served from the cache.
    again = RunStats()
    list(iter_grade_many(requests(5), make_settings(server), jobs=2, stats=again))
    assert again.requests == 0 and again.cache_hits == 10


def test_closing_the_iterator_early_cancels_the_rest(server):  # noqa: F811
    server.delay = 0.05
    server.parse_default = lambda req: Reply.json(sample_tree())
    server.feedback_default = feedback_for_request
    it = iter_grade_many(requests(40), make_settings(server), jobs=2)
    next(it)
    it.close()
    assert len(server.chat_requests()) < 40
