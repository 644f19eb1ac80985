"""Snapshot tests: each main screen at 80x24 and 120x40, with a fixed library, answer and history.

Clocks are frozen (the countdown reads a constant, timestamps are fixed and
shown in UTC), the cursor does not blink, toasts are cleared before the shot,
and the grader is the deterministic fake from tui_support, so a snapshot only
changes when the screen does. Update on purpose with ``--snapshot-update``.
"""

from __future__ import annotations

import time

import pytest
from textual.widgets import DataTable, TextArea
from tui_support import ANSWER, FOLLOW_UP_ANSWER, SCENARIO, make_app, seed_history

from coach import history

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def seeded(_coach_home):
    conn = history.connect()
    seed_history(conn)
    history.save_draft(conn, "bike-share-north-star", "My north star is weekly rides.", elapsed=95, now=1_749_999_000)
    conn.close()


async def _quiet(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()


async def _select(pilot, scenario_id: str) -> None:
    await pilot.pause()  # run_before runs before the first screen has mounted
    table = pilot.app.screen.query_one("#library", DataTable)
    table.move_cursor(row=table.get_row_index(scenario_id))
    await pilot.pause()


async def _answer(pilot, text: str = ANSWER) -> None:
    await _select(pilot, SCENARIO.id)
    await pilot.press("enter")
    await pilot.pause()
    pilot.app.screen.query_one("#editor", TextArea).insert(text)
    await pilot.pause()


async def _results(pilot) -> None:
    await _answer(pilot)
    await pilot.press("ctrl+s")
    await _quiet(pilot)


async def pick(pilot) -> None:
    await _select(pilot, SCENARIO.id)
    await _quiet(pilot)


async def draft_offer(pilot) -> None:
    await _select(pilot, "bike-share-north-star")
    await pilot.press("enter")
    await _quiet(pilot)


async def answer(pilot) -> None:
    await _answer(pilot)
    await _quiet(pilot)


async def results_checklist(pilot) -> None:
    await _results(pilot)


async def results_tree(pilot) -> None:
    await _results(pilot)
    await pilot.press("2")
    await _quiet(pilot)


async def results_follow_ups(pilot) -> None:
    await _results(pilot)
    await pilot.press("4")
    await _quiet(pilot)


async def follow_up_round(pilot) -> None:
    await _results(pilot)
    await pilot.press("f")
    await pilot.pause()
    pilot.app.screen.query_one("#editor", TextArea).insert(FOLLOW_UP_ANSWER)
    await _quiet(pilot)


async def after_follow_up(pilot) -> None:
    await follow_up_round(pilot)
    await pilot.press("ctrl+s")
    await _quiet(pilot)


async def history_attempts(pilot) -> None:
    await _select(pilot, SCENARIO.id)
    await pilot.press("h")
    await _quiet(pilot)


async def history_chart(pilot) -> None:
    await history_attempts(pilot)
    await pilot.press("2")
    await _quiet(pilot)


async def history_habits(pilot) -> None:
    await history_attempts(pilot)
    await pilot.press("3")
    await _quiet(pilot)


async def compare(pilot) -> None:
    await history_attempts(pilot)
    await pilot.press("space", "down", "down", "c")
    await _quiet(pilot)


async def help_screen(pilot) -> None:
    await pilot.pause()
    await pilot.press("question_mark")
    await _quiet(pilot)


SCREENS = [
    pick,
    draft_offer,
    answer,
    results_checklist,
    results_tree,
    results_follow_ups,
    follow_up_round,
    after_follow_up,
    history_attempts,
    history_chart,
    history_habits,
    compare,
    help_screen,
]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS, ids=[s.__name__ for s in SCREENS])
def test_screen(screen, size, seeded, snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZES[size], run_before=screen)


def test_light_theme_results(seeded, snap_compare):
    assert snap_compare(make_app(theme="textual-light"), terminal_size=(80, 24), run_before=results_checklist)


def test_empty_history(_coach_home, snap_compare):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=history_attempts)
