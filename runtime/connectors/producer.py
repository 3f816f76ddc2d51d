"""The source side's producer: batch records by `batch-size` and `linger`, then append.

Compression is recorded (log line, start event) but not applied: the embedded store keeps
values uncompressed so every consumer reads them as produced; a Fluvio profile's client
would apply it on the wire.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from runtime.config.spec import ProducerOptions
from runtime.connectors.reporter import Reporter
from runtime.topics.record import ProduceRecord
from runtime.topics.store import TopicStore


class Producer:
    """Buffers records and appends them to one topic in batches."""

    def __init__(
        self,
        store: TopicStore,
        topic: str,
        options: ProducerOptions,
        reporter: Reporter,
        partition: int | None = None,
    ) -> None:
        self.store = store
        self.topic = topic
        self.options = options
        self.reporter = reporter
        self.partition = partition
        self.buffer: list[ProduceRecord] = []
        self.buffered_bytes = 0
        self.first_at: float | None = None  # monotonic time the oldest buffered record came
        self.last_offset: int | None = None
        self.positions = None  # runtime.connectors.positions.Positions, for a source's place
        self.position: str | None = None  # where the source is after the buffered records
        self.position_dirty = False

    def set_position(self, position: str) -> None:
        """The source's place after the records added next: stored with them."""
        self.position = position
        self.position_dirty = True
        if self.first_at is None:
            self.first_at = time.monotonic()

    def add(self, records: Sequence[ProduceRecord]) -> None:
        """Buffer; append right away when the batch is full."""
        if not records:
            return
        if self.first_at is None:
            self.first_at = time.monotonic()
        self.buffer.extend(records)
        self.buffered_bytes += sum(len(r.value) for r in records) + sum(
            len(r.key) for r in records if r.key)
        if self.buffered_bytes >= self.options.batch_size_bytes:
            self.flush()

    def due_in(self) -> float | None:
        """Seconds until linger expires for the oldest buffered record; None when empty."""
        if self.first_at is None:
            return None
        return self.first_at + self.options.linger_ms / 1000 - time.monotonic()

    def flush(self) -> int:
        """Append everything buffered in one batch; on failure the buffer is kept."""
        if not self.buffer:
            if self.position_dirty and self.positions is not None:
                self.positions.append(self.topic, [], self.partition, self.position)
                self.position_dirty = False
            self.first_at = None
            return 0
        batch = self.buffer
        if self.position_dirty and self.positions is not None:
            placed = self.positions.append(self.topic, batch, self.partition, self.position)
            self.position_dirty = False
        else:
            placed = self.store.append(self.topic, batch, self.partition)
        self.buffer = []
        self.first_at = None
        metrics = self.reporter.metrics
        metrics.records_out += len(batch)
        metrics.bytes += self.buffered_bytes
        self.buffered_bytes = 0
        if placed:
            self.last_offset = placed[-1][1]
            self.reporter.last_offset = self.last_offset
        self.reporter.debug(f"appended {len(batch)} records to `{self.topic}`")
        return len(batch)
