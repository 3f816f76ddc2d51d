"""`weir topic create --dry-run`, `weir topic add-partition`, `weir partition list`, as a
user types them."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import run_weir


def ok(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    result = run_weir(*args, input=input)
    assert result.returncode == 0, (args, result.stderr)
    return result


def topics() -> list[dict]:
    return json.loads(ok("topic", "list", "-O", "json").stdout)


def test_dry_run_checks_and_prints_but_creates_nothing():
    shown = ok("topic", "create", "events", "-p", "3", "--retention-time", "7d", "--dry-run")
    assert shown.stdout.splitlines()[:3] == ["Name:          events", "Partitions:    3",
                                              "Retention:     7d"]
    assert "nothing was written" in shown.stderr
    assert topics() == []
    doc = json.loads(ok("topic", "create", "events", "--dry-run", "-O", "json").stdout)
    assert doc == {"command": "topic create", "dry_run": True, "topic": {
        "name": "events", "partitions": 1, "retention_ms": None, "segment_bytes": None}}
    bad = run_weir("topic", "create", "Events", "--dry-run")
    assert bad.returncode == 1 and "`Events` is invalid" in bad.stderr
    ok("topic", "create", "events")
    taken = run_weir("topic", "create", "events", "--dry-run")
    assert taken.returncode == 1 and "already exists" in taken.stderr


def test_add_partition_then_records_spread_over_the_new_ones():
    ok("topic", "create", "wide")
    ok("produce", "wide", input="old\n")
    added = ok("topic", "add-partition", "wide")
    assert added.stderr.strip() == 'added partition 1 to topic "wide" (2 in all)'
    doc = json.loads(ok("topic", "add-partition", "wide", "-c", "2", "-O", "json").stdout)
    assert doc["command"] == "topic add-partition" and doc["added"] == [2, 3]
    assert doc["topic"]["partitions"] == 4
    ok("produce", "wide", input="".join(f"v{i}\n" for i in range(8)))  # round-robin
    listed = json.loads(ok("partition", "list", "-O", "json").stdout)
    assert [(p["topic"], p["partition"]) for p in listed] == [("wide", i) for i in range(4)]
    assert sum(p["records"] for p in listed) == 9
    assert all(p["records"] >= 2 for p in listed)
    assert ok("consume", "wide", "-p", "0", "-B", "-d").stdout.splitlines()[0] == "old"
    table = ok("partition", "list", "--topic", "wide").stdout.splitlines()
    assert table[0].split() == ["TOPIC", "PARTITION", "EARLIEST", "HW", "RECORDS", "SIZE"]
    assert len(table) == 5

    missing = run_weir("topic", "add-partition", "nope")
    assert missing.returncode == 1 and "topic `nope` not found" in missing.stderr
    too_many = run_weir("topic", "add-partition", "wide", "-c", "10000")
    assert too_many.returncode == 1 and "between 1 and 10000 partitions" in too_many.stderr
    zero = run_weir("topic", "add-partition", "wide", "-c", "0")
    assert zero.returncode == 2


def test_partition_list_when_empty_and_for_a_missing_topic():
    empty = ok("partition", "list")
    assert empty.stdout == "" and "no partitions" in empty.stderr
    assert json.loads(ok("partition", "list", "-O", "json").stdout) == []
    missing = run_weir("partition", "list", "-t", "nope", "-O", "json")
    assert missing.returncode == 1
    assert json.loads(missing.stdout)["error"]["code"] == "not-found"
