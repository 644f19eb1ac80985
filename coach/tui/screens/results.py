"""Results: the verdict banner, the checklist, the tree, the feedback, the follow-ups, the model answer.

Grading runs in a thread worker; feedback streams into its tab as it arrives
(a model streams tokens, the offline grader sends it whole). Esc while grading
cancels and goes back to the editor with the answer intact. The attempt is
committed to the history the moment its grade arrives. The follow-up round is
pushed from here and its regrade replaces the results in place.
"""

from __future__ import annotations

import time
from functools import partial

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, LoadingIndicator, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from coach import history
from coach.followup import FollowUp, grade_follow_up, pick_follow_up
from coach.result import GradeResult
from coach.scenarios import Scenario
from coach.tui.safe import literal, one_line
from coach.tui.screens.base import CoachScreen
from coach.tui.widgets.checklist import Checklist
from coach.tui.widgets.kpi_tree import KpiTree
from coach.tui.widgets.verdict import VerdictBanner

TABS = ("checklist", "tree", "feedback", "followups", "model", "reference")


class FeedbackToken(Message):
    """A piece of feedback text from the grading worker."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ResultsScreen(CoachScreen):
    BINDINGS = [
        Binding(
            "1",
            "tab('checklist')",
            "Tabs",
            key_display="1-6",
            tooltip="Switch tabs: 1 checklist, 2 tree, 3 feedback, 4 follow-ups, 5 model answer, 6 reference tree",
        ),
        Binding(
            "f", "follow_up", "Follow-up", tooltip="Answer the interviewer's follow-up; the results are recomputed"
        ),
        Binding("r", "retry", "Retry", tooltip="Answer this question again from a blank page"),
        Binding("e", "edit", "Edit", tooltip="Edit this answer and submit it as a new attempt"),
        Binding("m", "reveal", "Model", tooltip="Reveal the model answer and the reference tree"),
        Binding("h", "history", "History", tooltip="Your attempts at this question"),
        Binding("escape", "back", "Library", tooltip="Back to the library (while grading: cancel, back to the editor)"),
        Binding("question_mark", "app.help", "Help", show=False),
        *[Binding(str(i + 1), f"tab('{tab}')", f"Tab {tab}", show=False) for i, tab in enumerate(TABS) if i],
    ]

    def __init__(
        self,
        scenario: Scenario,
        *,
        answer: str = "",
        elapsed: float | None = None,
        attempt: history.Attempt | None = None,
    ) -> None:
        super().__init__()
        self.scenario = scenario
        self.answer = attempt.answer if attempt else answer
        self.elapsed = elapsed
        self.attempt = attempt
        self.result: GradeResult | None = attempt.final if attempt else None
        self.follow_up: FollowUp | None = None
        self.phase = "idle"  # idle | grading | follow_up_grading | failed
        self.revealed = False
        self._streamed: list[str] = []
        self._pending_follow_up: str | None = None
        self._worker: Worker | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Results · ", "bold"), (one_line(self.scenario.title), "bold")), classes="topbar")
        yield VerdictBanner("", id="banner")
        yield Static("", id="notice")
        yield LoadingIndicator(id="spinner")
        with VerticalScroll(id="stream-box"):
            yield Static("", id="stream", classes="prose")
        with TabbedContent(id="tabs"):
            with TabPane("1 Checklist", id="checklist"):
                with VerticalScroll():
                    yield Checklist("", id="checklist-body")
            with TabPane("2 Tree", id="tree"):
                yield KpiTree(id="answer-tree")
            with TabPane("3 Feedback", id="feedback"):
                with VerticalScroll():
                    yield Static("", id="feedback-body", classes="prose")
            with TabPane("4 Follow-ups", id="followups"):
                with VerticalScroll():
                    yield Static("", id="followups-body", classes="prose")
            with TabPane("5 Model answer", id="model"):
                with VerticalScroll():
                    yield Static("", id="model-body", classes="prose")
            with TabPane("6 Reference", id="reference"):
                yield Static("", id="reference-hidden", classes="prose")
                yield KpiTree(id="reference-tree")
        yield Footer()

    def on_mount(self) -> None:
        self._show_model_answer()
        if self.result is not None:
            self.follow_up = (
                pick_follow_up(self.attempt.result, self.scenario, self.coach.rubric) if self.attempt else None
            )
            self._show(self.result)
        else:
            self._start_grading()

    # --- grading ---------------------------------------------------------------------------------

    def _set_phase(self, phase: str) -> None:
        self.phase = phase
        busy = phase in ("grading", "follow_up_grading")
        self.query_one("#spinner").display = busy
        self.query_one("#stream-box").display = busy
        self.query_one("#tabs").display = not busy and phase != "failed"
        if busy:
            self.query_one("#stream", Static).update("")
        self.refresh_bindings()

    def _start_grading(self) -> None:
        self._set_phase("grading")
        self._streamed = []
        how = f" with {self.coach.model_ref}" if self.coach.model_ref else ""
        self.query_one(VerdictBanner).waiting(
            f"Grading your answer{how}…  Esc cancels and takes you back to the editor."
        )
        self._worker = self.run_worker(
            partial(self._grade_work, self.answer),
            thread=True,
            exclusive=True,
            group="grade",
            exit_on_error=False,
            name="grade",
        )

    def _grade_work(self, answer: str) -> GradeResult:
        return self.coach.grade(answer, self.scenario, self._token)

    def _follow_up_work(self, follow_up_answer: str) -> GradeResult:
        assert self.attempt is not None
        app = self.coach
        return grade_follow_up(
            self.answer,
            follow_up_answer,
            self.scenario,
            first_result=self.attempt.result,
            rubric=app.rubric,
            grader=lambda text, scenario: app.grade(text, scenario, self._token),
        )

    def _token(self, text: str) -> None:
        """Called from the worker thread: post_message is thread-safe."""
        self.post_message(FeedbackToken(text))

    @on(FeedbackToken)
    def _feedback_token(self, message: FeedbackToken) -> None:
        if self.phase not in ("grading", "follow_up_grading"):
            return
        self._streamed.append(message.text)
        self.query_one("#stream", Static).update(literal("".join(self._streamed)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "grade" or worker is not self._worker:
            return
        if event.state == WorkerState.SUCCESS and isinstance(worker.result, GradeResult):
            if worker.name == "grade":
                self._first_graded(worker.result)
            else:
                self._follow_up_graded(worker.result)
        elif event.state == WorkerState.ERROR:
            self._grading_failed(worker.error)

    def _first_graded(self, result: GradeResult) -> None:
        app = self.coach
        attempt = app.safe_history(
            lambda: history.record_attempt(
                app.db, self.scenario.id, self.answer, result, elapsed=self.elapsed, now=app.now()
            ),
            "save this attempt",
        )
        self.attempt = attempt or history.Attempt(0, self.scenario.id, app.now(), self.answer, result, self.elapsed)
        self.result = result
        self.follow_up = pick_follow_up(result, self.scenario, app.rubric)
        self._set_phase("idle")
        self._show(result)
        self.action_tab("checklist")

    def _follow_up_graded(self, result: GradeResult) -> None:
        app = self.coach
        assert self.attempt is not None and self.follow_up is not None
        answer = self._pending_follow_up or ""
        follow_up = self.follow_up
        attempt = self.attempt

        def save() -> None:
            if attempt.id:
                history.record_follow_up(
                    app.db,
                    attempt.id,
                    criterion_id=follow_up.criterion_id,
                    question=follow_up.question,
                    answer=answer,
                    result=result,
                )
            from coach.tui.screens.answer import follow_up_key

            history.clear_draft(app.db, follow_up_key(self.scenario.id, attempt.id or None))

        app.safe_history(save, "save the follow-up")
        self.attempt = history.Attempt(
            attempt.id,
            attempt.scenario_id,
            attempt.created_at,
            attempt.answer,
            attempt.result,
            attempt.elapsed,
            history.FollowUpRound(follow_up.criterion_id, follow_up.question, answer, result),
        )
        self.result = result
        self._pending_follow_up = None
        self._set_phase("idle")
        self._show(result)
        self.action_tab("checklist")
        self.notify("Regraded with your follow-up answer.", timeout=3)

    def _grading_failed(self, error: BaseException | None) -> None:
        was_follow_up = self.phase == "follow_up_grading"
        self._set_phase("failed" if not was_follow_up else "idle")
        detail = f"{type(error).__name__}: {error}" if error else "unknown error"
        notice = self.query_one("#notice", Static)
        notice.update(literal(f"Grading failed ({detail}). Your answer is kept: press e to edit it or r to retry."))
        notice.display = True
        if not was_follow_up:
            self.query_one(VerdictBanner).waiting("Grading failed. Your answer is saved as a draft.")
        self.notify(f"Grading failed: {detail}", severity="error", timeout=8, markup=False)

    # --- display -----------------------------------------------------------------------------------

    def _show(self, result: GradeResult) -> None:
        app = self.coach
        followed = self.attempt is not None and self.attempt.follow_up is not None
        self.query_one(VerdictBanner).show(result, label="after follow-up" if followed else "")
        notice = self.query_one("#notice", Static)
        notice.update(literal(f"ⓘ {result.notice}") if result.notice else "")
        notice.display = bool(result.notice)
        self.query_one("#checklist-body", Checklist).show(result, app.rubric)
        self.query_one("#answer-tree", KpiTree).show(result.tree)
        feedback = literal(result.feedback) if result.feedback.strip() else Text("(no feedback)", style="dim")
        self.query_one("#feedback-body", Static).update(feedback)
        self._show_follow_ups()

    def _show_follow_ups(self) -> None:
        text = Text()
        done = self.attempt.follow_up if self.attempt else None
        if done is not None:
            text.append("The interviewer asked\n", style="bold")
            text.append_text(literal(done.question, "italic"))
            text.append("\n\nYou answered\n", style="bold")
            text.append_text(literal(done.answer))
            text.append("\n\nThe results above include it; criteria it rescued are marked prompted.\n\n", style="dim")
        elif self.follow_up is not None:
            text.append("The interviewer's follow-up", style="bold")
            spec = self._spec_title(self.follow_up.criterion_id)
            if spec:
                text.append(f" (aimed at: {spec})", style="dim")
            text.append("\n")
            text.append_text(literal(self.follow_up.question, "italic"))
            text.append("\n\nPress f to answer it, as you would in the room.\n\n", style="bold")
        text.append("Questions an interviewer could ask next\n", style="bold")
        for q in self.scenario.follow_ups:
            text.append("• ")
            text.append_text(literal(q))
            text.append("\n")
        self.query_one("#followups-body", Static).update(text)

    def _spec_title(self, criterion_id: str | None) -> str:
        if criterion_id is None:
            return ""
        spec = next((c for c in self.coach.rubric.criteria if c.id == criterion_id), None)
        return spec.title if spec else criterion_id

    def _show_model_answer(self) -> None:
        body = self.query_one("#model-body", Static)
        hidden = self.query_one("#reference-hidden", Static)
        tree = self.query_one("#reference-tree", KpiTree)
        if not self.revealed:
            veiled = Text(
                "Hidden so you can compare your own thinking first. Press m to reveal the model answer "
                "and the reference tree.",
                style="italic",
            )
            body.update(veiled)
            hidden.update(veiled)
            hidden.display = True
            tree.display = False
            return
        body.update(Group(Text("Model answer\n", style="bold"), literal(self.scenario.model_answer)))
        hidden.display = False
        tree.display = True
        tree.show(self.scenario.reference_tree)

    # --- actions -------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        busy = self.phase in ("grading", "follow_up_grading")
        if action in ("follow_up", "reveal", "history") and busy:
            return None
        if action == "follow_up" and (self.result is None or self.phase == "failed"):
            return None
        if action == "follow_up" and self.attempt is not None and self.attempt.follow_up is not None:
            return None
        return True

    def action_tab(self, tab: str) -> None:
        if self.phase == "grading":
            return
        tabs = self.query_one(TabbedContent)
        tabs.active = tab
        pane = tabs.get_pane(tab)
        focusable = [w for w in pane.query("*") if w.focusable]
        if focusable:
            focusable[0].focus()

    def action_reveal(self) -> None:
        self.revealed = True
        self._show_model_answer()
        self.action_tab("model")

    def action_follow_up(self) -> None:
        if self.follow_up is None or self.attempt is None:
            return
        from coach.tui.screens.answer import AnswerScreen

        def answered(text: str | None) -> None:
            if text is None or not text.strip():
                return
            self._pending_follow_up = text
            self._streamed = []
            self._set_phase("follow_up_grading")
            self.query_one(VerdictBanner).waiting("Regrading with your follow-up answer…  Esc cancels.")
            self._worker = self.run_worker(
                partial(self._follow_up_work, text),
                thread=True,
                exclusive=True,
                group="grade",
                exit_on_error=False,
                name="follow_up",
            )

        self.app.push_screen(
            AnswerScreen(
                self.scenario,
                follow_up=self.follow_up.question,
                first_answer=self.answer,
                attempt_id=self.attempt.id or None,
            ),
            answered,
        )

    def action_retry(self) -> None:
        self._cancel()
        self.coach.open_scenario(self.scenario, replace=True)

    def action_edit(self) -> None:
        from coach.tui.screens.answer import AnswerScreen

        self._cancel()
        self.app.switch_screen(AnswerScreen(self.scenario, text=self.answer))

    def action_history(self) -> None:
        self.coach.open_history(self.scenario.id)

    def _cancel(self) -> None:
        if self._worker is not None and self.phase in ("grading", "follow_up_grading"):
            self._worker.cancel()
        self._worker = None

    def action_back(self) -> None:
        if self.phase == "grading":
            from coach.tui.screens.answer import AnswerScreen

            self._cancel()
            self.notify("Grading cancelled. Your answer is back in the editor.", timeout=3)
            self.app.switch_screen(AnswerScreen(self.scenario, text=self.answer, elapsed=self.elapsed or 0.0))
            return
        if self.phase == "follow_up_grading":
            self._cancel()
            self._set_phase("idle")
            if self.result is not None:
                self._show(self.result)
            self.notify("Follow-up grading cancelled; your follow-up answer is kept as a draft.", timeout=4)
            return
        self.app.pop_screen()


def when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))
