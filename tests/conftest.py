"""Shared fixtures: every test runs with its own temporary WEIR_HOME."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

# A runner that starts the suite in the background of a non-interactive shell hands it
# SIGINT ignored, and every child inherits that: the tests that stop a command the way
# Ctrl-C does (SIGINT) would wait for it forever. Take SIGINT back, so children start
# with the default and weir installs its own handling.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def weir_home(tmp_path_factory, monkeypatch) -> Path:
    home = tmp_path_factory.mktemp("weir-home")
    monkeypatch.setenv("WEIR_HOME", str(home))
    monkeypatch.delenv("WEIR_PROFILE", raising=False)
    return home


def run_weir(*args: str, input: str | bytes | None = None, timeout: float = 60,
             env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the `weir` command as a user would, in a subprocess."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    text = not isinstance(input, bytes)
    return subprocess.run(
        [sys.executable, "-m", "tui.cli.main", *args],
        input=input, capture_output=True, text=text, timeout=timeout, env=full_env,
        cwd=cwd or REPO,
    )
