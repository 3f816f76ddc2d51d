"""The pipelined producer: durable acks in order, group commit, failures stop it."""

from __future__ import annotations

import pytest

from runtime.errors import NotFound, WeirError
from runtime.topics.embedded import EmbeddedStore
from runtime.topics.pipeline import Pipeline
from runtime.topics.record import ProduceRecord, produce_records
from runtime.topics.store import TopicSpec


class CountingStore(EmbeddedStore):
    """The real store, counting its transactions."""

    commits = 0

    def commit_prepared(self, topic, batches):
        self.commits += 1
        return super().commit_prepared(topic, batches)


class AppendOnly:
    """A backend with only the protocol's append (as the Fluvio one)."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store

    def append(self, topic, records, partition=None):
        return self.store.append(topic, records, partition)


@pytest.fixture
def store(weir_home):
    s = CountingStore(weir_home / "data")
    s.create_topic(TopicSpec("pipe", partitions=2))
    yield s
    s.close()


def test_batches_are_stored_in_order_with_their_offsets(store):
    with Pipeline(store, "pipe") as pipe:
        futures = [pipe.send(produce_records([f"{b}:{i}".encode() for i in range(100)]),
                             partition=0) for b in range(50)]
    for b, future in enumerate(futures):
        assert future.result() == [(0, b * 100 + i) for i in range(100)]
    values = [r.value for r in store.read("pipe", 0, 0, 10_000)]
    assert values == [f"{b}:{i}".encode() for b in range(50) for i in range(100)]
    assert store.commits <= 50  # grouped when the producer outran the disk


def test_bad_input_raises_at_send_and_nothing_is_queued(store):
    pipe = Pipeline(store, "pipe")
    with pytest.raises(WeirError, match="partition 5"):
        pipe.send([ProduceRecord(b"x")], partition=5)
    with pytest.raises(WeirError, match="bytes"):
        pipe.send([ProduceRecord("text")])
    pipe.close()
    assert store.describe_topic("pipe").record_count == 0


def test_a_failed_commit_fails_later_batches_too(store, weir_home):
    pipe = Pipeline(store, "pipe")
    first = pipe.send([ProduceRecord(b"kept")], partition=0)
    assert first.result(timeout=10) == [(0, 0)]
    other = EmbeddedStore(weir_home / "data")  # another process deletes the topic
    other.delete_topic("pipe")
    other.close()
    doomed = pipe.send([ProduceRecord(b"lost")], partition=0)
    with pytest.raises(NotFound):
        doomed.result(timeout=10)
    with pytest.raises(NotFound):
        pipe.send([ProduceRecord(b"after")], partition=0)
    with pytest.raises(NotFound):
        pipe.close()


def test_backends_without_group_commit_still_pipeline(store):
    plain = AppendOnly(store)
    with Pipeline(plain, "pipe") as pipe:
        futures = [pipe.send([ProduceRecord(b"a"), ProduceRecord(b"b")]) for _ in range(5)]
    assert [f.result() for f in futures][0] == [(0, 0), (1, 0)]
    assert store.describe_topic("pipe").record_count == 10
