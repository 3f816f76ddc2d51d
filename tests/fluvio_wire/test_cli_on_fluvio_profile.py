"""The CLI on a profile of kind `fluvio`, against a real `weir cluster start`'s Fluvio
endpoint through the official client: named consumers' offsets (`consume -c`, `consumer
list|delete`) and produce's wire options (--compression, --linger, --batch-size,
--delivery-semantic) as a Fluvio user would use them."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fluvio")


@pytest.fixture(scope="module")
def far(cluster):
    added = cluster.weir("profile", "add", "far", "--fluvio", cluster.sc)
    assert added.returncode == 0, added.stderr
    return lambda *args, **kw: cluster.weir(*args, env={"WEIR_PROFILE": "far"}, timeout=120,
                                            **kw)


@pytest.mark.parametrize("compression", ["gzip", "snappy", "lz4", "zstd"])
def test_produce_options_go_through_the_official_client(far, compression):
    topic = f"wire-{compression}"
    assert far("topic", "create", topic).returncode == 0
    sent = far("produce", topic, "--compression", compression, "--linger", "20ms",
               "--batch-size", "4KB", "--delivery-semantic", "at-most-once", "--key", "k",
               "-O", "json", input="".join(f"{compression}-{i}\n" for i in range(50)))
    assert sent.returncode == 0, sent.stderr
    doc = json.loads(sent.stdout)
    assert (doc["records"], doc["compression"], doc["compressed"]) == (50, compression, True)
    got = far("consume", topic, "-B", "-d", "-k")
    assert got.stdout.splitlines() == [f"[k] {compression}-{i}" for i in range(50)]


def test_named_consumer_offsets_on_a_fluvio_profile(far):
    assert far("topic", "create", "wire-offsets", "-p", "2").returncode == 0
    assert far("produce", "wire-offsets", "-p", "0", input="a\nb\nc\n").returncode == 0
    assert far("produce", "wire-offsets", "-p", "1", input="x\ny\n").returncode == 0
    first = far("consume", "wire-offsets", "-B", "-d", "-c", "wire-reader", "-H", "1")
    assert sorted(first.stdout.split()) == ["a", "x"]
    listed = json.loads(far("consumer", "list", "-O", "json").stdout)
    mine = [(c["partition"], c["offset"], c["lag"]) for c in listed
            if c["consumer"] == "wire-reader"]
    assert mine == [(0, 0, 2), (1, 0, 1)]
    rest = far("consume", "wire-offsets", "-B", "-d", "-c", "wire-reader")
    assert sorted(rest.stdout.split()) == ["b", "c", "y"]
    gone = json.loads(far("consumer", "delete", "wire-reader", "--topic", "wire-offsets",
                          "-p", "0", "-O", "json").stdout)
    assert gone["deleted"] == [{"topic": "wire-offsets", "partition": 0}]
    replay = far("consume", "wire-offsets", "-B", "-d", "-c", "wire-reader")
    assert replay.stdout.split() == ["a", "b", "c"]  # partition 0 only: 1 kept its offset
