"""`connector list|describe|logs|stop|delete` also act on a connector started in the
foreground by `weir connector run` (mode `process`)."""

from __future__ import annotations

import os
import subprocess
import sys

from runtime.launch.processes import pid_alive
from tests.conftest import REPO, run_weir
from tests.launch.conftest import wait_for
from tests.launch.helpers import generator_config, topic_values, view, write


def test_process_connector_is_listed_stopped_and_deleted(tmp_path, weir_home):
    config = write(tmp_path / "fg.yaml", generator_config("foreground", "fg-topic", rate=20))
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli.main", "connector", "run",
                             str(config)], cwd=REPO, env=dict(os.environ),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        found = wait_for(lambda: view("foreground"), message="process connector listed")
        assert found["mode"] == "process" and found["status"] == "Running"
        assert found["pid"] == proc.pid and found["type"] == "generator-source"
        wait_for(lambda: len(topic_values("fg-topic")) >= 3, message="records")
        table = run_weir("connector", "list").stdout
        assert any(line.split()[:4] == ["foreground", "generator-source", "process", "Running"]
                   for line in table.splitlines())

        described = run_weir("connector", "describe", "foreground")
        assert described.stdout.startswith("---\n") and "name: foreground" in described.stdout
        assert "# status: Running (process" in described.stdout
        assert run_weir("connector", "logs", "foreground").stdout.strip()
        refused = run_weir("connector", "restart", "foreground")
        assert refused.returncode == 1 and "weir connector run" in refused.stderr

        stopped = run_weir("connector", "stop", "foreground")
        assert stopped.returncode == 0, stopped.stderr
        assert proc.wait(timeout=30) == 0  # SIGTERM: flushed, committed, exit 0
        assert view("foreground") is None  # process.json went with it

        deleted = run_weir("connector", "delete", "foreground")
        assert deleted.returncode == 1 and "not found" in deleted.stderr
    finally:
        if pid_alive(proc.pid):
            proc.kill()
        proc.wait()
