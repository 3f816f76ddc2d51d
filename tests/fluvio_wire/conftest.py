"""A real `weir cluster start` on free ports, and the official `fluvio` client run in a
subprocess with a time limit (a hang in the client's Rust code could not be interrupted
inside the test process)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from runtime.launch.processes import pid_alive
from runtime.launch.state import read_state
from tests.conftest import REPO, run_weir

CLIENT_TIMEOUT_S = 90


@dataclass
class Cluster:
    home: Path
    sc: str
    spu: str
    env: dict

    def weir(self, *args: str, env: dict | None = None, **kwargs
             ) -> subprocess.CompletedProcess:
        return run_weir(*args, env={**self.env, **(env or {})}, **kwargs)

    def client(self, code: str, *, timeout: float = CLIENT_TIMEOUT_S,
               env: dict | None = None) -> dict | list:
        """Run `code` with the official client (`SC` is the SC address); it prints one JSON
        document on its last line, which is returned."""
        script = "import json, os, sys, time\nfrom fluvio import *\nSC = os.environ['SC']\n"
        script += textwrap.dedent(code)
        full_env = {**self.env, "SC": self.sc, **(env or {})}
        try:
            proc = subprocess.run([sys.executable, "-c", script], capture_output=True,
                                  text=True, timeout=timeout, env=full_env, cwd=REPO)
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"the fluvio client hung for {timeout}s:\n{exc.stdout}\n{exc.stderr}")
        assert proc.returncode == 0, f"client failed:\n{proc.stdout}\n{proc.stderr}"
        return json.loads(proc.stdout.strip().splitlines()[-1])


def stop(home: Path, env: dict) -> None:
    state = read_state(home)
    with contextlib.suppress(Exception):
        run_weir("cluster", "stop", env=env, timeout=60)
    if state is not None and pid_alive(state.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(state.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Cluster:
    home = tmp_path_factory.mktemp("weir-home")
    user_home = tmp_path_factory.mktemp("user-home")  # no real ~/.fluvio interferes
    env = {"WEIR_HOME": str(home), "HOME": str(user_home), "WEIR_STORE_SYNC": "normal"}
    env.pop("FLV_PROFILE_PATH", None)
    result = run_weir("cluster", "start", "--fluvio-sc", "127.0.0.1:0",
                      "--fluvio-spu", "127.0.0.1:0", env=env)
    assert result.returncode == 0, result.stderr
    try:
        status = json.loads(run_weir("cluster", "status", "-O", "json", env=env).stdout)
        yield Cluster(home, status["fluvio"]["sc"], status["fluvio"]["spu"], env)
    finally:
        stop(home, env)
