"""What the cursor of a DataTable points at, for panes whose rows are keyed by name."""

from __future__ import annotations

from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist


def cursor_row_key(table: DataTable) -> str | None:
    """The key of the row under the cursor; None for an empty table or one that shrank
    under the cursor between a refresh and this call."""
    if not table.row_count:
        return None
    try:
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
    except CellDoesNotExist:
        return None
    return str(key.value)
