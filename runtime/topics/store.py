"""The TopicStore protocol: what every backend (embedded SQLite, Fluvio) offers.

The contract tests in tests/topics/ run against every backend unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from runtime.topics.record import ProduceRecord, Record


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int = 1
    retention_ms: int | None = None  # drop records older than this
    segment_bytes: int | None = None  # keep at most about this many bytes per partition


@dataclass(frozen=True, slots=True)
class PartitionInfo:
    partition: int
    earliest: int  # first offset still stored
    latest: int  # next offset to be written (the high watermark)
    size_bytes: int


@dataclass(frozen=True, slots=True)
class TopicInfo:
    spec: TopicSpec
    partitions: tuple[PartitionInfo, ...]

    @property
    def record_count(self) -> int:
        return sum(p.latest - p.earliest for p in self.partitions)


@dataclass(frozen=True, slots=True)
class ConsumerOffset:
    """Where a named consumer (`weir consume -c`, a sink connector) resumes in a partition.
    `offset` is the next record it will read, as `commit_offset` takes it."""

    consumer: str
    topic: str
    partition: int
    offset: int
    modified_ms: int  # when it was last committed (ms since the epoch)


@runtime_checkable
class TopicStore(Protocol):
    """Topics, partitions and consumer offsets. Raise runtime.errors.NotFound for a
    missing topic and WeirError for anything else the user should read.

    A backend may also offer `prepare(topic, records, partition)` and
    `commit_prepared(topic, prepared)` (several batches, one durable transaction);
    runtime.topics.pipeline.Pipeline then group-commits through them. It may offer
    `read_columns` and `follow_columns` too (`read` and `follow` giving RecordColumns):
    consumers with a SmartModule chain then read through those."""

    def create_topic(self, spec: TopicSpec, *, exist_ok: bool = False) -> None: ...

    def list_topics(self) -> list[TopicInfo]: ...

    def describe_topic(self, name: str) -> TopicInfo: ...

    def delete_topic(self, name: str) -> None: ...

    def add_partitions(self, name: str, count: int = 1) -> TopicInfo:
        """Give a topic `count` more partitions; the topic as it is then."""
        ...

    def append(
        self, topic: str, records: Sequence[ProduceRecord], partition: int | None = None
    ) -> list[tuple[int, int]]:
        """Append a batch durably in one transaction; return (partition, offset) per record.
        Without a partition: key hash when there is a key, round-robin otherwise."""
        ...

    def read(
        self, topic: str, partition: int, offset: int, max_records: int = 1000
    ) -> list[Record]:
        """Records with offset >= `offset`, in order, at most `max_records`."""
        ...

    def follow(
        self, topic: str, partition: int, offset: int, max_records: int = 1000
    ) -> AsyncIterator[list[Record]]:
        """Yield batches of records (at most `max_records` each) from `offset` on, waiting
        for new ones as they commit."""
        ...

    def earliest_offset(self, topic: str, partition: int) -> int: ...

    def latest_offset(self, topic: str, partition: int) -> int: ...

    def commit_offset(self, consumer: str, topic: str, partition: int, offset: int) -> None:
        """Remember `offset` as the next record `consumer` will read."""
        ...

    def fetch_offset(self, consumer: str, topic: str, partition: int) -> int | None: ...

    def list_offsets(self) -> list[ConsumerOffset]:
        """Every committed consumer offset, by consumer, topic and partition."""
        ...

    def delete_offset(self, consumer: str, topic: str, partition: int) -> bool:
        """Forget `consumer`'s offset in a partition (it then starts where it is told to);
        whether there was one."""
        ...

    def close(self) -> None: ...
