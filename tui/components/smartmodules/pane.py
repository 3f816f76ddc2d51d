"""The SmartModules area: the registry, generate and build crates, the playground."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, TabbedContent, TabPane, Tabs

from tui.components.common.errors import ReportsWorkerErrors, describe_error
from tui.components.common.modals import ChoiceScreen, ConfirmScreen, PromptScreen
from tui.components.common.tables import cursor_row_key
from tui.components.smartmodules.build_view import BuildView
from tui.components.smartmodules.playground import Playground

KINDS = ("filter", "map", "filter-map", "array-map", "aggregate")


class SmartModulesPane(ReportsWorkerErrors, Horizontal):
    BINDINGS = [
        Binding("ctrl+n", "generate", "Generate", id="smartmodules.generate",
                tooltip="A new SmartModule crate from a template"),
        Binding("ctrl+b", "build", "Build", id="smartmodules.build",
                tooltip="Build a crate with cargo (wasm32)"),
        Binding("escape", "cancel", "Cancel build", id="smartmodules.cancel", show=False),
        Binding("ctrl+r", "register", "Register", id="smartmodules.register",
                tooltip="Register the built .wasm (or any .wasm) in the registry"),
        Binding("ctrl+l", "use", "Use in playground", id="smartmodules.use",
                tooltip="Append the selected module to the playground's chain"),
        Binding("delete", "delete", "Delete", id="smartmodules.delete",
                tooltip="Remove the selected module from the registry"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="sm-side"):
            yield Label("Registry", id="sm-title", classes="section-title")
            table: DataTable[str] = DataTable(id="sm-table", cursor_type="row")
            table.add_columns("Name", "Kind", "Size")
            yield table
        with TabbedContent(initial="sm-playground", id="sm-tabs"):
            with TabPane("Playground", id="sm-playground"):
                yield Playground(id="playground")
            with TabPane("Build", id="sm-build"):
                yield BuildView(id="build-view")

    def on_mount(self) -> None:
        self.set_interval(3.0, self.refresh_registry)
        self.refresh_registry()

    def focus_default(self) -> None:
        self.query_one("#sm-table").focus()

    @property
    def playground(self) -> Playground:
        return self.query_one(Playground)

    @on(TabbedContent.TabActivated)
    @on(Tabs.TabActivated)
    def _inner_tab(self, event) -> None:
        """The inner tabs' messages must not reach the app's area tabs."""
        event.stop()

    # -- registry ---------------------------------------------------------------------

    @work(exclusive=True, group="registry", exit_on_error=False)
    async def refresh_registry(self) -> None:
        title = self.query_one("#sm-title", Label)
        try:
            entries = await asyncio.to_thread(_list_modules)
        except Exception as exc:  # noqa: BLE001 - shown in place; the next tick retries
            title.update(Text(f"Registry: {describe_error(exc)}", "red"))
            return
        table = self.query_one("#sm-table", DataTable)
        names = [e.name for e in entries]
        if names == list(self.entries) and len(names) == table.row_count:
            return
        self.entries = {e.name: e for e in entries}
        row = table.cursor_row
        table.clear()
        for entry in entries:
            table.add_row(entry.name, entry.kind, _size(entry.size), key=entry.name)
        if entries:
            table.move_cursor(row=min(row, len(entries) - 1))
        title.update(f"Registry ({len(entries)})")

    @property
    def selected(self) -> str | None:
        return cursor_row_key(self.query_one("#sm-table", DataTable))

    @on(DataTable.RowSelected, "#sm-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_use()

    def action_use(self) -> None:
        name = self.selected
        if name is None:
            self.notify("the registry is empty: build and register a module first",
                        severity="warning")
            return
        chain = self.playground.query_one("#pg-chain").text.rstrip()
        line = f"- uses: {name}"
        self.playground.set_chain((chain + "\n" if chain else "") + line + "\n")
        self.query_one("#sm-tabs", TabbedContent).active = "sm-playground"
        self.notify(f"{name} added to the playground's chain", title="Playground")

    def action_delete(self) -> None:
        name = self.selected
        if name is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(name)

        self.app.push_screen(ConfirmScreen(f"Delete SmartModule `{name}` from the registry?"),
                             confirmed)

    @work(thread=True, group="registry-delete", exit_on_error=False)
    def _delete(self, name: str) -> None:
        from smartmodules import registry

        registry.delete(name)
        self.app.call_from_thread(self.notify, f"{name} deleted", title="Registry")
        self.app.call_from_thread(self.refresh_registry)

    # -- generate and build -----------------------------------------------------------

    def action_generate(self) -> None:
        self.app.push_screen(
            ChoiceScreen("Generate a SmartModule: which kind?", [(k, k) for k in KINDS]),
            self._generate_kind,
        )

    def _generate_kind(self, kind: str | None) -> None:
        if not kind:
            return
        self.app.push_screen(
            PromptScreen(f"New {kind} crate: directory (its name is the crate's)",
                         str(Path.cwd() / f"my-{kind}")),
            lambda value: value and self._generate(Path(value).expanduser(), kind),
        )

    @work(thread=True, group="generate", exit_on_error=False)
    def _generate(self, directory: Path, kind: str) -> None:
        from smartmodules.templates import generate_crate

        crate = generate_crate(directory.name, kind, sdk="none", directory=directory)
        self.app.call_from_thread(self.notify, f"generated {crate.path} (ctrl+b builds it)",
                                  title="Generate")
        self.app.call_from_thread(self._built_dir_default, crate.path)

    def _built_dir_default(self, path: Path) -> None:
        self.query_one(BuildView).crate = path

    def action_build(self) -> None:
        view = self.query_one(BuildView)
        default = str(view.crate) if view.crate else str(Path.cwd())
        self.app.push_screen(PromptScreen("Build which crate (directory)?", default, paths=True),
                             self._build)

    def _build(self, value: str | None) -> None:
        if not value:
            return
        self.query_one("#sm-tabs", TabbedContent).active = "sm-build"
        self.query_one(BuildView).start(Path(value).expanduser())

    def action_cancel(self) -> None:
        if self.query_one(BuildView).cancel():
            self.notify("cancelling the build…", title="Build")

    @on(BuildView.Built)
    def _built(self, event: BuildView.Built) -> None:
        self.app.bell()

    def action_register(self) -> None:
        result = self.query_one(BuildView).result
        default = str(result.artifact) if result is not None else ""
        self.app.push_screen(PromptScreen("Register which .wasm file?", default,
                                          placeholder="path/to/module.wasm", paths=True),
                             self._register_file)

    def _register_file(self, value: str | None) -> None:
        if not value:
            return
        wasm = Path(value).expanduser()
        result = self.query_one(BuildView).result
        default = (result.crate.package if result is not None and result.artifact == wasm
                   else wasm.stem.replace("_", "-"))
        self.app.push_screen(PromptScreen("Register as (name)", default),
                             lambda name: name and self._register(name, wasm))

    @work(thread=True, group="register", exit_on_error=False)
    def _register(self, name: str, wasm: Path) -> None:
        from smartmodules import registry

        entry = registry.create(name, wasm, force=True)
        self.app.call_from_thread(
            self.notify, f"{entry.name} ({entry.kind}, {_size(entry.size)}) registered; "
            "ctrl+l uses it in the playground", title="Register")
        self.app.call_from_thread(self.refresh_registry)


def _size(size: int) -> str:
    return f"{size / 1024:.1f} KiB" if size >= 1024 else f"{size} B"


def _list_modules():
    from smartmodules import registry

    return registry.list_modules()
