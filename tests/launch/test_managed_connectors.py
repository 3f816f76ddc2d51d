"""Managed connectors end to end: the CLI, the daemon, the supervisor and real connector
processes writing into the real embedded store."""

from __future__ import annotations

import json
import os
import stat
import time

import pytest

from runtime.launch.processes import pid_alive
from runtime.launch.state import read_state
from tests.conftest import run_weir
from tests.launch.conftest import wait_for
from tests.launch.helpers import generator_config, topic_values, view, views, write
from tests.launch.servers import cat_facts_handler, serve


@pytest.mark.integration
def test_create_starts_the_cluster_and_every_verb_works(tmp_path, weir_home):
    config = write(tmp_path / "ticker.yaml", generator_config("ticker", "ticks"))
    created = run_weir("connector", "create", "--config", str(config))
    assert created.returncode == 0, created.stderr
    assert "local cluster was not running: started it" in created.stderr
    assert "connector `ticker` created" in created.stderr
    assert read_state(weir_home) is not None

    wait_for(lambda: len(topic_values("ticks")) >= 5, message="records in `ticks`")
    table = run_weir("connector", "list").stdout.splitlines()
    assert table[0].split() == ["NAME", "TYPE", "MODE", "STATUS", "RESTARTS", "RECORDS"]
    assert table[1].split()[:5] == ["ticker", "generator-source", "managed", "Running", "0"]

    listed = wait_for(lambda: (v := view("ticker")) and v["metrics"]["records_out"] > 0 and v,
                      message="metrics")
    for key in ("records_in", "records_out", "filtered", "errors", "bytes", "last_error",
                "uptime_s", "restarts"):
        assert key in listed["metrics"]
    assert listed["profile"] == "local" and pid_alive(listed["pid"])

    described = run_weir("connector", "describe", "ticker")
    assert described.returncode == 0, described.stderr
    assert described.stdout.startswith("---\n")
    assert "name: ticker" in described.stdout and "type: generator-source" in described.stdout
    assert "# status: Running (managed, profile local" in described.stdout
    assert "# records: in" in described.stdout

    logs = run_weir("connector", "logs", "ticker")
    assert "supervisor: started pid" in logs.stdout
    assert run_weir("connector", "logs", "ticker", "--since", "1h").stdout.strip()
    assert run_weir("connector", "logs", "ticker", "--tail", "1").stdout.count("\n") == 1

    stopped = run_weir("connector", "stop", "ticker")
    assert stopped.returncode == 0 and "stopped" in stopped.stderr
    assert view("ticker")["status"] == "Stopped" and not pid_alive(listed["pid"])
    count = len(topic_values("ticks"))
    time.sleep(0.5)
    assert len(topic_values("ticks")) == count  # nothing runs any more

    started = run_weir("connector", "start", "ticker")
    assert started.returncode == 0 and "Running" in started.stderr
    wait_for(lambda: len(topic_values("ticks")) > count, message="records after start")

    first = view("ticker")
    first_pid = first["pid"]
    restarted = run_weir("connector", "restart", "ticker")
    assert restarted.returncode == 0, restarted.stderr
    second = view("ticker")
    assert second["status"] == "Running" and second["pid"] != first_pid
    # Counters are lifetime totals, not reset by a restart.
    assert second["metrics"]["records_out"] >= first["metrics"]["records_out"] > 0
    assert not pid_alive(first_pid)

    deleted = run_weir("connector", "delete", "ticker")
    assert deleted.returncode == 0 and "deleted" in deleted.stderr
    assert views() == []
    assert not pid_alive(second["pid"])
    assert not (weir_home / "cluster" / "connectors" / "ticker").exists()
    missing = run_weir("connector", "describe", "ticker")
    assert missing.returncode == 1 and "not found" in missing.stderr


def test_invalid_config_is_refused_before_anything_starts(tmp_path, weir_home):
    bad = write(tmp_path / "bad.yaml", "version: 0.3.0\nname: x\ntype: http\ntopic: t\n"
                "parameters:\n  endpoint: http://127.0.0.1:1/\n  interval: 1\n"
                "producer:\n  compression: gzipaoeu\n")
    result = run_weir("connector", "create", "--config", str(bad))
    assert result.returncode == 1
    assert "gzipaoeu" in result.stderr and "bad.yaml:" in result.stderr
    assert "Traceback" not in result.stderr
    assert read_state(weir_home) is None  # nothing was started for a bad config

    missing = run_weir("connector", "create", "--config", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "not found" in missing.stderr


def test_duplicate_name_and_unknown_names(cluster, tmp_path):
    config = write(tmp_path / "t.yaml", generator_config("dup", "dup-topic", rate=2))
    assert run_weir("connector", "create", "--config", str(config)).returncode == 0
    again = run_weir("connector", "create", "--config", str(config))
    assert again.returncode == 1 and "already exists" in again.stderr
    for verb in ("describe", "delete", "restart"):
        result = run_weir("connector", verb, "ghost")
        assert result.returncode == 1, (verb, result.stderr)
        assert "`ghost` not found" in result.stderr and "dup" in result.stderr


def test_secrets_reach_the_connector_but_never_the_output(cluster, tmp_path):
    secret = "s3cr3t-token-value"
    with serve(cat_facts_handler) as server:
        config = write(tmp_path / "facts.yaml", f"""\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: private-facts
  type: http-source
  topic: private-facts
  secrets:
    - name: API_TOKEN
http:
  endpoint: {server.url}/fact
  interval: 100ms
  headers: ["Authorization: Bearer ${{{{ secrets.API_TOKEN }}}}"]
""")
        secrets = write(tmp_path / "secrets.env", f"API_TOKEN={secret}\n")
        created = run_weir("connector", "create", "--config", str(config),
                           "--secrets", str(secrets))
        assert created.returncode == 0, created.stderr
        wait_for(lambda: server.hits >= 2, message="requests with the secret")
        assert server.headers[0]["Authorization"] == f"Bearer {secret}"

    copy = cluster / "cluster" / "connectors" / "private-facts" / "secrets"
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    described = run_weir("connector", "describe", "private-facts")
    as_json = run_weir("connector", "describe", "private-facts", "-O", "json")
    logs = run_weir("connector", "logs", "private-facts")
    listed = run_weir("connector", "list", "-O", "json")
    for result in (described, as_json, logs, listed):
        assert result.returncode == 0, result.stderr
        assert secret not in result.stdout + result.stderr
    assert "${{ secrets.API_TOKEN }}" in described.stdout


def test_secret_from_the_environment_of_create(cluster, tmp_path):
    with serve(cat_facts_handler) as server:
        config = write(tmp_path / "facts.yaml", f"""\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: env-facts
  type: http-source
  topic: env-facts
  secrets:
    - name: FACTS_KEY
http:
  endpoint: {server.url}/fact
  interval: 100ms
  headers: ["X-Key: ${{{{ secrets.FACTS_KEY }}}}"]
""")
        created = run_weir("connector", "create", "--config", str(config),
                           env={"FACTS_KEY": "from-env-123"})
        assert created.returncode == 0, created.stderr
        wait_for(lambda: server.hits >= 1, message="a request")
        assert server.headers[0]["X-Key"] == "from-env-123"


@pytest.mark.integration
def test_repeated_fast_crashes_end_in_failed_with_the_last_error(cluster, tmp_path):
    # A profile whose store cannot exist: every start of the connector fails the same way.
    blocker = write(tmp_path / "not-a-dir", "a file where a directory should be")
    added = run_weir("profile", "add", "broken", "--data-dir", str(blocker / "store"))
    assert added.returncode == 0, added.stderr
    config = write(tmp_path / "c.yaml", generator_config("doomed", "doomed-topic"))
    created = run_weir("connector", "create", "--config", str(config),
                       env={"WEIR_PROFILE": "broken"})
    assert created.returncode == 0, created.stderr

    failed = wait_for(lambda: (v := view("doomed")) and v["status"] == "Failed" and v,
                      timeout=60, message="status Failed")
    assert failed["restarts"] == 2  # WEIR_RESTART_MAX_FAST=3: first run + 2 restarts
    assert "not-a-dir" in failed["last_error"], failed["last_error"]
    assert failed["pid"] is None
    described = run_weir("connector", "describe", "doomed").stdout
    assert "# status: Failed" in described and "not-a-dir" in described
    logs = run_weir("connector", "logs", "doomed").stdout
    assert "giving up" in logs and logs.count("restarting in") == 2
    events = [json.loads(line)["event"] for line in
              (cluster / "connectors" / "doomed" / "events.jsonl").read_text().splitlines()]
    assert events.count("crash") == 3 and events.count("restart") == 2 and "failed" in events

    again = run_weir("connector", "restart", "doomed")
    assert again.returncode == 0, again.stderr
    wait_for(lambda: view("doomed")["restarts"] >= 3, message="a fresh round of retries")


@pytest.mark.integration
def test_stopped_connector_stays_stopped_across_cluster_restart(cluster, tmp_path):
    for name in ("keeps-running", "stays-stopped"):
        config = write(tmp_path / f"{name}.yaml", generator_config(name, name, rate=5))
        assert run_weir("connector", "create", "--config", str(config)).returncode == 0
    assert run_weir("connector", "stop", "stays-stopped").returncode == 0
    stopped = run_weir("cluster", "stop")
    assert "keeps-running" in stopped.stderr
    offline = {v["name"]: v["status"] for v in views()}
    assert offline == {"keeps-running": "Stopped", "stays-stopped": "Stopped"}
    assert run_weir("cluster", "start").returncode == 0
    back = {v["name"]: v["status"] for v in views()}
    assert back == {"keeps-running": "Running", "stays-stopped": "Stopped"}


def test_stop_and_delete_while_the_cluster_is_down(cluster, tmp_path):
    for name in ("halted", "removed"):
        config = write(tmp_path / f"{name}.yaml", generator_config(name, name, rate=5))
        assert run_weir("connector", "create", "--config", str(config)).returncode == 0
    assert run_weir("cluster", "stop").returncode == 0

    stopped = run_weir("connector", "stop", "halted")
    assert stopped.returncode == 0, stopped.stderr
    deleted = run_weir("connector", "delete", "removed")
    assert deleted.returncode == 0, deleted.stderr
    offline = run_weir("connector", "describe", "halted")
    assert "the local cluster is not running" in offline.stdout
    assert "stopped by the user while the cluster was down" in offline.stdout
    assert not (cluster / "cluster" / "connectors" / "removed").exists()

    assert run_weir("cluster", "start").returncode == 0
    assert {v["name"]: v["status"] for v in views()} == {"halted": "Stopped"}


@pytest.mark.integration
def test_a_failed_connector_that_recovers_says_so(cluster, tmp_path):
    """describe and list show the recovery; the old error is history, not the last error."""
    blocker = write(tmp_path / "not-a-dir", "a file where a directory should be")
    assert run_weir("profile", "add", "flaky", "--data-dir", str(blocker / "store")).returncode == 0
    config = write(tmp_path / "c.yaml", generator_config("phoenix", "phoenix-topic"))
    created = run_weir("connector", "create", "--config", str(config),
                       env={"WEIR_PROFILE": "flaky"})
    assert created.returncode == 0, created.stderr
    wait_for(lambda: view("phoenix")["status"] == "Failed", timeout=60, message="Failed")

    blocker.unlink()  # the store can be created now
    assert run_weir("connector", "restart", "phoenix").returncode == 0
    back = wait_for(lambda: (v := view("phoenix")) and v["status"] == "Running"
                    and v["metrics"]["records_out"] > 0 and v, timeout=30, message="running")
    assert back["last_error"] is None
    assert "not-a-dir" in back["recovered"]["error"] and back["recovered"]["failed_at"]
    assert back["metrics"]["run"]["errors"] == 0
    described = run_weir("connector", "describe", "phoenix").stdout
    assert "# last error: none" in described
    assert "# recovered: running again since" in described and "not-a-dir" in described
    assert "(0 this run)" in described
    assert "Failed" in described  # kept in the history
    listed = run_weir("connector", "list").stdout
    assert "Running (recovered)" in listed
