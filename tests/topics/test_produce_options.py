"""`weir produce --key --linger --batch-size --compression --delivery-semantic`, run as a
user runs them; the producer config they make for a Fluvio profile, with the real client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, run_weir


def ok(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    result = run_weir(*args, input=input)
    assert result.returncode == 0, (args, result.stderr)
    return result


def records(topic: str) -> list[dict]:
    out = ok("consume", topic, "-B", "-d", "-O", "json").stdout
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture
def topic():
    ok("topic", "create", "opts", "-p", "3")
    return "opts"


def test_key_gives_every_record_the_same_key_and_partition(topic):
    ok("produce", topic, "--key", "user-7", input="a\nb\nc\n")
    got = records(topic)
    assert [(r["key"], r["value"]) for r in got] == [("user-7", "a"), ("user-7", "b"),
                                                      ("user-7", "c")]
    assert len({r["partition"] for r in got}) == 1  # one key hashes to one partition
    ok("produce", topic, "--raw", "--key", "blob", input="x\ny\n")
    assert [(r["key"], r["value"]) for r in records(topic)][-1] == ("blob", "x\ny\n")


def test_batch_size_splits_batches_by_bytes(topic):
    lines = "".join(f"{i:09d}\n" for i in range(100))  # 9 bytes a value
    result = ok("produce", topic, "-p", "0", "--batch-size", "90", "-v", input=lines)
    reports = [line for line in result.stderr.splitlines() if line.startswith("[opts/0]")]
    assert reports[0] == "[opts/0] 10 records at offset 0..9"
    assert result.stderr.splitlines()[-1] == "produced 100 records in 10 batches to `opts`"


def _spawn_producer(*flags: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "produce", "opts", "-p", "0", "-v", *flags],
        cwd=REPO, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ))


def test_without_linger_a_pause_sends_at_once_with_linger_it_waits(topic):
    proc = _spawn_producer()
    proc.stdin.write("one\n")
    proc.stdin.flush()
    assert proc.stderr.readline() == "[opts/0] 1 record at offset 0\n"
    proc.stdin.write("two\n")
    proc.stdin.close()
    assert proc.wait(30) == 0
    assert "in 2 batches" in proc.stderr.read()

    proc = _spawn_producer("--linger", "3s")
    proc.stdin.write("three\n")
    proc.stdin.flush()
    time.sleep(0.5)  # a pause well inside the linger: the batch is still open
    proc.stdin.write("four\n")
    proc.stdin.close()
    assert proc.wait(30) == 0
    err = proc.stderr.read()
    assert "[opts/0] 2 records at offset 2..3" in err and "in 1 batch" in err


def test_compression_and_delivery_semantic_on_the_embedded_store(topic):
    result = ok("produce", topic, "-p", "1", "--compression", "zstd", "--delivery-semantic",
                "at-most-once", "-v", input="kept\n")
    assert "the embedded store keeps values uncompressed" in result.stderr
    assert [r["value"] for r in records(topic)] == ["kept"]
    bad = run_weir("produce", topic, "--compression", "brotli", input="x\n")
    assert bad.returncode == 2 and "'brotli' is not one of" in bad.stderr
    bad = run_weir("produce", topic, "--delivery-semantic", "exactly-once", input="x\n")
    assert bad.returncode == 2 and "at-least-once" in bad.stderr
    bad = run_weir("produce", topic, "--linger", "soon", input="x\n")
    assert bad.returncode == 2 and "--linger" in bad.stderr
    bad = run_weir("produce", topic, "--key", "k", "--key-separator", "=", input="x\n")
    assert bad.returncode == 2 and "cannot be used together" in bad.stderr


@pytest.mark.parametrize("compression", ["none", "gzip", "snappy", "lz4", "zstd"])
@pytest.mark.parametrize("semantic", ["at-least-once", "at-most-once"])
def test_settings_become_the_official_clients_producer_config(compression, semantic):
    fluvio = pytest.importorskip("fluvio")
    from runtime.topics.fluvio_backend import producer_config
    from runtime.topics.producer_settings import ProducerSettings

    settings = ProducerSettings(250, 65_536, compression, semantic)
    for partition in (None, 2):
        assert isinstance(producer_config(fluvio, settings, partition),
                          fluvio.TopicProducerConfig)
