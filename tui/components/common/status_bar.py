"""The bottom line: active profile, the local cluster's state, the area, the last note.

A failed action's note is red and names its reason; a click shows the whole of it (so does
the palette's "Show the last failure") until the next action that succeeds replaces it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label


class StatusBar(Horizontal):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; }
    StatusBar Label { padding: 0 1; }
    StatusBar #status-profile { background: $primary-darken-2; }
    StatusBar #status-cluster.-running { color: $success; }
    StatusBar #status-cluster.-stopped { color: $text-muted; }
    StatusBar #status-cluster.-unreachable { color: $error; }
    StatusBar #status-note { width: 1fr; color: $text-muted; text-align: right; }
    StatusBar #status-note.-failed { color: $error; text-style: bold; }
    """

    profile: reactive[str] = reactive("")
    cluster: reactive[str] = reactive("unknown")
    area: reactive[str] = reactive("")
    note: reactive[str] = reactive("")
    failed: reactive[bool] = reactive(False)

    def compose(self) -> ComposeResult:
        yield Label("", id="status-profile")
        yield Label("", id="status-cluster")
        yield Label("", id="status-area")
        yield Label("", id="status-note")

    def watch_profile(self, value: str) -> None:
        self.query_one("#status-profile", Label).update(f"profile: {value}")

    def watch_cluster(self, value: str) -> None:
        label = self.query_one("#status-cluster", Label)
        label.update(f"cluster: {value}")
        label.set_classes(f"-{value.split()[0]}" if value else "")

    def watch_area(self, value: str) -> None:
        self.query_one("#status-area", Label).update(value)

    def watch_note(self, value: str) -> None:
        self.query_one("#status-note", Label).update(value)

    def watch_failed(self, value: bool) -> None:
        self.query_one("#status-note", Label).set_class(value, "-failed")

    def on_click(self, event) -> None:
        if self.failed and event.widget is not None and event.widget.id == "status-note":
            self.app.action_show_failure()  # type: ignore[attr-defined]
