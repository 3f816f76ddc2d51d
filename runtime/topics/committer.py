"""A named consumer's position, committed as records are handled: periodically, and once
more at the end (also after Ctrl-C), so a restart resumes after the last handled record."""

from __future__ import annotations

import time

from runtime.topics.store import TopicStore

COMMIT_INTERVAL_S = 1.0


class OffsetCommitter:
    """Positions handed in with `advance` (the offset after what was handled) reach the
    store at most every `interval_s`, and all of them on `commit`."""

    def __init__(self, store: TopicStore, consumer: str, topic: str,
                 interval_s: float = COMMIT_INTERVAL_S) -> None:
        self.store = store
        self.consumer = consumer
        self.topic = topic
        self.interval_s = interval_s
        self._pending: dict[int, int] = {}
        self._last = time.monotonic()

    def advance(self, partition: int, next_offset: int) -> None:
        self._pending[partition] = next_offset
        if time.monotonic() - self._last >= self.interval_s:
            self.commit()

    def commit(self) -> None:
        """Store every pending position now."""
        for partition, offset in sorted(self._pending.items()):
            self.store.commit_offset(self.consumer, self.topic, partition, offset)
        self._pending.clear()
        self._last = time.monotonic()
