"""Start, stop and inspect the local cluster daemon (for `weir cluster ...`, `connector
create` and the TUI). The daemon runs detached, in its own session: it survives the
command that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.errors import EnvironmentProblem, WeirError
from runtime.home import weir_home
from runtime.launch.layout import daemon_log
from runtime.launch.processes import pid_alive
from runtime.launch.state import DAEMON_MODULE, DaemonState, read_state
from runtime.private_files import open_private_append

START_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class StartResult:
    state: DaemonState
    started: bool  # False when it was already running


def _log_tail(path: Path, lines: int = 8) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def start_cluster(home: Path | None = None, *, timeout_s: float = START_TIMEOUT_S,
                  daemon_args: list[str] | None = None) -> StartResult:
    """Start the daemon unless one already answers; wait until it serves requests.
    `daemon_args` (e.g. `--fluvio-sc HOST:PORT`, `--no-fluvio`) configure a new daemon."""
    from runtime.launch.client import ClusterClient

    home = home or weir_home()
    state = read_state(home)
    if state is not None:
        with ClusterClient.connect(home, timeout=5.0) as client:
            client.health()
        return StartResult(state, started=False)

    from runtime.launch.policy import RestartPolicy

    RestartPolicy.from_env()  # a bad override fails here, clearly, not in the daemon's log
    log = daemon_log(home)
    env = dict(os.environ)
    env["WEIR_HOME"] = str(home)
    env.pop("WEIR_PROFILE", None)  # each connector pins its own profile
    env.setdefault("PYTHONUNBUFFERED", "1")
    with open_private_append(log) as out:
        out.write(f"--- starting {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        out.flush()
        proc = subprocess.Popen(
            [sys.executable, "-m", DAEMON_MODULE, *(daemon_args or [])],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=str(home),
            env=env, start_new_session=True,
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        code = proc.poll()
        if code == 2 and _lock_held(home) and _another_daemon_starting(home, deadline):
            # Another command started one at the same moment: ours gave way to it.
            state = read_state(home)
            if state is not None:
                return StartResult(state, started=False)
        if code is not None:
            tail = _log_tail(log)
            raise EnvironmentProblem(
                f"the cluster daemon exited at start (code {code})"
                + (f":\n{tail}" if tail else ""),
                hint=f"its log is {log}",
            )
        state = read_state(home)
        if state is not None and state.pid == proc.pid:
            try:
                with ClusterClient.connect(home, timeout=5.0) as client:
                    client.health()
                return StartResult(state, started=True)
            except WeirError:
                pass
        time.sleep(0.1)
    proc.terminate()
    raise EnvironmentProblem(
        f"the cluster daemon did not answer within {timeout_s:g}s", hint=f"see {log}"
    )


def _lock_held(home: Path) -> bool:
    """Does a daemon hold the home's lock (so ours gave way to it, rather than failed)?"""
    import fcntl

    from runtime.launch.layout import lock_file

    try:
        with open_private_append(lock_file(home)) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(lock, fcntl.LOCK_UN)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def _another_daemon_starting(home: Path, deadline: float) -> bool:
    """Wait for the daemon that holds the lock to publish its state and answer."""
    from runtime.launch.client import ClusterClient

    while time.monotonic() < deadline:
        if read_state(home) is not None:
            try:
                with ClusterClient.connect(home, timeout=5.0) as client:
                    client.health()
                return True
            except WeirError:
                pass
        time.sleep(0.1)
    return False


def stop_cluster(home: Path | None = None, *, timeout_s: float = 60.0) -> list[str] | None:
    """Stop the daemon gracefully (its connectors stop and will come back at the next
    start). Returns the connectors that were running, or None if no daemon ran."""
    home = home or weir_home()
    state = read_state(home)
    if state is None:
        return None
    from runtime.launch.client import ClusterClient

    stopping: list[str] = []
    try:
        with ClusterClient.connect(home, timeout=10.0) as client:
            stopping = client.shutdown().get("stopping", [])
    except WeirError:
        # The API does not answer (wedged daemon): the same graceful path via SIGTERM.
        try:
            os.kill(state.pid, signal.SIGTERM)
        except ProcessLookupError:
            return stopping
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not pid_alive(state.pid):
            return stopping
        time.sleep(0.1)
    raise EnvironmentProblem(
        f"the cluster daemon (pid {state.pid}) did not stop within {timeout_s:g}s",
        hint=f"see {daemon_log(home)}; `kill {state.pid}` stops it",
    )


def cluster_status(home: Path | None = None) -> dict[str, Any]:
    """What `weir cluster status` prints: running or not, where, and connector counts."""
    home = home or weir_home()
    state = read_state(home)
    if state is None:
        return {"running": False, "home": str(home)}
    from runtime.launch.client import ClusterClient

    status: dict[str, Any] = {
        "running": True, "home": str(home), "pid": state.pid, "port": state.port,
        "url": state.url, "version": state.version,
        "uptime_s": round(time.time() - state.started_at, 1),
        "fluvio": ({"sc": state.fluvio.get("sc"), "spu": state.fluvio.get("spu")}
                   if state.fluvio else None),
    }
    try:
        with ClusterClient.connect(home, timeout=5.0) as client:
            connectors = client.list_connectors()
    except WeirError as exc:
        status["reachable"] = False
        status["error"] = exc.message
        return status
    status["reachable"] = True
    counts: dict[str, int] = {}
    for view in connectors:
        counts[view["status"]] = counts.get(view["status"], 0) + 1
    status["connectors"] = counts
    return status
