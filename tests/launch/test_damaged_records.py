"""A managed connector whose record.json is damaged stays visible: `list` shows it as
Damaged with the reason, `describe` names the file, line and column, `delete` clears it;
with the cluster down and with it running."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_weir
from tests.launch.conftest import wait_for
from tests.launch.helpers import generator_config, topic_values, view, views, write


def _damage(record_path) -> None:
    """Cut the file in the middle of line 3, as a full disk or a bad edit would."""
    lines = record_path.read_text().splitlines()
    record_path.write_text("\n".join(lines[:2]) + '\n  "kind": "sou\n')


def _assert_reported(name: str, record_path) -> None:
    listed = run_weir("connector", "list")
    assert listed.returncode == 0, listed.stderr
    row = next(line.split() for line in listed.stdout.splitlines()[1:]
               if line.split()[0] == name)
    assert row[:4] == [name, "generator-source", "managed", "Damaged"]

    damaged = view(name)
    assert damaged["status"] == "Damaged"
    assert damaged["damaged"]["path"] == str(record_path)
    assert (damaged["damaged"]["line"], damaged["damaged"]["column"]) == (3, 15)
    assert "invalid JSON" in damaged["damaged"]["reason"]

    described = run_weir("connector", "describe", name)
    assert described.returncode == 0, described.stderr
    assert "# status: Damaged" in described.stdout
    assert f"{record_path}:3:15: invalid JSON" in described.stdout
    assert "name: " + name in described.stdout  # the config copy is still shown

    logs = run_weir("connector", "logs", name, timeout=30)
    assert logs.returncode == 0, logs.stderr
    assert "supervisor: started pid" in logs.stdout  # its past log is still readable


@pytest.mark.integration
def test_a_damaged_record_is_listed_described_and_deletable(tmp_path, weir_home):
    config = write(tmp_path / "ticker.yaml", generator_config("ticker", "ticks"))
    other = write(tmp_path / "other.yaml", generator_config("other", "others"))
    for path in (config, other):
        created = run_weir("connector", "create", "--config", str(path))
        assert created.returncode == 0, created.stderr
    wait_for(lambda: topic_values("ticks"), message="records in `ticks`")
    assert run_weir("cluster", "stop").returncode == 0
    record_path = weir_home / "cluster" / "connectors" / "ticker" / "record.json"
    _damage(record_path)

    # the cluster is down: everything is read from disk
    _assert_reported("ticker", record_path)
    stopped = run_weir("connector", "stop", "ticker")
    assert stopped.returncode == 1 and "damaged" in stopped.stderr
    assert view("other")["status"] == "Stopped"  # the healthy one is unaffected

    # `start` brings the cluster up, which skipped the record, and says why it cannot start
    started = run_weir("connector", "start", "ticker")
    assert started.returncode == 1 and "Traceback" not in started.stderr
    assert "damaged" in started.stderr and "weir connector delete ticker" in started.stderr
    assert run_weir("cluster", "status").returncode == 0
    wait_for(lambda: view("other")["status"] == "Running", message="`other` running")
    _assert_reported("ticker", record_path)

    deleted = run_weir("connector", "delete", "ticker")
    assert deleted.returncode == 0, deleted.stderr
    assert [v["name"] for v in views()] == ["other"]
    assert not record_path.parent.exists()


def test_record_problems_name_what_is_wrong(weir_home):
    from runtime.launch import records as rec

    def problem(text: str) -> rec.DamagedRecord | None:
        path = rec.managed_dir("x", weir_home) / "record.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return rec.record_problem("x", weir_home)

    bad = problem('{"name": "x",\n "type": }')
    assert (bad.line, bad.column, bad.reason) == (2, 10, "invalid JSON: Expecting value")
    assert problem("[1, 2]").reason == "expected a JSON object, found list"
    assert problem(json.dumps({"name": "x", "type": "t"})).reason.startswith(
        "missing fields `kind`, `topic`")
    assert problem("").reason.startswith("invalid JSON")
    good = {"name": "x", "type": "t", "kind": "source", "topic": "t", "profile": "local",
            "cwd": "/"}
    assert problem(json.dumps(good)) is None
    assert rec.load_record("x", weir_home).topic == "t"
    assert [d.name for d in rec.load_damaged(weir_home)] == []
    problem("{")
    assert [d.name for d in rec.load_damaged(weir_home)] == ["x"]
    assert rec.load_all(weir_home) == []
