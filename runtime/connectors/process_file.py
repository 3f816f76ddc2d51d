"""`$WEIR_HOME/connectors/<name>/process.json`: a connector running in a foreground
process, for `connector list|logs|stop|delete` to find while it lives."""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

from runtime.connectors.telemetry import connector_dir
from runtime.errors import WeirError
from runtime.launch.processes import pid_alive
from runtime.private_files import write_private_atomic


def process_path(name: str) -> Path:
    return connector_dir(name) / "process.json"


def running_pid(name: str) -> int | None:
    """The pid of a live foreground run of `name`, if any (stale files are ignored)."""
    try:
        info = json.loads(process_path(name).read_text())
        pid = int(info["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pid if pid != os.getpid() and pid_alive(pid) else None


@contextmanager
def process_file(name: str, config: str | None, profile: str | None = None,
                 secrets: str | None = None):
    """Write process.json for the duration of the run; refuse a second live run. (The
    secrets file's path, never its content, lets the workbench start it again.)"""
    pid = running_pid(name)
    if pid is not None:
        raise WeirError(
            f"connector `{name}` is already running in process {pid}",
            hint=f"stop it first (`weir connector stop {name}` or Ctrl-C in its terminal)",
        )
    path = process_path(name)
    body = {"pid": os.getpid(), "mode": "process", "config": config,
            "started_at": time.time(), "profile": profile}
    if secrets:
        body["secrets"] = secrets
    write_private_atomic(path, json.dumps(body))
    try:
        yield path
    finally:
        try:
            if json.loads(path.read_text()).get("pid") == os.getpid():
                path.unlink()
        except (OSError, ValueError):
            pass
