"""TUI test helpers: the app from the CLI's factory, stable looks for snapshots."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Input, TextArea

from tui.app import WeirApp, create_app
from tui.settings import TuiSettings

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def no_blink(monkeypatch):
    """Cursors that blink make snapshots flaky; the clock in UTC keeps times stable."""
    for cls in (TextArea, Input):
        original = cls.__init__

        def init(self, *args, _original=original, **kwargs):
            _original(self, *args, **kwargs)
            self.cursor_blink = False

        monkeypatch.setattr(cls, "__init__", init)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    time.tzset()


def make_app(**kwargs) -> WeirApp:
    """What `weir` runs, minus the cluster poll and settings writes unless asked."""
    kwargs.setdefault("settings", TuiSettings())
    kwargs.setdefault("watch_cluster", False)
    kwargs.setdefault("persist_settings", False)
    return create_app(**kwargs)


async def wait_for(pilot, predicate, timeout: float = 20.0) -> None:
    """Let the app run until `predicate()` holds (background work, screens, timers)."""
    steps = int(timeout / 0.05)
    for _ in range(steps):
        if predicate():
            return
        await pilot.pause(0.05)
    assert predicate(), "the app did not reach the expected state in time"
