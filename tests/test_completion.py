"""`weir completion bash|zsh|fish`: the scripts, and names completed from the live state,
through a real bash sourcing the script as a user's shell would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, run_weir

PREBUILT = REPO / "examples" / "smartmodules" / "prebuilt"
BIN = Path(sys.executable).parent


def ok(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    result = run_weir(*args, input=input)
    assert result.returncode == 0, (args, result.stderr)
    return result


def complete(words: str) -> list[str]:
    """What bash offers after `words` (a trailing space: a new word), in a real bash that
    evaluated `weir completion bash`."""
    if shutil.which("bash") is None or not (BIN / "weir").exists():
        pytest.skip("needs bash and the installed `weir` script")
    parts = words.split(" ")
    script = (
        'eval "$(weir completion bash)"\n'
        f"COMP_WORDS=({' '.join(repr(p) for p in parts)}); COMP_CWORD={len(parts) - 1}\n"
        '_weir_completion weir\nprintf "%s\\n" "${COMPREPLY[@]}"\n')
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


def test_scripts_for_each_shell():
    for shell, marker in (("bash", "complete -o nosort -F _weir_completion weir"),
                          ("zsh", "#compdef weir"), ("fish", "complete --no-files --command weir")):
        script = ok("completion", shell).stdout
        assert "_WEIR_COMPLETE" in script and marker in script, shell
    bad = run_weir("completion", "tcsh")
    assert bad.returncode == 2 and "'tcsh' is not one of" in bad.stderr


def test_commands_and_names_from_the_live_state(tmp_path):
    assert complete("weir con") == ["config", "connector", "consume", "consumer"]
    ok("topic", "create", "events")
    ok("topic", "create", "errors")
    ok("topic", "create", "metrics")
    assert complete("weir consume e") == ["errors", "events"]
    assert complete("weir topic delete ") == ["errors", "events", "metrics"]
    ok("smartmodule", "create", "acme/contains@0.1.0", "--wasm-file",
       str(PREBUILT / "contains_filter.wasm"))
    assert complete("weir smartmodule describe acme") == ["acme/contains@0.1.0"]
    assert complete("weir consume events --smartmodule ") == ["acme/contains@0.1.0"]
    ok("profile", "add", "staging", "--data-dir", str(tmp_path / "staging"))
    assert complete("weir profile switch ") == ["local", "staging"]
    ok("produce", "events", input="a\n")
    ok("consume", "events", "-B", "-d", "-c", "auditor")
    assert complete("weir consumer delete a") == ["auditor"]
    folder = Path(os.environ["WEIR_HOME"]) / "connectors" / "cat-facts"
    folder.mkdir(parents=True)
    assert complete("weir connector stop c") == ["cat-facts"]
    assert complete("weir logs --connector ") == ["cat-facts"]
