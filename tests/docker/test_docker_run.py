"""Docker-run connectors end to end: a real dockerd, an offline base image, the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_weir

BUILD_TIMEOUT = 900  # the first run builds the wheelhouse and the image


def generator_config(directory: Path, name: str, topic: str, *, count: int | None = None,
                     interval: str = "100ms") -> Path:
    lines = [
        "version: 0.1.0",
        f"name: {name}",
        "type: generator",
        f"topic: {topic}",
        "parameters:",
        "  template: '{\"n\": {{n}}}'",
        f"  interval: {interval}",
    ]
    if count is not None:
        lines.append(f"  count: {count}")
    path = directory / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


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


def containers_of(engine, name: str, home: Path) -> list:
    filters = {"label": ["weir.mode=docker", f"weir.connector={name}",
                         f"weir.home={home.resolve()}"]}
    return engine.containers.list(all=True, filters=filters)


@pytest.fixture
def cleanup(docker_engine, weir_home):
    names: list[str] = []
    yield names
    for name in names:
        for container in containers_of(docker_engine, name, weir_home):
            container.remove(force=True)


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

    stopped = run_weir("connector", "stop", "gen-docker", timeout=60)
    assert stopped.returncode == 0, stopped.stderr
    container.reload()
    assert container.status == "exited"
    assert container.attrs["State"]["ExitCode"] == 0  # SIGTERM: flushed, committed, exit 0
    row = listed("gen-docker")
    assert row is not None and row["mode"] == "docker" and row["status"].lower() != "running"
    count = len(consume("gen-docker"))
    time.sleep(1)
    assert len(consume("gen-docker")) == count  # nothing is produced any more

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
def test_a_missing_base_image_is_explained(tmp_path, docker_engine):
    config = generator_config(tmp_path, "nobase", "nobase")
    result = run_weir("connector", "run", str(config), "--docker", "-d",
                      "--base-image", "weir-test-absent:nothing")
    assert result.returncode == 2
    assert "weir-test-absent:nothing" in result.stderr
    assert "cannot be pulled offline" in result.stderr
    assert "debootstrap" in result.stderr and "docker import" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_daemon_is_explained(tmp_path):
    config = generator_config(tmp_path, "nodaemon", "nodaemon")
    result = run_weir("connector", "run", str(config), "--docker", "-d",
                      env={"DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"})
    assert result.returncode == 2
    assert "cannot reach the Docker daemon" in result.stderr
    assert "hint:" in result.stderr and "dockerd" in result.stderr
    assert "Traceback" not in result.stderr


def test_docker_flags_need_docker():
    result = run_weir("connector", "run", "nothing.yaml", "-d")
    assert result.returncode == 2
    assert "only applies with --docker" in result.stderr
    assert "Traceback" not in result.stderr
