"""A widget showing a TimelineReader: events stand out from log lines, history bounded."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import RichLog

from runtime.connectors.timeline import Entry, TimelineReader, format_ts
from tui.components.common.errors import ReportsWorkerErrors

EVENT_STYLES = {
    "start": "bold green", "create": "green", "stop": "bold yellow", "restart": "bold cyan",
    "crash": "bold red", "error": "bold red", "failed": "bold white on red",
    "delete": "magenta",
}
LEVEL_STYLES = {"error": "red", "warning": "yellow", "warn": "yellow", "debug": "dim"}


class TimelineView(ReportsWorkerErrors, RichLog):
    """Logs and events of the connectors a TimelineReader picks, polled twice a second."""

    BINDINGS = [
        Binding("e", "toggle_events_only", "Events only", id="timeline.events_only"),
        Binding("t", "toggle_dates", "Dates", id="timeline.dates"),
        Binding("c", "clear_view", "Clear", id="timeline.clear"),
        Binding("end", "follow", "Follow", id="timeline.follow"),
    ]

    events_only: reactive[bool] = reactive(False)
    show_dates: reactive[bool] = reactive(False)

    def __init__(self, reader: TimelineReader | None = None, *, max_lines: int = 2000,
                 poll_seconds: float = 0.5, compact: bool = False, **kwargs) -> None:
        super().__init__(max_lines=max_lines, wrap=compact, min_width=20 if compact else 78,
                         markup=False, highlight=False,
                         auto_scroll=True, **kwargs)
        self.reader = reader or TimelineReader()
        self.poll_seconds = poll_seconds
        self.compact = compact  # narrow: seconds only, connector names only when several
        self.entries: list[Entry] = []  # what is shown, bounded like the widget
        self._polling = False

    def on_mount(self) -> None:
        self.set_interval(self.poll_seconds, self.refresh_entries)
        self.refresh_entries()

    def retarget(self, reader: TimelineReader) -> None:
        """Show another set of connectors (a topic's, one connector's), from their history."""
        self.reader = reader
        self.entries.clear()
        self.clear()
        self.refresh_entries()

    def refresh_entries(self) -> None:
        """Poll once unless a poll is running: a cancelled poll would lose what it read."""
        if not self._polling:
            self._polling = True
            self._poll()

    @work(group="timeline", exit_on_error=False)
    async def _poll(self) -> None:
        reader = self.reader
        try:
            new = await asyncio.to_thread(reader.poll)
        finally:
            self._polling = False
        if reader is not self.reader:
            self.refresh_entries()  # retargeted meanwhile: read the new set now
            return
        if not new:
            return
        self.entries.extend(new)
        if self.max_lines and len(self.entries) > self.max_lines:
            del self.entries[: -self.max_lines]
        self.auto_scroll = self.is_vertical_scroll_end
        for entry in new:
            if self.events_only and entry.kind != "event":
                continue
            self.write(self.render_entry(entry))

    def render_entry(self, entry: Entry) -> Text:
        stamp = format_ts(entry.ts, date=self.show_dates)
        if self.compact:
            stamp = stamp[:-4]
        text = Text(stamp + " ", style="dim")
        names = {e.connector for e in self.entries[-200:]}
        if not self.compact or len(names) > 1:
            text.append(f"{entry.connector:<{10 if self.compact else 16}} ", style="bold")
        width = 5 if self.compact else 7
        if entry.kind == "event":
            style = EVENT_STYLES.get(entry.level, "bold")
            text.append(f"● {entry.level.upper():<{width}} ", style=style)
            text.append(entry.message)
            if entry.offset is not None:
                text.append(f"  (offset {entry.offset})", style="italic")
        else:
            text.append(f"  {entry.level.upper():<{width}} ",
                        style=LEVEL_STYLES.get(entry.level, "dim"))
            text.append(entry.message, style=LEVEL_STYLES.get(entry.level, ""))
        return text

    def redraw(self) -> None:
        self.clear()
        for entry in self.entries:
            if self.events_only and entry.kind != "event":
                continue
            self.write(self.render_entry(entry))

    def action_toggle_events_only(self) -> None:
        self.events_only = not self.events_only
        self.redraw()

    def action_toggle_dates(self) -> None:
        self.show_dates = not self.show_dates
        self.redraw()

    def action_clear_view(self) -> None:
        self.entries.clear()
        self.clear()

    def action_follow(self) -> None:
        self.auto_scroll = True
        self.scroll_end(animate=False)
