"""The practice TUI driven by Textual's Pilot: every flow, asserting on state (snapshots pin the looks)."""

from __future__ import annotations

import asyncio
import io
import threading

import pytest
from rich.console import Console
from textual import events
from textual.widgets import DataTable, Static, TextArea
from tui_support import (
    ANSWER,
    FOLLOW_UP_ANSWER,
    LIBRARY,
    OTHER,
    SCENARIO,
    fake_grader,
    make_app,
    seed_history,
)

from coach import history
from coach.tui.safe import editor_text
from coach.tui.screens.answer import AnswerScreen
from coach.tui.screens.compare import CompareScreen
from coach.tui.screens.draft import DraftPrompt
from coach.tui.screens.help import HelpScreen, key_table
from coach.tui.screens.history import HistoryScreen
from coach.tui.screens.pick import PickScreen
from coach.tui.screens.results import ResultsScreen
from coach.tui.widgets.countdown import Countdown
from coach.tui.widgets.kpi_tree import KpiTreeView

SIZE = (80, 24)
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


def plain(widget: Static) -> str:
    """The text a Static shows, rendered without styles (wide, so nothing wraps)."""
    console = Console(width=400, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text().rstrip("\n")


def tree_labels(view: KpiTreeView) -> list[str]:
    labels = []

    def walk(node) -> None:
        labels.append(node.label.plain)
        for child in node.children:
            walk(child)

    walk(view.root)
    return labels


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_scenario(pilot, scenario_id: str = SCENARIO.id) -> AnswerScreen:
    pick = pilot.app.screen
    assert isinstance(pick, PickScreen)
    table = pick.query_one("#library", DataTable)
    table.move_cursor(row=table.get_row_index(scenario_id))
    await pilot.press("enter")
    await pilot.pause()
    if isinstance(pilot.app.screen, DraftPrompt):
        return pilot.app.screen  # type: ignore[return-value]
    assert isinstance(pilot.app.screen, AnswerScreen)
    return pilot.app.screen


async def submit(pilot, text: str) -> ResultsScreen:
    screen = pilot.app.screen
    screen.query_one("#editor", TextArea).insert(text)
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ResultsScreen)
    return pilot.app.screen


async def test_pick_answer_results_follow_up_history(_coach_home):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        answer_screen = await open_scenario(pilot)
        assert answer_screen.scenario.id == SCENARIO.id

        results = await submit(pilot, ANSWER)
        assert results.phase == "idle"
        assert results.result.verdict == "hire"  # guardrails fail
        assert "HIRE" in plain(results.query_one("#banner"))
        saved = history.attempts(app.db, SCENARIO.id)
        assert len(saved) == 1 and saved[0].answer == editor_text(ANSWER)  # control characters made visible
        assert history.load_draft(app.db, SCENARIO.id) is None  # the draft went with the commit

        # the follow-up aims at the failed criterion
        assert results.follow_up.criterion_id == "guardrails"
        await pilot.press("f")
        await pilot.pause()
        follow = app.screen
        assert isinstance(follow, AnswerScreen) and follow.is_follow_up
        follow.query_one("#editor", TextArea).insert(FOLLOW_UP_ANSWER)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is results
        assert results.result.verdict == "strong_hire"
        guard = results.result.criterion("guardrails")
        assert guard.status == "pass" and guard.prompted
        assert "(prompted)" in plain(results.query_one("#checklist-body"))
        assert "prompted" in plain(results.query_one("#banner"))
        [attempt] = history.attempts(app.db, SCENARIO.id)
        assert attempt.follow_up is not None and attempt.follow_up.answer == FOLLOW_UP_ANSWER
        assert attempt.score == 86 and attempt.final.verdict == "strong_hire"
        # one follow-up round per attempt
        assert results.check_action("follow_up", ()) is None

        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert [a.id for a in app.screen.rows] == [attempt.id]
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause()
        pick = app.screen
        assert isinstance(pick, PickScreen)
        assert "hire ×1" in pick._best(SCENARIO.id).plain


async def test_results_tabs_tree_markers_and_model_answer(_coach_home):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_scenario(pilot)
        results = await submit(pilot, ANSWER)
        await pilot.press("2")
        await pilot.pause()
        labels = tree_labels(results.query_one("#answer-tree KpiTreeView", KpiTreeView))
        assert labels[0].startswith("★ Weekly orders")
        assert "= New customer orders  (math +)" in labels
        assert "┄⇠ Tea of the month  (causal)" in labels
        assert "? Checkout errors  (unlabelled)" in labels
        assert any(label.startswith("↻ cycle: back to Conversion rate") for label in labels)
        assert "⚠ Not connected to the north star (orphans)" in labels
        flags = plain(results.query_one("#answer-tree .flags"))
        assert "cycle" in flags and "not connected" in flags

        # the model answer and reference tree stay hidden until asked for
        assert "Hidden" in plain(results.query_one("#model-body"))
        assert not results.query_one("#reference-tree").display
        await pilot.press("m")
        await pilot.pause()
        assert "weekly orders" in plain(results.query_one("#model-body")).lower()
        await pilot.press("6")
        await pilot.pause()
        ref = tree_labels(results.query_one("#reference-tree KpiTreeView", KpiTreeView))
        assert "┄⇠ Recommendation acceptance [AI input]  (causal)" in ref
        assert "Refund rate [guardrail]" in ref

        await pilot.press("4")
        await pilot.pause()
        assert RUBRIC_GUARDRAIL_NUDGE in plain(results.query_one("#followups-body"))


RUBRIC_GUARDRAIL_NUDGE = "What would you watch so that optimising this doesn't break something else?"


async def test_draft_survives_the_app_being_torn_down(_coach_home):
    first = make_app()
    async with first.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_scenario(pilot)
        await pilot.press(*"My north star is ")
        screen.query_one("#editor", TextArea).insert("weekly orders.")
        await pilot.press("f2")  # pause the clock; the draft keeps the time used
        await pilot.pause()
        # already committed while typing: another connection (a later process) sees it now
        other = history.connect()
        assert history.load_draft(other, SCENARIO.id).text == "My north star is weekly orders."
        other.close()
        # no Esc, no submit: the app just goes away
    saved = history.load_draft(history.connect(), SCENARIO.id)
    assert saved is not None and saved.text == "My north star is weekly orders."

    second = make_app()
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "draft" in second.screen._best(SCENARIO.id).plain
        prompt = await open_scenario(pilot)
        assert isinstance(prompt, DraftPrompt)
        await pilot.press("r")
        await pilot.pause()
        screen = second.screen
        assert isinstance(screen, AnswerScreen)
        assert screen.text == "My north star is weekly orders."


async def test_start_over_discards_the_draft_and_escape_keeps_it(_coach_home):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_scenario(pilot)
        await pilot.press(*"draft one")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        assert history.load_draft(app.db, SCENARIO.id).text == "draft one"
        prompt = await open_scenario(pilot)
        assert isinstance(prompt, DraftPrompt)
        await pilot.press("escape")  # cancel: nothing changes
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        assert history.load_draft(app.db, SCENARIO.id) is not None
        await open_scenario(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, AnswerScreen) and app.screen.text == ""
        assert history.load_draft(app.db, SCENARIO.id) is None


async def test_filters_and_surprise_me(_coach_home):
    conn = history.connect()
    seed_history(conn)  # SCENARIO and OTHER attempted
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pick = app.screen
        assert len(pick.shown) == len(LIBRARY)
        await pilot.press("k", "k")  # all -> measure success -> metric drop
        assert pick.kind == "metric_drop"
        assert {s.id for s in pick.shown} == {SCENARIO.id, "code-review-ai-drop"}
        await pilot.press("a")  # AI only
        assert [s.id for s in pick.shown] == ["code-review-ai-drop"]
        await pilot.press("a", "a", "k", "k", "k")  # back to everything
        assert pick.kind is None and pick.ai is None and len(pick.shown) == len(LIBRARY)
        await pilot.press("slash", *"bike")
        assert [s.id for s in pick.shown] == ["bike-share-north-star"]
        await pilot.press("escape")  # clears the text filter
        assert len(pick.shown) == len(LIBRARY)
        assert "hire" in pick._best(SCENARIO.id).plain
        await pilot.press("s")
        await pilot.pause()
        chosen = app.screen
        assert isinstance(chosen, AnswerScreen)
        assert chosen.scenario.id not in {SCENARIO.id, OTHER.id}  # surprise picks one not yet done


async def test_countdown_pause_extend_hide_and_time_up(_coach_home):
    now = [1000.0]
    app = make_app(monotonic=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_scenario(pilot)
        clock = screen.query_one(Countdown)
        assert clock.remaining == SCENARIO.time_limit * 60
        now[0] += 90
        clock.tick()
        assert plain(clock) == "08:30 left"
        await pilot.press("f2")
        now[0] += 500  # paused: the clock stands still
        clock.tick()
        assert plain(clock) == "08:30 left (paused)"
        await pilot.press("f2", "f3")
        clock.tick()
        assert plain(clock) == "13:30 left"
        await pilot.press("f4")
        assert plain(clock) == "timer hidden"
        await pilot.press("f4")
        now[0] += 14 * 60
        clock.tick()
        await pilot.pause()
        assert plain(clock).startswith("time up +00:30")
        assert any("Time is up" in str(n.message) for n in app._notifications)
        await pilot.press("f5")  # hide the question for more room
        assert not screen.query_one("#brief").display


async def test_escape_while_grading_cancels_and_keeps_the_answer(_coach_home):
    release = threading.Event()

    def slow_grader(answer, scenario, on_token=None):
        release.wait(5)
        return fake_grader(answer, scenario, on_token)

    app = make_app(grader=slow_grader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_scenario(pilot)
        screen.query_one("#editor", TextArea).insert("My north star is weekly orders.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        results = app.screen
        assert isinstance(results, ResultsScreen) and results.phase == "grading"
        assert "Grading" in plain(results.query_one("#banner"))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AnswerScreen)
        assert app.screen.text == "My north star is weekly orders."
        release.set()
        await settle(pilot)
        assert history.attempts(app.db) == []  # a cancelled grade is not an attempt
        assert history.load_draft(app.db, SCENARIO.id).text == "My north star is weekly orders."


async def test_a_grader_failure_is_shown_and_the_answer_kept(_coach_home):
    def broken(answer, scenario, on_token=None):
        raise RuntimeError("rules not loaded")

    app = make_app(grader=broken)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_scenario(pilot)
        results = await submit(pilot, "My answer.")
        assert results.phase == "failed"
        assert "rules not loaded" in plain(results.query_one("#notice"))
        assert history.load_draft(app.db, SCENARIO.id).text == "My answer."
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, AnswerScreen) and app.screen.text == "My answer."


async def test_streamed_feedback_shows_while_grading(_coach_home):
    release = threading.Event()

    def streaming(answer, scenario, on_token=None):
        on_token("Strengths: ")
        on_token("a clear [bold]north star[/].")
        release.wait(5)
        return fake_grader(answer, scenario)

    app = make_app(grader=streaming)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_scenario(pilot)
        app.screen.query_one("#editor", TextArea).insert("x")
        await pilot.press("ctrl+s")
        for _ in range(50):
            await asyncio.sleep(0.01)
            await pilot.pause()
            if "north star" in plain(app.screen.query_one("#stream")):
                break
        assert plain(app.screen.query_one("#stream")) == "Strengths: a clear [bold]north star[/]."
        release.set()
        await settle(pilot)
        assert app.screen.phase == "idle"


async def test_answer_text_is_shown_literally(_coach_home):
    nasty = "My north star is [bold]orders[/] \x1b[31mred\x1b[0m\x07 and \x1b]0;title\x07 \u202eevil"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_scenario(pilot)
        editor = screen.query_one("#editor", TextArea)
        editor.post_message(events.Paste(nasty))
        await pilot.pause()
        assert "\x1b" not in editor.text and "␛[31m" in editor.text and "[bold]orders[/]" in editor.text
        await pilot.press("ctrl+s")
        await settle(pilot)
        results = app.screen
        shown = plain(results.query_one("#checklist-body"))
        assert "[bold]orders[/]" in shown
        assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
        feedback = plain(results.query_one("#feedback-body"))
        assert "[bold]stays literal[/]" in feedback


async def test_history_compare_and_open_attempt(_coach_home):
    seed_history(history.connect())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#library", DataTable)
        table.move_cursor(row=table.get_row_index(SCENARIO.id))
        await pilot.press("h")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen) and screen.selected == SCENARIO.id
        assert len(screen.rows) == 3
        rates = plain(screen.query_one("#pass-rates"))
        assert "Work on next: Two guardrail metrics" in rates
        # newest first: mark the newest, move to the oldest, compare
        await pilot.press("space", "down", "down", "c")
        await pilot.pause()
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        assert compare.before.created_at < compare.after.created_at
        summary = plain(compare.query_one("#compare-summary Static"))
        assert "strong no hire → hire" in summary
        assert "✔ FAIL → PASS: A real hierarchy, not a metrics dump" in summary
        assert "Metrics added: New customer orders" in summary
        assert "Tea of the month" in summary
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")  # open the oldest attempt
        await pilot.pause()
        opened = app.screen
        assert isinstance(opened, ResultsScreen) and opened.phase == "idle"
        assert opened.result.score == screen.rows[0].score
        await pilot.press("escape")
        await pilot.pause()
        # the scenario list on the left switches the selection
        await pilot.press("shift+tab", "shift+tab")  # attempts table -> tabs -> question list
        await pilot.pause()
        assert app.focused is screen.query_one("#scenarios")
        await pilot.press("home")
        await pilot.pause()
        assert screen.selected == "__all__" and len(screen.rows) == 4


async def test_history_without_two_attempts_explains_compare(_coach_home):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert any("Mark two attempts" in str(n.message) for n in app._notifications)


async def test_help_lists_every_key(_coach_home):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = plain(Static(key_table()))
        for screen_class in (PickScreen, AnswerScreen, ResultsScreen, HistoryScreen, DraftPrompt):
            for binding in screen_class.BINDINGS:
                if binding.key != "down" and not binding.action.startswith("tab("):
                    assert (binding.tooltip or binding.description) in text, (screen_class.__name__, binding.key)
        assert "Ctrl+S" in text and "F2" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_theme_toggle_and_no_color(_coach_home, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.no_color
        dark = app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark is not dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark is dark


async def test_library_loads_in_the_background(_coach_home):
    app = make_app(scenarios=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.scenarios and len(app.screen.shown) == len(app.scenarios)


async def test_unopenable_history_falls_back_to_memory(_coach_home, tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not sqlite" * 200)
    app = make_app(db_path=bad)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_scenario(pilot)
        await submit(pilot, ANSWER)
        assert app.history_error and "cannot open" in app.history_error
        assert len(history.attempts(app.db)) == 1


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_screen_fits(size, _coach_home):
    """Nothing scrolls sideways at the supported sizes."""
    seed_history(history.connect())
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for widget in app.screen.query("*"):
            assert not widget.show_horizontal_scrollbar, widget
        await open_scenario(pilot)
        results = await submit(pilot, ANSWER)
        for tab in "123456":
            await pilot.press(tab)
            await pilot.pause()
            for widget in results.query("*"):
                assert not widget.show_horizontal_scrollbar, (tab, widget)


async def test_retry_after_a_failure_offers_the_kept_draft(_coach_home):
    def broken(answer, scenario, on_token=None):
        raise RuntimeError("boom")

    app = make_app(grader=broken)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_scenario(pilot)
        await submit(pilot, "keep me")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, DraftPrompt)
        await pilot.press("r")
        await pilot.pause()
        assert [type(s) for s in app.screen_stack] == [PickScreen, AnswerScreen]
        assert app.screen.text == "keep me"


async def test_follow_up_draft_is_kept_when_the_round_is_left(_coach_home):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_scenario(pilot)
        results = await submit(pilot, ANSWER)
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"half an idea")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is results and results.attempt.follow_up is None
        await pilot.press("f")
        await pilot.pause()
        assert app.screen.text == "half an idea"  # offered straight back
