"""F1 / `?`: the bindings of the focused pane first, then the ones that work everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label


@dataclass(frozen=True, slots=True)
class HelpRow:
    scope: str  # the pane (or "everywhere") the binding belongs to
    key: str
    description: str
    binding_id: str


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 100; height: 80%; padding: 0 1; border: thick $accent; background: $panel;
    }
    HelpScreen #help-title { text-style: bold; padding: 1 0 0 0; }
    HelpScreen #help-foot { color: $text-muted; padding-bottom: 1; }
    HelpScreen DataTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape,f1,q,question_mark", "dismiss_help", "Close", id="help.close")]

    def __init__(self, title: str, rows: list[HelpRow], settings_file: Path) -> None:
        super().__init__()
        self.title_text = title
        self.rows = rows
        self.settings_file = settings_file

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="help-title")
            table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("Where", "Key", "Action", "Binding id")
            for row in self.rows:
                table.add_row(row.scope, row.key, row.description, row.binding_id)
            yield table
            yield Label(
                f"Remap any binding in {self.settings_file}:  keymap: {{binding id: key}}",
                id="help-foot",
            )

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
