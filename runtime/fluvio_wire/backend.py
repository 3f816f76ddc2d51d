"""What the Fluvio endpoint serves: one profile's embedded store and SmartModule registry,
reached without blocking the event loop.

SQLite calls block, so each runs in a worker thread (`asyncio.to_thread`). Writes and
reads go through two connections to the same database: in WAL mode a consumer's read
never waits behind a producer's fsync.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path

from runtime.errors import WeirError
from runtime.fluvio_wire.error_code import ErrorCode
from runtime.fluvio_wire.objects import SmartModuleObject
from runtime.fluvio_wire.smartmodule_spec import SmartModuleRequest
from runtime.topics.columns import RecordColumns
from runtime.topics.embedded import EmbeddedStore
from runtime.topics.notify import Listener
from runtime.topics.record import ProduceRecord, Record
from runtime.topics.store import ConsumerOffset, TopicInfo, TopicSpec


class Backend:
    def __init__(self, store_dir: Path, registry_dir: Path | None = None) -> None:
        self.store_dir = Path(store_dir)
        self.registry_dir = registry_dir or self.store_dir / "smartmodules"
        self._writer = EmbeddedStore(self.store_dir)
        self._reader = EmbeddedStore(self.store_dir)
        self.notify_dir = self.store_dir / "notify"

    def close(self) -> None:
        self._writer.close()
        self._reader.close()

    def listener(self, channel: str) -> Listener:
        """Bind before reading, so that no commit falls between a read and the wait."""
        return Listener(self.notify_dir, channel)

    # -- topics -----------------------------------------------------------------------

    async def topics(self) -> list[TopicInfo]:
        return await asyncio.to_thread(self._reader.list_topics)

    async def create_topic(self, spec: TopicSpec) -> None:
        await asyncio.to_thread(self._writer.create_topic, spec)

    async def delete_topic(self, name: str) -> None:
        await asyncio.to_thread(self._writer.delete_topic, name)

    # -- records ----------------------------------------------------------------------

    def _append(self, topic: str, groups: Sequence[tuple[int, Sequence[ProduceRecord]]]
                ) -> list[int | WeirError]:
        prepared = []
        results: list[int | WeirError] = []
        for partition, records in groups:
            try:
                prepared.append(self._writer.prepare(topic, records, partition))
                results.append(-1)
            except WeirError as exc:  # this partition's error; the others still go in
                results.append(exc)
        if prepared:
            committed = iter(self._writer.commit_prepared(topic, prepared))
            results = [r if isinstance(r, WeirError) else next(committed)[0][1]
                       for r in results]
        return results

    async def append(self, topic: str, groups: Sequence[tuple[int, Sequence[ProduceRecord]]]
                     ) -> list[int | WeirError]:
        """Store each (partition, records) group, all in one durable transaction; the base
        offset of each group in order, or why that group was refused. Raises when the
        commit itself fails (nothing is stored then)."""
        return await asyncio.to_thread(self._append, topic, groups)

    def _read_chunk(self, topic: str, partition: int, offset: int, max_records: int
                    ) -> tuple[list[Record], int, int]:
        records = self._reader.read(topic, partition, offset, max_records)
        earliest, latest = self._offsets(topic, partition)
        return records, earliest, latest

    async def read_chunk(self, topic: str, partition: int, offset: int, max_records: int
                         ) -> tuple[list[Record], int, int]:
        """Records from `offset` on, with the partition's earliest and next offsets."""
        return await asyncio.to_thread(self._read_chunk, topic, partition, offset,
                                       max_records)

    def _read_columns(self, topic: str, partition: int, offset: int, max_records: int
                      ) -> tuple[RecordColumns, int, int]:
        columns = self._reader.read_columns(topic, partition, offset, max_records)
        earliest, latest = self._offsets(topic, partition)
        return columns, earliest, latest

    async def read_columns(self, topic: str, partition: int, offset: int, max_records: int
                           ) -> tuple[RecordColumns, int, int]:
        """`read_chunk` as columns (no Record built per record)."""
        return await asyncio.to_thread(self._read_columns, topic, partition, offset,
                                       max_records)

    def _offsets(self, topic: str, partition: int) -> tuple[int, int]:
        return (self._reader.earliest_offset(topic, partition),
                self._reader.latest_offset(topic, partition))

    async def offsets(self, topic: str, partition: int) -> tuple[int, int]:
        """(earliest stored offset, next offset to be written)."""
        return await asyncio.to_thread(self._offsets, topic, partition)

    def lookback(self, topic: str, partition: int, last: int | None, age_ms: int | None
                 ) -> list[Record]:
        """What a SmartModule's look_back gets, as Fluvio reads it: the last `last`
        records of the partition (all when None), those older than `age_ms` left out.
        Blocking: for the worker thread that builds a chain."""
        earliest, latest = self._offsets(topic, partition)
        offset = earliest if last is None else max(earliest, latest - last)
        found: list[Record] = []
        while offset < latest:
            batch = self._reader.read(topic, partition, offset, 10_000)
            if not batch:
                break
            found += batch
            offset = batch[-1].offset + 1
        if age_ms is not None:
            oldest = int(time.time() * 1000) - age_ms
            found = [r for r in found if r.timestamp >= oldest]
        return found

    # -- consumer offsets -------------------------------------------------------------

    async def commit_offset(self, consumer: str, topic: str, partition: int,
                            next_offset: int) -> None:
        await asyncio.to_thread(self._writer.commit_offset, consumer, topic, partition,
                                next_offset)

    async def consumer_offsets(self) -> list[ConsumerOffset]:
        """Every committed offset (Weir's: the next record to read)."""
        return await asyncio.to_thread(self._reader.list_offsets)

    async def delete_consumer_offset(self, consumer: str, topic: str, partition: int
                                     ) -> bool:
        return await asyncio.to_thread(self._writer.delete_offset, consumer, topic,
                                       partition)

    # -- SmartModules -----------------------------------------------------------------

    async def smartmodules(self, full: bool = False) -> list[SmartModuleObject]:
        """The registry's modules; `full` with each one's gzip'd wasm."""
        from runtime.fluvio_wire import smartmodule_admin

        return await asyncio.to_thread(smartmodule_admin.objects, self.registry_dir, full)

    async def create_smartmodule(self, name: str, request: SmartModuleRequest, dry_run: bool
                                 ) -> tuple[str, ErrorCode, str | None]:
        from runtime.fluvio_wire import smartmodule_admin

        return await asyncio.to_thread(smartmodule_admin.create, self.registry_dir, name,
                                       request, dry_run)

    async def delete_smartmodule(self, name: str) -> tuple[ErrorCode, str | None]:
        from runtime.fluvio_wire import smartmodule_admin

        return await asyncio.to_thread(smartmodule_admin.delete, self.registry_dir, name)
