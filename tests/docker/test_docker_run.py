"""Docker-run connectors end to end: a real dockerd, an offline base image, the CLI."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, run_weir
from tests.docker.helpers import BUILD_TIMEOUT, containers_of, generator_config

pytest.importorskip("runtime.topics.embedded", reason="the embedded topic store has not landed")

def consume(topic: str) -> list[str]:
    result = run_weir("consume", topic, "-B", "-d")
    if result.returncode != 0:
        return []
    return [line for line in result.stdout.splitlines() if line.strip()]


def wait_for_records(topic: str, at_least: int, timeout: float = 120) -> list[str]:
    deadline = time.monotonic() + timeout
    records: list[str] = []
    while time.monotonic() < deadline:
        records = consume(topic)
        if len(records) >= at_least:
            return records
        time.sleep(0.5)
    raise AssertionError(f"only {len(records)} records in {topic} after {timeout}s")


def listed(name: str) -> dict | None:
    result = run_weir("connector", "list", "-O", "json")
    assert result.returncode == 0, result.stderr
    return next((c for c in json.loads(result.stdout) if c["name"] == name), None)


@pytest.mark.integration
def test_detached_connector_produces_and_is_listed_logged_stopped_deleted(
        tmp_path, base_image, docker_engine, weir_home, cleanup):
    config = generator_config(tmp_path, "gen-docker", "gen-docker")
    cleanup.append("gen-docker")
    started = run_weir("connector", "run", str(config), "--docker", "-d",
                       "--base-image", base_image, timeout=BUILD_TIMEOUT)
    assert started.returncode == 0, started.stderr
    container = docker_engine.containers.get(started.stdout.strip())

    # The records reach the topic that the CLI on the host consumes.
    records = wait_for_records("gen-docker", 3)
    assert [json.loads(r)["n"] for r in records[:3]] == [0, 1, 2]

    assert container.labels["weir.connector"] == "gen-docker"
    assert container.labels["weir.mode"] == "docker"
    assert container.labels["weir.profile"] == "local"
    assert container.labels["weir.config"] == str(config.resolve())
    uid = container.exec_run(["id", "-u"]).output.decode().strip()
    assert uid.isdigit() and uid != "0"
    assert container.attrs["Config"]["User"].split(":")[0] == uid

    row = listed("gen-docker")
    assert row is not None and row["mode"] == "docker"
    assert row["status"].lower() == "running"

    logs = run_weir("connector", "logs", "gen-docker")
    assert logs.returncode == 0, logs.stderr
    assert "gen-docker" in logs.stdout  # the connector's own lines, from the container
    described = run_weir("connector", "describe", "gen-docker")
    assert described.returncode == 0, described.stderr
    assert described.stdout.startswith("---") and "type: generator" in described.stdout
    assert "docker" in described.stdout

    follower = subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "connector", "logs", "gen-docker", "-f"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        env=dict(os.environ),
    )
    try:
        first = follower.stdout.readline()  # following: lines arrive while it runs
        assert first.strip(), follower.stderr.read() if follower.poll() is not None else ""
        stopped = run_weir("connector", "stop", "gen-docker", timeout=60)
        assert stopped.returncode == 0, stopped.stderr
        rest, _ = follower.communicate(timeout=30)  # and end when the container stops
    finally:
        if follower.poll() is None:
            follower.kill()
    assert follower.returncode == 0
    assert "stopped" in rest  # the connector's own last words, followed live
    container.reload()
    assert container.status == "exited"
    assert container.attrs["State"]["ExitCode"] == 0  # SIGTERM: flushed, committed, exit 0
    row = listed("gen-docker")
    assert row is not None and row["mode"] == "docker" and row["status"].lower() != "running"
    count = len(consume("gen-docker"))
    time.sleep(1)
    assert len(consume("gen-docker")) == count  # nothing is produced any more

    # `start` brings the same container back (still not root, the store still writable).
    again = run_weir("connector", "start", "gen-docker", timeout=60)
    assert again.returncode == 0, again.stderr
    wait_for_records("gen-docker", count + 2)
    assert listed("gen-docker")["status"].lower() == "running"
    assert container.exec_run(["id", "-u"]).output.decode().strip() == uid

    deleted = run_weir("connector", "delete", "gen-docker", timeout=60)
    assert deleted.returncode == 0, deleted.stderr
    assert containers_of(docker_engine, "gen-docker", weir_home) == []
    assert listed("gen-docker") is None
    assert not (weir_home / "connectors" / "gen-docker").exists()


@pytest.mark.integration
def test_foreground_run_streams_until_done_and_leaves_no_container(
        tmp_path, base_image, docker_engine, weir_home, cleanup):
    config = generator_config(tmp_path, "gen-once", "gen-once", count=4)
    cleanup.append("counted")
    result = run_weir("connector", "run", str(config), "--docker", "--name", "counted",
                      "--base-image", base_image, timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert "generator" in result.stderr  # the connector's own log lines, streamed
    assert [json.loads(r)["n"] for r in consume("gen-once")] == [0, 1, 2, 3]
    assert containers_of(docker_engine, "counted", weir_home) == []
    # The telemetry the container wrote is the host user's to read.
    assert (weir_home / "connectors" / "counted" / "events.jsonl").read_text()


@pytest.mark.integration
def test_ctrl_c_stops_a_foreground_container(tmp_path, base_image, docker_engine, weir_home,
                                             cleanup):
    config = generator_config(tmp_path, "gen-ctrl-c", "gen-ctrl-c")
    cleanup.append("gen-ctrl-c")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "connector", "run", str(config), "--docker",
         "--base-image", base_image],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        env=dict(os.environ),
    )
    try:
        wait_for_records("gen-ctrl-c", 2, timeout=BUILD_TIMEOUT)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopping `gen-ctrl-c`" in err
    assert "Traceback" not in err
    assert containers_of(docker_engine, "gen-ctrl-c", weir_home) == []


@pytest.mark.integration
def test_a_name_in_use_is_refused(tmp_path, base_image, docker_engine, weir_home, cleanup):
    config = generator_config(tmp_path, "twice", "twice", interval="1s")
    cleanup.append("twice")
    first = run_weir("connector", "run", str(config), "--docker", "-d",
                     "--base-image", base_image, timeout=BUILD_TIMEOUT)
    assert first.returncode == 0, first.stderr
    second = run_weir("connector", "run", str(config), "--docker", "-d",
                      "--base-image", base_image, timeout=BUILD_TIMEOUT)
    assert second.returncode == 1
    assert "connector name `twice` is already in use" in second.stderr
    assert "weir connector delete twice" in second.stderr
    assert len(containers_of(docker_engine, "twice", weir_home)) == 1


@pytest.mark.integration
def test_a_wasm_transform_beside_the_config_runs_in_the_container(
        tmp_path, base_image, docker_engine, weir_home, cleanup):
    shutil.copy(REPO / "examples" / "smartmodules" / "prebuilt" / "contains_filter.wasm",
                tmp_path / "contains_filter.wasm")
    config = tmp_path / "only-ones.yaml"
    config.write_text(
        "apiVersion: 0.1.0\n"
        "meta:\n  version: 0.1.0\n  name: only-ones\n  type: generator-source\n"
        "  topic: only-ones\n"
        "generator:\n  template: '{\"n\": {{n}}}'\n  interval: 10ms\n  count: 12\n"
        "transforms:\n  - uses: ./contains_filter.wasm\n    with:\n      contains: '1'\n"
    )
    cleanup.append("only-ones")
    result = run_weir("connector", "run", str(config), "--docker", "--base-image", base_image,
                      timeout=BUILD_TIMEOUT)  # from elsewhere: found beside the config
    assert result.returncode == 0, result.stderr
    assert [json.loads(r)["n"] for r in consume("only-ones")] == [1, 10, 11]


@pytest.mark.integration
def test_a_connector_of_another_profile_runs_in_a_container(
        tmp_path, base_image, docker_engine, weir_home, cleanup):
    """profiles.json is private to the user running weir: a container that runs as
    another uid (10001, when weir runs as root) is given its own copy."""
    data = tmp_path / "staging-data"
    assert run_weir("profile", "add", "staging", "--data-dir", str(data)).returncode == 0
    env = {"WEIR_PROFILE": "staging"}
    config = generator_config(tmp_path, "gen-staging", "gen-staging")
    cleanup.append("gen-staging")
    started = run_weir("connector", "run", str(config), "--docker", "-d",
                       "--base-image", base_image, env=env, timeout=BUILD_TIMEOUT)
    assert started.returncode == 0, started.stderr
    container = docker_engine.containers.get(started.stdout.strip())
    assert container.labels["weir.profile"] == "staging"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        got = run_weir("consume", "gen-staging", "-B", "-d", env=env).stdout.splitlines()
        if len(got) >= 3:
            break
        time.sleep(0.5)
    else:
        raise AssertionError(container.logs().decode()[-2000:])
    assert [json.loads(r)["n"] for r in got[:3]] == [0, 1, 2]
    assert (data / "topics.db").is_file()  # the staging store, not the home's
    assert run_weir("connector", "delete", "gen-staging", timeout=60).returncode == 0
