"""A YAML code editor whose line numbers turn red (errors) or yellow (warnings)."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widgets import TextArea

MARK_STYLES = {
    "error": Style(color="white", bgcolor="red", bold=True),
    "warning": Style(color="black", bgcolor="yellow", bold=True),
    "info": Style(color="white", bgcolor="blue"),
}
RANK = {"error": 3, "warning": 2, "info": 1}


class CodeEditor(TextArea):
    """`TextArea.code_editor` plus problem marks in the gutter (no soft wrap: one row a line)."""

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(
            text,
            language="yaml",
            theme="monokai",
            soft_wrap=False,
            tab_behavior="indent",
            show_line_numbers=True,
            max_checkpoints=100,
            **kwargs,
        )
        self.indent_width = 2
        self._marks: dict[int, str] = {}

    @property
    def marks(self) -> dict[int, str]:
        return dict(self._marks)

    def set_marks(self, marks: dict[int, str]) -> None:
        """Mark 0-based lines with "error", "warning" or "info"."""
        if marks != self._marks:
            self._marks = dict(marks)
            self.refresh()

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if not self._marks or not self.show_line_numbers:
            return strip
        line_index = self.scroll_offset.y + y
        severity = self._marks.get(line_index)
        if severity is None or line_index >= self.document.line_count:
            return strip
        width = self.gutter_width
        number = f"{line_index + self.line_number_start:>{width - 2}}"
        mark = Strip([Segment(number, MARK_STYLES.get(severity, MARK_STYLES["error"])),
                      Segment("  ")], width)
        return Strip.join([mark, strip.crop(width, strip.cell_length)])

    def update_suggestion(self) -> None:
        """Complete the key being typed from the JSON Schema (→ accepts it)."""
        from tui.components.editor.completion import suggest

        selection = self.selection
        if selection.start != selection.end:
            self.suggestion = ""
            return
        row, column = selection.end
        try:
            self.suggestion = suggest(self.document.lines, row, column)
        except Exception:  # noqa: BLE001 - completion is a nicety; never break typing
            self.suggestion = ""

    def jump_to(self, line: int, column: int) -> None:
        """Put the cursor at 1-based `line`:`column` (clamped) and bring it into view."""
        row = max(0, min(line - 1, self.document.line_count - 1))
        col = max(0, min(column - 1, len(self.document.get_line(row))))
        self.cursor_location = (row, col)
        self.scroll_cursor_visible(center=True, animate=False)
