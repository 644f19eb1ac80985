"""The answer clock: counts down from the scenario's time limit; pause, extend, hide.

Time comes from ``clock`` (a monotonic clock, injectable so tests can freeze
it). The widget owns the elapsed time; it posts ``Countdown.TimeUp`` once when
the limit is reached and keeps counting into overtime rather than cutting the
candidate off, as an interviewer would.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static


def mmss(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class Countdown(Static):
    DEFAULT_CSS = """
    Countdown { width: auto; height: 1; padding: 0 1; }
    Countdown.-low { text-style: bold; color: $warning; }
    Countdown.-over { text-style: bold reverse; color: $error; }
    Countdown.-paused { text-style: italic; }
    """

    class TimeUp(Message):
        """The time limit was reached (posted once)."""

    paused: reactive[bool] = reactive(False)
    hidden: reactive[bool] = reactive(False)
    limit: reactive[float] = reactive(600.0)

    def __init__(
        self,
        limit_seconds: float,
        *,
        elapsed: float = 0.0,
        clock: Callable[[], float],
        id: str | None = None,
    ) -> None:
        super().__init__("", id=id)
        self._clock = clock
        self._base = max(0.0, elapsed)
        self._since: float | None = None
        self._announced = elapsed >= limit_seconds
        self.set_reactive(Countdown.limit, float(limit_seconds))

    @property
    def elapsed(self) -> float:
        running = self._clock() - self._since if self._since is not None else 0.0
        return self._base + max(0.0, running)

    @property
    def remaining(self) -> float:
        return self.limit - self.elapsed

    def on_mount(self) -> None:
        self.start()
        self.set_interval(0.5, self.tick)
        self.tick()

    def start(self) -> None:
        if self._since is None:
            self._since = self._clock()
        self.paused = False

    def pause(self) -> None:
        if self._since is not None:
            self._base = self.elapsed
            self._since = None
        self.paused = True

    def toggle_pause(self) -> None:
        self.start() if self.paused else self.pause()

    def extend(self, seconds: float = 300) -> None:
        self.limit += seconds
        if self.remaining > 0:
            self._announced = False

    def watch_paused(self) -> None:
        self.tick()

    def watch_hidden(self) -> None:
        self.tick()

    def watch_limit(self) -> None:
        self.tick()

    def tick(self) -> None:
        remaining = self.remaining
        over = remaining <= 0
        self.set_class(over and not self.hidden, "-over")
        self.set_class(0 < remaining <= 60 and not self.hidden, "-low")
        self.set_class(self.paused, "-paused")
        if self.hidden:
            text = "timer hidden"
        elif over:
            text = f"time up +{mmss(-remaining)}"
        else:
            text = f"{mmss(remaining)} left"
        if self.paused:
            text += " (paused)"
        self.update(Text(text))
        if over and not self._announced:
            self._announced = True
            self.post_message(self.TimeUp())
