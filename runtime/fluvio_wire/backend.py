"""What the Fluvio endpoint serves: one profile's embedded store and SmartModule registry,
reached without blocking the event loop.

SQLite calls block, so each runs in a worker thread (`asyncio.to_thread`). Writes and
reads go through two connections to the same database: in WAL mode a consumer's read
never waits behind a producer's fsync.

Produced batches go through one committer, in submission order: whatever was submitted
while the previous transaction was being stored goes into the next one. A small
submission (a follower's typical record) is committed on the event loop itself, on a
connection that never waits for another writer's lock (it falls back to the worker
thread then) and never checkpoints; a big one in a worker thread. Either way the commit
wakes followers at once, and the fdatasync of the WAL follows in a worker thread (group
commit: one covers every transaction committed before it began, and the committer goes
on storing the next submissions meanwhile); a submission is acknowledged only after it.
So a follower's latency holds no thread hop and no disk flush, a producer's still holds
the flush, and many small produce requests cost one fdatasync rather than one each.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from runtime.errors import WeirError
from runtime.fluvio_wire.error_code import ErrorCode
from runtime.fluvio_wire.objects import SmartModuleObject
from runtime.fluvio_wire.smartmodule_spec import SmartModuleRequest
from runtime.topics.columns import ProduceColumns, RecordColumns
from runtime.topics.embedded import EmbeddedStore, StoreBusy, first_offset
from runtime.topics.notify import Listener
from runtime.topics.record import ProduceRecord, Record
from runtime.topics.store import ConsumerOffset, TopicInfo, TopicSpec
from runtime.topics.wal_sync import WalSync

Groups = Sequence[tuple[int, Sequence[ProduceRecord]]]
MAX_PENDING = 256  # submissions queued before a producer waits ...
MAX_PENDING_BYTES = 128 * 1024 * 1024  # ... or records of this many bytes
MAX_GROUP = 64  # submissions at most in one commit
# A run of submissions this small is committed on the event loop (well under a millisecond).
LOOP_COMMIT_RECORDS = 256
LOOP_COMMIT_BYTES = 64 * 1024
# Commits on the loop between two checkpoints (SQLite's own interval is ~1000 WAL pages;
# a small commit writes about four).
CHECKPOINT_EVERY = 250


Pending = tuple[str, Groups, asyncio.Future, int]  # topic, groups, answer, payload bytes
Outcome = list[int | WeirError] | Exception


def _payload_bytes(records: Sequence[ProduceRecord]) -> int:
    """Bytes of keys and values (columns summed in C, not record by record)."""
    if isinstance(records, ProduceColumns):
        return (sum(map(len, records.values))
                + sum(map(len, filter(None, records.keys or ()))))
    return sum(len(r.value) + len(r.key or b"") for r in records)


class Backend:
    def __init__(self, store_dir: Path, registry_dir: Path | None = None) -> None:
        self.store_dir = Path(store_dir)
        self.registry_dir = registry_dir or self.store_dir / "smartmodules"
        self._writer = EmbeddedStore(self.store_dir)
        self._reader = EmbeddedStore(self.store_dir)
        self._live = EmbeddedStore(self.store_dir)  # the event loop's own, for live reads
        # the event loop's own for small commits: never waits for a lock, never checkpoints
        self._loop_writer = EmbeddedStore(self.store_dir, busy_timeout_ms=0,
                                          auto_checkpoint=False)
        self._wal = WalSync(self._writer.wal_path) if self._writer.sync == "full" else None
        self.notify_dir = self.store_dir / "notify"
        self._pending: deque[Pending] = deque()
        self._pending_bytes = 0
        self._room = asyncio.Condition()
        self._work = asyncio.Event()
        self._committer: asyncio.Task | None = None
        # committed, awaiting their fdatasync: (WalSync ticket, answers, outcomes)
        self._unsynced: deque[tuple[int | None, list[asyncio.Future], list[Outcome]]] = \
            deque()
        self._unsynced_count = 0  # submissions in there
        self._synced = asyncio.Event()
        self._acked = asyncio.Event()
        self._syncer: asyncio.Task | None = None
        self._loop_commits = 0
        self._unanswered = 0  # submissions not acknowledged yet
        self._checkpointing: asyncio.Future | None = None

    async def stop(self) -> None:
        """Store and acknowledge what was submitted, then stop the committer."""
        while (self._unanswered and self._committer is not None
               and not self._committer.done()
               and (self._syncer is None or not self._syncer.done())):
            await asyncio.sleep(0.01)
        for task in (self._committer, self._syncer):
            if task is not None:
                task.cancel()

    def close(self) -> None:
        self._writer.close()
        self._reader.close()
        self._live.close()
        self._loop_writer.close()

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

    @staticmethod
    def _commit_run(store: EmbeddedStore, topic: str, items: list[Groups]
                    ) -> list[list[int | WeirError]]:
        """Several submissions to one topic, in ONE transaction, not yet synced; per
        item, the base offset of each group or why that group was refused."""
        prepared = []
        outcomes: list[list[int | WeirError]] = []
        for groups in items:
            row: list[int | WeirError] = []
            for partition, records in groups:
                try:
                    prepared.append(store.prepare(topic, records, partition))
                    row.append(-1)
                except StoreBusy:
                    raise  # the store's, not this group's: the run is retried in a thread
                except WeirError as exc:  # this group's error; the others still go in
                    row.append(exc)
            outcomes.append(row)
        if prepared:
            committed = iter(store.commit_spans(topic, prepared, durable=False))
            outcomes = [[o if isinstance(o, WeirError) else first_offset(next(committed))
                         for o in row] for row in outcomes]
        return outcomes

    def _commit_durably(self, batch: list[tuple[str, Groups]]
                        ) -> tuple[list[Outcome], int | None]:
        """`_commit`, then the fdatasync in the same worker thread (a big submission's
        producer waits for it anyway: one hop back to the loop, not two); with the
        WalSync ticket the commit got."""
        results = self._commit(batch)
        if self._wal is None:
            return results, None
        ticket = self._wal.committed()
        try:
            self._wal.sync(ticket)
        except WeirError as exc:
            return [exc] * len(batch), ticket
        return results, ticket

    def _commit(self, batch: list[tuple[str, Groups]]) -> list[Outcome]:
        """Consecutive submissions to the same topic share a transaction (worker thread)."""
        results: list[list[int | WeirError] | Exception] = []
        start = 0
        while start < len(batch):
            topic = batch[start][0]
            end = start
            while end < len(batch) and batch[end][0] == topic:
                end += 1
            try:
                results += self._commit_run(self._writer, topic,
                                            [groups for _, groups in batch[start:end]])
            except WeirError as exc:  # the commit failed: nothing of this run is stored
                results += [exc] * (end - start)
            start = end
        return results

    def _commit_on_loop(self, batch: list[Pending]) -> list[Outcome] | None:
        """A small run of submissions to one topic, committed right here; None when it
        is not one (or another writer holds the lock): the worker thread takes it."""
        topic = batch[0][0]
        if (any(item[0] != topic for item in batch)
                or sum(size for *_, size in batch) > LOOP_COMMIT_BYTES
                or sum(len(records) for item in batch for _, records in item[1])
                > LOOP_COMMIT_RECORDS):
            return None
        try:
            results: list[Outcome] = list(self._commit_run(
                self._loop_writer, topic, [groups for _, groups, _, _ in batch]))
        except StoreBusy:
            return None  # nothing was stored
        except WeirError as exc:  # the commit failed: nothing of this run is stored
            return [exc] * len(batch)
        self._loop_commits += 1
        if self._loop_commits % CHECKPOINT_EVERY == 0 and (
                self._checkpointing is None or self._checkpointing.done()):
            self._checkpointing = asyncio.ensure_future(asyncio.to_thread(self._checkpoint))
        return results

    def _checkpoint(self) -> None:
        try:
            self._writer.checkpoint()
        except WeirError:
            pass  # the next one (or any other writer's automatic one) catches up

    async def _commit_loop(self) -> None:
        while True:
            await self._work.wait()
            self._work.clear()
            while self._pending:
                while self._unsynced_count >= MAX_PENDING:  # the disk is behind: wait
                    self._acked.clear()
                    await self._acked.wait()
                batch = [self._pending.popleft()
                         for _ in range(min(MAX_GROUP, len(self._pending)))]
                self._pending_bytes -= sum(size for *_, size in batch)
                async with self._room:
                    self._room.notify_all()
                results = self._commit_on_loop(batch)
                if results is not None:
                    ticket = self._wal.committed() if self._wal is not None else None
                else:
                    ticket = None
                    try:
                        results, ticket = await asyncio.to_thread(
                            self._commit_durably,
                            [(topic, groups) for topic, groups, _, _ in batch])
                    except Exception as exc:  # noqa: BLE001 - each waiting producer hears
                        results = [exc] * len(batch)
                self._unsynced.append((ticket, [item[2] for item in batch], results))
                self._unsynced_count += len(batch)
                self._synced.set()
                if self._syncer is None or self._syncer.done():
                    self._syncer = asyncio.ensure_future(self._sync_loop())

    async def _sync_loop(self) -> None:
        """Acknowledge committed submissions, in order, once an fdatasync has covered
        them: one for everything committed by the time it starts."""
        while True:
            await self._synced.wait()
            self._synced.clear()
            while self._unsynced:
                done = list(self._unsynced)
                self._unsynced.clear()
                tickets = [ticket for ticket, _, _ in done if ticket is not None]
                failure: Exception | None = None
                if tickets and self._wal is not None and not self._wal.covers(max(tickets)):
                    try:
                        await asyncio.to_thread(self._wal.sync, max(tickets))
                    except Exception as exc:  # noqa: BLE001 - each waiting producer hears
                        failure = exc
                for _, futures, results in done:
                    self._unanswered -= len(futures)
                    self._unsynced_count -= len(futures)
                    for future, result in zip(futures, results, strict=True):
                        if future.done():
                            continue
                        if isinstance(result, Exception) or failure is not None:
                            future.set_exception(failure or result)
                        else:
                            future.set_result(result)
                self._acked.set()

    async def submit(self, topic: str, groups: Groups) -> asyncio.Future:
        """Queue (partition, records) groups for the next transaction (waiting while
        MAX_PENDING submissions are queued); the future gives, once they are durable,
        each group's base offset or why it was refused, and raises if the commit failed.
        Submissions are stored in the order made (and are visible to followers as soon
        as they are stored, before they are durable)."""
        size = sum(map(_payload_bytes, (records for _, records in groups)))
        async with self._room:
            await self._room.wait_for(lambda: not self._pending or (
                len(self._pending) < MAX_PENDING
                and self._pending_bytes + size <= MAX_PENDING_BYTES))
        future = asyncio.get_running_loop().create_future()
        self._pending.append((topic, groups, future, size))
        self._unanswered += 1
        self._pending_bytes += size
        if self._committer is None or self._committer.done():
            self._committer = asyncio.ensure_future(self._commit_loop())
        self._work.set()
        return future

    async def append(self, topic: str, groups: Groups) -> list[int | WeirError]:
        """submit() and wait until durable."""
        return await (await self.submit(topic, groups))

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

    def read_columns_now(self, topic: str, partition: int, offset: int, max_records: int
                         ) -> tuple[RecordColumns, int, int]:
        """`read_columns` on the event loop's own connection (never waiting for another
        thread's read): for a few records only, it blocks."""
        columns = self._live.read_columns(topic, partition, offset, max_records)
        return (columns, self._live.earliest_offset(topic, partition),
                self._live.latest_offset(topic, partition))

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
