"""A failed action keeps its reason where it can be read again (issue 15, item 2)."""

from __future__ import annotations

from pathlib import Path

from tests.tui.conftest import SIZE, make_app, ready, wait_for
from tui import messages
from tui.components.common.modals import MessageScreen
from tui.components.common.status_bar import StatusBar
from tui.components.connectors.pane import ConnectorsPane
from tui.components.editor.pane import EditorPane

BROKEN = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: broken
  type: http-source
  topic: t
http:
  interval: 10s
"""


async def test_a_failed_start_shows_why_until_the_next_success(tmp_path: Path) -> None:
    config = tmp_path / "broken.yaml"
    config.write_text(BROKEN)
    app = make_app(start_area="connectors")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        # the run dialog would list this config's problems; a start from elsewhere (the
        # palette, a test) fails in the background, which is what this is about
        app.query_one(ConnectorsPane).start_config(config, "managed")
        bar = app.query_one(StatusBar)
        await wait_for(pilot, lambda: bar.failed)

        toast = next(n for n in app._notifications if n.severity == "error")
        assert toast.title == "Start (managed) failed"
        assert "endpoint" in toast.message and "hint:" in toast.message  # error and hint
        assert bar.note.startswith("✗ Start (managed) failed: ") and "endpoint" in bar.note
        assert bar.query_one("#status-note").has_class("-failed")

        # readable again after the toast is gone: a click on the note shows all of it
        app.clear_notifications()
        await pilot.click("#status-note")
        await wait_for(pilot, lambda: isinstance(app.screen, MessageScreen))
        assert "hint:" in str(app.screen.query_one("#message-text").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, MessageScreen))

        # the same failure in any area, until an action succeeds: then it is gone
        await pilot.press("f3")
        assert bar.failed
        app.post_message(messages.StatusNote("Stop…", pending=True))  # under way: not yet
        await wait_for(pilot, lambda: bar.note == "Stop…")
        assert app.last_failure is not None
        editor = app.query_one(EditorPane)
        editor.save_to(tmp_path / "saved.yaml")
        await wait_for(pilot, lambda: bar.note == "saved saved.yaml")
        assert app.last_failure is None and not bar.failed
        assert not bar.query_one("#status-note").has_class("-failed")
