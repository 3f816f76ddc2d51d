"""The Connectors area: every connector (process, Docker, managed) and what to do with it."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from runtime.connectors.throughput import Throughput, throughput
from runtime.errors import WeirError
from runtime.launch import control
from runtime.launch.progress import Cancelled, Progress
from tui import messages
from tui.components.common.charts import LineChart, sparkline_cell
from tui.components.common.errors import ReportsWorkerErrors, describe_error
from tui.components.common.modals import ChoiceScreen, ConfirmScreen, MessageScreen
from tui.components.common.tables import cursor_row_key
from tui.components.connectors.launch_view import LaunchProgress
from tui.components.connectors.row import ConnectorRow
from tui.components.connectors.run_dialog import RunRequest

SPARK_WIDTH = 20
STATUS_STYLES = {"running": "bold green", "starting": "cyan", "restarting": "bold yellow",
                 "failed": "bold red", "exited": "red", "stopped": "dim", "finished": "dim"}


class ConnectorsPane(ReportsWorkerErrors, Vertical):
    BINDINGS = [
        Binding("n", "new", "New", id="connectors.new",
                tooltip="A new config from a connector type's template, in the editor"),
        Binding("a", "launch", "Run a config", id="connectors.launch",
                tooltip="Start a config file as a process, in Docker, or managed"),
        Binding("o", "open", "Open in editor", id="connectors.open"),
        Binding("s", "start", "Start", id="connectors.start"),
        Binding("x", "stop", "Stop", id="connectors.stop"),
        Binding("r", "restart", "Restart", id="connectors.restart"),
        Binding("d", "delete", "Delete", id="connectors.delete"),
        Binding("i", "describe", "Describe", id="connectors.describe"),
        Binding("l", "logs", "Logs", id="connectors.logs"),
        Binding("t", "tail", "Tail topic", id="connectors.tail"),
        Binding("ctrl+r", "refresh", "Refresh", id="connectors.refresh", show=False),
        Binding("escape", "cancel", "Cancel start", id="connectors.cancel", show=False,
                tooltip="Stop a start in progress (a Docker image build): nothing is left"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: dict[str, ConnectorRow] = {}
        self._last: dict[str, tuple[float, int]] = {}  # name -> (time, records) for rates
        self._rates: dict[str, float] = {}
        self._title = ""
        self._detail: Text | None = None
        self._charted: tuple | None = None  # the series the chart shows
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield Label("Connectors", id="connectors-title", classes="section-title")
        table: DataTable[str | Text] = DataTable(id="connectors-table", cursor_type="row",
                                                 zebra_stripes=True)
        for label, key in (("Name", "name"), ("Type", "type"), ("Mode", "mode"),
                           ("Status", "status"), ("Restarts", "restarts"),
                           ("Records", "records"), ("Records/s", "rate"),
                           ("Last 5 min", "spark"), ("Errors", "errors"), ("Topic", "topic")):
            table.add_column(label, key=key, width=SPARK_WIDTH if key == "spark" else None)
        yield table
        yield LaunchProgress(id="launch-progress")
        yield Static("", id="connector-detail")
        yield LineChart(id="connector-chart")

    def on_mount(self) -> None:
        self.set_interval(1.5, self.refresh_rows)
        self.refresh_rows()

    def on_unmount(self) -> None:
        self._cancel.set()  # quitting mid-build: stop it, leaving nothing half-made

    def focus_default(self) -> None:
        self.query_one("#connectors-table").focus()

    # -- the list ---------------------------------------------------------------------

    @work(exclusive=True, group="connectors-list", exit_on_error=False)
    async def refresh_rows(self) -> None:
        try:
            listing = await asyncio.to_thread(control.list_connectors)
        except Exception as exc:  # noqa: BLE001 - shown in place; the next tick retries
            self.query_one("#connectors-title", Label).update(
                Text(f"Connectors: {describe_error(exc)}", "red"))
            return
        rows = [ConnectorRow.of(view) for view in listing.connectors]
        now = time.monotonic()
        for row in rows:
            before = self._last.get(row.name)
            if before is not None and now > before[0]:
                self._rates[row.name] = max(0.0, (row.records - before[1]) / (now - before[0]))
            self._last[row.name] = (now, row.records)
        self.show_rows(rows, listing.cluster)

    def _cells(self, row: ConnectorRow) -> tuple:
        style = STATUS_STYLES.get(row.status.lower(), "")
        rate = self._rates.get(row.name, 0.0) if row.running else 0.0
        return (Text(row.name, "bold"), row.type, row.mode, Text(row.status, style),
                str(row.restarts), f"{row.records:,}", f"{rate:,.1f}",
                sparkline_cell(_throughput(row).rates["out"], SPARK_WIDTH),
                Text(str(row.errors), "red" if row.errors else ""), row.topic)

    def show_rows(self, rows: list[ConnectorRow], cluster: str) -> None:
        table = self.query_one("#connectors-table", DataTable)
        previous = self.rows
        self.rows = {r.name: r for r in rows}
        if list(previous) == list(self.rows) and table.row_count == len(rows):
            # The same connectors: change only the cells that changed (no relayout).
            for row in rows:
                old = self._cells(previous[row.name]) if row.name in previous else ()
                for column, (value, before) in enumerate(zip(self._cells(row), old,
                                                             strict=False)):
                    if str(value) != str(before) or column in (3, 6, 7):
                        table.update_cell_at((table.get_row_index(row.name), column), value)
        else:
            selected = self.selected
            table.clear()
            for row in rows:
                table.add_row(*self._cells(row), key=row.name)
            if selected is not None and selected.name in self.rows:
                table.move_cursor(row=table.get_row_index(selected.name))
        title = f"Connectors ({len(rows)})"
        if cluster != "running":
            title += f"  ·  cluster {cluster}: managed connectors shown as last recorded"
        if title != self._title:
            self._title = title
            self.query_one("#connectors-title", Label).update(title)
        self._show_detail()

    @property
    def selected(self) -> ConnectorRow | None:
        key = cursor_row_key(self.query_one("#connectors-table", DataTable))
        return None if key is None else self.rows.get(key)

    @on(DataTable.RowHighlighted, "#connectors-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.selected
        chart = self.query_one("#connector-chart", LineChart)
        chart.display = row is not None
        if row is None:
            key = getattr(self.app, "key_for", lambda _id, default: default)
            self._set_detail(Text(f"No connectors yet: {key('connectors.new', 'n')} starts a "
                                  f"config from a template, {key('connectors.launch', 'a')} "
                                  "runs a config file.", "dim"))
            return
        if row.series != self._charted:
            self._charted = row.series
            flow = _throughput(row)
            chart.show(f"{row.name}: records/s", flow.times, flow.rates)
        text = Text.assemble((row.name, "bold"), f"  {row.type} · {row.mode} · ",
                             (row.status, STATUS_STYLES.get(row.status.lower(), "")))
        if row.config:
            text.append(f"\nconfig: {row.config}", "dim")
        if row.last_error:
            text.append(f"\nlast error: {row.last_error}", "red")
        self._set_detail(text)

    def _set_detail(self, text: Text) -> None:
        if self._detail is None or text.plain != self._detail.plain:
            self._detail = text
            self.query_one("#connector-detail", Static).update(text)

    def _need_row(self) -> ConnectorRow | None:
        row = self.selected
        if row is None:
            self.notify("no connector selected", title="Connectors", severity="warning")
        return row

    # -- actions ----------------------------------------------------------------------

    @work(thread=True, group="connector-action", exit_on_error=False)
    def _run(self, label: str, func, *args, **kwargs) -> None:
        """Run one blocking runtime call; its outcome or error becomes a notification."""
        self.app.call_from_thread(self.post_message,
                                  messages.StatusNote(f"{label}…", pending=True))
        try:
            outcome: control.Outcome = func(*args, **kwargs)
        except Cancelled:
            self.app.call_from_thread(self.notify, "cancelled: nothing was left behind",
                                      title=label)
            self.app.call_from_thread(self.post_message,
                                      messages.StatusNote(f"{label} cancelled"))
        except Exception as exc:  # noqa: BLE001 - background work never crashes the app
            reason = describe_error(exc)
            self.app.call_from_thread(self.notify, reason, title=f"{label} failed",
                                      severity="error", timeout=12)
            self.app.call_from_thread(self.post_message, messages.StatusNote(
                f"{label} failed", failed=True, detail=reason))
        else:
            message = outcome.message
            if outcome.cluster_started:
                message = f"local cluster started on {outcome.cluster_started}\n{message}"
            self.app.call_from_thread(self.notify, message, title=label)
            self.app.call_from_thread(self.post_message, messages.StatusNote(outcome.message))
        finally:
            if kwargs.get("progress") is not None:
                self.app.call_from_thread(self.query_one(LaunchProgress).end)
        self.app.call_from_thread(self.refresh_rows)

    def action_refresh(self) -> None:
        self.refresh_rows()

    def action_start(self) -> None:
        if (row := self._need_row()) is not None:
            self._run("Start", control.start, row.name, background=True)

    def action_stop(self) -> None:
        if (row := self._need_row()) is not None:
            self._run("Stop", control.stop, row.name)

    def action_restart(self) -> None:
        if (row := self._need_row()) is not None:
            self._run("Restart", control.restart, row.name, background=True)

    def action_delete(self) -> None:
        row = self._need_row()
        if row is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run("Delete", control.delete, row.name)

        self.app.push_screen(
            ConfirmScreen(f"Delete {row.mode} connector `{row.name}`? "
                          "It is stopped and its logs are removed."), confirmed)

    def action_describe(self) -> None:
        if (row := self._need_row()) is not None:
            self._describe(row)

    @work(thread=True, group="connector-describe", exit_on_error=False)
    def _describe(self, row: ConnectorRow) -> None:
        from runtime.launch.describe import describe_text

        try:
            text = describe_text(control.describe(row.name))
        except WeirError as exc:
            self.app.call_from_thread(self.notify, describe_error(exc), title="Describe",
                                      severity="error")
            return
        self.app.call_from_thread(self.app.push_screen,
                                  MessageScreen(f"{row.name} ({row.mode})", text))

    def action_logs(self) -> None:
        if (row := self._need_row()) is not None:
            self.post_message(messages.ShowLogs(row.name))

    def action_tail(self) -> None:
        row = self._need_row()
        if row is not None and row.topic:
            self.post_message(messages.TailTopic(row.topic))

    def action_open(self) -> None:
        row = self._need_row()
        if row is None:
            return
        if not row.config or not Path(row.config).is_file():
            self.notify(f"`{row.name}` has no config file here", severity="warning")
            return
        self.post_message(messages.OpenInEditor(Path(row.config)))

    @on(DataTable.RowSelected, "#connectors-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_new(self) -> None:
        from runtime.config.starters import starter_choices

        choices = starter_choices()
        self.app.push_screen(ChoiceScreen("New connector config: pick a type", choices),
                             self._new_from)

    def _new_from(self, kind: str | None) -> None:
        if kind:
            self.app.action_area("editor")
            self.app.query_one("#editor-pane").new_from_template(kind)

    def action_launch(self) -> None:
        from tui.components.connectors.run_dialog import RunConfigScreen

        editor = self.app.query_one("#editor-pane")
        default = str(editor.path) if getattr(editor, "path", None) else ""
        secrets = getattr(editor, "secrets_file", None)
        settings = getattr(self.app, "settings", None)
        self.app.push_screen(
            RunConfigScreen(default, secrets=secrets, secrets_from_editor=secrets is not None,
                            recent=settings.recent_files if settings else []),
            self._launch_path,
        )

    def _launch_path(self, request: RunRequest | None) -> None:
        if request is None:
            return
        path, secrets = request.path, request.secrets
        base = self._base_image()
        choices = [("process", "Local process (weir connector run, in the background)"),
                   ("docker", f"Docker container (image on {base}, built once; esc cancels)"),
                   ("managed", "Managed by the local cluster (restarted on crash)")]

        def chosen(mode: str | None) -> None:
            if mode:
                self.start_config(path, mode, secrets=secrets)

        self.app.push_screen(ChoiceScreen(f"Run {path.name} as", choices), chosen)

    def _base_image(self) -> str:
        from runtime.launch.image import DEFAULT_BASE_IMAGE

        return self.app.settings.docker_base_image or DEFAULT_BASE_IMAGE  # type: ignore[attr-defined]

    def start_config(self, path: Path, mode: str, *, secrets: Path | None = None) -> None:
        """Start a config file in `mode` (secrets: the given file, else the Editor's). A
        Docker start may build its image first: its steps show in the progress line, and
        esc cancels it."""
        if secrets is None:
            secrets = getattr(self.app.query_one("#editor-pane"), "secrets_file", None)
        label = f"Start ({mode})"
        if mode != "docker":
            self._run(label, control.start_new, path, mode, secrets=secrets)
            return
        launch = self.query_one(LaunchProgress)
        if launch.active:
            self.notify(f"{launch.what} is still in progress (esc cancels it)",
                        severity="warning")
            return
        self._cancel.clear()
        launch.begin(f"Starting {path.name} in Docker")

        def show(step) -> None:
            self.app.call_from_thread(launch.show, step)

        self._run(label, control.start_new, path, mode, secrets=secrets,
                  base_image=self._base_image(), progress=Progress(show, self._cancel))

    def action_cancel(self) -> None:
        launch = self.query_one(LaunchProgress)
        if not launch.active:
            return
        self._cancel.set()
        launch.cancelling()
        self.notify(f"cancelling: {launch.what}", title="Connectors")


def _throughput(row: ConnectorRow) -> Throughput:
    """Rates between the row's samples, timed from its newest sample (not the clock)."""
    return throughput(row.series, row.series[-1][0] if row.series else 0.0)
