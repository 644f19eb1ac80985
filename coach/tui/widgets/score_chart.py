"""Score over time: first-answer scores as a line, scores after the follow-up as points (plotext)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from textual_plotext import PlotextPlot

from coach.history import Attempt


class ScoreChart(PlotextPlot):
    DEFAULT_CSS = """
    ScoreChart { height: 1fr; min-height: 8; }
    """

    def show(self, attempts: Sequence[Attempt]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.ylim(0, 100)
        plt.yticks([0, 25, 50, 75, 100])
        plt.xlabel("attempt")
        if not attempts:
            plt.title("No attempts yet")
            self.refresh()
            return
        xs = list(range(1, len(attempts) + 1))
        plt.plot(xs, [a.score for a in attempts], marker="hd", label="first answer")
        followed = [(x, a.follow_up.result.score) for x, a in zip(xs, attempts, strict=True) if a.follow_up]
        if followed:
            plt.scatter([x for x, _ in followed], [y for _, y in followed], marker="+", label="after follow-up")
        step = max(1, len(xs) // 6)
        ticks = xs[::step]
        plt.xticks(ticks, [time.strftime("%m-%d", time.localtime(attempts[x - 1].created_at)) for x in ticks])
        plt.xlim(0.5, len(xs) + 0.5)
        self.refresh()
