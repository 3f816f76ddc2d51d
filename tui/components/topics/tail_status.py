"""One-line status beside the tail, repainted in place (no relayout) at every flush.

A Label re-lays the screen out on every update; at 10+ updates a second under load that
is most of the frame budget, so this widget has a fixed size and only repaints itself.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class TailStatus(Widget):
    DEFAULT_CSS = """
    TailStatus { height: 1; width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._text = Text()

    def show(self, text: Text) -> None:
        if text.plain != self._text.plain or text.spans != self._text.spans:
            self._text = text
            self.refresh()

    def render(self) -> Text:
        return self._text
