"""A connector plugin managed by the local cluster: created, kept running, restarted after a
crash, logged and counted like a built-in."""

from __future__ import annotations

import os
import signal

import pytest

from tests.conftest import run_weir
from tests.connectors import plugin_dist
from tests.launch.conftest import wait_for
from tests.launch.helpers import topic_values, view

CONFIG = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: counting
  type: counter-source
  topic: counted
  producer: {linger: 5ms}
counter:
  prefix: "c"
  every: 20ms
"""


@pytest.mark.integration
def test_a_plugin_runs_managed(tmp_path, weir_home, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", plugin_dist.env_with(
        plugin_dist.standard(tmp_path))["PYTHONPATH"])  # the daemon inherits it
    config = tmp_path / "counter.yaml"
    config.write_text(CONFIG)
    created = run_weir("connector", "create", "--config", str(config))
    assert created.returncode == 0, created.stderr
    wait_for(lambda: len(topic_values("counted")) >= 5, message="the plugin's records")
    table = run_weir("connector", "list").stdout.splitlines()
    assert table[1].split()[:4] == ["counting", "counter-source", "managed", "Running"]
    pid = view("counting")["pid"]
    os.kill(pid, signal.SIGKILL)  # a crash: the supervisor starts it again
    wait_for(lambda: (v := view("counting")) and v["pid"] not in (None, pid)
             and v["status"] == "Running", message="a restart after the crash")
    count = len(topic_values("counted"))
    wait_for(lambda: len(topic_values("counted")) > count, message="records after restart")
    logs = run_weir("connector", "logs", "counting").stdout
    assert "counter-source `counting` -> topic `counted`" in logs
    assert run_weir("connector", "delete", "counting").returncode == 0
