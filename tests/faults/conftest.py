"""Fault tests run weir as a user would, against real files, disks and processes; the
cluster fixtures (quick restart policy, a teardown that always stops the daemon) are the
launch tests' own. The security tests add a second local user and an open WEIR_HOME."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.stranger import PYTHONS, Stranger, runnable_python
from tests.launch.conftest import cluster, quick_supervision, stop_daemons  # noqa: F401


@pytest.fixture
def stranger() -> Iterator[Stranger]:
    if os.geteuid() != 0:
        pytest.skip("creating a second user needs root")
    for tool in ("useradd", "userdel", "runuser"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    name = f"weirx{secrets.token_hex(4)}"
    subprocess.run(["useradd", "--no-create-home", "--user-group", "--shell", "/bin/sh",
                    name], check=True, capture_output=True)
    try:
        import pwd

        entry = pwd.getpwnam(name)
        python = runnable_python(name)
        if python is None:
            pytest.fail(f"none of {PYTHONS} can be run by a second user")
        yield Stranger(name, entry.pw_uid, entry.pw_gid, python)
    finally:
        if shutil.which("pkill"):
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        subprocess.run(["userdel", name], capture_output=True)


@pytest.fixture
def open_home(monkeypatch) -> Iterator[Path]:
    """A WEIR_HOME whose parent anyone may enter (pytest's own temporary directories are
    0700, which would keep a stranger out before Weir had any say)."""
    base = Path(tempfile.mkdtemp(prefix="weir-faults-", dir="/tmp"))
    base.chmod(0o755)
    home = base / "home"
    monkeypatch.setenv("WEIR_HOME", str(home))
    try:
        yield home
    finally:
        shutil.rmtree(base, ignore_errors=True)
