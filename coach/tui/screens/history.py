"""History: attempts per scenario, score over time, per-criterion pass rates, compare two attempts."""

from __future__ import annotations

import time

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from coach import history
from coach.tui.safe import one_line
from coach.tui.screens.base import CoachScreen
from coach.tui.widgets.pass_rates import PassRates
from coach.vocabulary import verdict_words

ALL = "__all__"


def short_time(timestamp: float) -> str:
    return time.strftime("%m-%d %H:%M", time.localtime(timestamp))


class HistoryScreen(CoachScreen):
    BINDINGS = [
        Binding("enter", "open", "Open", priority=True, tooltip="Open the highlighted attempt's results"),
        Binding("space", "mark", "Mark", tooltip="Mark an attempt to compare (two at most)"),
        Binding("c", "compare", "Compare", tooltip="Compare the two marked attempts (or the last two)"),
        Binding(
            "1",
            "tab('attempts')",
            "Tabs",
            key_display="1-3",
            tooltip="Switch tabs: 1 attempts, 2 score chart, 3 habits (pass rates)",
        ),
        Binding("2", "tab('chart')", "Chart", show=False),
        Binding("3", "tab('habits')", "Habits", show=False),
        Binding("escape", "back", "Back", tooltip="Back to where you came from"),
        Binding("question_mark", "app.help", "Help", show=False),
    ]
    AUTO_FOCUS = "#attempts-table"

    def __init__(self, scenario_id: str | None = None) -> None:
        super().__init__()
        self.selected = scenario_id or ALL
        self.marked: list[int] = []
        self.all_attempts: list[history.Attempt] = []
        self.rows: list[history.Attempt] = []

    def compose(self) -> ComposeResult:
        from coach.tui.widgets.score_chart import ScoreChart

        yield Static(Text("History", style="bold"), id="topbar", classes="topbar")
        with Horizontal(id="history-body"):
            yield OptionList(id="scenarios")
            with TabbedContent(id="history-tabs"):
                with TabPane("1 Attempts", id="attempts"):
                    yield Static(
                        Text(
                            "No attempts yet. Esc goes back to the library: answer a question and it shows up "
                            "here, with its score over time and the habits to work on.",
                            style="italic",
                        ),
                        id="attempts-empty",
                        classes="prose",
                    )
                    yield DataTable(id="attempts-table", cursor_type="row", zebra_stripes=True)
                with TabPane("2 Chart", id="chart"):
                    yield ScoreChart(id="score-chart")
                with TabPane("3 Habits", id="habits"):
                    with VerticalScroll():
                        yield PassRates("", id="pass-rates")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        app = self.coach
        self.all_attempts = app.safe_history(lambda: history.attempts(app.db), "read the history") or []
        counts: dict[str, int] = {}
        for a in self.all_attempts:
            counts[a.scenario_id] = counts.get(a.scenario_id, 0) + 1
        options = [Option(Text(f"All questions ({len(self.all_attempts)})"), id=ALL)]
        for sid in sorted(counts, key=lambda s: self._title(s).casefold()):
            options.append(Option(Text(f"{self._title(sid)} ({counts[sid]})"), id=sid))
        if self.selected not in counts:
            self.selected = ALL
        menu = self.query_one("#scenarios", OptionList)
        menu.clear_options()
        menu.add_options(options)
        menu.highlighted = next(i for i, o in enumerate(options) if o.id == self.selected)
        self.show_selection()

    def _title(self, scenario_id: str) -> str:
        scenario = self.coach.scenario(scenario_id)
        return one_line(scenario.title) if scenario else scenario_id

    def show_selection(self) -> None:
        from coach.tui.widgets.score_chart import ScoreChart

        rows = [a for a in self.all_attempts if self.selected == ALL or a.scenario_id == self.selected]
        self.rows = rows
        self.marked = [m for m in self.marked if any(a.id == m for a in rows)]
        name = "all questions" if self.selected == ALL else self._title(self.selected)
        top = Text("History", style="bold")
        top.append(f" · {name} · {len(rows)} attempt{'s' if len(rows) != 1 else ''}", style="dim")
        self.query_one("#topbar", Static).update(top)
        self._fill_table()
        self.query_one("#score-chart", ScoreChart).show(rows)
        rates = history.pass_rates(a.result for a in rows)
        self.query_one("#pass-rates", PassRates).show(rates, self.coach.rubric)

    def _question_width(self) -> int:
        """Room left for the question column in the all-questions list, at the current terminal width."""
        width = self.app.size.width
        menu = min(40, max(24, int(width * 0.3)))
        return max(8, width - menu - 1 - 2 - 48)

    def _fill_table(self) -> None:
        table = self.query_one("#attempts-table", DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        table.add_column("✓", key="mark", width=1)
        table.add_column("When", key="when", width=11)
        table.add_column("Verdict", key="verdict", width=14)
        table.add_column("Score", key="score", width=5)
        table.add_column("F-up", key="follow", width=5)
        if self.selected == ALL:
            table.add_column("Question", key="question", width=self._question_width())
        empty = self.query_one("#attempts-empty", Static)
        empty.display = not self.rows
        table.display = bool(self.rows)
        if not self.rows:
            return
        for a in reversed(self.rows):  # newest first
            cells = [
                Text("✓" if a.id in self.marked else ""),
                Text(short_time(a.created_at)),
                Text(verdict_words(a.verdict)),
                Text(str(a.score), justify="right"),
                Text(f"→{a.follow_up.result.score}" if a.follow_up else ""),
            ]
            if self.selected == ALL:
                cells.append(Text(self._title(a.scenario_id), no_wrap=True, overflow="ellipsis"))
            table.add_row(*cells, key=str(a.id))
        table.move_cursor(row=min(max(keep, 0), table.row_count - 1))

    def on_resize(self) -> None:
        if self.is_mounted:
            self._fill_table()

    def cursor_attempt(self) -> history.Attempt | None:
        table = self.query_one("#attempts-table", DataTable)
        if table.row_count == 0:
            return None
        newest_first = list(reversed(self.rows))
        row = table.cursor_row
        return newest_first[row] if 0 <= row < len(newest_first) else None

    @on(OptionList.OptionHighlighted, "#scenarios")
    def _scenario_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        chosen = event.option.id or ALL
        if chosen != self.selected:
            self.selected = chosen
            self.show_selection()

    @on(OptionList.OptionSelected, "#scenarios")
    def _scenario_selected(self) -> None:
        self.query_one("#attempts-table", DataTable).focus()

    @on(DataTable.RowSelected, "#attempts-table")
    def _row_selected(self) -> None:
        self.action_open()

    def action_tab(self, tab: str) -> None:
        self.query_one("#history-tabs", TabbedContent).active = tab
        if tab == "attempts":
            self.query_one("#attempts-table", DataTable).focus()

    def action_open(self) -> None:
        if self.focused is self.query_one("#scenarios", OptionList):
            self.query_one("#attempts-table", DataTable).focus()
            return
        attempt = self.cursor_attempt()
        if attempt is None:
            return
        scenario = self.coach.scenario(attempt.scenario_id)
        if scenario is None:
            self.notify("That question is no longer in the library.", severity="warning", markup=False)
            return
        from coach.tui.screens.results import ResultsScreen

        self.app.push_screen(ResultsScreen(scenario, attempt=attempt))

    def action_mark(self) -> None:
        attempt = self.cursor_attempt()
        if attempt is None:
            return
        if attempt.id in self.marked:
            self.marked.remove(attempt.id)
        else:
            self.marked = [*self.marked[-1:], attempt.id]
        self._fill_table()

    def _pair(self) -> tuple[history.Attempt, history.Attempt] | None:
        by_id = {a.id: a for a in self.rows}
        chosen = [by_id[m] for m in self.marked if m in by_id]
        cursor = self.cursor_attempt()
        if len(chosen) == 1 and cursor is not None and cursor.id != chosen[0].id:
            chosen.append(cursor)
        if len(chosen) < 2:
            if self.selected == ALL or len(self.rows) < 2:
                return None
            chosen = self.rows[-2:]
        a, b = sorted(chosen[:2], key=lambda x: (x.created_at, x.id))
        return a, b

    def action_compare(self) -> None:
        pair = self._pair()
        if pair is None:
            self.notify("Mark two attempts at the same question with space, then press c.", timeout=4)
            return
        a, b = pair
        if a.scenario_id != b.scenario_id:
            self.notify(
                "Those attempts answer different questions; compare two attempts at the same one.",
                severity="warning",
                timeout=4,
            )
            return
        from coach.tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(a, b, title=self._title(a.scenario_id)))

    def action_back(self) -> None:
        self.app.pop_screen()
