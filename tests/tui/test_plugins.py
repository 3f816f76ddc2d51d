"""Connector plugins in the workbench: `n` lists their types with a template, the editor
checks their configs by their model, a broken plugin is one notice."""

from __future__ import annotations

import sys

import pytest

from tests.connectors import plugin_dist
from tests.tui.conftest import SIZE, make_app, ready, wait_for
from tui.components.common.modals import ChoiceScreen
from tui.components.connectors.pane import ConnectorsPane
from tui.components.editor.diagnostics import DiagnosticsList
from tui.components.editor.pane import EditorPane


@pytest.fixture
def plugins(tmp_path, monkeypatch):
    from runtime.connectors import registry

    monkeypatch.syspath_prepend(str(plugin_dist.standard(tmp_path)))
    registry.reload()
    yield
    monkeypatch.undo()
    for name in ("acme_counter", "acme_collect"):
        sys.modules.pop(name, None)
    registry.reload()


async def test_n_lists_plugin_types_and_their_template_is_valid(plugins) -> None:
    app = make_app(start_area="connectors")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: any("broken-source" in (n.message or "")
                                          for n in app._notifications))
        app.query_one(ConnectorsPane).action_new()
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        labels = dict(app.screen.choices)
        assert "[acme-connectors]" in labels["counter-source"]
        assert "count up" in labels["counter-source"]
        assert "generator-source" in labels and "broken-source" not in labels
        app.screen.dismiss("counter-source")
        editor = app.query_one(EditorPane)
        await wait_for(pilot, lambda: "type: counter-source" in editor.text)
        await wait_for(pilot, lambda: editor.report_valid is True)
        assert 'counter:\n  prefix: "n"' in editor.text
        editor.load_text(editor.text.replace("counter:", "counter:\n  strat: 1"), None)
        problems = app.query_one(DiagnosticsList)
        await wait_for(pilot, lambda: any("did you mean `start`" in (p.hint or "")
                                          for p in problems.problems))


def test_completion_offers_a_plugin_section_s_keys(plugins) -> None:
    from tui.components.editor.completion import suggest

    lines = ["apiVersion: 0.1.0", "meta:", "  type: counter-source", "counter:", "  pre"]
    assert suggest(lines, 4, 5) == "fix: "
    lines[-1] = "  ev"
    assert suggest(lines, 4, 4) == "ery: "
