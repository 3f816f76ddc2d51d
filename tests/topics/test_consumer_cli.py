"""`weir consumer list|delete` and `weir consume -c ID`, bounded reads (`--end`, `-H`), as
a user types them: the real `weir` in a subprocess, its output parsed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from tests.conftest import REPO, run_weir


def ok(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    result = run_weir(*args, input=input)
    assert result.returncode == 0, (args, result.stderr)
    assert "Traceback" not in result.stderr
    return result


def consumers() -> list[dict]:
    return json.loads(ok("consumer", "list", "-O", "json").stdout)


def wait_for(check, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


@pytest.fixture
def events():
    ok("topic", "create", "events", "-p", "2")
    ok("produce", "events", "-p", "0", input="".join(f"a{i}\n" for i in range(10)))
    ok("produce", "events", "-p", "1", input="".join(f"b{i}\n" for i in range(5)))
    return "events"


def test_named_consumer_resumes_and_list_shows_offset_and_lag(events):
    first = ok("consume", events, "-B", "-d", "-c", "reader", "-H", "3")
    assert first.stdout.split() == ["a0", "a1", "a2", "b0", "b1", "b2"]
    listed = consumers()
    assert [(c["consumer"], c["topic"], c["partition"], c["offset"], c["next_offset"],
             c["lag"]) for c in listed] == [("reader", events, 0, 2, 3, 7),
                                            ("reader", events, 1, 2, 3, 2)]
    assert all(abs(c["modified_ms"] / 1000 - time.time()) < 60 for c in listed)
    table = ok("consumer", "list").stdout.splitlines()
    assert table[0].split() == ["CONSUMER", "TOPIC", "PARTITION", "OFFSET", "LAG", "LAST",
                                "SEEN"]
    assert table[1].split()[:5] == ["reader", events, "0", "2", "7"]
    # the second run resumes after what the first printed: -B is only the first start
    second = ok("consume", events, "-B", "-d", "-c", "reader")
    assert second.stdout.split() == [f"a{i}" for i in range(3, 10)] + ["b3", "b4"]
    assert [c["lag"] for c in consumers()] == [0, 0]
    assert ok("consume", events, "-B", "-d", "-c", "reader").stdout == ""


def test_delete_by_topic_and_partition_then_replay(events):
    ok("consume", events, "-B", "-d", "-c", "replayer")
    ok("consume", events, "-B", "-d", "-c", "other")
    gone = json.loads(ok("consumer", "delete", "replayer", "--topic", events, "-p", "1",
                         "-O", "json").stdout)
    assert gone == {"command": "consumer delete", "consumer": "replayer",
                    "deleted": [{"topic": events, "partition": 1}]}
    assert ok("consume", events, "-B", "-d", "-c", "replayer").stdout.split() == [
        f"b{i}" for i in range(5)]
    deleted = ok("consumer", "delete", "replayer")
    assert deleted.stderr.splitlines() == [
        f'consumer "replayer" on topic "{events}" partition 0 deleted',
        f'consumer "replayer" on topic "{events}" partition 1 deleted']
    assert {c["consumer"] for c in consumers()} == {"other"}
    missing = run_weir("consumer", "delete", "replayer")
    assert missing.returncode == 1
    assert missing.stderr.splitlines()[0] == "error: consumer `replayer` has no offsets"
    usage = run_weir("consumer", "delete", "other", "-p", "0")
    assert usage.returncode == 2 and "--partition needs --topic" in usage.stderr


def test_empty_list_says_so():
    result = ok("consumer", "list")
    assert result.stdout == "" and result.stderr.strip() == "no consumers"
    assert consumers() == []


def test_following_consumer_commits_on_ctrl_c_and_periodically(events):
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "consume", events, "-p", "0", "-B",
         "-c", "follower"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    try:
        assert [proc.stdout.readline().strip() for _ in range(10)] == [
            f"a{i}".encode() for i in range(10)]
        # committed while still following (the periodic commit), before any Ctrl-C
        wait_for(lambda: [c["next_offset"] for c in consumers()] == [10])
        ok("produce", events, "-p", "0", input="a10\na11\n")
        assert [proc.stdout.readline().strip() for _ in range(2)] == [b"a10", b"a11"]
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert err == b""
    assert [(c["partition"], c["next_offset"], c["lag"]) for c in consumers()] == [(0, 12, 0)]


def test_sigterm_commits_too(events):
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "consume", events, "-p", "1", "-B",
         "-c", "termed"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    try:
        assert [proc.stdout.readline().strip() for _ in range(5)] == [
            f"b{i}".encode() for i in range(5)]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert [c["next_offset"] for c in consumers()] == [5]


def test_a_sink_connectors_offsets_show_up_and_deleting_replays(tmp_path):
    ok("topic", "create", "orders")
    ok("produce", "orders", input="".join(json.dumps({"n": i}) + "\n" for i in range(20)))
    db = tmp_path / "orders.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE orders (n INTEGER)")
    config = tmp_path / "sink.yaml"
    config.write_text(textwrap.dedent(f"""\
        apiVersion: 0.1.0
        meta:
          version: 0.1.0
          name: order-sink
          type: sql-sink
          topic: orders
          consumer:
            offset: {{strategy: auto, start: beginning}}
        sql:
          url: sqlite:///{db}
          table: orders
          columns: [{{name: n, path: $.n, type: integer}}]
        """))

    def run_sink_until(rows: int) -> None:
        proc = subprocess.Popen([sys.executable, "-m", "tui.cli.main", "connector", "run",
                                 str(config)], cwd=REPO, env=dict(os.environ),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            def landed() -> bool:
                with sqlite3.connect(db) as conn:
                    return conn.execute("SELECT count(*) FROM orders").fetchone()[0] >= rows
            wait_for(landed)
            wait_for(lambda: [c["lag"] for c in consumers()] == [0])
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=30)

    run_sink_until(20)
    ok("produce", "orders", input="".join(json.dumps({"n": i}) + "\n" for i in range(5)))
    (sink,) = consumers()
    assert (sink["consumer"], sink["topic"], sink["next_offset"], sink["lag"]) == (
        "order-sink", "orders", 20, 5)
    ok("consumer", "delete", "order-sink")
    run_sink_until(45)  # replayed from the beginning: 25 more rows
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 45


@pytest.mark.parametrize(("flags", "expected"), [
    (["-B", "--end", "2"], ["a0", "a1", "a2", "b0", "b1", "b2"]),
    (["--start", "3", "--end", "4"], ["a3", "a4", "b3", "b4"]),
    (["-H", "2"], ["a0", "a1", "b0", "b1"]),
    (["-B", "-H", "2", "-p", "1"], ["b0", "b1"]),
    (["--start", "8", "-H", "5"], ["a8", "a9"]),       # -d: no more than there is
    (["-T", "3", "-H", "2"], ["a7", "a8", "b2", "b3"]),
    (["-T", "3", "--end", "7"], ["a7", "b2", "b3", "b4"]),
    (["--start", "6", "--end", "7"], ["a6", "a7"]),     # b ends before offset 6
    (["-B", "-H", "5", "--end", "1", "-p", "0"], ["a0", "a1"]),  # the nearest bound wins
])
def test_bounded_reads_combine_with_starts_and_partitions(events, flags, expected):
    assert ok("consume", events, "-d", *flags).stdout.split() == expected


def test_bounded_read_without_d_waits_for_the_bound_then_exits(events):
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "consume", events, "-p", "1", "--start", "4",
         "--end", "6"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    assert proc.stdout.readline() == b"b4\n"
    ok("produce", events, "-p", "1", input="b5\nb6\nb7\n")
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out.split() == [b"b5", b"b6"]


def test_end_before_start_is_a_usage_error(events):
    result = run_weir("consume", events, "--start", "5", "--end", "2")
    assert result.returncode == 2
    assert "--end 2 is before --start 5" in result.stderr
