"""`weir topic`, `weir produce`, `weir consume` as a user types them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, run_weir


def ok(*args: str, input: str | bytes | None = None) -> subprocess.CompletedProcess:
    result = run_weir(*args, input=input)
    assert result.returncode == 0, (args, result.stderr)
    assert "Traceback" not in str(result.stderr)
    return result


@pytest.fixture
def demo():
    ok("topic", "create", "demo")
    ok("produce", "demo", input="one\ntwo\nthree\nfour\n")
    return "demo"


def test_topic_lifecycle_and_json_lists():
    assert ok("topic", "create", "events", "-p", "3").stderr.strip() == 'topic "events" created'
    listed = json.loads(ok("topic", "list", "-O", "json").stdout)
    assert [(t["name"], t["partitions"], t["records"]) for t in listed] == [("events", 3, 0)]
    table = ok("topic", "list").stdout
    assert "events" in table and "NAME" in table
    described = json.loads(ok("topic", "describe", "events", "-O", "json").stdout)
    assert [p["partition"] for p in described["partition_offsets"]] == [0, 1, 2]
    assert "Partitions:    3" in ok("topic", "describe", "events").stdout
    ok("topic", "delete", "events")
    assert json.loads(ok("topic", "list", "-O", "json").stdout) == []


def test_topic_create_with_retention_and_segment_size():
    pytest.importorskip("runtime.config.values")
    ok("topic", "create", "kept", "--retention-time", "7d", "--segment-size", "10MB")
    described = json.loads(ok("topic", "describe", "kept", "-O", "json").stdout)
    assert described["retention_ms"] == 7 * 86_400_000
    assert described["segment_bytes"] == 10_000_000  # SI, as Fluvio reads 10MB
    row = ok("topic", "list").stdout.splitlines()[1]
    assert "7d" in row and "9.5 MiB" in row  # one spelling of sizes: binary units
    bad = run_weir("topic", "create", "bad", "--retention-time", "soon")
    assert bad.returncode == 2 and "--retention-time" in bad.stderr


@pytest.mark.parametrize(("flags", "named", "valid"), [
    (["--retention-time", "forever"], "--retention-time", "leave --retention-time out"),
    (["--retention-time", "1.5s"], "--retention-time", "e.g. 7d"),
    (["--retention-time", "0s"], "--retention-time", "positive duration"),
    (["--retention-time", "10"], "--retention-time", "for example 1sec"),
    (["--segment-size", "huge"], "--segment-size", "for example 1 MB"),
    (["--segment-size", "0"], "--segment-size", "positive size"),
    (["--segment-size", "-5"], "--segment-size", "for example 1 MB"),
    (["-p", "0"], "--partitions", "valid: 1 to 10000"),
    (["-p", "many"], "--partitions", "from 1 to 10000"),
])
def test_topic_create_bad_flag_values_are_usage_errors(flags, named, valid):
    """Every bad flag value: exit 2 like any usage error, naming the flag and what is valid;
    nothing is created."""
    bad = run_weir("topic", "create", "t", *flags)
    assert bad.returncode == 2, bad.stderr
    assert named in bad.stderr and valid in bad.stderr
    assert "Traceback" not in bad.stderr
    assert json.loads(ok("topic", "list", "-O", "json").stdout) == []


@pytest.mark.parametrize("name", ["Upper", "has_underscore", "trail-", "x" * 64])
def test_invalid_topic_names_exit_1(name):
    result = run_weir("topic", "create", name)
    assert result.returncode == 1
    assert "topic name" in result.stderr and "hint:" in result.stderr  # what and how
    assert "Traceback" not in result.stderr


def test_missing_topics_exit_1_clearly():
    for args in (("topic", "describe", "ghost"), ("topic", "delete", "ghost"),
                 ("consume", "ghost", "-d"), ("produce", "ghost")):
        result = run_weir(*args, input="x\n")
        assert result.returncode == 1, args
        assert "topic `ghost` not found" in result.stderr
        assert result.stdout == ""


def test_duplicate_topic_exits_1():
    ok("topic", "create", "twice")
    result = run_weir("topic", "create", "twice")
    assert result.returncode == 1 and "already exists" in result.stderr


def test_produce_is_silent_and_consume_reads_from_beginning(demo):
    assert ok("produce", demo, input="five\n").stdout == ""
    assert ok("consume", demo, "-B", "-d").stdout == "one\ntwo\nthree\nfour\nfive\n"


def test_produce_verbose_reports_offsets(demo):
    result = ok("produce", demo, "-v", input="five\nsix\n")
    assert "4..5" in result.stderr and "produced 2 records" in result.stderr


def test_consume_tail_start_and_default_end(demo):
    assert ok("consume", demo, "-T", "2", "-d").stdout == "three\nfour\n"
    assert ok("consume", demo, "--start", "1", "-d").stdout == "two\nthree\nfour\n"
    assert ok("consume", demo, "--start", "99", "-d").stdout == ""
    assert ok("consume", demo, "-d").stdout == ""  # default: start at the end


def test_consume_key_value_and_format():
    ok("topic", "create", "kv")
    ok("produce", "kv", "--key-separator", "=", input="a=1\nb=2\n")
    ok("produce", "kv", input="plain\n")
    assert ok("consume", "kv", "-B", "-d", "-k").stdout == "[a] 1\n[b] 2\n[null] plain\n"
    out = ok("consume", "kv", "-B", "-d", "-F", "{{partition}}:{{offset}} {{key}}={{value}}").stdout
    assert out == "0:0 a=1\n0:1 b=2\n0:2 null=plain\n"
    when = ok("consume", "kv", "-T", "1", "-d", "-F", "{{time}}").stdout.strip()
    assert when.endswith("Z") and "T" in when


def test_consume_json_lines_with_base64_for_binary():
    ok("topic", "create", "bin")
    ok("produce", "bin", "--raw", input=b"\xff\xfe raw bytes")
    ok("produce", "bin", "--key-separator", ":", input="k:text\n")
    lines = ok("consume", "bin", "-B", "-d", "-O", "json").stdout.splitlines()
    first, second = (json.loads(line) for line in lines)
    assert set(first) >= {"topic", "partition", "offset", "timestamp", "key", "value"}
    assert first["value_encoding"] == "base64" and first["key"] is None
    import base64
    assert base64.b64decode(first["value"]) == b"\xff\xfe raw bytes"
    assert (second["key"], second["value"], second["offset"]) == ("k", "text", 1)
    assert "value_encoding" not in second


def test_consume_raw_output_is_the_bytes():
    ok("topic", "create", "rawt")
    ok("produce", "rawt", "--raw", input=b"line1\nline2\n\x00")
    result = run_weir("consume", "rawt", "-B", "-d", "-O", "raw", input=b"")
    assert result.stdout == b"line1\nline2\n\x00"


def test_produce_from_file_and_partitions(tmp_path):
    ok("topic", "create", "parts", "-p", "2")
    src = tmp_path / "in.txt"
    src.write_text("".join(f"r{i}\n" for i in range(10)))
    ok("produce", "parts", "-f", str(src))
    ok("produce", "parts", "-p", "1", input="only-one\n")
    p0 = ok("consume", "parts", "-B", "-d", "-p", "0").stdout.split()
    p1 = ok("consume", "parts", "-B", "-d", "-p", "1").stdout.split()
    assert len(p0) == 5 and len(p1) == 6 and p1[-1] == "only-one"
    everything = ok("consume", "parts", "-B", "-d", "-A").stdout.split()
    assert sorted(everything) == sorted(p0 + p1)
    # as `fluvio consume`: every partition by default, -p (repeatable) for some
    assert ok("consume", "parts", "-B", "-d").stdout.split() == everything
    assert ok("consume", "parts", "-B", "-d", "-p", "1", "-p", "0").stdout.split() == everything
    assert len(ok("consume", "parts", "-T", "1", "-d").stdout.split()) == 2  # last of each
    bad = run_weir("consume", "parts", "-d", "-p", "7")
    assert bad.returncode == 1 and "partition 7" in bad.stderr


def test_produce_bad_input_is_clear_and_keeps_earlier_records(tmp_path):
    ok("topic", "create", "sep")
    result = run_weir("produce", "sep", "--key-separator", ":", input="a:1\nb:2\nno separator\n")
    assert result.returncode == 1
    assert "line 3" in result.stderr and "2 records before this line were produced" in result.stderr
    assert ok("consume", "sep", "-B", "-d").stdout == "1\n2\n"
    missing = run_weir("produce", "sep", "-f", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "nope.txt" in missing.stderr


def test_usage_errors_exit_2(demo):
    for args in (("consume", demo, "-B", "-T", "3"), ("consume", demo, "--start", "-1"),
                 ("consume", demo, "-p", "0", "-A"), ("consume", demo, "-O", "xml"),
                 ("produce", demo, "--raw", "--key-separator", ":"),
                 ("topic", "create", "x", "-p", "0")):
        result = run_weir(*args, input="")
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_bad_template_placeholder_exits_1(demo):
    result = run_weir("consume", demo, "-B", "-d", "-F", "{{offset}} {{nope}}")
    assert result.returncode == 1 and "{{nope}}" in result.stderr and "{{value}}" in result.stderr


def test_unwritable_home_is_an_environment_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_weir("topic", "list", env={"WEIR_HOME": str(blocker / "home")})
    assert result.returncode == 2 and "hint" in result.stderr


def test_corrupt_store_is_an_environment_error(weir_home):
    (weir_home / "data").mkdir()
    (weir_home / "data" / "topics.db").write_bytes(b"garbage" * 1000)
    result = run_weir("topic", "list")
    assert result.returncode == 2 and "corrupt" in result.stderr


def test_consume_follows_until_ctrl_c(demo):
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "consume", demo, "-T", "1"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ),
    )
    try:
        assert proc.stdout.readline() == b"four\n"
        ok("produce", demo, input="five\n")
        assert proc.stdout.readline() == b"five\n"
    finally:
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert err == b""
    assert proc.returncode in (0, 130)


def test_consume_into_a_closed_pipe_is_quiet(demo):
    ok("produce", demo, input="".join(f"{i}\n" for i in range(5000)))
    cmd = f"{sys.executable} -m tui.cli.main consume {demo} -B -d | head -n 1"
    result = subprocess.run(cmd, shell=True, cwd=REPO, capture_output=True, text=True,
                            timeout=30)
    assert result.stdout == "one\n"
    assert result.stderr == ""


def test_consume_follows_every_partition(weir_home):
    ok("topic", "create", "wide", "-p", "3")
    notify = weir_home / "data" / "notify"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "consume", "wide"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ),
    )
    try:
        # following once each partition's wake-up socket is bound (after its start offset)
        deadline = time.monotonic() + 30
        while len(list(notify.iterdir())) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        ok("produce", "wide", input="a\nb\nc\nd\n")
        lines = sorted(proc.stdout.readline() for _ in range(4))
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert lines == [b"a\n", b"b\n", b"c\n", b"d\n"]
    assert err == b""
