"""The command line's own contract: version, help, exit codes, no heavy imports."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import run_weir


def test_version_prints_and_exits_zero():
    result = run_weir("--version")
    assert result.returncode == 0
    assert "weir" in result.stdout and "0.1.0" in result.stdout


def test_help_lists_commands():
    result = run_weir("--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout


def test_unknown_command_is_usage_error():
    result = run_weir("no-such-command")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_help_imports_nothing_heavy():
    code = (
        "import sys; sys.argv=['weir','--help'];\n"
        "from tui.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit: pass\n"
        "heavy=[m for m in ('textual','wasmtime','docker','fastapi','uvicorn','httpx') "
        "if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "HEAVY []" in result.stderr, result.stderr


def test_a_reader_that_left_is_not_an_error():
    """`weir ... | head`: stdout's reader is gone before weir writes; exit 0, quietly."""
    import os

    from tests.conftest import REPO

    for args in (["profile", "list"], ["config", "schema"], ["topic", "list", "-O", "json"]):
        read, write = os.pipe()
        os.close(read)
        try:
            result = subprocess.run([sys.executable, "-m", "tui.cli.main", *args], stdout=write,
                                    stderr=subprocess.PIPE, text=True, cwd=REPO, timeout=60)
        finally:
            os.close(write)
        assert (result.returncode, result.stderr) == (0, ""), args


def test_json_flag_works_wherever_dash_o_json_does():
    for args in (["topic", "list"], ["profile", "list"], ["connector", "list"]):
        flag, option = run_weir(*args, "--json"), run_weir(*args, "-O", "json")
        assert (flag.returncode, flag.stdout) == (0, option.stdout), args
    assert run_weir("profile", "list", "--json", "-O", "table").stdout.startswith(" ")


def test_workbench_without_a_terminal_says_so():
    """`weir > file` or `weir | less` must not write escape codes and wait forever."""
    result = run_weir(input="", timeout=30)
    assert result.returncode == 2 and result.stdout == ""
    assert "needs a terminal" in result.stderr and "weir --help" in result.stderr


def _to_closed_pipe(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    """Run weir with stdout going to a pipe nobody reads any more (`| head -0`)."""
    import os

    from tests.conftest import REPO

    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "tui.cli.main", *args], stdout=write,
                              stderr=subprocess.PIPE, input=input, text=True, cwd=REPO,
                              timeout=60)
    finally:
        os.close(write)


def test_a_reader_that_left_keeps_the_commands_own_exit_code(tmp_path):
    """EPIPE is not reported, but a failed validation still exits 1 and a good one 0."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: 0.1.0\nmeta:\n  name: x\n")
    good = tmp_path / "good.yaml"
    good.write_text(run_weir("config", "new", "generator-source").stdout)
    for args, code in (
        (["validate", str(bad)], 1),
        (["validate", "--json", str(bad)], 1),
        (["validate", str(good)], 0),
        (["validate", str(tmp_path / "missing.yaml")], 2),
    ):
        result = _to_closed_pipe(*args)
        assert (result.returncode, result.stderr) == (code, ""), args


def test_a_reader_that_left_does_not_hide_a_smartmodule_error():
    from tests.conftest import REPO

    wasm = str(REPO / "examples/smartmodules/prebuilt/parse_int.wasm")
    result = _to_closed_pipe("smartmodule", "test", "--wasm-file", wasm, input="1\n2\nx\n4\n")
    assert result.returncode == 1
    assert "offset 2" in result.stderr and "BrokenPipe" not in result.stderr
    assert run_weir("topic", "create", "nums").returncode == 0
    assert run_weir("produce", "nums", input="1\n2\nx\n4\n").returncode == 0
    consumed = _to_closed_pipe("consume", "nums", "-B", "-d", "--smartmodule-path", wasm)
    assert consumed.returncode == 1
    assert "offset 2" in consumed.stderr and "BrokenPipe" not in consumed.stderr
    fine = _to_closed_pipe("consume", "nums", "-B", "-d")
    assert (fine.returncode, fine.stderr) == (0, "")
