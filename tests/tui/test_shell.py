"""The shell: areas by key, help of the focused pane, keymap, palette, status bar, quit."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.tui.conftest import SIZE, make_app, ready, wait_for
from tui.app import AREAS, create_app
from tui.components.common.help import HelpScreen
from tui.components.common.status_bar import StatusBar
from tui.settings import TuiSettings, load_settings


async def test_every_area_has_a_key_and_takes_focus() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        for area in AREAS:
            await pilot.press(area.key)
            pane = app.query_one(f"#{area.id}-pane")
            await wait_for(pilot, lambda a=area.id, p=pane: app.area == a and p.has_focus_within)
            assert app.query_one(StatusBar).area == area.title
        await pilot.press("f3")  # the editor takes printable keys: ] types, f-keys still work
        await pilot.press("right_square_bracket", "f2")
        await wait_for(pilot, lambda: app.area == "connectors")
        await pilot.press("right_square_bracket")  # outside a text field ] is next area
        await wait_for(pilot, lambda: app.area == "editor")


async def test_help_lists_the_focused_panes_bindings_first() -> None:
    app = make_app(start_area="topics")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("f5", "f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        screen = app.screen
        assert screen.title_text == "Help: Topics"
        ids = [row.binding_id for row in screen.rows]
        assert ids[:8] == ["topics.filter", "topics.pause", "topics.jump", "topics.beginning",
                           "topics.now", "topics.logs", "topics.charts", "topics.refresh"]
        assert "app.quit" in ids and "area.editor" in ids
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")  # ? works where it is not typed into a field
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_keymap_from_settings_file_remaps_bindings(weir_home: Path) -> None:
    (weir_home / "tui.yaml").write_text(yaml.safe_dump(
        {"keymap": {"area.logs": "f12", "app.help": "f10"}}))
    app = create_app(watch_cluster=False, persist_settings=False)
    assert app.settings.keymap == {"area.logs": "f12", "app.help": "f10"}
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("f12")
        await wait_for(pilot, lambda: app.area == "logs")
        await pilot.press("f6")  # the old key no longer switches
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = {row.binding_id: row.key for row in app.screen.rows}
        assert keys["area.logs"] == "f12"


def test_broken_settings_file_is_a_clear_error(weir_home: Path) -> None:
    from runtime.errors import EnvironmentProblem

    (weir_home / "tui.yaml").write_text("tail_max_lines: lots\n")
    try:
        load_settings()
    except EnvironmentProblem as exc:
        assert "tui.yaml" in exc.message and "tail_max_lines" in exc.message
    else:
        raise AssertionError("expected EnvironmentProblem")


async def test_command_palette_holds_every_pane_action() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = {cmd.title for cmd in app.get_system_commands(app.screen)}
        for area in AREAS:
            assert f"Go to {area.title}" in titles
        for expected in ("Editor: Save", "Editor: Convert", "Connectors: Stop",
                         "Connectors: Delete", "Connectors: Cancel start", "Topics: Filter",
                         "Topics: Jump to offset", "SmartModules: Build", "SmartModules: Run",
                         "Logs: Events only"):
            assert expected in titles, expected
        command = next(c for c in app.get_system_commands(app.screen)
                       if c.title == "Go to Topics")
        command.callback()
        await wait_for(pilot, lambda: app.area == "topics")


async def test_status_bar_shows_profile_and_cluster_state() -> None:
    app = make_app(watch_cluster=True)
    async with app.run_test(size=SIZE) as pilot:
        bar = app.query_one(StatusBar)
        await wait_for(pilot, lambda: bar.cluster != "unknown")
        assert bar.profile == "local (embedded)"
        assert bar.cluster == "stopped"


async def test_ctrl_q_quits() -> None:
    app = make_app(start_area="editor")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


def test_settings_remember_recent_files(tmp_path: Path) -> None:
    settings = TuiSettings()
    for i in range(15):
        settings.remember(tmp_path / f"{i}.yaml")
    settings.remember(tmp_path / "3.yaml")
    assert settings.recent_files[0] == str((tmp_path / "3.yaml").resolve())
    assert len(settings.recent_files) == 10


async def test_path_prompts_complete_file_names(tmp_path: Path) -> None:
    from tui.components.common.path_suggester import PathSuggester

    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "cat-facts.yaml").write_text("")
    (tmp_path / ".hidden").write_text("")
    suggester = PathSuggester()
    assert await suggester.get_suggestion(f"{tmp_path}/con") == f"{tmp_path}/configs/"
    assert (await suggester.get_suggestion(f"{tmp_path}/configs/c")
            == f"{tmp_path}/configs/cat-facts.yaml")
    assert await suggester.get_suggestion(f"{tmp_path}/.h") is None
    assert await suggester.get_suggestion(f"{tmp_path}/nothing/x") is None


def test_weir_with_a_broken_settings_file_says_which_and_exits_2(weir_home: Path) -> None:
    from tests.conftest import run_weir

    (weir_home / "tui.yaml").write_text("keymap: [not, a, mapping]\n")
    result = run_weir()
    assert result.returncode == 2
    assert "tui.yaml" in result.stderr and "keymap" in result.stderr
    assert "Traceback" not in result.stderr


async def test_remapped_keys_show_everywhere_and_mistakes_are_reported(weir_home: Path) -> None:
    from textual.widgets import Tab
    from textual.widgets._footer import FooterKey

    (weir_home / "tui.yaml").write_text(yaml.safe_dump({"keymap": {
        "area.logs": "f12", "connectors.launch": "e", "area.lgs": "f7",
        "connectors.new": "ctrll+n", "app.help": "F10,f11"}}))
    app = create_app(watch_cluster=False, persist_settings=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        tabs = {str(t.id).removeprefix("--content-tab-"): str(t.label) for t in app.query(Tab)}
        assert tabs["logs"] == "Logs F12" and tabs["topics"] == "Topics F5"
        # The footer is recomposed after focus settles, which a busy machine delays.
        await wait_for(pilot, lambda: {k.description: k.key_display for k in
                                       app.query(FooterKey)}.get("Run a config") == "e")
        await wait_for(pilot, lambda: any(n.severity == "warning" for n in app._notifications))
        warning = next(n for n in app._notifications if n.severity == "warning")
        assert str(weir_home / "tui.yaml") in warning.title
        assert "`area.lgs`; did you mean `area.logs`?" in warning.message
        assert "connectors.new: `ctrll` is not a modifier" in warning.message
        assert "app.help: `F10`: key names are lower case, `f10`" in warning.message
        assert "e runs a config file" in str(app.query_one("#connector-detail").render())
        await pilot.press("f11")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        foot = str(app.screen.query_one("#help-foot").render())
        assert f"Remap any binding in {weir_home / 'tui.yaml'}" in foot
