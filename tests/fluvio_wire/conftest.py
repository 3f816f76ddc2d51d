"""A real `weir cluster start` on free ports, and the official `fluvio` client run in a
subprocess with a time limit (a hang in the client's Rust code could not be interrupted
inside the test process)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, run_weir
from tests.weir_cluster import running_cluster

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


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Cluster:
    # its own HOME, so no real ~/.fluvio interferes
    with running_cluster(tmp_path_factory.mktemp("weir-home"),
                         tmp_path_factory.mktemp("user-home")) as running:
        yield Cluster(running.home, running.sc, running.spu, running.env)
