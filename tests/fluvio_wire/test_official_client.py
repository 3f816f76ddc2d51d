"""The official `fluvio==0.21.0` Python client against a real `weir cluster start`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager

from runtime.topics.embedded import EmbeddedStore
from tests.conftest import REPO


def test_admin_create_list_delete(cluster):
    out = cluster.client("""
        admin = FluvioAdmin.connect_with_config(FluvioConfig.new(SC))
        admin.create_topic("admin-t", TopicSpec.create().with_partitions(2).build())
        listed = [t.name() for t in admin.list_topics(["admin-t"])]
        every = [t.name() for t in admin.all_topics()]
        parts = sorted(p.name() for p in admin.list_partitions(["admin-t"]))
        errors = {}
        for name, spec in (("admin-t", None), ("Bad_Name", None),
                           ("rf", TopicSpec.create().with_replications(3).build())):
            try:
                admin.create_topic(name, spec)
            except Exception as exc:
                errors[name] = str(exc)
        admin.delete_topic("admin-t")
        try:
            admin.delete_topic("admin-t")
        except Exception as exc:
            errors["delete-again"] = str(exc)
        deadline = time.time() + 10
        while "admin-t" in [t.name() for t in admin.all_topics()]:
            assert time.time() < deadline
            time.sleep(0.1)
        print(json.dumps({"listed": listed, "every": every, "parts": parts, "errors": errors}))
    """)
    assert out["listed"] == ["admin-t"]
    assert "admin-t" in out["every"] and "consumer-offset" not in out["every"]
    assert out["parts"] == ["admin-t-0", "admin-t-1"]
    assert "already exists" in out["errors"]["admin-t"]
    assert "Invalid topic name" in out["errors"]["Bad_Name"] or \
        "TopicInvalidName" in out["errors"]["Bad_Name"]
    assert "replication" in out["errors"]["rf"]
    assert "delete-again" in out["errors"]
    assert "admin-t" not in cluster.weir("topic", "list").stdout


def test_produce_1000_keyed_records_and_consume_them_in_order(cluster):
    out = cluster.client("""
        admin = FluvioAdmin.connect_with_config(FluvioConfig.new(SC))
        admin.create_topic("keyed", TopicSpec.create().build())
        fl = Fluvio.connect_with_config(FluvioConfig.new(SC))
        producer = fl.topic_producer("keyed")
        outs = [producer.send(f"k{i}".encode(), f"value-{i}".encode()) for i in range(1000)]
        producer.flush()
        offsets = [o.wait().offset() for o in outs]
        got = []
        for rec in fl.partition_consumer("keyed", 0).stream(Offset.beginning()):
            got.append([rec.offset(), rec.key_string(), rec.value_string()])
            if len(got) == 1000:
                break
        print(json.dumps({"offsets": offsets, "got": got}))
    """)
    assert out["offsets"] == list(range(1000))
    assert out["got"] == [[i, f"k{i}", f"value-{i}"] for i in range(1000)]
    # the same records through Weir's own reader, from the same store
    store = EmbeddedStore(cluster.home / "data")
    try:
        records = store.read("keyed", 0, 0, 2000)
    finally:
        store.close()
    assert [(r.key, r.value) for r in records] == \
        [(f"k{i}".encode(), f"value-{i}".encode()) for i in range(1000)]


def test_three_partitions_with_key_hashing(cluster):
    out = cluster.client("""
        admin = FluvioAdmin.connect_with_config(FluvioConfig.new(SC))
        admin.create_topic("hashed", TopicSpec.create().with_partitions(3).build())
        fl = Fluvio.connect_with_config(FluvioConfig.new(SC))
        producer = fl.topic_producer("hashed")
        outs = [producer.send(f"key-{i % 30}".encode(), f"v{i}".encode()) for i in range(300)]
        producer.flush()
        meta = [(m.partition_id(), m.offset()) for m in (o.wait() for o in outs)]
        parts = {}
        for p in range(3):
            hw = sum(1 for m in meta if m[0] == p)
            got = []
            if hw:
                for rec in fl.partition_consumer("hashed", p).stream(Offset.beginning()):
                    got.append([rec.offset(), rec.key_string(), rec.value_string()])
                    if len(got) == hw:
                        break
            parts[p] = got
        print(json.dumps({"meta": meta, "parts": parts}))
    """)
    meta, parts = out["meta"], out["parts"]
    assert len({p for p, _ in meta}) > 1, "every key went to one partition"
    for got in parts.values():
        assert [o for o, _, _ in got] == list(range(len(got)))  # dense per partition
    where = {}
    for got_p, got in parts.items():
        for _, key, _ in got:
            assert where.setdefault(key, got_p) == got_p  # one key, one partition
    assert sum(len(g) for g in parts.values()) == 300
    by_value = {v: (int(p), o) for p, got in parts.items() for o, _, v in got}
    assert [by_value[f"v{i}"] for i in range(300)] == [tuple(m) for m in meta]


def test_consumer_offsets_commit_resume_and_delete(cluster):
    cluster.weir("topic", "create", "offsets-t")
    produced = cluster.weir("produce", "offsets-t", input="\n".join(f"r{i}" for i in range(10)))
    assert produced.returncode == 0, produced.stderr
    out = cluster.client("""
        fl = Fluvio.connect_with_config(FluvioConfig.new(SC))
        def consumer():
            builder = ConsumerConfigExtBuilder("offsets-t")
            builder.offset_start(Offset.beginning())
            builder.offset_strategy(OffsetManagementStrategy.MANUAL)
            builder.offset_consumer("c1")
            builder.partition(0)
            return fl.consumer_with_config(builder.build())
        stream = consumer()
        first = [next(stream).value_string() for _ in range(4)]
        stream.offset_commit()
        stream.offset_flush()
        offsets = [[o.consumer_id, o.topic, o.partition, o.offset]
                   for o in fl.consumer_offsets()]
        resumed = next(consumer()).value_string()
        print(json.dumps({"first": first, "offsets": offsets, "resumed": resumed}))
    """)
    assert out["first"] == ["r0", "r1", "r2", "r3"]
    assert ["c1", "offsets-t", 0, 3] in out["offsets"]
    assert out["resumed"] == "r4"
    # the same consumer-offset table Weir's sink connectors use: next to read = 4
    store = EmbeddedStore(cluster.home / "data")
    try:
        assert store.fetch_offset("c1", "offsets-t", 0) == 4
        store.commit_offset("sink-x", "offsets-t", 0, 7)  # as a Weir sink would
    finally:
        store.close()
    out = cluster.client("""
        fl = Fluvio.connect_with_config(FluvioConfig.new(SC))
        before = sorted([o.consumer_id, o.offset] for o in fl.consumer_offsets()
                        if o.topic == "offsets-t")
        fl.delete_consumer_offset("c1", "offsets-t", 0)
        after = sorted([o.consumer_id, o.offset] for o in fl.consumer_offsets()
                       if o.topic == "offsets-t")
        print(json.dumps({"before": before, "after": after}))
    """)
    assert out["before"] == [["c1", 3], ["sink-x", 6]]
    assert out["after"] == [["sink-x", 6]]


def test_records_cross_between_the_client_and_weir_both_ways(cluster):
    assert cluster.weir("topic", "create", "cross").returncode == 0
    produced = cluster.weir("produce", "cross", "--key-separator", ":",
                            input="a:from-weir-1\nb:from-weir-2\n")
    assert produced.returncode == 0, produced.stderr
    out = cluster.client("""
        fl = Fluvio.connect_with_config(FluvioConfig.new(SC))
        got = []
        for rec in fl.partition_consumer("cross", 0).stream(Offset.beginning()):
            got.append([rec.offset(), rec.key_string(), rec.value_string()])
            if len(got) == 2:
                break
        producer = fl.topic_producer("cross")
        producer.send(b"c", b"from-fluvio")
        producer.flush()
        print(json.dumps(got))
    """)
    assert out == [[0, "a", "from-weir-1"], [1, "b", "from-weir-2"]]
    consumed = cluster.weir("consume", "cross", "-B", "-d", "-k")
    assert consumed.returncode == 0, consumed.stderr
    assert consumed.stdout.splitlines() == ["[a] from-weir-1", "[b] from-weir-2",
                                            "[c] from-fluvio"]


def test_a_record_produced_later_streams_live_to_a_waiting_consumer(cluster):
    assert cluster.weir("topic", "create", "live").returncode == 0
    script = """
import json, os
from fluvio import Fluvio, FluvioConfig, Offset
fl = Fluvio.connect_with_config(FluvioConfig.new(os.environ["SC"]))
stream = fl.partition_consumer("live", 0).stream(Offset.end())
print("ready", flush=True)
print(json.dumps(next(stream).value_string()), flush=True)
"""
    env = {**cluster.env, "SC": cluster.sc}
    consumer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=REPO,
                                env={**os.environ, **env})
    try:
        assert consumer.stdout.readline().strip() == "ready"
        time.sleep(0.5)  # the stream is open and waiting
        assert cluster.weir("produce", "live", input="produced-later\n").returncode == 0
        out, err = consumer.communicate(timeout=60)
    finally:
        consumer.kill()
    assert out.strip() == '"produced-later"', err


@contextmanager
def waiting_client(cluster, script: str) -> Iterator[subprocess.Popen]:
    """The official client running `script` in another process (SC in its environment),
    once it has printed `ready`: it then waits for a line on stdin. Killed afterwards."""
    client = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=REPO, env={**os.environ, **cluster.env, "SC": cluster.sc})
    try:
        assert client.stdout.readline().strip() == "ready", client.stderr.read()
        yield client
    finally:
        client.kill()


def test_a_topic_weir_creates_reaches_a_connected_client(cluster):
    """`weir topic create` in another process: the client's watch hears of it, so its
    producer finds the topic at once (not after Fluvio's 60 s metadata timeout)."""
    script = """
import json, os, sys, time
from fluvio import Fluvio, FluvioConfig
fl = Fluvio.connect_with_config(FluvioConfig.new(os.environ["SC"]))
producer = fl.topic_producer("consumer-offset")  # starts the SPU pool's watches
print("ready", flush=True)
sys.stdin.readline()
start = time.time()
producer = fl.topic_producer("made-by-weir")
producer.send(b"k", b"v")
producer.flush()
print(json.dumps(time.time() - start), flush=True)
"""
    with waiting_client(cluster, script) as client:
        assert cluster.weir("topic", "create", "made-by-weir").returncode == 0
        out, err = client.communicate("go\n", timeout=60)
    assert client.returncode == 0, err
    assert float(out.strip()) < 30
    consumed = cluster.weir("consume", "made-by-weir", "-B", "-d")
    assert consumed.stdout.splitlines() == ["v"]


def test_a_partition_weir_adds_reaches_a_connected_client(cluster):
    """`weir topic add-partition` in another process: the Topic and Partition watches push
    the new partition (the client finds a partition's leader only in its watch-fed
    cache), so a client connected before can consume it at once. The growing high
    watermark is not pushed: no client reads it from a watch (List gives it live)."""
    assert cluster.weir("topic", "create", "grows").returncode == 0
    script = """
import json, os, sys, time
from fluvio import Fluvio, FluvioConfig, Offset
fl = Fluvio.connect_with_config(FluvioConfig.new(os.environ["SC"]))
fl.partition_consumer("grows", 0).stream(Offset.beginning())  # the watches are up
print("ready", flush=True)
sys.stdin.readline()
start = time.time()
record = next(fl.partition_consumer("grows", 1).stream(Offset.beginning()))
print(json.dumps([record.value_string(), time.time() - start]), flush=True)
"""
    with waiting_client(cluster, script) as client:
        assert cluster.weir("topic", "add-partition", "grows").returncode == 0
        produced = cluster.weir("produce", "grows", "-p", "1", input="on-the-new-one\n")
        assert produced.returncode == 0, produced.stderr
        out, err = client.communicate("go\n", timeout=60)
    assert client.returncode == 0, err
    value, waited = json.loads(out.strip())
    assert value == "on-the-new-one"
    assert waited < 30  # the watch's push, not Fluvio's 60 s metadata timeout


def test_fluvio_profile_lets_fluvio_connect_find_the_cluster(cluster, tmp_path):
    config = tmp_path / "fluvio" / "config"
    config.parent.mkdir(mode=0o700)
    config.write_text('version = "2.0"\ncurrent_profile = "other"\n\n'
                      '[profile.other]\ncluster = "other"\n\n'
                      '[cluster.other]\nendpoint = "10.0.0.1:9003"\n\n'
                      '[cluster.other.tls]\ntls_policy = "disabled"\n')
    env = {**cluster.env, "FLV_PROFILE_PATH": str(config)}
    written = cluster.weir("cluster", "fluvio-profile", env=env)
    assert written.returncode == 0, written.stderr
    assert "switch to it" in written.stderr
    data = tomllib.loads(config.read_text())
    assert data["current_profile"] == "other"
    assert data["cluster"]["other"]["endpoint"] == "10.0.0.1:9003"
    assert data["cluster"]["weir"]["endpoint"] == cluster.sc
    switched = cluster.weir("cluster", "fluvio-profile", "--switch", env=env)
    assert switched.returncode == 0 and "current profile" in switched.stderr
    assert tomllib.loads(config.read_text())["current_profile"] == "weir"
    assert (config.stat().st_mode & 0o777) == 0o600
    out = cluster.client("""
        admin = FluvioAdmin.connect()
        admin.create_topic("via-profile")
        fl = Fluvio.connect()
        producer = fl.topic_producer("via-profile")
        producer.send_string("hello")
        producer.flush()
        print(json.dumps([t.name() for t in admin.all_topics()]))
    """, env={"FLV_PROFILE_PATH": str(config)})
    assert "via-profile" in out
    assert cluster.weir("consume", "via-profile", "-B", "-d").stdout == "hello\n"


def test_fluvio_profile_in_the_default_place_is_private(cluster, tmp_path):
    env = {**cluster.env, "HOME": str(tmp_path)}
    written = cluster.weir("cluster", "fluvio-profile", env={**env, "FLV_PROFILE_PATH": ""})
    assert written.returncode == 0, written.stderr
    config = tmp_path / ".fluvio" / "config"
    assert (config.stat().st_mode & 0o777) == 0o600
    assert (config.parent.stat().st_mode & 0o777) == 0o700
    assert tomllib.loads(config.read_text())["current_profile"] == "weir"


def test_fluvio_profile_names_a_broken_config(cluster, tmp_path):
    config = tmp_path / "config"
    config.write_text('version = "2.0"\n[profile.x\n')
    result = cluster.weir("cluster", "fluvio-profile",
                          env={**cluster.env, "FLV_PROFILE_PATH": str(config)})
    assert result.returncode == 1
    assert str(config) in result.stderr and "line 2" in result.stderr


def test_every_compression_the_producer_offers(cluster):
    assert cluster.weir("topic", "create", "squeezed").returncode == 0
    out = cluster.client("""
        fl = Fluvio.connect_with_config(FluvioConfig.new(SC))
        kinds = [Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd]
        for i, kind in enumerate(kinds):
            config = TopicProducerConfigBuilder().compression(kind).build()
            producer = fl.topic_producer_with_config("squeezed", config)
            for j in range(20):
                producer.send(f"k{i}".encode(), (f"{i}-{j}-" + "abc" * 50).encode())
            producer.flush()
        got = []
        for rec in fl.partition_consumer("squeezed", 0).stream(Offset.beginning()):
            got.append(rec.value_string())
            if len(got) == 80:
                break
        print(json.dumps(got))
    """)
    assert out == [f"{i}-{j}-" + "abc" * 50 for i in range(4) for j in range(20)]
    consumed = cluster.weir("consume", "squeezed", "-B", "-d")
    assert consumed.stdout.splitlines() == out


def test_an_evicted_offset_is_answered_as_fluvio_does(cluster):
    assert cluster.weir("topic", "create", "evicting", "--segment-size", "2KB").returncode == 0
    for _ in range(10):
        cluster.weir("produce", "evicting", input="\n".join("x" * 100 for _ in range(10)))
    out = cluster.client("""
        fl = Fluvio.connect_with_config(FluvioConfig.new(SC))
        try:
            next(fl.partition_consumer("evicting", 0).stream(Offset.absolute(0)))
            error = None
        except Exception as exc:
            error = str(exc)
        first = next(fl.partition_consumer("evicting", 0).stream(Offset.beginning()))
        print(json.dumps({"error": error, "first": first.offset()}))
    """)
    assert out["first"] > 0
    assert out["error"] == f"Offset 0 is evicted. The next available is {out['first']}"


def test_smartmodules_registered_in_weir_are_listed(cluster):
    wasm = REPO / "examples" / "smartmodules" / "prebuilt" / "contains_filter.wasm"
    created = cluster.weir("smartmodule", "create", "listed-filter", "--wasm-file", str(wasm))
    assert created.returncode == 0, created.stderr
    out = cluster.client("""
        admin = FluvioAdmin.connect_with_config(FluvioConfig.new(SC))
        print(json.dumps([m.name() for m in admin.list_smartmodules([])]))
    """)
    assert "listed-filter" in out


def test_a_deleted_topic_disappears_for_a_connected_client(cluster):
    """`weir topic delete` in another process: the client's watch-fed cache drops it."""
    assert cluster.weir("topic", "create", "short-lived").returncode == 0
    out = cluster.client("""
        import subprocess
        fl = Fluvio.connect_with_config(FluvioConfig.new(SC))
        fl.topic_producer("short-lived")  # found in the client's topic cache
        subprocess.run([sys.executable, "-m", "tui.cli.main", "topic", "delete",
                        "short-lived"], check=True, capture_output=True)
        deadline = time.time() + 20
        gone = None
        while time.time() < deadline and gone is None:
            try:
                fl.topic_producer("short-lived")
                time.sleep(0.1)
            except Exception as exc:
                gone = str(exc)
        print(json.dumps(gone))
    """)
    assert out is not None and "short-lived" in out


def test_a_topics_retention_and_partition_size_reach_the_store(cluster):
    cluster.client("""
        admin = FluvioAdmin.connect_with_config(FluvioConfig.new(SC))
        admin.create_topic("kept", TopicSpec.create().with_retention_time(7200)
                           .with_max_partition_size(10_000_000).build())
        admin.create_topic("segmented", TopicSpec.create().with_segment_size(1_000_000).build())
        print(json.dumps(None))
    """)
    store = EmbeddedStore(cluster.home / "data")
    try:
        kept = store.describe_topic("kept").spec
        segmented = store.describe_topic("segmented").spec
    finally:
        store.close()
    assert (kept.retention_ms, kept.segment_bytes) == (2 * 3600 * 1000, 10_000_000)
    # Fluvio's segment *file* size is no cap on the partition: nothing is dropped for it
    assert (segmented.retention_ms, segmented.segment_bytes) == (None, None)


def test_a_stream_of_a_topic_deleted_meanwhile_ends_with_fluvios_error(cluster):
    assert cluster.weir("topic", "create", "doomed").returncode == 0
    script = """
import json, os
from fluvio import Fluvio, FluvioConfig, Offset
fl = Fluvio.connect_with_config(FluvioConfig.new(os.environ["SC"]))
stream = fl.partition_consumer("doomed", 0).stream(Offset.beginning())
print("ready", flush=True)
try:
    next(stream)
    print(json.dumps(None), flush=True)
except Exception as exc:
    print(json.dumps(str(exc)), flush=True)
"""
    consumer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=REPO,
                                env={**os.environ, **cluster.env, "SC": cluster.sc})
    try:
        assert consumer.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        assert cluster.weir("topic", "delete", "doomed").returncode == 0
        out, err = consumer.communicate(timeout=60)
    finally:
        consumer.kill()
    assert out.strip() == '"the topic was deleted"', err
