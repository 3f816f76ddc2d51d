"""Reading a whole topic back, and the other small pieces the fault tests share."""

from __future__ import annotations

from runtime.errors import NotFound
from runtime.topics import open_store


def all_values(topic: str) -> list[bytes]:
    """Every value in every partition of `topic` (none when it does not exist yet)."""
    store = open_store()
    try:
        try:
            info = store.describe_topic(topic)
        except NotFound:
            return []
        values: list[bytes] = []
        for part in info.partitions:
            offset = store.earliest_offset(topic, part.partition)
            latest = store.latest_offset(topic, part.partition)
            while offset < latest:
                batch = store.read(topic, part.partition, offset, 50_000)
                values.extend(r.value for r in batch)
                offset = batch[-1].offset + 1
        return values
    finally:
        store.close()


def stored_count(topic: str) -> int:
    store = open_store()
    try:
        try:
            info = store.describe_topic(topic)
        except NotFound:
            return 0
        return sum(store.latest_offset(topic, p.partition)
                   - store.earliest_offset(topic, p.partition) for p in info.partitions)
    finally:
        store.close()
