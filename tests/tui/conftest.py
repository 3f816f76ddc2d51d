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
    """Let the app run until `predicate()` holds (background work, screens, timers).
    The deadline is wall-clock time: a busy app makes each pause longer, not the wait."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.05)
    assert predicate(), f"the app did not reach the expected state within {timeout:.0f} s"


async def answer_prompt(pilot, value: str) -> None:
    """Type `value` into the open PromptScreen (or the run dialog's path) once its input
    has focus, submit it."""
    from tui.components.common.modals import PromptScreen
    from tui.components.connectors.run_dialog import RunConfigScreen

    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, (PromptScreen, RunConfigScreen))
                   and isinstance(app.focused, Input))
    prompt = app.screen
    prompt.query_one("#run-path" if isinstance(prompt, RunConfigScreen) else "Input",
                     Input).value = value
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen is not prompt)


async def ready(pilot) -> None:
    """The app has mounted and focused its first area: keys go where a user's would."""
    app = pilot.app
    await wait_for(pilot, lambda: app.focused is not None)
    await pilot.pause(0.1)


# The real Docker engine and the offline base image, shared with tests/docker.
from tests.docker.conftest import (  # noqa: E402, F401
    base_image,
    cleanup,
    docker_engine,
    fresh_base,
    shared_wheelhouse,
)
