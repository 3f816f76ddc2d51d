"""Editor: open a broken config, see its problems, jump to them, fix, save."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.tui.conftest import SIZE, answer_prompt, make_app, ready, wait_for
from tui.components.common.modals import ChoiceScreen
from tui.components.editor.code_editor import CodeEditor
from tui.components.editor.diagnostics import DiagnosticsList
from tui.components.editor.pane import EditorPane

BROKEN = """\
apiVersion: 0.1.0
meta:
  version: 0.3.8
  name: cat-facts
  type: http-source
  topic: cat-facts
http:
  endpoint: https://catfact.ninja/fact
  interval: 10 parsecs
  methd: GET
"""


async def _settle(pilot, editor: EditorPane) -> None:
    """Wait until the validation started so far (debounce included) has reported."""
    await pilot.pause(0.05)
    await wait_for(pilot, lambda: editor._timer is None and not any(
        w.is_running for w in pilot.app.workers if w.group == "validate"))
    await pilot.pause()


async def test_open_broken_config_and_jump_to_its_error(tmp_path: Path) -> None:
    path = tmp_path / "cat-facts.yaml"
    path.write_text(BROKEN)
    app = make_app(start_area="editor")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+o")
        await answer_prompt(pilot, str(path))
        editor = app.query_one(EditorPane)
        await _settle(pilot, editor)
        assert editor.path == path
        problems = app.query_one(DiagnosticsList).problems
        assert [(p.severity, p.code, p.line, p.column) for p in problems] == [
            ("error", "invalid-duration", 9, 13), ("warning", "unknown-key", 10, 3)]
        code = app.query_one(CodeEditor)
        assert code.marks == {8: "error", 9: "warning"}
        assert "1 error" in str(app.query_one("#editor-state").render())

        await pilot.press("f9")  # to the problems list
        assert app.focused is app.query_one(DiagnosticsList)
        await pilot.press("down")  # the warning: its hint shows
        await pilot.pause()
        assert "did you mean `method`?" in str(app.query_one("#problem-hint").render())
        await pilot.press("up", "enter")  # back to the error, and jump to it
        assert app.focused is code
        assert code.cursor_location == (8, 12)


async def test_click_on_a_problem_jumps_and_f8_cycles(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(BROKEN)
    app = make_app(start_area="editor", open_file=path)
    async with app.run_test(size=SIZE) as pilot:
        editor = app.query_one(EditorPane)
        await _settle(pilot, editor)
        # The error's long message wraps to two rows: the warning is on the third.
        await pilot.click(DiagnosticsList, offset=(10, 2))
        await pilot.pause()
        code = app.query_one(CodeEditor)
        assert code.cursor_location == (9, 2)
        await pilot.press("f8")  # next problem after the cursor wraps to the first
        assert code.cursor_location == (8, 12)


async def test_fixing_the_text_revalidates_and_save_writes(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(BROKEN)
    app = make_app(start_area="editor", open_file=path)
    async with app.run_test(size=SIZE) as pilot:
        editor = app.query_one(EditorPane)
        await _settle(pilot, editor)
        code = app.query_one(CodeEditor)
        fixed = BROKEN.replace("10 parsecs", "10s").replace("methd", "method")
        code.load_text(fixed)
        code.focus()
        await pilot.press("end")  # a keystroke: the debounce fires after it
        await pilot.pause(0.5)
        await _settle(pilot, editor)
        assert app.query_one(DiagnosticsList).problems == []
        assert code.marks == {}
        assert editor.modified
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert path.read_text() == fixed
        assert not editor.modified


async def test_saving_keeps_a_private_file_private(tmp_path: Path) -> None:
    """A config kept 0600 (secrets inline) is still 0600 after a save replaces it."""
    path = tmp_path / "c.yaml"
    path.write_text(BROKEN)
    path.chmod(0o600)
    app = make_app(start_area="editor", open_file=path)
    async with app.run_test(size=SIZE) as pilot:
        editor = app.query_one(EditorPane)
        await _settle(pilot, editor)
        code = app.query_one(CodeEditor)
        code.load_text(BROKEN.replace("10 parsecs", "10s"))
        code.focus()
        await pilot.press("end")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "10s" in path.read_text()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]  # no temporary left


async def test_secrets_file_makes_missing_secret_values_errors(tmp_path: Path) -> None:
    config = tmp_path / "s.yaml"
    config.write_text("""\
apiVersion: 0.1.0
meta:
  version: 0.3.8
  name: cat-facts
  type: http-source
  topic: cat-facts
  secrets:
    - name: TOKEN
http:
  endpoint: https://catfact.ninja/fact
  headers:
    - "Authorization: ${{ secrets.TOKEN }}"
""")
    secrets = tmp_path / "secrets.txt"
    secrets.write_text("OTHER=1\n")
    app = make_app(start_area="editor", open_file=config)
    async with app.run_test(size=SIZE) as pilot:
        editor = app.query_one(EditorPane)
        await _settle(pilot, editor)
        assert not [p for p in app.query_one(DiagnosticsList).problems
                    if p.severity == "error"]
        await pilot.press("ctrl+t")
        await answer_prompt(pilot, str(secrets))
        await _settle(pilot, editor)
        codes = [p.code for p in app.query_one(DiagnosticsList).problems]
        assert "secret-not-found" in codes
        assert "secrets:" in str(app.query_one("#editor-secrets").render())


async def test_unreadable_file_is_a_notification_not_a_crash(tmp_path: Path) -> None:
    app = make_app(start_area="editor")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+o")
        await answer_prompt(pilot, str(tmp_path / "missing.yaml"))
        await wait_for(pilot, lambda: any("cannot open" in n.message
                                          for n in app._notifications))
        assert app.query_one(EditorPane).path is None


LEGACY = """\
# cat facts, the old way
version: 0.3.8
name: cat-facts
type: http
topic: cat-facts
parameters:
  endpoint: https://catfact.ninja/fact
  interval: 10s
secrets:
  TOKEN: abc123
"""


async def test_convert_legacy_keeps_comments_and_moves_secrets(tmp_path: Path) -> None:
    path = tmp_path / "legacy.yaml"
    path.write_text(LEGACY)
    app = make_app(start_area="editor", open_file=path)
    async with app.run_test(size=SIZE) as pilot:
        editor = app.query_one(EditorPane)
        await _settle(pilot, editor)
        await pilot.press("ctrl+l")
        await _settle(pilot, editor)
        assert editor.text.startswith("# cat facts, the old way\napiVersion: 0.1.0\n")
        assert "abc123" not in editor.text
        assert editor.modified and path.read_text() == LEGACY  # converted, not yet saved
        secrets = tmp_path / "legacy.secrets"
        assert secrets.read_text() == "TOKEN=abc123\n"
        assert oct(secrets.stat().st_mode & 0o777) == "0o600"
        assert editor.secrets_file == secrets
        assert editor.report_valid is True


async def test_new_from_template_is_valid(tmp_path: Path) -> None:
    app = make_app(start_area="editor")
    async with app.run_test(size=SIZE) as pilot:
        editor = app.query_one(EditorPane)
        await ready(pilot)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        app.screen.dismiss("generator-source")
        await wait_for(pilot, lambda: "generator" in editor.text)
        await wait_for(pilot, lambda: editor.report_valid is True)
        assert editor.path is None
        await pilot.press("ctrl+s")
        await answer_prompt(pilot, str(tmp_path / "gen.yaml"))
        await wait_for(pilot, lambda: (tmp_path / "gen.yaml").exists())
        assert editor.path == tmp_path / "gen.yaml"


async def test_key_completion_from_the_schema() -> None:
    app = make_app(start_area="editor")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        code = app.query_one(CodeEditor)
        code.load_text("apiVersion: 0.1.0\nmeta:\n  version: 0.1.0\n")
        code.cursor_location = (3, 0)
        await pilot.press("space", "space", "n", "a")
        await wait_for(pilot, lambda: code.suggestion == "me: ")
        await pilot.press("right")  # accept it
        assert code.document.lines[3] == "  name: "
        await pilot.press("enter")
        await pilot.press(*"ver")  # `version` is already there: nothing to offer
        await pilot.pause()
        assert code.suggestion == ""


def test_completion_follows_indentation_into_sections_and_list_items() -> None:
    from tui.components.editor.completion import suggest

    lines = ["apiVersion: 0.1.0", "meta:", "  type: http-source", "http:", "  endpoint: x",
             "  inter", "transforms:", "  - uses: m", "    wi", "  - us"]
    assert suggest(lines, 5, 7) == "val: "
    assert suggest(lines, 8, 6) == "th: "
    assert suggest(lines, 9, 6) == "es: "
    assert suggest(lines, 5, 3) == ""  # the cursor is not at the end of the key


def test_completion_knows_the_official_connectors_weir_only_checks() -> None:
    from tui.components.editor.completion import suggest

    lines = ["apiVersion: 0.1.0", "meta:", "  type: graphite-sink", "graphite:", "  metr"]
    assert suggest(lines, 4, 6) == "ic-path: "
    lines = ["apiVersion: 0.1.0", "meta:", "  type: kafka-sink", "kafka:", "  secu"]
    assert suggest(lines, 4, 6) == "rity: "
