"""The words every part of coach shares: the question kinds and the verdicts, with how each is shown.

One definition of each, for the CLI, the reports, the TUI, batch, the cohort
summary and history. Standard library only, so any module (including the
``coach score`` path) can import it at no cost.

Where two screens have always shown a kind or a verdict differently, both forms
are kept here under their own names (``label`` and ``short``, ``banner`` and
``abbrev``) rather than made to agree, so no output changes.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

# --- question kinds ------------------------------------------------------------------

Kind = Literal["measure_success", "metric_drop", "conflicting_metrics", "north_star"]
KINDS: tuple[Kind, ...] = get_args(Kind)
METRIC_CHANGE_KINDS: tuple[Kind, ...] = ("metric_drop", "conflicting_metrics")


class KindInfo(NamedTuple):
    id: Kind
    label: str  # the practice picker's kind filter: "conflicting"
    short: str  # the practice picker's Kind column (10 wide): "conflict"

    @property
    def words(self) -> str:
        """The id in words: "conflicting metrics" (the HTML report's "kind:" line)."""
        return kind_words(self.id)


def kind_words(kind: str) -> str:
    """A kind in words ("conflicting metrics"); any other string the same way."""
    return kind.replace("_", " ")


KIND: dict[Kind, KindInfo] = {
    k.id: k
    for k in (
        KindInfo("measure_success", "measure success", "success"),
        KindInfo("metric_drop", "metric drop", "drop"),
        KindInfo("conflicting_metrics", "conflicting", "conflict"),
        KindInfo("north_star", "north star", "north star"),
    )
}
assert tuple(KIND) == KINDS

# --- verdicts --------------------------------------------------------------------------

Verdict = Literal["strong_hire", "hire", "no_hire", "strong_no_hire"]


class VerdictInfo(NamedTuple):
    id: Verdict
    words: str  # "strong no hire": the TUI's history, picker and compare views; the feedback prompt
    abbrev: str  # "SNH": the cohort summary's confusion-matrix columns
    style: str  # the rich style of the terminal banner (`coach score`, `coach grade`)
    tui_background: str  # the practice TUI's verdict banner background (a Textual CSS value)
    fill: str  # the bar colour in the cohort summary's verdict chart

    @property
    def label(self) -> str:
        """In sentence case, "Strong no hire": reports, offline feedback, the cohort summary, the review table."""
        return self.words[:1].upper() + self.words[1:]

    @property
    def banner(self) -> str:
        """In capitals, "STRONG NO HIRE": the verdict banner in the terminal and the TUI."""
        return self.words.upper()

    @property
    def rank(self) -> int:
        """0 for strong no hire up to 3 for strong hire."""
        return VERDICTS.index(self.id)


_VERDICT_ROWS = (  # worst to best: the position is the rank
    VerdictInfo("strong_no_hire", "strong no hire", "SNH", "bold white on red", "$error 50%", "#b42318"),
    VerdictInfo("no_hire", "no hire", "NH", "bold black on yellow", "$warning 40%", "#fcd34d"),
    VerdictInfo("hire", "hire", "H", "bold black on bright_green", "$success 30%", "#86efac"),
    VerdictInfo("strong_hire", "strong hire", "SH", "bold white on green", "$success 60%", "#1a7f37"),
)
VERDICTS: tuple[Verdict, ...] = tuple(v.id for v in _VERDICT_ROWS)
"""The verdicts in rank order, worst first; ``reversed(VERDICTS)`` is best first."""
VERDICT: dict[Verdict, VerdictInfo] = {v.id: v for v in _VERDICT_ROWS}
VERDICT_RANK: dict[str, int] = {v: i for i, v in enumerate(VERDICTS)}
assert set(VERDICTS) == set(get_args(Verdict))


def verdict_label(verdict: str) -> str:
    """The verdict in sentence case ("Strong hire"); an unknown verdict as given."""
    info = VERDICT.get(verdict)  # type: ignore[call-overload]
    return info.label if info else verdict


def verdict_words(verdict: str) -> str:
    """The verdict in words ("strong hire"); an unknown verdict as given."""
    info = VERDICT.get(verdict)  # type: ignore[call-overload]
    return info.words if info else verdict


def verdict_banner(verdict: str) -> str:
    """The verdict in capitals ("STRONG HIRE"); an unknown verdict upper-cased."""
    info = VERDICT.get(verdict)  # type: ignore[call-overload]
    return info.banner if info else verdict.upper()


def verdict_style(verdict: str, default: str = "bold") -> str:
    """The rich style of the verdict banner; ``default`` for an unknown verdict."""
    info = VERDICT.get(verdict)  # type: ignore[call-overload]
    return info.style if info else default
