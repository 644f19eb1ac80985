"""The practice TUI: pick a question, answer against the clock, see the tree, the scorecard, the feedback.

``create_app()`` builds the app for both the CLI (``run()``) and the tests; every
outside dependency is a parameter so tests can fix it: the scenarios, the
rubric, the history database, the grader, the clocks and the random source.

The app owns the services the screens share (the history connection, the
grader, the library) and the moves between screens; each screen owns its own
widgets. Grading runs in a thread worker (``ResultsScreen``); the UI never waits
on it. Nothing here imports langchain or openai: a model is used only through
``coach.llm.grade_with_model`` when the settings ask for one, imported then.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from coach import history
from coach.errors import CoachError

if TYPE_CHECKING:
    from coach.result import GradeResult
    from coach.rubric.model import Rubric
    from coach.scenarios import Scenario
    from coach.settings import Settings

# answer, scenario, on_token (feedback text as it arrives) -> the graded result
Grader = Callable[[str, "Scenario", "Callable[[str], None] | None"], "GradeResult"]

DARK, LIGHT = "textual-dark", "textual-light"


def offline_grader(answer: str, scenario: Scenario, on_token: Callable[[str], None] | None = None) -> GradeResult:
    from coach.grade import grade

    result = grade(answer, scenario=scenario)
    if on_token is not None:
        on_token(result.feedback)
    return result


def settings_grader(settings: Settings | None) -> Grader:
    """The grader the settings ask for: offline, or through the model (which falls back offline itself)."""
    if settings is None or not settings.use_model:
        return offline_grader

    def model_grader(answer: str, scenario: Scenario, on_token: Callable[[str], None] | None = None) -> GradeResult:
        from coach.llm import grade_with_model

        return grade_with_model(answer, scenario=scenario, settings=settings, on_token=on_token)

    return model_grader


class CoachApp(App[None]):
    """The practice app. Build it with ``create_app()``."""

    CSS_PATH = "app.tcss"
    TITLE = "coach"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("f1", "help", "Help", show=False),
        Binding("ctrl+t", "toggle_theme", "Light/dark", show=False),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        *,
        scenarios: Sequence[Scenario] | None = None,
        rubric: Rubric | None = None,
        db_path: Path | str | None = None,
        grader: Grader | None = None,
        settings: Settings | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        cursor_blink: bool = True,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        self.scenarios: tuple[Scenario, ...] | None = tuple(scenarios) if scenarios is not None else None
        self.library_error: str | None = None
        self._rubric = rubric
        self._db_path = db_path
        self._db: sqlite3.Connection | None = None
        self.history_error: str | None = None
        self.grader: Grader = grader or settings_grader(settings)
        self.settings = settings
        # The model the grading goes through, for the screens to say so; None offline or with a given grader.
        self.model_ref: str | None = (
            settings.model_ref if grader is None and settings is not None and settings.use_model else None
        )
        self.monotonic = monotonic
        self.now = now
        self.rng = rng or random.Random()
        self.cursor_blink = cursor_blink
        if theme:
            self.theme = theme

    # --- services ---------------------------------------------------------------------------

    @property
    def rubric(self) -> Rubric:
        if self._rubric is None:
            from coach.rubric.model import load_rubric

            self._rubric = load_rubric()
        return self._rubric

    @property
    def db(self) -> sqlite3.Connection:
        """The history database; an in-memory one (with a notice) when the real one cannot be opened."""
        if self._db is None:
            try:
                self._db = history.connect(self._db_path)
            except history.HistoryError as exc:
                self.history_error = exc.message
                self._db = history.connect(":memory:")
                self.notify(
                    f"{exc.message}. History is kept in memory for this session.",
                    severity="error",
                    timeout=10,
                    markup=False,
                )
        return self._db

    def grade(self, answer: str, scenario: Scenario, on_token: Callable[[str], None] | None = None) -> GradeResult:
        """Grade one answer. Called from a worker thread."""
        return self.grader(answer, scenario, on_token)

    def scenario(self, scenario_id: str) -> Scenario | None:
        return next((s for s in self.scenarios or () if s.id == scenario_id), None)

    def safe_history(self, action: Callable[[], Any], what: str) -> Any:
        """Run a history write; a failure is a notice, never a crash (the answer stays on screen)."""
        try:
            return action()
        except CoachError as exc:
            self.notify(f"Could not {what}: {exc.message}", severity="error", timeout=8, markup=False)
        except sqlite3.Error as exc:
            self.notify(f"Could not {what}: {exc}", severity="error", timeout=8, markup=False)
        return None

    # --- lifecycle ----------------------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        from coach.tui.screens.pick import PickScreen

        return PickScreen()

    def on_mount(self) -> None:
        if self.scenarios is None:
            self._load_library()

    @work(thread=True, exclusive=True, group="library", exit_on_error=False)
    def _load_library(self) -> None:
        from coach.scenarios import load_scenarios

        try:
            scenarios: tuple[Scenario, ...] = load_scenarios()
            error = None
        except CoachError as exc:
            scenarios, error = (), exc.message
        self.call_from_thread(self._library_loaded, scenarios, error)

    def _library_loaded(self, scenarios: tuple[Scenario, ...], error: str | None) -> None:
        from coach.tui.screens.pick import PickScreen

        self.scenarios = scenarios
        self.library_error = error
        for screen in self.screen_stack:
            if isinstance(screen, PickScreen):
                screen.library_changed()

    # --- moves between screens ----------------------------------------------------------------

    def open_scenario(self, scenario: Scenario, *, replace: bool = False) -> None:
        """Open the answer screen, offering a saved draft back first."""
        from coach.tui.screens.answer import AnswerScreen
        from coach.tui.screens.draft import DraftPrompt

        draft = self.safe_history(lambda: history.load_draft(self.db, scenario.id), "read the draft")

        def go(text: str = "", elapsed: float = 0.0) -> None:
            screen = AnswerScreen(scenario, text=text, elapsed=elapsed)
            if replace:
                self.switch_screen(screen)
            else:
                self.push_screen(screen)

        if draft is None or not draft.text.strip():
            go()
            return

        def chosen(choice: str | None) -> None:
            if choice == "restore":
                go(draft.text, draft.elapsed)
            elif choice == "fresh":
                self.safe_history(lambda: history.clear_draft(self.db, scenario.id), "discard the draft")
                go()

        self.push_screen(DraftPrompt(scenario, draft, now=self.now()), chosen)

    def open_history(self, scenario_id: str | None = None) -> None:
        from coach.tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(scenario_id))

    def action_help(self) -> None:
        from coach.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.current_theme.dark else DARK


def create_app(**kwargs: Any) -> CoachApp:
    """The app factory shared by the CLI and the tests; see ``CoachApp`` for the parameters.

    Without a ``grader`` or ``settings``, the settings are read (flags none,
    then the environment, then the config file) to decide offline or model.
    """
    if kwargs.get("grader") is None and kwargs.get("settings") is None:
        from coach.settings import load_settings

        kwargs["settings"] = load_settings()
    return CoachApp(**kwargs)


def run(**kwargs: Any) -> None:
    """Open the practice TUI (``coach`` and ``coach practice``)."""
    create_app(**kwargs).run()
