"""Fixtures for the local cluster: quick restart policy, and a teardown that always stops
the daemon (and any connector process it left) even when a test fails."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest

from runtime.launch.processes import pid_alive, terminate
from runtime.launch.records import load_all
from runtime.launch.state import read_state
from tests.conftest import run_weir


@pytest.fixture(autouse=True)
def quick_supervision(monkeypatch) -> None:
    monkeypatch.setenv("WEIR_RESTART_BACKOFF", "100ms")
    monkeypatch.setenv("WEIR_RESTART_MAX_BACKOFF", "1s")
    monkeypatch.setenv("WEIR_RESTART_FAST_RUN", "4s")
    monkeypatch.setenv("WEIR_RESTART_MAX_FAST", "3")
    monkeypatch.setenv("WEIR_STOP_TIMEOUT", "8s")


def force_stop(home: Path) -> None:
    """Stop the daemon the way a user would; if that fails, kill it and its connectors."""
    state = read_state(home)
    if state is not None:
        with contextlib.suppress(Exception):
            run_weir("cluster", "stop", timeout=60)
        if pid_alive(state.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(state.pid, signal.SIGKILL)
    for record in load_all(home):
        if record.pid and pid_alive(record.pid):
            terminate(record.pid, 2.0)
    root = home / "connectors"
    for info in root.glob("*/process.json") if root.is_dir() else []:
        with contextlib.suppress(Exception):
            pid = json.loads(info.read_text()).get("pid")
            if pid_alive(pid):
                terminate(pid, 2.0)


@pytest.fixture(autouse=True)
def stop_daemons(weir_home: Path):
    yield
    force_stop(weir_home)


@pytest.fixture
def cluster(weir_home: Path) -> Path:
    result = run_weir("cluster", "start")
    assert result.returncode == 0, result.stderr
    return weir_home


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, message: str = ""):
    """Poll until `predicate()` is truthy; return its value or fail with `message`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s: {message} (last: {last!r})")
