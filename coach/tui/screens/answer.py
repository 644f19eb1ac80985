"""Answer: the question and context, the countdown, the editor. Also the follow-up round.

The draft is saved on every change (one small SQLite upsert, committed), and
again when the screen is left, so quitting, a crash or a closed terminal never
loses the answer. In the follow-up round the same screen shows the
interviewer's question and the first answer, and dismisses with the text.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Static, TextArea

from coach import history
from coach.scenarios import Scenario
from coach.tui.safe import editor_text, literal, one_line
from coach.tui.screens.base import CoachScreen
from coach.tui.widgets.countdown import Countdown
from coach.tui.widgets.editor import AnswerEditor

FOLLOW_UP_MINUTES = 3


def follow_up_key(scenario_id: str, attempt_id: int | None) -> str:
    return f"{scenario_id}#follow-up-{attempt_id}"


class AnswerScreen(CoachScreen):
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", tooltip="Submit the answer for grading"),
        Binding("f2", "pause", "Pause", tooltip="Pause or resume the countdown"),
        Binding("f3", "extend", "+5 min", tooltip="Add five minutes to the countdown"),
        Binding("f4", "hide_timer", "Hide timer", tooltip="Hide or show the countdown"),
        Binding("f5", "toggle_brief", "Question", tooltip="Hide or show the question and context, for room to write"),
        Binding("escape", "leave", "Back", tooltip="Back (the draft is kept and offered when you return)"),
    ]
    AUTO_FOCUS = "#editor"

    def __init__(
        self,
        scenario: Scenario,
        *,
        text: str = "",
        elapsed: float = 0.0,
        follow_up: str | None = None,
        first_answer: str = "",
        attempt_id: int | None = None,
    ) -> None:
        super().__init__()
        self.scenario = scenario
        self.follow_up = follow_up
        self.first_answer = first_answer
        self.draft_key = follow_up_key(scenario.id, attempt_id) if follow_up is not None else scenario.id
        self._initial = editor_text(text)
        self._elapsed = elapsed
        self._saved_text: str | None = self._initial or None

    @property
    def is_follow_up(self) -> bool:
        return self.follow_up is not None

    def compose(self) -> ComposeResult:
        limit = (FOLLOW_UP_MINUTES if self.is_follow_up else self.scenario.time_limit) * 60
        with Horizontal(classes="topbar"):
            title = Text(one_line(self.scenario.title), style="bold")
            if self.is_follow_up:
                title.append("  · follow-up", style="italic")
            yield Static(title, id="title")
            yield Countdown(limit, elapsed=self._elapsed, clock=self.coach.monotonic, id="clock")
        with VerticalScroll(id="brief"):
            if self.is_follow_up:
                yield Static(
                    Text.assemble(("Interviewer: ", "bold"), literal(self.follow_up or "", "bold")), id="question"
                )
                yield Static(
                    Text.assemble(("Your first answer: ", "italic"), literal(self.first_answer, "dim")), id="context"
                )
            else:
                yield Static(literal(self.scenario.question, "bold"), id="question")
                yield Static(literal(self.scenario.context, "dim"), id="context")
        editor = AnswerEditor(
            self._initial,
            id="editor",
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder="Answer as you would out loud in the room. Ctrl+S submits; Esc keeps a draft.",
        )
        editor.cursor_blink = self.coach.cursor_blink
        editor.border_title = "Your follow-up answer" if self.is_follow_up else "Your answer"
        yield editor
        yield Footer()

    def on_mount(self) -> None:
        editor = self.query_one("#editor", TextArea)
        if not self._initial and self.is_follow_up:
            draft = self.coach.safe_history(lambda: history.load_draft(self.coach.db, self.draft_key), "read the draft")
            if draft is not None:
                editor.load_text(draft.text)
                self._saved_text = editor.text
                self.notify("Restored your unsent follow-up answer.", timeout=4)
        editor.move_cursor(editor.document.end)
        self._update_status()

    @property
    def text(self) -> str:
        return self.query_one("#editor", TextArea).text

    @property
    def elapsed(self) -> float:
        return self.query_one(Countdown).elapsed

    # --- draft ---------------------------------------------------------------------------------

    @on(TextArea.Changed, "#editor")
    def _changed(self) -> None:
        self.save_draft()

    def save_draft(self) -> None:
        text = self.text
        if text == self._saved_text:
            return
        app = self.coach
        done = app.safe_history(
            lambda: history.save_draft(app.db, self.draft_key, text, elapsed=self.elapsed, now=app.now()) or True,
            "save the draft",
        )
        if done:
            self._saved_text = text
        self._update_status()

    def _update_status(self) -> None:
        words = len(self.text.split())
        saved = "draft saved" if self._saved_text == self.text and words else "not saved" if words else "empty"
        self.query_one("#editor", TextArea).border_subtitle = f"{words} words · {saved} · ctrl+s submits"

    def on_unmount(self) -> None:
        # Leaving by any road (Esc, quit, an exception in the app) keeps the latest text and clock.
        try:
            self.save_draft()
        except Exception:  # noqa: BLE001 - never turn a quit into a traceback
            pass

    # --- actions -------------------------------------------------------------------------------

    def action_submit(self) -> None:
        text = self.text
        if not text.strip():
            self.notify("Write an answer first: the editor is empty.", severity="warning", timeout=3)
            return
        self.save_draft()
        clock = self.query_one(Countdown)
        clock.pause()
        if self.is_follow_up:
            self.dismiss(text)
            return
        from coach.tui.screens.results import ResultsScreen

        self.app.switch_screen(ResultsScreen(self.scenario, answer=text, elapsed=clock.elapsed))

    def action_pause(self) -> None:
        clock = self.query_one(Countdown)
        clock.toggle_pause()
        self.save_draft_clock()

    def save_draft_clock(self) -> None:
        self._saved_text = None  # force a write so the paused clock is kept with the draft
        if self.text.strip():
            self.save_draft()

    def action_extend(self) -> None:
        self.query_one(Countdown).extend(300)
        self.notify("Five more minutes.", timeout=2)

    def action_hide_timer(self) -> None:
        clock = self.query_one(Countdown)
        clock.hidden = not clock.hidden

    def action_toggle_brief(self) -> None:
        brief = self.query_one("#brief")
        brief.display = not brief.display

    def action_leave(self) -> None:
        self.save_draft()
        if self.text.strip() and not self.is_follow_up:
            self.notify("Draft saved. Open the question again to pick it up.", timeout=3)
        if self.is_follow_up:
            self.dismiss(None)
        else:
            self.app.pop_screen()

    @on(Countdown.TimeUp)
    def _time_up(self) -> None:
        self.notify(
            "Time is up. Finish your thought and submit with ctrl+s (F3 adds five minutes).",
            severity="warning",
            timeout=6,
        )
