"""The verdict banner: the verdict in words and the score, coloured by verdict but readable without colour."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from coach.result import GradeResult

VERDICT_WORDS = {
    "strong_hire": "STRONG HIRE",
    "hire": "HIRE",
    "no_hire": "NO HIRE",
    "strong_no_hire": "STRONG NO HIRE",
}
SHORT = {"strong_hire": "strong hire", "hire": "hire", "no_hire": "no hire", "strong_no_hire": "strong no hire"}


def core_summary(result: GradeResult) -> str:
    core = [c for c in result.criteria if c.core and c.status != "not_applicable"]
    failed = [c for c in core if c.status == "fail"]
    prompted = [c for c in core if c.prompted]
    if not core:
        text = "no core criteria applied"
    else:
        text = f"core {len(core) - len(failed)}/{len(core)} pass"
    if prompted:
        text += f" · {len(prompted)} prompted"
    return text


class VerdictBanner(Static):
    DEFAULT_CSS = """
    VerdictBanner { height: auto; padding: 0 1; text-style: bold; background: $panel; }
    VerdictBanner.-strong_hire { background: $success 60%; }
    VerdictBanner.-hire { background: $success 30%; }
    VerdictBanner.-no_hire { background: $warning 40%; }
    VerdictBanner.-strong_no_hire { background: $error 50%; }
    """

    def show(self, result: GradeResult, *, label: str = "") -> None:
        for v in VERDICT_WORDS:
            self.remove_class(f"-{v}")
        self.add_class(f"-{result.verdict}")
        text = Text()
        text.append(f" {VERDICT_WORDS[result.verdict]} ", style="bold reverse")
        text.append(f"  {result.score}/100 · {core_summary(result)}")
        if label:
            text.append(f" · {label}", style="italic")
        self.update(text)

    def waiting(self, message: str) -> None:
        for v in VERDICT_WORDS:
            self.remove_class(f"-{v}")
        self.update(Text(message))
