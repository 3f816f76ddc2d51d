"""The Weir workbench: one screen, five work areas, every action in the command palette."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, TabbedContent, TabPane

from runtime.errors import WeirError
from tui import messages
from tui.components.common.errors import ReportsWorkerErrors
from tui.components.common.help import HelpRow, HelpScreen
from tui.components.common.status_bar import StatusBar
from tui.settings import TuiSettings, load_settings, save_settings, settings_path


@dataclass(frozen=True, slots=True)
class Area:
    id: str
    title: str
    key: str
    help: str


AREAS: tuple[Area, ...] = (
    Area("connectors", "Connectors", "f2", "Every connector: start, stop, restart, logs"),
    Area("editor", "Editor", "f3", "Write and validate a connector config"),
    Area("smartmodules", "SmartModules", "f4", "Registry, build, playground"),
    Area("topics", "Topics", "f5", "Topics and a live tail beside their connectors' logs"),
    Area("logs", "Logs", "f6", "Connector logs and lifecycle events on one timeline"),
)


def _pane(area: str) -> Widget:
    """Build one area's pane; imported here so each area's module stays independent."""
    if area == "editor":
        from tui.components.editor.pane import EditorPane

        return EditorPane(id="editor-pane")
    if area == "connectors":
        from tui.components.connectors.pane import ConnectorsPane

        return ConnectorsPane(id="connectors-pane")
    if area == "smartmodules":
        from tui.components.smartmodules.pane import SmartModulesPane

        return SmartModulesPane(id="smartmodules-pane")
    if area == "topics":
        from tui.components.topics.pane import TopicsPane

        return TopicsPane(id="topics-pane")
    from tui.components.logs.pane import LogsPane

    return LogsPane(id="logs-pane")


class WeirApp(ReportsWorkerErrors, App[None]):
    """The workbench. Panes call runtime/ and smartmodules/; the app only routes."""

    TITLE = "Weir"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("f1,question_mark", "help", "Help", id="app.help",
                tooltip="The bindings of the focused pane"),
        *[
            Binding(a.key, f"area('{a.id}')", a.title, id=f"area.{a.id}", tooltip=a.help,
                    priority=True, show=False)
            for a in AREAS
        ],
        Binding("right_square_bracket", "next_area(1)", "Next area", id="app.next_area",
                show=False),
        Binding("left_square_bracket", "next_area(-1)", "Previous area", id="app.prev_area",
                show=False),
    ]

    def __init__(
        self,
        settings: TuiSettings | None = None,
        *,
        open_file: Path | None = None,
        start_area: str = "connectors",
        persist_settings: bool = True,
        watch_cluster: bool = True,
        settings_file: Path | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or TuiSettings()
        self.open_file = open_file
        self.start_area = start_area
        self.persist_settings = persist_settings
        self.watch_cluster = watch_cluster
        self.last_failure: tuple[str, str] | None = None  # (what failed, why), until a success
        self.settings_file = settings_file or settings_path()  # where the keymap comes from
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme

    def compose(self) -> ComposeResult:
        with TabbedContent(initial=self.start_area, id="areas"):
            for area in AREAS:
                key = self.key_for(f"area.{area.id}", area.key)
                with TabPane(f"{area.title} [dim]{key}[/dim]", id=area.id):
                    yield _pane(area.id)
        yield StatusBar(id="status")
        yield Footer()

    def key_for(self, binding_id: str, default: str) -> str:
        """How a label shows the key of `binding_id`: the keymap's first key if remapped."""
        keys = self.settings.keymap.get(binding_id) or default
        first = keys.split(",")[0].strip()
        return first.upper() if first.lower().startswith("f") and first[1:].isdigit() \
            else self.get_key_display(Binding(first, ""))

    def on_mount(self) -> None:
        if self.settings.keymap:
            from tui.keymap import binding_ids, keymap_problems

            problems = keymap_problems(self.settings.keymap, binding_ids())
            if problems:
                self.notify("\n".join(problems), title=f"{self.settings_file}: ignored",
                            severity="warning", timeout=30)
            self.set_keymap(self.settings.keymap)
        self._show_profile()
        if self.watch_cluster:
            self.set_interval(3.0, self._poll_cluster)
        self._poll_cluster()
        self._report_plugins()
        if self.open_file is not None:
            self.post_message(messages.OpenInEditor(self.open_file))
        self.call_after_refresh(self._focus_area, self.start_area)

    def _report_plugins(self) -> None:
        """A connector plugin that cannot be loaded: one notice each, naming it and why."""
        from runtime.connectors import registry

        registry.on_failure = lambda failure: None  # not on stderr, under the screen
        for failure in registry.failures():
            self.notify(failure.message(), title="Connector plugin", severity="warning",
                        timeout=15)

    # -- settings ---------------------------------------------------------------------

    def save_settings(self) -> None:
        if self.persist_settings:
            try:
                save_settings(self.settings)
            except (OSError, WeirError) as exc:
                self.notify(f"cannot save settings: {exc}", severity="warning")

    # -- areas ------------------------------------------------------------------------

    @property
    def area(self) -> str:
        return self.query_one("#areas", TabbedContent).active

    def action_area(self, area: str) -> None:
        self.query_one("#areas", TabbedContent).active = area
        self._focus_area(area)

    def action_next_area(self, step: int) -> None:
        ids = [a.id for a in AREAS]
        self.action_area(ids[(ids.index(self.area) + step) % len(ids)])

    def _focus_area(self, area: str) -> None:
        pane = self.query_one(f"#{area}-pane")
        if not pane.has_focus_within:
            pane.focus_default()
        self.query_one(StatusBar).area = next(a.title for a in AREAS if a.id == area)

    @on(TabbedContent.TabActivated, "#areas")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        area = event.pane.id or ""
        for bar in self.query(StatusBar):  # none yet while the screen is still composing
            if area:
                bar.area = next(a.title for a in AREAS if a.id == area)

    @on(messages.ShowArea)
    def _show_area(self, message: messages.ShowArea) -> None:
        self.action_area(message.area)

    @on(messages.OpenInEditor)
    def _open_in_editor(self, message: messages.OpenInEditor) -> None:
        self.action_area("editor")
        editor = self.query_one("#editor-pane")
        if editor.open_path(message.path) and message.line is not None:
            editor.editor.jump_to(message.line, message.column or 1)
            editor.editor.focus()

    @on(messages.TailTopic)
    def _tail_topic(self, message: messages.TailTopic) -> None:
        self.action_area("topics")
        self.query_one("#topics-pane").select_topic(message.topic)

    @on(messages.ShowLogs)
    def _show_logs(self, message: messages.ShowLogs) -> None:
        self.action_area("logs")
        self.query_one("#logs-pane").show_connector(message.connector)

    @on(messages.StatusNote)
    def _status_note(self, message: messages.StatusNote) -> None:
        """A success replaces the last failure; a failure stays until then, its reason on
        the bar's first line and the whole of it a click (or the palette) away."""
        bar = self.query_one(StatusBar)
        if not message.pending:
            self.last_failure = (message.text, message.detail) if message.failed else None
        reason = message.detail.splitlines()[0] if message.failed and message.detail else ""
        bar.note = f"✗ {message.text}: {reason}" if reason else message.text
        bar.failed = message.failed

    def action_show_failure(self) -> None:
        from tui.components.common.modals import MessageScreen

        if self.last_failure is None:
            self.notify("no failure since the last action that succeeded", title="Status")
            return
        title, detail = self.last_failure
        self.push_screen(MessageScreen(title, detail))

    # -- status -----------------------------------------------------------------------

    def _show_profile(self) -> None:
        from runtime.profiles import current_profile

        try:
            profile = current_profile()
            text = f"{profile.name} ({profile.kind})"
        except WeirError as exc:
            text = f"unreadable: {exc.message}"
        self.query_one(StatusBar).profile = text

    @work(thread=True, exclusive=True, group="cluster", exit_on_error=False)
    def _poll_cluster(self) -> None:
        from tui.cluster_state import cluster_state

        state = cluster_state()
        self.call_from_thread(setattr, self.query_one(StatusBar), "cluster", state)

    # -- help and palette -------------------------------------------------------------

    def action_help(self) -> None:
        """The focused widget's bindings, then its pane's, then the app's (keymap applied)."""
        rows: list[HelpRow] = []
        seen: set[tuple[str, str]] = set()
        pane = None
        for node, bindings_map in self.screen._binding_chain:
            if (getattr(node, "id", None) or "").endswith("-pane"):
                pane = node
            scope = "everywhere" if node is self or node is self.screen else _scope_name(node)
            for key, bindings in bindings_map.key_to_bindings.items():
                for binding in bindings:
                    if not binding.description or binding.system:
                        continue
                    tag = (binding.id or binding.action, key)
                    if tag in seen:
                        continue
                    seen.add(tag)
                    rows.append(HelpRow(scope, self.get_key_display(binding.with_key(key)),
                                        binding.description, binding.id or ""))
        title = f"Help: {_scope_name(pane)}" if pane else "Help"
        # The pane's own actions first, then the focused widget's keys, then the app's.
        pane_scope = _scope_name(pane) if pane else ""
        rows.sort(key=lambda r: 0 if r.scope == pane_scope else 2 if r.scope == "everywhere"
                  else 1)
        self.push_screen(HelpScreen(title, rows, self.settings_file))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for area in AREAS:
            yield SystemCommand(f"Go to {area.title}", area.help,
                                partial(self.action_area, area.id))
        if self.last_failure is not None:
            yield SystemCommand("Show the last failure", "What failed and why, in full",
                                self.action_show_failure)
        for area in AREAS:
            try:
                pane = self.query_one(f"#{area.id}-pane")
            except Exception:  # noqa: BLE001 - a pane not mounted yet has no commands
                continue
            seen: set[str] = set()
            for widget in [pane, *pane.walk_children(Widget)]:
                for binding in _all_bindings(widget):
                    if not binding.description or binding.id in seen:
                        continue
                    seen.add(binding.id or binding.action)
                    yield SystemCommand(
                        f"{area.title}: {binding.description}",
                        binding.tooltip or binding.description,
                        partial(self._run_widget_action, area.id, widget, binding.action),
                    )

    def _run_widget_action(self, area: str, widget: Widget, action: str) -> None:
        self.action_area(area)
        self.call_after_refresh(self.run_action, action, widget)


def _scope_name(node: object) -> str:
    ident = getattr(node, "id", None) or type(node).__name__
    return ident.removesuffix("-pane").replace("-", " ").title()


def _all_bindings(widget: Widget) -> list[Binding]:
    """The bindings a pane defines (its own class chain), for the command palette."""
    out: list[Binding] = []
    for cls in reversed(type(widget).__mro__):
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding not in out:
                out.append(binding)
    return out


def create_app(**kwargs) -> WeirApp:
    """The factory both `weir` and the tests use, so the tests run what users run."""
    settings = kwargs.pop("settings", None)
    return WeirApp(settings or load_settings(), **kwargs)


def run_app(open_file: Path | None = None) -> None:
    import sys

    from runtime.errors import EnvironmentProblem

    app = create_app(open_file=open_file)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise EnvironmentProblem("the workbench needs a terminal (stdin or stdout is not one)",
                                 hint="run `weir` in a terminal; `weir --help` lists the "
                                      "headless commands")
    app.run()
