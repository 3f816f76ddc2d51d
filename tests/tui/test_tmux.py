"""The installed `weir` command in a real terminal (tmux): start, switch areas, quit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

WEIR = Path(sys.executable).parent / "weir"


def _tmux(socket: str, *args: str) -> str:
    out = subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True,
                         timeout=20)
    return out.stdout


def _screen(socket: str) -> str:
    return _tmux(socket, "capture-pane", "-p", "-t", "weir")


def _wait_for(socket: str, text: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(socket)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


@pytest.fixture
def tmux_socket():
    assert shutil.which("tmux"), "tmux is needed (Debian package tmux)"
    socket = f"weir-test-{uuid.uuid4().hex[:8]}"
    yield socket
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=20)


def test_weir_starts_switches_areas_and_quits(tmux_socket: str, weir_home: Path) -> None:
    assert WEIR.exists(), f"`weir` is not installed beside {sys.executable}"
    command = (f"env WEIR_HOME={weir_home} TERM=xterm-256color {WEIR}; "
               "echo WEIR-EXITED-$?; sleep 30")
    _tmux(tmux_socket, "new-session", "-d", "-s", "weir", "-x", "120", "-y", "36", command)
    screen = _wait_for(tmux_socket, "Connectors F2")
    for title in ("Editor F3", "SmartModules F4", "Topics F5", "Logs F6"):
        assert title in screen
    _wait_for(tmux_socket, "cluster: stopped")

    _tmux(tmux_socket, "send-keys", "-t", "weir", "F3")
    _wait_for(tmux_socket, "untitled.yaml")
    _tmux(tmux_socket, "send-keys", "-t", "weir", "-l", "apiVersion: 0.1.0")
    _wait_for(tmux_socket, "1  apiVersion: 0.1.0")
    _wait_for(tmux_socket, "error")  # validation ran on the half-written config

    _tmux(tmux_socket, "send-keys", "-t", "weir", "F6")
    _wait_for(tmux_socket, "All connectors: logs and events")
    _tmux(tmux_socket, "send-keys", "-t", "weir", "F1")
    _wait_for(tmux_socket, "Help: Logs")
    _tmux(tmux_socket, "send-keys", "-t", "weir", "Escape")

    _tmux(tmux_socket, "send-keys", "-t", "weir", "C-q")
    _wait_for(tmux_socket, "WEIR-EXITED-0")
    assert os.path.isdir(weir_home)
