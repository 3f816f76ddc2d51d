"""Supervision under stress: SIGKILL a connector, stop and restart the whole cluster,
switch profiles under a running connector."""

from __future__ import annotations

import json
import os
import signal

import pytest

from runtime.launch.processes import pid_alive
from runtime.profiles import get_profile
from tests.conftest import run_weir
from tests.launch.conftest import wait_for
from tests.launch.helpers import (
    generator_config,
    http_sink_config,
    produce,
    topic_values,
    view,
    write,
)
from tests.launch.servers import collector_handler, serve


def _numbers(bodies: list[bytes]) -> list[int]:
    return [json.loads(body)["n"] for body in bodies]


@pytest.mark.integration
def test_sigkill_restarts_and_no_acknowledged_record_is_lost(cluster, tmp_path):
    total = 300
    produce("orders", [json.dumps({"n": i}).encode() for i in range(total)])
    with serve(collector_handler) as server:
        server.delay_s = 0.005
        config = write(tmp_path / "sink.yaml", http_sink_config("deliver", "orders", server.url))
        created = run_weir("connector", "create", "--config", str(config))
        assert created.returncode == 0, created.stderr
        wait_for(lambda: len(server.bodies) >= 40, message="first deliveries")
        victim = view("deliver")["pid"]
        os.kill(victim, signal.SIGKILL)

        back = wait_for(lambda: (v := view("deliver")) and v["restarts"] == 1
                        and v["status"] == "Running" and v, message="restart after SIGKILL")
        assert back["pid"] != victim
        assert back["last_error"] is None  # that run is over: its error is history
        assert back["recovered"]["error"] == "killed by SIGKILL"
        wait_for(lambda: set(_numbers(server.bodies)) >= set(range(total)), timeout=90,
                 message="every record delivered")
    delivered = _numbers(server.bodies)
    assert sorted(set(delivered)) == list(range(total))  # at least once: none lost
    logs = run_weir("connector", "logs", "deliver").stdout
    assert "killed by SIGKILL" in logs and "restart #1" in logs

    # The source side: records the store acknowledged survive the kill of their producer.
    config = write(tmp_path / "gen.yaml", generator_config("gen", "gen-topic", rate=50))
    assert run_weir("connector", "create", "--config", str(config)).returncode == 0
    wait_for(lambda: len(topic_values("gen-topic")) >= 20, message="generated records")
    os.kill(view("gen")["pid"], signal.SIGKILL)
    acknowledged = topic_values("gen-topic")
    wait_for(lambda: view("gen")["restarts"] == 1 and view("gen")["status"] == "Running",
             message="generator restarted")
    wait_for(lambda: len(topic_values("gen-topic")) > len(acknowledged), message="more records")
    assert topic_values("gen-topic")[:len(acknowledged)] == acknowledged


@pytest.mark.integration
def test_cluster_restart_resumes_from_committed_offsets(cluster, tmp_path):
    produce("events", [json.dumps({"n": i}).encode() for i in range(20)])
    with serve(collector_handler) as server:
        config = write(tmp_path / "sink.yaml", http_sink_config("relay", "events", server.url))
        assert run_weir("connector", "create", "--config", str(config)).returncode == 0
        wait_for(lambda: len(server.bodies) >= 20, message="first 20 delivered")
        before = view("relay")
        stopped = run_weir("cluster", "stop")
        assert stopped.returncode == 0 and "relay" in stopped.stderr

        produce("events", [json.dumps({"n": i}).encode() for i in range(20, 40)])
        assert view("relay")["status"] == "Stopped"  # read from disk, cluster down
        assert run_weir("cluster", "start").returncode == 0
        wait_for(lambda: set(_numbers(server.bodies)) >= set(range(40)),
                 message="records produced while the cluster was down")
        after = view("relay")
    delivered = _numbers(server.bodies)
    assert sorted(delivered) == list(range(40))  # resumed where it committed: no replays
    assert after["status"] == "Running" and after["restarts"] == before["restarts"]
    assert after["pid"] != before["pid"]


@pytest.mark.integration
def test_switching_profiles_does_not_move_a_running_connector(cluster, tmp_path):
    config = write(tmp_path / "gen.yaml", generator_config("pinned", "pinned-topic", rate=20))
    assert run_weir("connector", "create", "--config", str(config)).returncode == 0
    wait_for(lambda: len(topic_values("pinned-topic")) >= 3, message="records in local")

    other_dir = tmp_path / "other-store"
    assert run_weir("profile", "add", "other", "--data-dir", str(other_dir)).returncode == 0
    switched = run_weir("profile", "switch", "other")
    assert switched.returncode == 0
    assert "pinned (local)" in switched.stderr  # told which connectors keep their profile

    local = get_profile("local")
    other = get_profile("other")
    count = len(topic_values("pinned-topic", local))
    wait_for(lambda: len(topic_values("pinned-topic", local)) > count + 10,
             message="the running connector keeps writing to `local`")
    assert topic_values("pinned-topic", other) == []
    assert view("pinned")["profile"] == "local"

    # Restarting keeps the pinned profile too; a new connector uses the active one.
    assert run_weir("connector", "restart", "pinned").returncode == 0
    count = len(topic_values("pinned-topic", local))
    wait_for(lambda: len(topic_values("pinned-topic", local)) > count, message="after restart")
    assert topic_values("pinned-topic", other) == []
    config = write(tmp_path / "new.yaml", generator_config("fresh", "fresh-topic", rate=20))
    assert run_weir("connector", "create", "--config", str(config)).returncode == 0
    assert view("fresh")["profile"] == "other"
    wait_for(lambda: topic_values("fresh-topic", other), message="records in `other`")
    assert topic_values("fresh-topic", local) == []

    refused = run_weir("profile", "delete", "local")
    assert refused.returncode == 1
    in_use = run_weir("profile", "delete", "other")
    assert in_use.returncode == 1 and "fresh" in in_use.stderr


@pytest.mark.integration
def test_a_daemon_killed_hard_never_leaves_a_connector_running_twice(cluster, tmp_path):
    from runtime.launch.state import read_state

    config = write(tmp_path / "gen.yaml", generator_config("survivor", "survivor", rate=10))
    assert run_weir("connector", "create", "--config", str(config)).returncode == 0
    wait_for(lambda: topic_values("survivor"), message="records")
    orphan = view("survivor")["pid"]
    os.kill(read_state(cluster).pid, signal.SIGKILL)
    wait_for(lambda: read_state(cluster) is None, message="daemon gone")

    listed = view("survivor")  # from disk: the orphan still runs and is shown so
    assert listed["status"] == "Running" and listed["pid"] == orphan
    assert run_weir("cluster", "start").returncode == 0
    back = view("survivor")
    assert back["status"] == "Running" and back["pid"] != orphan
    assert not pid_alive(orphan)  # stopped before the new one started
    logs = run_weir("connector", "logs", "survivor").stdout
    assert f"stopping pid {orphan}, left running by a cluster that was killed" in logs
