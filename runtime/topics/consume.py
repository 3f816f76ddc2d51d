"""Where a consumer starts, where it stops, and the records in between.

Shared by `weir consume`, the TUI tail and sink connectors, for any TopicStore.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from runtime.errors import WeirError
from runtime.topics.columns import RecordColumns, before, next_offset
from runtime.topics.record import Record
from runtime.topics.store import TopicStore

# A hook for SmartModules on the consume side: a batch in (as columns where the store can
# read them so: see `_read` and `_follow`), records out (maybe fewer).
ConsumeTransform = Callable[[list[Record] | RecordColumns], list[Record]]

StartKind = Literal["end", "beginning", "tail", "offset"]


@dataclass(frozen=True, slots=True)
class Start:
    """Where to begin in each partition: the end (default), the beginning, the last `n`
    records, or the absolute offset `n`."""

    kind: StartKind = "end"
    n: int = 0


def resolve_partitions(store: TopicStore, topic: str,
                       partition: int | Sequence[int] | None = None,
                       all_partitions: bool = False) -> list[int]:
    """The partitions to read: the ones asked for, else all of them (as `fluvio consume`)."""
    info = store.describe_topic(topic)
    count = len(info.partitions)
    wanted = [partition] if isinstance(partition, int) else list(partition or ())
    if all_partitions or not wanted:
        return list(range(count))
    for p in wanted:
        if not 0 <= p < count:
            raise WeirError(
                f"partition {p} does not exist: topic `{topic}` has {count} "
                f"partition{'s' if count != 1 else ''} (0..{count - 1})",
                hint="leave out -p to read every partition",
            )
    return sorted(set(wanted))


def start_offsets(store: TopicStore, topic: str, partitions: Sequence[int],
                  start: Start) -> dict[int, int]:
    """The first offset to read in each partition."""
    offsets = {}
    for p in partitions:
        earliest = store.earliest_offset(topic, p)
        latest = store.latest_offset(topic, p)
        if start.kind == "beginning":
            offsets[p] = earliest
        elif start.kind == "tail":
            offsets[p] = max(earliest, latest - start.n)
        elif start.kind == "offset":
            offsets[p] = max(earliest, start.n)
        else:
            offsets[p] = latest
    return offsets


def resume_offsets(store: TopicStore, consumer: str, topic: str,
                   offsets: dict[int, int]) -> dict[int, int]:
    """A named consumer's committed offsets where it has them (kept inside what is still
    stored), else the given start: `fluvio consume -c` resumes the same way."""
    resumed = {}
    for p, start in offsets.items():
        committed = store.fetch_offset(consumer, topic, p)
        if committed is None:
            resumed[p] = start
        else:
            resumed[p] = min(max(committed, store.earliest_offset(topic, p)),
                             store.latest_offset(topic, p))
    return resumed


def stop_offsets(offsets: dict[int, int], *, end: int | None = None, head: int | None = None,
                 caught_up: dict[int, int] | None = None) -> dict[int, int] | None:
    """Where each partition stops (excluded): after offset `end`, after `head` records
    from its start, at the high watermark `caught_up` (`-d`); the nearest wins. None when
    nothing bounds the read."""
    if end is None and head is None and caught_up is None:
        return None
    stops = {}
    for p, start in offsets.items():
        bounds = [b for b in (None if end is None else end + 1,
                              None if head is None else start + head,
                              None if caught_up is None else caught_up[p]) if b is not None]
        stops[p] = max(start, min(bounds))
    return stops


def end_offsets(store: TopicStore, topic: str, partitions: Sequence[int]) -> dict[int, int]:
    """The high watermarks now: where `-d` (stop once caught up) stops."""
    return {p: store.latest_offset(topic, p) for p in partitions}


def _read(store: TopicStore, transform: ConsumeTransform | None):
    """The store's reader: a transform gets columns where the store can give them, which
    spares it a Record for each record it drops."""
    if transform is not None and hasattr(store, "read_columns"):
        return store.read_columns
    return store.read


def _follow(store: TopicStore, transform: ConsumeTransform | None):
    """`_read` for following."""
    if transform is not None and hasattr(store, "follow_columns"):
        return store.follow_columns
    return store.follow


@dataclass(frozen=True, slots=True)
class Chunk:
    """What one read gave in one partition: the records left after the transform (maybe
    none) and the offset the partition continues at, which a named consumer commits once
    the records are handled."""

    partition: int
    next_offset: int
    records: list[Record]


def read_chunks(store: TopicStore, topic: str, offsets: dict[int, int],
                until: dict[int, int], transform: ConsumeTransform | None = None,
                max_records: int = 1000) -> Iterator[Chunk]:
    """Records from `offsets` up to (not including) `until`, partition by partition."""
    read = _read(store, transform)
    for p, offset in offsets.items():
        while offset < until[p]:
            batch = read(topic, p, offset, min(max_records, until[p] - offset))
            if not len(batch):
                break
            offset = next_offset(batch)
            yield Chunk(p, offset, batch if transform is None else transform(batch))


def read_until(store: TopicStore, topic: str, offsets: dict[int, int],
               until: dict[int, int], transform: ConsumeTransform | None = None,
               max_records: int = 1000) -> Iterator[list[Record]]:
    """`read_chunks`' records, the empty batches left out."""
    for chunk in read_chunks(store, topic, offsets, until, transform, max_records):
        if chunk.records:
            yield chunk.records


async def follow_chunks(store: TopicStore, topic: str, offsets: dict[int, int],
                        transform: ConsumeTransform | None = None,
                        until: dict[int, int] | None = None) -> AsyncIterator[Chunk]:
    """Batches from every partition in `offsets` as they arrive: for ever, or, with
    `until`, until each partition has reached its stop offset (excluded)."""
    follow = _follow(store, transform)
    live = {p: o for p, o in offsets.items() if until is None or o < until[p]}
    queue: asyncio.Queue[tuple[int, list[Record] | RecordColumns] | BaseException] = (
        asyncio.Queue(16))

    async def pump(p: int, offset: int) -> None:
        try:
            async for batch in follow(topic, p, offset):
                if until is not None:
                    batch = before(batch, until[p])
                await queue.put((p, batch))
                if until is not None and len(batch) and next_offset(batch) >= until[p]:
                    return
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer to re-raise
            await queue.put(exc)

    tasks = [asyncio.create_task(pump(p, o)) for p, o in live.items()]
    try:
        while live:
            item = await queue.get()
            if isinstance(item, BaseException):
                raise item
            p, batch = item
            if not len(batch):
                continue
            offset = next_offset(batch)
            yield Chunk(p, offset, batch if transform is None else transform(batch))
            if until is not None and offset >= until[p]:
                del live[p]
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def follow_all(store: TopicStore, topic: str, offsets: dict[int, int],
                     transform: ConsumeTransform | None = None) -> AsyncIterator[list[Record]]:
    """`follow_chunks`' records, for ever, the empty batches left out."""
    async for chunk in follow_chunks(store, topic, offsets, transform):
        if chunk.records:
            yield chunk.records
