"""`a` in Connectors: find a config without knowing its path, see every problem of an
invalid one and land in the Editor at it (issue 15, item 1)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DirectoryTree, Input, OptionList

from tests.tui.conftest import SIZE, make_app, ready, wait_for
from tui.components.common.modals import ChoiceScreen
from tui.components.connectors.run_dialog import RunConfigScreen
from tui.components.editor.pane import EditorPane
from tui.settings import TuiSettings

TWO_PROBLEMS = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: two-problems
  type: http-source
  topic: t
http:
  endpoint: https://example.com/
  interval: soon
  method: FETCH
"""


async def _open_dialog(pilot) -> RunConfigScreen:
    await ready(pilot)
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunConfigScreen)
                   and isinstance(pilot.app.focused, Input))
    return pilot.app.screen


async def test_every_problem_is_listed_and_opens_the_editor_at_its_line(tmp_path: Path):
    config = tmp_path / "two.yaml"
    config.write_text(TWO_PROBLEMS)
    app = make_app(start_area="connectors")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_dialog(pilot)
        dialog.query_one("#run-path", Input).value = str(config)
        await pilot.press("enter")
        problems = dialog.query_one("#run-problems")
        await wait_for(pilot, lambda: len(problems.problems) >= 2)
        lines = sorted(p.line for p in problems.problems if p.severity == "error")
        assert lines == [9, 10]  # interval and method, both, each at its line
        assert app.screen is dialog  # nothing ran
        await pilot.press("down", "enter")  # the second one
        editor = app.query_one(EditorPane)
        await wait_for(pilot, lambda: app.area == "editor" and editor.path == config)
        await wait_for(pilot, lambda: editor.editor.cursor_location[0] == 9)  # line 10


async def test_examples_recent_and_files_are_one_key_away(tmp_path: Path, weir_home: Path):
    recent = tmp_path / "recent.yaml"
    recent.write_text(TWO_PROBLEMS)
    secrets = tmp_path / "s.env"
    secrets.write_text("API_KEY=x\n")
    app = make_app(start_area="connectors",
                   settings=TuiSettings(recent_files=[str(recent)], secrets_file=str(secrets)))
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_dialog(pilot)
        # the Editor's secrets file is prefilled, and the dialog says where it came from
        assert dialog.query_one("#run-secrets", Input).value == str(secrets)
        assert "the Editor's" in str(dialog.query_one("#run-secrets-note").render())

        await pilot.press("ctrl+r")
        listing = dialog.query_one("#run-recent-list", OptionList)
        await wait_for(pilot, lambda: app.focused is listing)
        assert listing.get_option_at_index(0).id == str(recent)

        await pilot.press("ctrl+o")
        tree = dialog.query_one("#run-tree", DirectoryTree)
        await wait_for(pilot, lambda: app.focused is tree)
        assert Path(tree.path) == Path.cwd()

        await pilot.press("ctrl+e")
        examples = dialog.query_one("#run-examples-list", OptionList)
        await wait_for(pilot, lambda: app.focused is examples)
        names = [examples.get_option_at_index(i).prompt
                 for i in range(examples.option_count)]
        assert "demo.yaml" in names
        examples.highlighted = names.index("demo.yaml")
        dialog.query_one("#run-secrets", Input).value = ""
        await pilot.press("enter")  # valid: on to how to run it
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        assert "demo.yaml" in app.screen.title_text
        await pilot.press("escape")


async def test_the_path_completes_as_it_is_typed(tmp_path: Path):
    (tmp_path / "connector-one.yaml").write_text(TWO_PROBLEMS)
    app = make_app(start_area="connectors")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_dialog(pilot)
        box = dialog.query_one("#run-path", Input)
        box.value = ""
        await pilot.press(*f"{tmp_path}/conn")
        await wait_for(pilot, lambda: box._suggestion.endswith("connector-one.yaml"))
        await pilot.press("right")
        assert box.value == f"{tmp_path}/connector-one.yaml"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, RunConfigScreen))
