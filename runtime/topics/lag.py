"""How far behind each named consumer is: committed offsets against the high watermarks.

`weir consumer list` prints it and the TUI's Topics area shows it per topic.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.topics.store import TopicStore


@dataclass(frozen=True, slots=True)
class ConsumerLag:
    consumer: str
    topic: str
    partition: int
    next_offset: int  # where it resumes
    latest: int  # the partition's high watermark now
    modified_ms: int

    @property
    def lag(self) -> int:
        """Records stored that the consumer has not handled yet."""
        return max(0, self.latest - self.next_offset)


def consumer_lags(store: TopicStore, topic: str | None = None) -> list[ConsumerLag]:
    """Every committed offset (of `topic`, or of all topics) with its lag."""
    latest: dict[tuple[str, int], int] = {}
    lags = []
    for o in store.list_offsets():
        if topic is not None and o.topic != topic:
            continue
        key = (o.topic, o.partition)
        if key not in latest:
            latest[key] = store.latest_offset(o.topic, o.partition)
        lags.append(ConsumerLag(o.consumer, o.topic, o.partition, o.offset, latest[key],
                                o.modified_ms))
    return lags
