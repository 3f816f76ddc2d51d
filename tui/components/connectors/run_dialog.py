"""`a` in Connectors: which config to run, found without knowing its path by heart.

A path field that completes as you type, and one key away a file picker rooted at the
working directory (ctrl+o), the recent files (ctrl+r) and the examples (ctrl+e); a secrets
field, prefilled from the Editor's choice and saying so. The config is validated before
the dialog closes: an invalid one lists every problem, and Enter on one opens the Editor
at its line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Label, OptionList, TabbedContent, TabPane
from textual.widgets.option_list import Option

from tui import messages
from tui.components.common.path_suggester import PathSuggester
from tui.components.editor.diagnostics import DiagnosticsList, Problem

CONFIG_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class RunRequest:
    path: Path
    secrets: Path | None


def examples_dir() -> Path | None:
    """examples/connectors of the working directory, else of the checkout Weir runs from."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[3]):
        folder = root / "examples" / "connectors"
        if folder.is_dir():
            return folder
    return None


class ConfigTree(DirectoryTree):
    """Folders and connector configs only; hidden entries left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith(".")
                and (p.is_dir() or p.suffix in CONFIG_SUFFIXES)]


class ProblemList(DiagnosticsList):
    def action_back_to_editor(self) -> None:  # escape: back to the path, not an editor
        self.screen.query_one("#run-path", Input).focus()


class RunConfigScreen(ModalScreen[RunRequest | None]):
    DEFAULT_CSS = """
    RunConfigScreen { align: center middle; }
    RunConfigScreen > Vertical {
        width: 96; height: 90%; padding: 0 2; border: thick $accent; background: $panel;
    }
    RunConfigScreen #run-title { text-style: bold; padding: 1 0 0 0; }
    RunConfigScreen .run-label { color: $text-muted; padding: 1 0 0 0; }
    RunConfigScreen #run-sources { height: 1fr; }
    RunConfigScreen #run-error { color: $error; height: auto; }
    RunConfigScreen #run-problems { height: auto; max-height: 12; }
    RunConfigScreen .-hidden { display: none; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="run.cancel"),
        Binding("ctrl+o", "source('run-files')", "Files", id="run.files", priority=True,
                tooltip="Pick a file under the working directory"),
        Binding("ctrl+r", "source('run-recent')", "Recent", id="run.recent", priority=True,
                tooltip="The files opened or saved lately"),
        Binding("ctrl+e", "source('run-examples')", "Examples", id="run.examples",
                priority=True, tooltip="The example configs shipped with Weir"),
    ]

    def __init__(self, value: str = "", *, secrets: Path | None = None,
                 secrets_from_editor: bool = False, recent: list[str] | None = None) -> None:
        super().__init__()
        self.value = value
        self.secrets = secrets
        self.secrets_from_editor = secrets_from_editor
        self.recent = [p for p in (recent or []) if Path(p).suffix in CONFIG_SUFFIXES]
        self.problem_path: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Run a connector config", id="run-title")
            yield Label("Config file (→ completes; Enter checks it, then asks how to run it)",
                        classes="run-label")
            yield Input(self.value, placeholder="connector.yaml", id="run-path",
                        suggester=PathSuggester(suffixes=CONFIG_SUFFIXES))
            note = ("Secrets file: the Editor's (ctrl+t there), used to check and to run"
                    if self.secrets_from_editor else
                    "Secrets file (optional: NAME=value lines; else the environment)")
            yield Label(note, id="run-secrets-note", classes="run-label")
            yield Input(str(self.secrets or ""), placeholder="secrets.env", id="run-secrets",
                        suggester=PathSuggester())
            yield Label("", id="run-error")
            yield Label("", id="run-problems-title", classes="run-label -hidden")
            yield ProblemList(id="run-problems", classes="-hidden")
            with TabbedContent(initial="run-files", id="run-sources"):
                with TabPane(f"Files {self._key('run.files', 'ctrl+o')}", id="run-files"):
                    yield ConfigTree(Path.cwd(), id="run-tree")
                with TabPane(f"Recent {self._key('run.recent', 'ctrl+r')}", id="run-recent"):
                    yield OptionList(*[Option(p, id=p) for p in self.recent]
                                     or [Option("no recent files yet", disabled=True)],
                                     id="run-recent-list")
                with TabPane(f"Examples {self._key('run.examples', 'ctrl+e')}",
                             id="run-examples"):
                    folder = examples_dir()
                    files = sorted(folder.glob("*.yaml")) if folder else []
                    yield OptionList(*[Option(f"{p.name}", id=str(p)) for p in files]
                                     or [Option("no examples/connectors here", disabled=True)],
                                     id="run-examples-list")

    def _key(self, binding_id: str, default: str) -> str:
        """The key a tab's title names: the keymap's, when tui.yaml remaps it."""
        key_for = getattr(self.app, "key_for", None)
        return key_for(binding_id, default) if key_for else default

    def on_mount(self) -> None:
        self.query_one("#run-path", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_source(self, pane: str) -> None:
        self.query_one("#run-sources", TabbedContent).active = pane
        target = {"run-files": "#run-tree", "run-recent": "#run-recent-list",
                  "run-examples": "#run-examples-list"}[pane]
        self.query_one(target).focus()

    # -- choosing ---------------------------------------------------------------------

    def choose(self, path: str) -> None:
        """A file picked from a list: into the path field, checked at once."""
        box = self.query_one("#run-path", Input)
        box.value = path
        box.cursor_position = len(path)
        self.check()

    @on(DirectoryTree.FileSelected, "#run-tree")
    def _file_picked(self, event: DirectoryTree.FileSelected) -> None:
        self.choose(str(event.path))

    @on(OptionList.OptionSelected, "#run-recent-list, #run-examples-list")
    def _listed(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.choose(event.option.id)

    @on(Input.Submitted, "#run-path, #run-secrets")
    def _submitted(self, event: Input.Submitted) -> None:
        self.check()

    # -- checking ---------------------------------------------------------------------

    def check(self) -> None:
        path_text = self.query_one("#run-path", Input).value.strip()
        secrets_text = self.query_one("#run-secrets", Input).value.strip()
        error = self.query_one("#run-error", Label)
        if not path_text:
            error.update("give a config file, or pick one below")
            return
        path = Path(path_text).expanduser()
        secrets = Path(secrets_text).expanduser() if secrets_text else None
        if path.is_dir():
            error.update(f"{path} is a folder: pick a file in it")
            return
        if not path.is_file():
            error.update(f"no such file: {path}")
            return
        if secrets is not None and not secrets.is_file():
            error.update(f"no such secrets file: {secrets}")
            return
        error.update(Text("checking…", "dim"))
        self._check(path, secrets)

    @work(exclusive=True, group="run-check", exit_on_error=False)
    async def _check(self, path: Path, secrets: Path | None) -> None:
        from runtime.errors import WeirError

        try:
            report = await asyncio.to_thread(_report, path, secrets)
        except WeirError as exc:
            self.query_one("#run-error", Label).update(
                exc.message + (f" (hint: {exc.hint})" if exc.hint else ""))
            return
        if report.valid:
            self.dismiss(RunRequest(path, secrets))
            return
        self.show_problems(path, [Problem.of(d) for d in report.diagnostics])

    def show_problems(self, path: Path, problems: list[Problem]) -> None:
        self.problem_path = path
        errors = sum(p.severity == "error" for p in problems)
        self.query_one("#run-error", Label).update(
            f"{path.name} cannot run: {errors} error{'s' * (errors != 1)}")
        title = self.query_one("#run-problems-title", Label)
        title.update(f"Every problem ({len(problems)}): Enter opens the Editor at it")
        title.remove_class("-hidden")
        listing = self.query_one("#run-problems", ProblemList)
        listing.remove_class("-hidden")
        listing.show(problems)
        listing.focus()

    @on(OptionList.OptionSelected, "#run-problems")
    def _problem_picked(self, event: OptionList.OptionSelected) -> None:
        problem = self.query_one("#run-problems", ProblemList).problem(event.option_index)
        if problem is None or self.problem_path is None:
            return
        self.dismiss(None)
        self.app.post_message(messages.OpenInEditor(self.problem_path, problem.line,
                                                    problem.column))


def _report(path: Path, secrets: Path | None):
    """The validation a managed start does: secrets' values when a file is given, and each
    `uses:` loaded as the connector will load it (from the config's folder)."""
    from runtime.config.validate import analyze_file
    from smartmodules.chain import module_problem

    base = path.resolve().parent
    return analyze_file(path, secrets_file=secrets, check_values=secrets is not None,
                        find_module=lambda uses: module_problem(uses, base_dir=base)).report
