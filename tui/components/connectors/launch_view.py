"""A start in progress (a Docker image build can take minutes the first time): its
current step, a bar (indeterminate until the build says how far it is), and how to
cancel it. Hidden while nothing is starting."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from runtime.launch.progress import Step


class LaunchProgress(Horizontal):
    DEFAULT_CSS = """
    LaunchProgress { height: 1; display: none; background: $boost; }
    LaunchProgress.-active { display: block; }
    LaunchProgress Label { padding: 0 1; }
    LaunchProgress #launch-step { width: 1fr; }
    LaunchProgress ProgressBar { width: auto; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.what = ""
        self.step: Step | None = None

    def compose(self) -> ComposeResult:
        yield Label("", id="launch-title")
        yield Label("", id="launch-step")
        yield ProgressBar(total=None, show_eta=False, id="launch-bar")
        yield Label(Text("esc cancels", "dim"), id="launch-hint")

    @property
    def active(self) -> bool:
        return self.has_class("-active")

    def begin(self, title: str) -> None:
        self.what = title
        self.step = None
        self.query_one("#launch-title", Label).update(Text(title, "bold"))
        self.query_one("#launch-step", Label).update("…")
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.query_one("#launch-hint", Label).update(Text("esc cancels", "dim"))
        self.add_class("-active")

    def show(self, step: Step) -> None:
        self.step = step
        self.query_one("#launch-step", Label).update(step.text)
        bar = self.query_one(ProgressBar)
        if step.fraction is None:
            bar.update(total=None)
        else:
            bar.update(total=100, progress=round(step.fraction * 100))

    def cancelling(self) -> None:
        self.query_one("#launch-hint", Label).update(Text("cancelling…", "yellow"))

    def end(self) -> None:
        self.remove_class("-active")
