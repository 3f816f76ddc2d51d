"""The TopicStore contract: every backend (embedded, Fluvio) passes these unchanged."""

from __future__ import annotations

import asyncio
import time

import pytest

from runtime.errors import NotFound, WeirError
from runtime.topics.record import ProduceRecord
from runtime.topics.store import TopicSpec, TopicStore


def values(n: int, prefix: str = "v") -> list[ProduceRecord]:
    return [ProduceRecord(f"{prefix}{i}".encode()) for i in range(n)]


def test_store_satisfies_the_protocol(store):
    assert isinstance(store, TopicStore)


def test_create_list_describe_delete(store, make_topic):
    name = make_topic(partitions=3)
    assert name in [t.spec.name for t in store.list_topics()]
    info = store.describe_topic(name)
    assert info.spec.partitions == 3
    assert [p.partition for p in info.partitions] == [0, 1, 2]
    assert all(p.earliest == 0 and p.latest == 0 for p in info.partitions)
    assert info.record_count == 0
    store.delete_topic(name)
    store._test_created.remove(name)
    assert name not in [t.spec.name for t in store.list_topics()]
    with pytest.raises(NotFound):
        store.describe_topic(name)


def test_create_twice_fails_unless_exist_ok(store, make_topic):
    name = make_topic()
    with pytest.raises(WeirError, match="already exists"):
        store.create_topic(TopicSpec(name))
    store.create_topic(TopicSpec(name), exist_ok=True)


def test_invalid_names_are_refused(store):
    for bad in ("Upper", "under_score", "-lead", "trail-", "", "x" * 64, "sp ace"):
        with pytest.raises(WeirError) as err:
            store.create_topic(TopicSpec(bad))
        assert not isinstance(err.value, NotFound)


def test_missing_topic_is_not_found_everywhere(store):
    for call in (
        lambda: store.describe_topic("no-such-topic"),
        lambda: store.delete_topic("no-such-topic"),
        lambda: store.append("no-such-topic", values(1)),
        lambda: store.read("no-such-topic", 0, 0),
        lambda: store.latest_offset("no-such-topic", 0),
    ):
        with pytest.raises(NotFound, match="no-such-topic"):
            call()


def test_offsets_are_dense_from_zero(store, make_topic):
    name = make_topic()
    first = store.append(name, values(3))
    second = store.append(name, values(2, "w"))
    assert first == [(0, 0), (0, 1), (0, 2)]
    assert second == [(0, 3), (0, 4)]
    records = store.read(name, 0, 0)
    assert [r.offset for r in records] == [0, 1, 2, 3, 4]
    assert [r.value for r in records] == [b"v0", b"v1", b"v2", b"w0", b"w1"]
    assert store.earliest_offset(name, 0) == 0
    assert store.latest_offset(name, 0) == 5


def test_read_from_an_offset_with_a_limit(store, make_topic):
    name = make_topic()
    store.append(name, values(10))
    store.append(name, values(10, "w"))
    got = store.read(name, 0, 7, max_records=5)
    assert [r.offset for r in got] == [7, 8, 9, 10, 11]
    assert [r.value for r in got] == [b"v7", b"v8", b"v9", b"w0", b"w1"]
    assert store.read(name, 0, 20) == []
    assert store.read(name, 0, 1000) == []


def test_keys_and_binary_values_roundtrip(store, make_topic):
    name = make_topic()
    now = int(time.time() * 1000)
    store.append(name, [
        ProduceRecord(b"\xff\x00binary", key=b"k\x00ey"),
        ProduceRecord(b"", key=None),
    ])
    a, b = store.read(name, 0, 0)
    assert (a.key, a.value) == (b"k\x00ey", b"\xff\x00binary")
    assert (b.key, b.value) == (None, b"")
    assert abs(a.timestamp - now) < 60_000
    assert a.partition == b.partition == 0


def test_headers_and_given_timestamps_roundtrip(store, make_topic):
    name = make_topic()
    now = int(time.time() * 1000)
    store.append(name, [
        ProduceRecord(b"t", timestamp=1_700_000_000_000),
        ProduceRecord(b"h", key=b"", headers=(("trace", b"abc"), ("n", b"\x01"))),
    ])
    a, b = store.read(name, 0, 0)
    if getattr(store, "preserves_timestamps", True):
        assert a.timestamp == 1_700_000_000_000
        assert b.key == b"" and b.headers == (("trace", b"abc"), ("n", b"\x01"))
    else:  # Fluvio's client stamps records itself and its records carry no headers
        assert abs(a.timestamp - now) < 60_000
        assert b.key is None and b.headers == ()  # an empty key reads back as none
    assert (a.value, b.value) == (b"t", b"h")


def test_same_key_same_partition(store, make_topic):
    name = make_topic(partitions=4)
    placed = store.append(name, [ProduceRecord(b"x", key=f"k{i % 5}".encode()) for i in range(50)])
    by_key: dict[bytes, set[int]] = {}
    for i, (p, _) in enumerate(placed):
        by_key.setdefault(f"k{i % 5}".encode(), set()).add(p)
    assert all(len(parts) == 1 for parts in by_key.values())
    again = store.append(name, [ProduceRecord(b"y", key=b"k3")])
    assert again[0][0] == next(iter(by_key[b"k3"]))


def test_round_robin_without_key(store, make_topic):
    name = make_topic(partitions=3)
    placed = store.append(name, values(9))
    counts = [sum(1 for p, _ in placed if p == part) for part in range(3)]
    assert counts == [3, 3, 3]
    # every partition's offsets are dense too
    for part in range(3):
        assert sorted(o for p, o in placed if p == part) == [0, 1, 2]
    total = sum(len(store.read(name, p, 0)) for p in range(3))
    assert total == 9


def test_explicit_partition(store, make_topic):
    name = make_topic(partitions=2)
    assert store.append(name, values(2), partition=1) == [(1, 0), (1, 1)]
    assert store.read(name, 0, 0) == []
    assert [r.partition for r in store.read(name, 1, 0)] == [1, 1]
    with pytest.raises(WeirError, match="partition"):
        store.append(name, values(1), partition=2)


def test_empty_append_is_a_no_op(store, make_topic):
    name = make_topic()
    assert store.append(name, []) == []
    assert store.latest_offset(name, 0) == 0


async def test_follow_sees_new_records(store, make_topic):
    name = make_topic()
    store.append(name, values(2))
    seen: list[bytes] = []

    async def consume():
        async for batch in store.follow(name, 0, 1):
            seen.extend(r.value for r in batch)
            if len(seen) >= 3:
                return

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.05)
    store.append(name, values(2, "new"))
    await asyncio.wait_for(task, 10)
    assert seen == [b"v1", b"new0", b"new1"]


async def test_follow_hands_waiting_records_over_in_batches_of_at_most_max_records(
        store, make_topic):
    """A sink's transaction covers what was waiting, not one record: records already
    stored come in batches of more than one, never more than `max_records`, in order."""
    name = make_topic()
    store.append(name, values(300))
    batches: list[int] = []
    seen: list[bytes] = []

    async def consume():
        async for batch in store.follow(name, 0, 0, 64):
            batches.append(len(batch))
            seen.extend(r.value for r in batch)
            if len(seen) >= 300:
                return

    await asyncio.wait_for(consume(), 20)
    assert seen == [f"v{i}".encode() for i in range(300)]
    assert max(batches) <= 64 and len(batches) < 300, batches


def test_consumer_offsets(store, make_topic):
    name = make_topic(partitions=2)
    assert store.fetch_offset("sink-a", name, 0) is None
    if getattr(store, "commits_need_records", False):
        # Fluvio commits only through a stream at a stored record: refused, clearly
        with pytest.raises(WeirError, match="record 4 is not stored") as err:
            store.commit_offset("sink-a", name, 0, 5)
        assert "Fluvio commits a consumer offset only through a stream" in err.value.message
        assert store.fetch_offset("sink-a", name, 0) is None
        store.append(name, values(8), 0)
        store.append(name, values(2), 1)
    store.commit_offset("sink-a", name, 0, 5)
    store.commit_offset("sink-a", name, 0, 7)
    store.commit_offset("sink-b", name, 1, 2)
    assert store.fetch_offset("sink-a", name, 0) == 7
    assert store.fetch_offset("sink-a", name, 1) is None
    assert store.fetch_offset("sink-b", name, 1) == 2


def test_consumer_offsets_are_listed_and_deleted(store, make_topic):
    name = make_topic(partitions=2)
    store.append(name, values(10), 0)
    store.append(name, values(3), 1)
    before = int(time.time() * 1000) - 2000
    store.commit_offset("lister-a", name, 0, 7)
    store.commit_offset("lister-b", name, 1, 2)
    mine = [o for o in store.list_offsets() if o.topic == name]
    assert [(o.consumer, o.partition, o.offset) for o in mine] == [
        ("lister-a", 0, 7), ("lister-b", 1, 2)]
    assert all(o.modified_ms >= before for o in mine)
    assert store.delete_offset("lister-a", name, 0) is True
    assert store.delete_offset("lister-a", name, 0) is False
    assert store.fetch_offset("lister-a", name, 0) is None
    assert [o.consumer for o in store.list_offsets() if o.topic == name] == ["lister-b"]
    with pytest.raises(NotFound):
        store.delete_offset("lister-b", name, 5)
