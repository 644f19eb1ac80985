"""What every coach screen shares: typed access to the app's services."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from coach.tui.app import CoachApp


class CoachScreen(Screen):
    """A screen of the coach app; ``self.coach`` is ``self.app`` with its services typed."""

    @property
    def coach(self) -> CoachApp:
        return cast("CoachApp", self.app)
