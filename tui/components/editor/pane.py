"""The Editor area: a connector's YAML, validated while you type, its problems beside it."""

from __future__ import annotations

import asyncio
import os
import secrets
import stat
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Label, OptionList, Static, TextArea

from runtime.private_files import write_private_atomic
from tui import messages
from tui.components.common.errors import ReportsWorkerErrors
from tui.components.common.modals import PromptScreen
from tui.components.editor.code_editor import RANK, CodeEditor
from tui.components.editor.diagnostics import DiagnosticsList, Problem

UNTITLED = "untitled.yaml"


def _replace_keeping_mode(path: Path, text: str) -> None:
    """Write `path` through a new file renamed over it (a crash never leaves half a
    config), with the mode the old file had: a config the user keeps 0600 (secrets
    inline) stays 0600. The mode is set before any byte is written."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None  # a new file: the umask decides, as for any editor
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.weir-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                 0o666 if mode is None else 0o600)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class EditorPane(ReportsWorkerErrors, Vertical):
    """Open, edit, validate, convert and save one connector config at a time."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="editor.save", tooltip="Write the file"),
        Binding("ctrl+o", "open", "Open", id="editor.open", tooltip="Open a config file"),
        Binding("ctrl+r", "recent", "Recent", id="editor.recent", tooltip="Recent files"),
        Binding("ctrl+n", "new", "New", id="editor.new",
                tooltip="Start a new config from a connector type's template"),
        Binding("ctrl+l", "convert", "Convert", id="editor.convert",
                tooltip="Rewrite a legacy (0.1.0-style) config in the current format"),
        Binding("ctrl+t", "secrets", "Secrets file", id="editor.secrets",
                tooltip="Validate against a secrets file"),
        Binding("f9", "focus_problems", "Problems", id="editor.problems",
                tooltip="Move to the problems list"),
        Binding("f8", "next_problem", "Next problem", id="editor.next_problem",
                tooltip="Jump to the next problem after the cursor"),
    ]

    path: reactive[Path | None] = reactive(None)
    modified: reactive[bool] = reactive(False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._timer: Timer | None = None
        self._saved_text = ""
        self.secrets_file: Path | None = None
        self.report_valid: bool | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="editor-bar"):
            yield Label(UNTITLED, id="editor-path")
            yield Label("", id="editor-state")
            yield Label("", id="editor-secrets")
        yield CodeEditor(id="code", placeholder="ctrl+o open a config, ctrl+n start a new one")
        yield Label("Problems", id="problems-title", classes="section-title")
        yield DiagnosticsList(id="problems")
        yield Static("", id="problem-hint")

    def on_mount(self) -> None:
        self._warm_schema()
        settings = getattr(self.app, "settings", None)
        if settings and settings.secrets_file:
            self.secrets_file = Path(settings.secrets_file)
            self._show_secrets()

    def focus_default(self) -> None:
        self.editor.focus()

    @work(thread=True, group="schema", exit_on_error=False)
    def _warm_schema(self) -> None:
        """Build the JSON Schema for key completion before the first keystroke needs it."""
        from tui.components.editor.completion import keys_at

        keys_at([], "current")
        keys_at([], "legacy")

    # -- files ------------------------------------------------------------------------

    @property
    def editor(self) -> CodeEditor:
        return self.query_one("#code", CodeEditor)

    @property
    def text(self) -> str:
        return self.editor.text

    def open_path(self, path: Path) -> bool:
        """Load `path` into the editor; a file we cannot read is a notification, not a crash."""
        path = path.expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.notify(f"cannot open {path}: {exc}", title="Open", severity="error")
            return False
        self.editor.load_text(text)
        self._saved_text = text
        self.path = path
        self.modified = False
        self._remember(path)
        self.validate_now()
        return True

    def load_text(self, text: str, path: Path | None = None) -> None:
        """Replace the buffer (a template, a conversion) without touching the disk."""
        self.editor.load_text(text)
        self.path = path
        self._saved_text = "" if path is None else self._saved_text
        self.modified = True
        self.validate_now()

    def _remember(self, path: Path) -> None:
        settings = getattr(self.app, "settings", None)
        if settings is not None:
            settings.remember(path)
            self.app.save_settings()

    def save_to(self, path: Path) -> bool:
        text = self.text
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _replace_keeping_mode(path, text)
        except OSError as exc:
            self.notify(f"cannot save {path}: {exc}", title="Save", severity="error")
            return False
        self.path = path
        self._saved_text = text
        self.modified = False
        self._remember(path)
        self.notify(f"saved {path}", title="Save")
        self.post_message(messages.StatusNote(f"saved {path.name}"))
        self.validate_now()
        return True

    def watch_path(self, path: Path | None) -> None:
        self.query_one("#editor-path", Label).update(str(path) if path else UNTITLED)

    def watch_modified(self, modified: bool) -> None:
        self.query_one("#editor-path", Label).set_class(modified, "-modified")

    # -- validation -------------------------------------------------------------------

    @on(TextArea.Changed, "#code")
    def _changed(self, event: TextArea.Changed) -> None:
        self.modified = self.text != self._saved_text
        if self._timer is not None:
            self._timer.stop()
        delay = getattr(getattr(self.app, "settings", None), "validate_delay_ms", 300) / 1000
        self._timer = self.set_timer(delay, self.validate_now, name="validate-debounce")

    def validate_now(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._validate(self.text, self.path, self.secrets_file)

    @work(exclusive=True, group="validate", exit_on_error=False)
    async def _validate(self, text: str, path: Path | None, secrets: Path | None) -> None:
        if not text.strip():
            self._show_report(None, [])
            return
        report = await asyncio.to_thread(_validate, text, str(path or UNTITLED), secrets)
        self._show_report(report.valid, [Problem.of(d) for d in report.diagnostics])

    def _show_report(self, valid: bool | None, problems: list[Problem]) -> None:
        self.report_valid = valid
        state = self.query_one("#editor-state", Label)
        errors = sum(p.severity == "error" for p in problems)
        warnings = sum(p.severity == "warning" for p in problems)
        if valid is None:
            state.update("")
        elif errors:
            extra = f", {warnings} warning{'s' * (warnings != 1)}" if warnings else ""
            state.update(Text(f"✖ {errors} error{'s' * (errors != 1)}{extra}", "bold red"))
        elif warnings:
            state.update(Text(f"✔ valid, {warnings} warning{'s' * (warnings != 1)}", "yellow"))
        else:
            state.update(Text("✔ valid", "bold green"))
        marks: dict[int, str] = {}
        for problem in problems:
            if problem.line is not None:
                row = problem.line - 1
                if RANK.get(problem.severity, 0) > RANK.get(marks.get(row, ""), 0):
                    marks[row] = problem.severity
        self.editor.set_marks(marks)
        diagnostics = self.query_one(DiagnosticsList)
        diagnostics.show(problems)
        self.query_one("#problems-title", Label).update(f"Problems ({len(problems)})")
        self._show_hint(diagnostics.problem(diagnostics.highlighted))

    # -- problems list ----------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#problems")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_hint(self.query_one(DiagnosticsList).problem(event.option_index))

    @on(OptionList.OptionSelected, "#problems")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        problem = self.query_one(DiagnosticsList).problem(event.option_index)
        if problem is not None:
            self.jump_to(problem)

    def jump_to(self, problem: Problem) -> None:
        if problem.line is not None:
            self.editor.jump_to(problem.line, problem.column or 1)
        self.editor.focus()

    def _show_hint(self, problem: Problem | None) -> None:
        hint = self.query_one("#problem-hint", Static)
        if problem is None:
            hint.update("")
        elif problem.hint:
            hint.update(Text.assemble(("hint: ", "bold"), problem.hint))
        else:
            hint.update(Text(problem.message, "dim"))

    def action_focus_problems(self) -> None:
        self.query_one(DiagnosticsList).focus()

    def action_next_problem(self) -> None:
        problems = [p for p in self.query_one(DiagnosticsList).problems if p.line is not None]
        if not problems:
            self.notify("no problems", title="Editor")
            return
        row, col = self.editor.cursor_location
        after = [p for p in problems if (p.line - 1, (p.column or 1) - 1) > (row, col)]
        self.jump_to((after or problems)[0])

    # -- actions ----------------------------------------------------------------------

    def action_open(self) -> None:
        start = str(self.path.parent) + "/" if self.path else str(Path.cwd()) + "/"
        self.app.push_screen(
            PromptScreen("Open a connector config", start,
                         placeholder="path/to/connector.yaml", paths=True),
            self._opened,
        )

    def action_recent(self) -> None:
        settings = getattr(self.app, "settings", None)
        recent = [p for p in (settings.recent_files if settings else []) if Path(p).exists()]
        if not recent:
            self.notify("no recent files yet", title="Recent")
            return
        self.app.push_screen(
            PromptScreen("Open a recent file", recent[0], choices=recent), self._opened
        )

    def _opened(self, value: str | None) -> None:
        if value:
            path = Path(value).expanduser()
            if path.is_dir():
                self.notify(f"{path} is a directory; give a file", severity="warning")
                return
            self.open_path(path)

    def action_save(self) -> None:
        if self.path is not None:
            self.save_to(self.path)
            return
        self.app.push_screen(
            PromptScreen("Save as", str(Path.cwd() / "connector.yaml"), paths=True),
            lambda v: v and self.save_to(Path(v).expanduser()),
        )

    def action_new(self) -> None:
        from runtime.config.starters import starter_choices
        from tui.components.common.modals import ChoiceScreen

        choices = starter_choices()
        self.app.push_screen(ChoiceScreen("New connector config: pick a type", choices),
                             lambda kind: kind and self.new_from_template(kind))

    def new_from_template(self, type_name: str) -> None:
        """A commented, valid starting config (`weir config new TYPE`) in a new buffer."""
        from runtime.config.starters import starter

        try:
            text = starter(type_name)
        except KeyError:
            self.notify(f"no template for `{type_name}`", severity="error")
            return
        self.load_text(text, None)
        self.editor.focus()
        self.notify(f"new {type_name} config: ctrl+s saves it", title="New")

    def action_convert(self) -> None:
        """Legacy to current (`weir config convert`): the buffer is replaced, not saved."""
        from runtime.config.convert import ConvertFailed, convert_legacy
        from runtime.config.secrets import mask

        path = str(self.path or UNTITLED)
        try:
            result = convert_legacy(self.text, path)
        except ConvertFailed as exc:
            self.notify(exc.message + (f"\nhint: {exc.hint}" if exc.hint else ""),
                        title="Convert", severity="error", timeout=8)
            return
        self.editor.load_text(result.text)
        self.modified = self.text != self._saved_text
        notes = [mask(note, result.secrets.values()) for note in result.notes]
        if result.secrets:
            written = self._write_secrets(result.secrets)
            if written is not None:
                notes.append(f"secret values written to {written} (mode 600) and used "
                             "for validation")
        self.validate_now()
        self.notify("converted to apiVersion 0.1.0 (ctrl+s saves)"
                    + "".join(f"\n· {n}" for n in notes), title="Convert", timeout=10)

    def _write_secrets(self, secrets: dict[str, str]) -> Path | None:
        base = self.path or Path.cwd() / UNTITLED
        target = base.with_name(base.stem + ".secrets")
        if target.exists():
            self.notify(f"{target} exists; secret values were not written. Add "
                        + ", ".join(secrets) + " to your secrets file", severity="warning")
            return None
        try:
            write_private_atomic(target, "".join(f"{k}={v}\n" for k, v in secrets.items()))
        except OSError as exc:
            self.notify(f"cannot write {target}: {exc.strerror}", severity="error")
            return None
        self.secrets_file = target
        self._show_secrets()
        return target

    def action_secrets(self) -> None:
        current = str(self.secrets_file) if self.secrets_file else ""
        self.app.push_screen(
            PromptScreen("Secrets file to validate against (empty: none)", current,
                         placeholder="secrets.txt (NAME=value lines)", paths=True),
            self._set_secrets,
        )

    def _set_secrets(self, value: str | None) -> None:
        path = Path(value).expanduser() if value else None
        if path is not None and not path.is_file():
            self.notify(f"no such file: {path}", title="Secrets", severity="error")
            return
        self.secrets_file = path
        settings = getattr(self.app, "settings", None)
        if settings is not None:
            settings.secrets_file = str(path) if path else None
            self.app.save_settings()
        self._show_secrets()
        self.validate_now()

    def _show_secrets(self) -> None:
        label = self.query_one("#editor-secrets", Label)
        label.update(f"secrets: {self.secrets_file}" if self.secrets_file else "")


def _validate(text: str, path: str, secrets: Path | None):
    """The runtime's validation of the buffer; with a secrets file, values are checked too."""
    if secrets is None:
        from runtime.config.validate import validate_text

        return validate_text(text, path)
    from runtime.config.secrets import read_secrets_file
    from runtime.config.validate import analyze_text

    return analyze_text(text, path, secrets=read_secrets_file(secrets),
                        check_values=True).report
