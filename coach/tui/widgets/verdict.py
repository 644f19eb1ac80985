"""The verdict banner: the verdict in words and the score, coloured by verdict but readable without colour."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from coach.result import GradeResult
from coach.vocabulary import VERDICT, VERDICTS


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
    DEFAULT_CSS = "VerdictBanner { height: auto; padding: 0 1; text-style: bold; background: $panel; }\n" + "".join(
        f"VerdictBanner.-{v} {{ background: {VERDICT[v].tui_background}; }}\n" for v in reversed(VERDICTS)
    )

    def show(self, result: GradeResult, *, label: str = "") -> None:
        for v in VERDICTS:
            self.remove_class(f"-{v}")
        self.add_class(f"-{result.verdict}")
        text = Text()
        text.append(f" {VERDICT[result.verdict].banner} ", style="bold reverse")
        text.append(f"  {result.score}/100 · {core_summary(result)}")
        if label:
            text.append(f" · {label}", style="italic")
        self.update(text)

    def waiting(self, message: str) -> None:
        for v in VERDICTS:
            self.remove_class(f"-{v}")
        self.update(Text(message))
