"""The SmartModules area (being wired)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable


class SmartModulesPane(Vertical):
    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="sm-table", cursor_type="row")
        table.add_columns("Name", "Version")
        yield table

    def focus_default(self) -> None:
        self.query_one("#sm-table").focus()
