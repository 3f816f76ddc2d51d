"""Small messages the panes send each other through the app (never direct calls)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message


@dataclass
class OpenInEditor(Message):
    """Show `path` in the Editor area (from Connectors, SmartModules, the palette), with
    the cursor at `line`:`column` when given (a problem picked in the run dialog)."""

    path: Path
    line: int | None = None
    column: int | None = None


@dataclass
class ShowArea(Message):
    """Switch to a work area by its id (connectors, editor, smartmodules, topics, logs)."""

    area: str


@dataclass
class TailTopic(Message):
    """Open the Topics area tailing `topic` (from a connector's row)."""

    topic: str


@dataclass
class ShowLogs(Message):
    """Open the Logs area on one connector's timeline."""

    connector: str


@dataclass
class StatusNote(Message):
    """A short note for the status bar (what just happened, in the background). A failure
    carries its reason in `detail` and stays, readable again, until the next success."""

    text: str
    failed: bool = False
    detail: str = ""
    pending: bool = False  # an action under way: neither a success nor a failure yet
