"""The answer editor: a TextArea that never lets a control character reach the terminal."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from coach.tui.safe import editor_text


class AnswerEditor(TextArea):
    """Pasted or restored text is cleaned (``coach.tui.safe.editor_text``) before it enters the document."""

    def __init__(self, text: str = "", **kwargs: object) -> None:
        super().__init__(editor_text(text), **kwargs)  # type: ignore[arg-type]

    def load_text(self, text: str) -> None:
        super().load_text(editor_text(text))

    def _on_paste(self, event: events.Paste) -> None:
        # Textual calls every class's handler along the MRO, this one first: clean the text
        # in place and let TextArea's own handler insert it (calling super() would paste twice).
        event.text = editor_text(event.text)

    def insert(self, text: str, location=None, *, maintain_selection_offset: bool = True):  # type: ignore[no-untyped-def]
        return super().insert(editor_text(text), location, maintain_selection_offset=maintain_selection_offset)
