"""The Logs area: every connector's log lines and lifecycle events on one timeline."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from runtime.connectors.timeline import TimelineReader
from tui.components.common.errors import ReportsWorkerErrors
from tui.components.logs.timeline_view import TimelineView

ALL = "*all*"


class LogsPane(ReportsWorkerErrors, Horizontal):
    BINDINGS = [
        Binding("e", "timeline('toggle_events_only')", "Events only", id="logs.events_only",
                tooltip="Show only lifecycle events (start, stop, crash, errors)"),
        Binding("t", "timeline('toggle_dates')", "Dates", id="logs.dates"),
        Binding("c", "timeline('clear_view')", "Clear", id="logs.clear"),
        Binding("end", "timeline('follow')", "Follow", id="logs.follow"),
        Binding("f", "focus_timeline", "Timeline", id="logs.timeline", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.selected: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="logs-side"):
            yield Label("Connectors", classes="section-title")
            yield OptionList(Option("All connectors", id=ALL), id="logs-connectors")
        with Vertical(id="logs-main"):
            yield Label("All connectors: logs and events", id="logs-title",
                        classes="section-title")
            yield TimelineView(TimelineReader(), id="logs-timeline")

    def on_mount(self) -> None:
        self.set_interval(2.0, self.refresh_connectors)
        self.refresh_connectors()

    def focus_default(self) -> None:
        self.query_one("#logs-connectors", OptionList).focus()

    def refresh_connectors(self) -> None:
        names = self.query_one(TimelineView).reader.connectors()
        options = self.query_one("#logs-connectors", OptionList)
        known = [options.get_option_at_index(i).id for i in range(1, options.option_count)]
        if known != names:
            highlighted = options.highlighted
            options.clear_options()
            options.add_options([Option("All connectors", id=ALL),
                                 *[Option(n, id=n) for n in names]])
            options.highlighted = highlighted if highlighted is not None else 0

    def show_connector(self, name: str | None) -> None:
        """Show one connector's timeline (None: all of them)."""
        self.selected = name
        reader = TimelineReader(names=None if name is None else {name})
        self.query_one(TimelineView).retarget(reader)
        title = "All connectors" if name is None else name
        self.query_one("#logs-title", Label).update(f"{title}: logs and events")

    @on(OptionList.OptionSelected, "#logs-connectors")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.show_connector(None if event.option.id == ALL else event.option.id)
        self.query_one(TimelineView).focus()

    async def action_timeline(self, action: str) -> None:
        await self.query_one(TimelineView).run_action(action)

    def action_focus_timeline(self) -> None:
        self.query_one(TimelineView).focus()
