"""The running daemon's state file and token: how a client finds and proves itself to it.
No HTTP here, so status checks and `connector list` stay cheap when no cluster runs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from runtime.launch.layout import state_file, token_file
from runtime.launch.processes import cmdline, pid_alive

DAEMON_MODULE = "runtime.launch.daemon"


@dataclass(frozen=True, slots=True)
class DaemonState:
    pid: int
    port: int
    started_at: float
    version: str
    # the Fluvio endpoint: {"sc": "HOST:PORT", "spu": "HOST:PORT", "profile", "store"}
    fluvio: dict | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def read_state(home: Path | None = None) -> DaemonState | None:
    """The daemon's state if its process is alive; a stale file (a daemon killed hard) is
    removed so the next start begins clean."""
    path = state_file(home)
    try:
        data = json.loads(path.read_text())
        state = DaemonState(pid=int(data["pid"]), port=int(data["port"]),
                            started_at=float(data["started_at"]),
                            version=str(data.get("version", "")),
                            fluvio=data.get("fluvio") if isinstance(data.get("fluvio"), dict)
                            else None)
    except (OSError, ValueError, KeyError, TypeError, RecursionError):  # damaged: no daemon
        return None
    if not pid_alive(state.pid) or not _is_daemon(state.pid):
        path.unlink(missing_ok=True)
        return None
    return state


def _is_daemon(pid: int) -> bool:
    args = cmdline(pid)
    return not args or DAEMON_MODULE in args  # no /proc: trust the pid


def read_token(home: Path | None = None) -> str | None:
    try:
        return token_file(home).read_text().strip() or None
    except OSError:
        return None
