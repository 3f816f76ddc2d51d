"""`weir consume -O table`: records' JSON fields as a live table, like Fluvio's
full_table. On a terminal the table redraws in place as records arrive, showing the
latest ones that fit; piped, it is printed once at the end."""

from __future__ import annotations

import json
import shutil
from collections import deque

from rich import box
from rich.console import Console
from rich.live import Live
from rich.table import Table

from runtime.topics.record import Record

PIPED_ROWS = 10_000  # what a table printed at the end keeps (the latest)


class LiveTable:
    """Columns are the JSON objects' top-level keys in the order first seen (a record
    that is not a JSON object shows under `value`), after `partition` and `offset`."""

    def __init__(self, *, show_partition: bool, console: Console | None = None) -> None:
        self.console = console or Console()
        if not self.console.is_terminal:  # piped: every cell whole, lines as wide as needed
            self.console = Console(width=1_000_000, highlight=False)
        self.show_partition = show_partition
        self.columns: list[str] = []
        live = self.console.is_terminal
        height = shutil.get_terminal_size().lines
        self.rows: deque[tuple[Record, dict]] = deque(
            maxlen=max(1, height - 5) if live else PIPED_ROWS)
        self.live = Live(self._table(), console=self.console, auto_refresh=False,
                         vertical_overflow="visible") if live else None

    def __enter__(self) -> LiveTable:
        if self.live is not None:
            self.live.start()
        return self

    def __exit__(self, exc_type, *exc: object) -> None:
        if self.live is not None:
            self.live.update(self._table(), refresh=True)
            self.live.stop()
        elif exc_type is None or self.rows:  # an error before any record: no empty table
            self.console.print(self._table())

    def __call__(self, records: list[Record]) -> None:
        for record in records:
            fields = _fields(record.value)
            for name in fields:
                if name not in self.columns:
                    self.columns.append(name)
            self.rows.append((record, fields))
        if self.live is not None:
            self.live.update(self._table(), refresh=True)

    def _table(self) -> Table:
        table = Table(box=box.SQUARE, header_style="bold", expand=False)
        fixed = (["partition"] if self.show_partition else []) + ["offset"]
        for name in fixed:
            table.add_column(name, style="dim", justify="right", no_wrap=True,
                             min_width=len(name))
        # each field gets its share of the width, so one long value cannot squeeze the
        # others to nothing; what does not fit ends in an ellipsis
        share = max(8, (self.console.width - 4 - 12 * len(fixed)) // max(1, len(self.columns))
                    - 3)
        for name in self.columns:
            table.add_column(name, overflow="ellipsis", no_wrap=True, max_width=share,
                             min_width=min(len(name), share))
        for record, fields in self.rows:
            cells = ([str(record.partition)] if self.show_partition else []) + [
                str(record.offset)]
            table.add_row(*cells, *(fields.get(c, "") for c in self.columns))
        return table


def _fields(value: bytes) -> dict[str, str]:
    """A record's cells: its JSON object's fields (nested values as compact JSON), else
    the whole value under `value`."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return {"value": f"<{len(value)} bytes, not UTF-8>"}
    try:
        doc = json.loads(text)
    except ValueError:
        return {"value": _printable(text)}
    if not isinstance(doc, dict):
        return {"value": json.dumps(doc, ensure_ascii=False)}
    return {str(k): _printable(v) if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            for k, v in doc.items()}


def _printable(text: str) -> str:
    """One line without control characters (escaped as JSON does), so a cell stays a cell."""
    if text.isprintable():
        return text
    return json.dumps(text, ensure_ascii=False)[1:-1]
