"""Pick: the scenario browser. Filter by kind, AI / non-AI and text; see attempts and best verdicts."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input, Static

from coach import history
from coach.scenarios import Scenario
from coach.tui.safe import one_line
from coach.tui.screens.base import CoachScreen
from coach.vocabulary import KIND, KINDS, VERDICT

KIND_FILTERS: tuple[str | None, ...] = (None, *KINDS)
KIND_LABEL: dict[str | None, str] = {None: "all kinds", **{k: KIND[k].label for k in KINDS}}
AI_FILTERS: tuple[bool | None, ...] = (None, True, False)
AI_LABEL = {None: "AI and non-AI", True: "AI only", False: "non-AI only"}


def matches(scenario: Scenario, kind: str | None, ai: bool | None, text: str) -> bool:
    if kind is not None and scenario.kind != kind:
        return False
    if ai is not None and scenario.ai_product != ai:
        return False
    words = text.casefold().split()
    haystack = " ".join([scenario.id, scenario.title, scenario.question, scenario.context, scenario.segment]).casefold()
    return all(w in haystack for w in words)


class PickScreen(CoachScreen):
    """The first screen: the question library."""

    AUTO_FOCUS = "#library"

    BINDINGS = [
        Binding("enter", "open", "Answer", priority=True, tooltip="Answer the highlighted question"),
        Binding("s", "surprise", "Surprise me", tooltip="Open a question you have not attempted yet"),
        Binding("slash", "focus_filter", "Filter", tooltip="Filter by words (Enter or ↓ back to the list)"),
        Binding(
            "k", "cycle_kind", "Kind", tooltip="Cycle the kind: measure success, metric drop, conflicting, north star"
        ),
        Binding("a", "cycle_ai", "AI", tooltip="Cycle AI products only / non-AI only / both"),
        Binding("h", "history", "History", tooltip="Your attempts, score chart and habits"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("down", "focus_table", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.kind: str | None = None
        self.ai: bool | None = None
        self.shown: list[Scenario] = []
        self._summaries: dict[str, history.ScenarioSummary] = {}
        self._drafts: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Static(Text("coach · practice"), id="topbar", classes="topbar")
        with Horizontal(id="filters"):
            yield Input(placeholder="/ to filter by words", id="filter", compact=True)
            yield Static("", id="filter-state")
        yield DataTable(id="library", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).cursor_blink = self.coach.cursor_blink
        self.library_changed()

    def on_screen_resume(self) -> None:
        self.library_changed()

    # --- data --------------------------------------------------------------------------------

    def library_changed(self) -> None:
        """Re-read the attempts and drafts and redraw (after loading the library, or coming back)."""
        app = self.coach
        summaries = app.safe_history(lambda: history.summaries(app.db), "read the history")
        drafts = app.safe_history(lambda: history.draft_ids(app.db), "read the drafts")
        self._summaries = summaries or {}
        self._drafts = drafts or set()
        self.refilter()

    def refilter(self, keep: str | None = None) -> None:
        table = self.query_one("#library", DataTable)
        keep = keep or self.highlighted_id()
        scenarios = self.coach.scenarios
        text = self.query_one("#filter", Input).value
        self.shown = [s for s in scenarios or () if matches(s, self.kind, self.ai, text)]
        table.clear(columns=True)
        width = max(self.size.width, 60)
        table.add_column("Question", key="title", width=max(18, width - 46))
        table.add_column("Kind", key="kind", width=10)
        table.add_column("AI", key="ai", width=3)
        table.add_column("Min", key="min", width=3)
        table.add_column("Best", key="best", width=17)
        for s in self.shown:
            table.add_row(
                Text(one_line(s.title)),
                Text(KIND[s.kind].short),
                Text("AI" if s.ai_product else ""),
                Text(str(s.time_limit), justify="right"),
                self._best(s.id),
                key=s.id,
            )
        if keep and keep in {s.id for s in self.shown}:
            table.move_cursor(row=table.get_row_index(keep))
        self._update_state()
        self._update_detail()

    def _best(self, scenario_id: str) -> Text:
        summary = self._summaries.get(scenario_id)
        text = Text()
        if summary is not None:
            text.append(f"{VERDICT[summary.best_verdict].words} ×{summary.attempts}")
        if scenario_id in self._drafts:
            text.append(" ✎" if summary else "✎ draft", style="italic")
        return text if text.plain else Text("–", style="dim")

    def _update_state(self) -> None:
        total = len(self.coach.scenarios or ())
        state = Text()
        state.append(f" k: {KIND_LABEL[self.kind]} · a: {AI_LABEL[self.ai]} · {len(self.shown)}/{total}")
        self.query_one("#filter-state", Static).update(state)
        attempted = sum(1 for s in self.coach.scenarios or () if s.id in self._summaries)
        top = Text("coach · practice", style="bold")
        if self.coach.scenarios is None:
            top.append("   loading the question library…", style="dim")
        else:
            top.append(f"   {total} questions, {attempted} attempted", style="dim")
        self.query_one("#topbar", Static).update(top)

    def highlighted_id(self) -> str | None:
        table = self.query_one("#library", DataTable)
        if not self.shown or table.row_count == 0:
            return None
        row = min(table.cursor_row, table.row_count - 1)
        return self.shown[row].id if 0 <= row < len(self.shown) else None

    def highlighted(self) -> Scenario | None:
        sid = self.highlighted_id()
        return next((s for s in self.shown if s.id == sid), None)

    def _update_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        app = self.coach
        if app.scenarios is None:
            detail.update(Text("Loading the question library…", style="italic"))
            return
        if app.library_error:
            detail.update(Text(f"The question library could not be loaded: {app.library_error}", style="bold"))
            return
        s = self.highlighted()
        if s is None:
            detail.update(
                Text("No question matches these filters. Esc clears the text filter; k and a change the others.")
            )
            return
        text = Text(one_line(s.question), style="bold")
        meta = [KIND_LABEL[s.kind], s.segment.replace("_", " "), f"{s.time_limit} min"]
        if s.ai_product:
            meta.append("AI product")
        text.append("\n" + " · ".join(meta), style="dim")
        summary = self._summaries.get(s.id)
        if summary:
            text.append(f" · best {VERDICT[summary.best_verdict].words} ({summary.best_score}/100)", style="dim")
        detail.update(text)

    # --- events and actions ------------------------------------------------------------------

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self._update_detail()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.refilter()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.action_focus_table()

    def on_resize(self) -> None:
        self.refilter()

    def action_open(self) -> None:
        scenario = self.highlighted()
        if scenario is not None:
            self.coach.open_scenario(scenario)

    def action_surprise(self) -> None:
        pool = [s for s in self.shown if s.id not in self._summaries]
        if not pool:
            pool = [s for s in self.coach.scenarios or () if s.id not in self._summaries]
        if not pool:
            pool = list(self.shown or self.coach.scenarios or ())
        if not pool:
            return
        scenario = self.coach.rng.choice(pool)
        self.notify(f"Surprise: {one_line(scenario.title)}", markup=False, timeout=3)
        self.coach.open_scenario(scenario)

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one("#library", DataTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""
        self.action_focus_table()

    def action_cycle_kind(self) -> None:
        self.kind = KIND_FILTERS[(KIND_FILTERS.index(self.kind) + 1) % len(KIND_FILTERS)]
        self.refilter()

    def action_cycle_ai(self) -> None:
        self.ai = AI_FILTERS[(AI_FILTERS.index(self.ai) + 1) % len(AI_FILTERS)]
        self.refilter()

    def action_history(self) -> None:
        s = self.highlighted()
        self.coach.open_history(s.id if s and s.id in self._summaries else None)
