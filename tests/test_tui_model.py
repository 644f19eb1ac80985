"""The practice TUI with a model configured: streamed model feedback, and offline feedback with a notice on failure."""

from __future__ import annotations

import asyncio
import threading

import pytest
from fake_openai import (  # noqa: F401 - fixtures
    SAMPLE_ANSWER,
    Reply,
    feedback_for_request,
    good_feedback,
    make_settings,
    sample_tree,
    server,
)
from test_tui import SIZE, open_scenario, plain, settle, submit
from textual.widgets import TextArea
from tui_support import SCENARIO, make_app

from coach import history
from coach.grade import grade
from coach.tui.screens.results import ResultsScreen

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


def model_app(server, **overrides):  # noqa: F811
    return make_app(grader=None, settings=make_settings(server, max_retries=0), **overrides)


async def test_model_feedback_streams_in_and_is_shown(_coach_home, server):  # noqa: F811
    release = threading.Event()

    def held_feedback(req):
        # The reply waits until the test has seen the UI mid-grade: the model must not block it.
        release.wait(10)
        return feedback_for_request(req)

    server.parse_default = lambda req: Reply.json(sample_tree())
    server.feedback_default = held_feedback
    app = model_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_scenario(pilot)
        screen.query_one("#editor", TextArea).insert(SAMPLE_ANSWER)
        await pilot.press("ctrl+s")
        await pilot.pause()
        results = app.screen
        assert isinstance(results, ResultsScreen) and results.phase == "grading"
        assert "with openai:gpt-test" in plain(results.query_one("#banner"))
        await pilot.press("f1")  # the UI still answers while the model works
        await pilot.pause()
        assert app.screen is not results
        await pilot.press("escape")
        release.set()
        for _ in range(300):
            await asyncio.sleep(0.01)
            await pilot.pause()
            if results.phase == "idle":
                break
        await settle(pilot)
        result = results.result
        assert result.parser == "llm" and result.notice is None
        assert result.feedback == good_feedback(result.verdict, result.score).strip()
        assert results._streamed and "".join(results._streamed).strip() == result.feedback
        assert "## What to fix" in plain(results.query_one("#feedback-body"))
        assert not results.query_one("#notice").display
        (saved,) = history.attempts(app.db, SCENARIO.id)
        assert saved.result.parser == "llm"


async def test_a_failing_model_shows_offline_feedback_with_a_notice(_coach_home, server):  # noqa: F811
    server.parse_default = server.feedback_default = lambda req: Reply.error(500)
    app = model_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_scenario(pilot)
        results = await submit(pilot, SAMPLE_ANSWER)
        for _ in range(300):
            if results.phase == "idle":
                break
            await asyncio.sleep(0.01)
            await settle(pilot)
        offline = grade(SAMPLE_ANSWER, scenario=SCENARIO)
        assert results.phase == "idle"
        assert results.result.parser == "offline" and results.result.feedback == offline.feedback
        assert results.result.verdict == offline.verdict
        notice = results.query_one("#notice")
        assert notice.display and "offline" in plain(notice)


def test_offline_settings_grade_without_the_model(server):  # noqa: F811
    app = make_app(grader=None, settings=make_settings(server, offline=True))
    assert app.model_ref is None
    result = app.grade(SAMPLE_ANSWER, SCENARIO)
    assert result.parser == "offline" and server.requests == []
