"""A real `weir cluster start` on free ports, in its own WEIR_HOME: the Fluvio endpoint
that tests of the `fluvio` profile backend and of connectors on a `fluvio` profile use."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from runtime.launch.processes import pid_alive
from runtime.launch.state import read_state
from tests.conftest import run_weir


@dataclass(frozen=True)
class RunningCluster:
    home: Path
    sc: str  # the Fluvio SC address, host:port
    spu: str
    env: dict  # WEIR_HOME and HOME of the cluster, for `run_weir(..., env=env)`


@contextlib.contextmanager
def running_cluster(home: Path, user_home: Path) -> Iterator[RunningCluster]:
    """Start the cluster, yield its addresses, stop it (killed if it will not stop)."""
    env = {"WEIR_HOME": str(home), "HOME": str(user_home), "WEIR_STORE_SYNC": "normal"}
    result = run_weir("cluster", "start", "--fluvio-sc", "127.0.0.1:0",
                      "--fluvio-spu", "127.0.0.1:0", env=env)
    assert result.returncode == 0, result.stderr
    try:
        status = json.loads(run_weir("cluster", "status", "-O", "json", env=env).stdout)
        yield RunningCluster(home, status["fluvio"]["sc"], status["fluvio"]["spu"], env)
    finally:
        stop_cluster(home, env)


def stop_cluster(home: Path, env: dict) -> None:
    """`weir cluster stop`, then SIGKILL for a daemon that did not stop."""
    state = read_state(home)
    with contextlib.suppress(Exception):
        run_weir("cluster", "stop", env=env, timeout=60)
    if state is not None and pid_alive(state.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(state.pid, signal.SIGKILL)
