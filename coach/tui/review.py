"""``coach review graded.jsonl``: step through graded answers, override criteria with notes, saved as you go.

Left: the answers (id, verdict, score, how many criteria the coach decided).
Right: the selected answer's verdict, its question, the criteria table, and
for the selected criterion its evidence, the grader's reason and the coach's
note, then the candidate's answer when the file carries it.

Keys: ``[`` / ``]`` previous / next answer, ↑ ↓ choose a criterion, ``p`` pass,
``f`` fail, ``x`` not applicable, ``u`` back to the grader's decision, ``e`` or
Enter write a note, ``ctrl+s`` save, ``q`` quit. Every change is saved at once
(the file is rewritten atomically, see ``coach.review_file``), so a kill loses
nothing; the verdict and score are recomputed from the table.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Static

from coach.errors import CoachError
from coach.report.model import STATUS_MARK, STATUS_WORD, decided_by
from coach.review_file import Record, ReviewFile, load_review_file
from coach.tui.safe import literal, one_line
from coach.vocabulary import verdict_banner, verdict_label

_STATUS_STYLE = {"pass": "bold green", "fail": "bold red", "not_applicable": "dim"}


class NoteScreen(ModalScreen[str | None]):
    """Edit the coach's note on one criterion; Enter keeps it, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    NoteScreen { align: center middle; }
    NoteScreen > Vertical { width: 70; height: auto; border: round $primary; padding: 1 2; background: $surface; }
    """

    def __init__(self, criterion: str, note: str) -> None:
        super().__init__()
        self.criterion = criterion
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Coach's note on {one_line(self.criterion)}", style="bold"))
            yield Input(self.note, placeholder="Why you decided it (Enter to keep, Esc to cancel)", id="note")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReviewApp(App[None]):
    TITLE = "coach review"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #top { height: 1; background: $panel; padding: 0 1; }
    #body { height: 1fr; }
    #answers { width: 34; height: 1fr; border-right: solid $primary 40%; }
    #detail { width: 1fr; height: 1fr; }
    #banner { height: auto; padding: 0 1; }
    #criteria { height: auto; max-height: 50%; }
    #more { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("right_square_bracket", "move(1)", "Next answer", key_display="]"),
        Binding("left_square_bracket", "move(-1)", "Previous", key_display="["),
        Binding("p", "set('pass')", "Pass"),
        Binding("f", "set('fail')", "Fail"),
        Binding("x", "set('not_applicable')", "N/A"),
        Binding("u", "set('auto')", "Undo (auto)"),
        Binding("e", "note", "Note"),
        Binding("ctrl+s", "save", "Save"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, review: ReviewFile) -> None:
        super().__init__()
        self.review = review
        self.index = 0
        self.status_line = "saved" if not review.unsaved else "unsaved"

    @property
    def records(self) -> list[Record]:
        return self.review.graded

    @property
    def current(self) -> Record:
        return self.records[self.index]

    @property
    def criterion_id(self) -> str | None:
        table = self.query_one("#criteria", DataTable)
        result = self.current.result
        if result is None or not result.criteria:
            return None
        row = min(max(table.cursor_row, 0), len(result.criteria) - 1)
        return result.criteria[row].id

    def compose(self) -> ComposeResult:
        yield Static("", id="top")
        with Horizontal(id="body"):
            yield DataTable(id="answers", cursor_type="row", zebra_stripes=True)
            with Vertical(id="detail"):
                yield Static("", id="banner")
                yield DataTable(id="criteria", cursor_type="row")
                with VerticalScroll(id="more"):
                    yield Static("", id="selected")
                    yield Static("", id="answer")
        yield Footer()

    def on_mount(self) -> None:
        answers = self.query_one("#answers", DataTable)
        answers.add_columns("id", "verdict", "score", "coach")
        for i, rec in enumerate(self.records):
            answers.add_row(*self._answer_cells(rec), key=str(i))
        criteria = self.query_one("#criteria", DataTable)
        criteria.add_columns("criterion", "status", "by", "note")
        for notice in self.review.notices:
            self.notify(notice, markup=False)
        self.show(0)
        criteria.focus()

    def _answer_cells(self, rec: Record) -> tuple[Text, Text, Text, Text]:
        r = rec.result
        assert r is not None
        coach = sum(1 for c in r.criteria if c.source == "coach")
        return (
            literal(one_line(r.id or f"line {rec.line}")),
            Text(verdict_label(r.verdict)),
            Text(str(r.score), justify="right"),
            Text(str(coach) if coach else "", justify="right"),
        )

    # --- drawing -------------------------------------------------------------------------

    def show(self, index: int, *, keep_row: bool = False) -> None:
        self.index = max(0, min(index, len(self.records) - 1))
        rec = self.current
        r = rec.result
        assert r is not None
        criteria = self.query_one("#criteria", DataTable)
        row = criteria.cursor_row if keep_row else 0
        criteria.clear()
        for c in r.criteria:
            status = Text(f"{STATUS_MARK[c.status]} {STATUS_WORD[c.status]}", style=_STATUS_STYLE[c.status])
            if c.prompted:
                status.append(" (prompted)", style="yellow")
            by = Text(decided_by(c), style="bold magenta" if c.source == "coach" else "dim")
            criteria.add_row(
                literal(one_line(c.id), style="bold" if c.core else ""), status, by, literal(one_line(c.note or ""))
            )
        criteria.move_cursor(row=min(row, max(len(r.criteria) - 1, 0)))
        answers = self.query_one("#answers", DataTable)
        answers.move_cursor(row=self.index)
        banner = Text()
        banner.append(f" {verdict_banner(r.verdict)} ", style="bold reverse")
        banner.append(f"  score {r.score}/100", style="bold")
        if any(c.source == "coach" for c in r.criteria):
            banner.append("  (with the coach's overrides)", style="magenta")
        if r.question:
            banner.append("\nQuestion: ", style="bold")
            banner.append_text(literal(one_line(r.question)))
        self.query_one("#banner", Static).update(banner)
        self.query_one("#answer", Static).update(self._answer_text(rec))
        self._show_selected()
        self._draw_top()

    def _answer_text(self, rec: Record) -> Text:
        info = (rec.data or {}).get("transcript")
        if not isinstance(info, dict):
            return Text("")
        text = Text("\nThe answer\n", style="bold")
        text.append_text(literal(str(info.get("answer") or "(no answer)")))
        for fu in info.get("follow_ups") or []:
            if isinstance(fu, dict):
                text.append("\n\nFollow-up: ", style="bold")
                text.append_text(literal(str(fu.get("question", ""))))
                text.append("\n")
                text.append_text(literal(str(fu.get("answer") or "(no answer)")))
        return text

    def _show_selected(self) -> None:
        r = self.current.result
        cid = self.criterion_id
        c = r.criterion(cid) if (r is not None and cid) else None
        text = Text()
        if c is not None:
            text.append(f"{c.id}: {STATUS_WORD[c.status]}", style="bold")
            text.append(f"  (decided by {decided_by(c)})", style="dim")
            for quote in c.evidence[:3]:
                text.append("\n“")
                text.append_text(literal(one_line(quote), style="italic"))
                text.append("”")
            if c.message:
                text.append("\n")
                text.append_text(literal(c.message, style="dim"))
            if c.note:
                text.append("\nCoach's note: ", style="bold magenta")
                text.append_text(literal(c.note))
        self.query_one("#selected", Static).update(text)

    def _draw_top(self) -> None:
        name = one_line(self.review.path.name)
        top = Text(f"{name} · answer {self.index + 1} of {len(self.records)} · {self.status_line}")
        self.query_one("#top", Static).update(top)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "answers":
            if event.cursor_row != self.index and 0 <= event.cursor_row < len(self.records):
                self.show(event.cursor_row)
        elif event.data_table.id == "criteria":
            self._show_selected()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "criteria":
            self.action_note()

    # --- actions -------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.show(self.index + step)

    def action_set(self, status: str) -> None:
        cid = self.criterion_id
        if cid is None:
            return
        self.review.set_status(self.current, cid, status)
        self._changed()

    def action_note(self) -> None:
        cid = self.criterion_id
        if cid is None:
            return
        c = self.current.result.criterion(cid) if self.current.result else None

        def done(note: str | None) -> None:
            if note is None:
                return
            self.review.set_note(self.current, cid, note)
            self._changed()

        self.push_screen(NoteScreen(cid, (c.note if c else None) or ""), done)

    def _changed(self) -> None:
        rec = self.current
        answers = self.query_one("#answers", DataTable)
        for col, cell in enumerate(self._answer_cells(rec)):
            answers.update_cell_at((self.index, col), cell)
        self.action_save()
        self.show(self.index, keep_row=True)

    def action_save(self) -> None:
        try:
            self.review.save()
        except CoachError as exc:
            self.status_line = "NOT SAVED"
            self.notify(exc.message, severity="error", timeout=10, markup=False)
        else:
            self.status_line = f"saved ({self.review.saves})"
        self._draw_top()


def create_review_app(path_or_review: Path | str | ReviewFile) -> ReviewApp:
    review = path_or_review if isinstance(path_or_review, ReviewFile) else load_review_file(path_or_review)
    return ReviewApp(review)


def run_review(review: ReviewFile) -> None:
    create_review_app(review).run()
