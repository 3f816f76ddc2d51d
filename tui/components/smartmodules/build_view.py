"""Build a SmartModule crate: cargo's output streams into a log, with a progress bar.

cargo runs in a thread (smartmodules.build.build_crate); its lines are buffered and shown
once per tick. Cancelling raises from the output callback, which makes build_crate kill
cargo: the build stops within a line of output.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Label, Log, ProgressBar

from runtime.errors import WeirError
from tui.components.common.errors import ReportsWorkerErrors, describe_error

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_COMPILING = re.compile(r"^\s*Compiling\s+(\S+)")


class BuildCancelled(Exception):
    """Raised from cargo's output callback to stop the build."""


def crate_package_count(crate: Path) -> int | None:
    """How many packages cargo will compile, from Cargo.lock when it exists."""
    lock = crate / "Cargo.lock"
    try:
        return lock.read_text().count("[[package]]") or None
    except OSError:
        return None


class BuildView(ReportsWorkerErrors, Vertical):
    DEFAULT_CSS = """
    BuildView { height: 1fr; }
    BuildView #build-bar { height: 1; background: $boost; }
    BuildView #build-bar Label { padding: 0 1; }
    BuildView ProgressBar { padding: 0 1; width: auto; }
    BuildView Log { height: 1fr; }
    """

    class Built(Message):
        def __init__(self, result) -> None:
            super().__init__()
            self.result = result

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.crate: Path | None = None
        self._lines: deque[str] = deque(maxlen=5000)
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self.compiled = 0
        self.building = False
        self.result = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="build-bar"):
            yield Label("no crate", id="build-crate")
            yield ProgressBar(total=None, show_eta=False, id="build-progress")
            yield Label("", id="build-state")
        yield Log(max_lines=5000, id="build-log")

    def on_mount(self) -> None:
        self.set_interval(0.1, self._flush)

    def start(self, crate: Path, *, release: bool = True) -> None:
        if self.building:
            self.notify("a build is already running (esc cancels it)", severity="warning")
            return
        self.crate = crate
        self.building = True
        self.compiled = 0
        self._cancel.clear()
        self.query_one(Log).clear()
        self.query_one("#build-crate", Label).update(Text(str(crate), "bold"))
        bar = self.query_one(ProgressBar)
        bar.update(total=crate_package_count(crate), progress=0)
        self.query_one("#build-state", Label).update(Text("building… (esc cancels)", "yellow"))
        self._build(crate, release)

    def cancel(self) -> bool:
        if self.building:
            self._cancel.set()
            return True
        return False

    def _output(self, line: str) -> None:
        if self._cancel.is_set():
            raise BuildCancelled
        clean = _ANSI.sub("", line.rstrip("\n"))
        with self._lock:
            self._lines.append(clean)

    def _flush(self) -> None:
        with self._lock:
            lines = list(self._lines)
            self._lines.clear()
        if not lines:
            return
        self.query_one(Log).write_lines(lines)
        compiled = sum(1 for line in lines if _COMPILING.match(line))
        if compiled:
            self.compiled += compiled
            self.query_one(ProgressBar).advance(compiled)

    @work(thread=True, exclusive=True, group="build", exit_on_error=False)
    def _build(self, crate: Path, release: bool) -> None:
        from smartmodules.build import build_crate

        try:
            result = build_crate(crate, release=release, output=self._output, color=False)
        except BuildCancelled:
            self.app.call_from_thread(self._finished, None, "cancelled")
            return
        except (WeirError, OSError) as exc:
            self.app.call_from_thread(self._finished, None, describe_error(exc))
            return
        self.app.call_from_thread(self._finished, result, None)

    def _finished(self, result, error: str | None) -> None:
        self._flush()
        self.building = False
        self.result = result
        state = self.query_one("#build-state", Label)
        bar = self.query_one(ProgressBar)
        if result is not None:
            bar.update(total=max(1, self.compiled), progress=max(1, self.compiled))
            state.update(Text(f"✔ built {result.artifact.name} ({result.size:,} bytes, "
                              f"{result.seconds:.1f}s); g registers it", "bold green"))
            self.post_message(self.Built(result))
        elif error == "cancelled":
            bar.update(total=100, progress=0)
            state.update(Text("build cancelled", "yellow"))
            self.notify("build cancelled", title="Build")
        else:
            bar.update(total=100, progress=0)
            first = (error or "").splitlines()[0] if error else "failed"
            state.update(Text(f"✖ {first}", "bold red"))
            self.query_one(Log).write_lines(["", *(error or "").splitlines()])
            self.notify(error or "build failed", title="Build", severity="error", timeout=10)
