"""topic -> SmartModule chain -> sink, committing offsets only after delivery.

At-least-once: a record's offset is committed after the sink has delivered it (or given
up on it as a bad record), so a crash or a stop mid-batch re-delivers, never loses.
"""

from __future__ import annotations

import asyncio
import time

from runtime.config.spec import ConsumerOptions
from runtime.connectors.base import ConnectorContext, Delivery, Sink
from runtime.connectors.transform import Transformer, topic_lookback
from runtime.errors import WeirError
from runtime.topics.columns import RecordColumns, next_offset
from runtime.topics.record import Record
from runtime.topics.store import TopicStore

STOP_GRACE_S = 5.0


def start_offset(store: TopicStore, topic: str, partition: int, opts: ConsumerOptions) -> int:
    earliest = store.earliest_offset(topic, partition)
    latest = store.latest_offset(topic, partition)
    start = opts.start
    if start == "beginning":
        return earliest
    if start == "end":
        return latest
    kind, n = start
    if kind == "absolute":
        return min(max(earliest, int(n)), latest)
    if kind == "from-beginning":
        return min(earliest + int(n), latest)
    if kind == "from-end":
        return max(earliest, latest - int(n))
    raise WeirError(f"unknown consumer offset start {start!r}")


class SinkPipeline:
    def __init__(self, ctx: ConnectorContext, sink: Sink, store: TopicStore) -> None:
        self.ctx = ctx
        self.sink = sink
        self.store = store
        spec = ctx.spec
        self.topic = spec.topic
        self.opts = spec.consumer
        self.consumer_id = self.opts.id or spec.name
        self.commits = (self.opts.offset_strategy or "auto") != "none"
        self.flush_period = (self.opts.flush_period_ms or 0) / 1000
        self.positions: dict[int, int] = {}
        self.uncommitted: dict[int, int] = {}
        self.last_commit = time.monotonic()
        self.transformer: Transformer | None = None

    def _partitions(self) -> list[int]:
        info = self.store.describe_topic(self.topic)
        present = [p.partition for p in info.partitions]
        wanted = self.opts.partitions
        if wanted is None and self.ctx.spec.partition is not None:
            wanted = (self.ctx.spec.partition,)
        if wanted is None:
            return present
        missing = [p for p in wanted if p not in present]
        if missing:
            raise WeirError(
                f"topic `{self.topic}` has no partition {missing[0]}",
                hint=f"it has partitions {present}",
            )
        return list(wanted)

    def _resume(self, partition: int) -> int:
        committed = None
        if self.commits:
            committed = self.store.fetch_offset(self.consumer_id, self.topic, partition)
        if committed is None:
            return start_offset(self.store, self.topic, partition, self.opts)
        earliest = self.store.earliest_offset(self.topic, partition)
        if committed < earliest:
            self.ctx.reporter.warning(
                f"partition {partition}: committed offset {committed} is no longer stored "
                f"(retention); resuming at {earliest}"
            )
            return earliest
        return committed

    def _commit(self, force: bool = False) -> None:
        if not self.commits or not self.uncommitted:
            return
        if not force and time.monotonic() - self.last_commit < self.flush_period:
            return
        for partition, offset in sorted(self.uncommitted.items()):
            self.store.commit_offset(self.consumer_id, self.topic, partition, offset)
            self.ctx.reporter.last_offset = offset
        self.ctx.reporter.debug(f"committed {dict(self.uncommitted)}")
        self.uncommitted.clear()
        self.last_commit = time.monotonic()

    def _chunks(self, records: list[Record]) -> list[list[Record]]:
        """Split a fetched batch by `max-bytes` (at least one record a chunk)."""
        limit = self.opts.max_bytes
        if not limit:
            return [records]
        chunks: list[list[Record]] = [[]]
        total = 0
        for record in records:
            size = len(record.value) + len(record.key or b"")
            if chunks[-1] and total + size > limit:
                chunks.append([])
                total = 0
            chunks[-1].append(record)
            total += size
        return chunks

    async def _reader(self, partition: int, queue: asyncio.Queue) -> None:
        """Follow one partition (woken by the store on each append) into the queue. A
        chain gets columns where the store can give them (and no `max-bytes` splits the
        batches), which spares it a Record for each record it drops."""
        follow = self.store.follow
        if (self.transformer.chain is not None and not self.opts.max_bytes
                and hasattr(self.store, "follow_columns")):
            follow = self.store.follow_columns
        async for batch in follow(self.topic, partition, self.positions[partition],
                                  self.sink.batch_records):
            chunks = [batch] if isinstance(batch, RecordColumns) else self._chunks(batch)
            for chunk in chunks:
                await queue.put((partition, chunk))

    async def run(self) -> int:
        ctx, reporter = self.ctx, self.ctx.reporter
        partitions = self._partitions()
        self.transformer = Transformer(ctx.spec.transforms, ctx.policy, reporter,
                                       topic_lookback(self.store, self.topic, partitions[0]))
        for p in partitions:
            self.positions[p] = self._resume(p)
        where = ", ".join(f"partition {p} at offset {o}" for p, o in self.positions.items())
        reporter.info(f"consuming `{self.topic}` as `{self.consumer_id}`: {where}")
        await self.sink.open()
        metrics_task = asyncio.create_task(self._metrics_loop())
        try:
            return await self._loop(partitions)
        finally:
            metrics_task.cancel()
            await asyncio.gather(metrics_task, return_exceptions=True)
            try:
                self._commit(force=True)
            finally:
                self.transformer.close()
                await self.sink.close()

    async def _metrics_loop(self) -> None:
        while True:
            self.ctx.reporter.flush_metrics()
            await asyncio.sleep(0.25)

    async def _loop(self, partitions: list[int]) -> int:
        # Readers run ahead by at most one batch a partition; offsets are committed from
        # what was handled, never from where a reader got to.
        queue: asyncio.Queue = asyncio.Queue(maxsize=len(partitions))
        readers = [asyncio.create_task(self._reader(p, queue)) for p in partitions]
        stop = asyncio.create_task(self.ctx.stop.wait())
        try:
            while not self.ctx.stop.is_set():
                get = asyncio.create_task(queue.get())
                timeout = self.flush_period if self.uncommitted and self.flush_period else None
                done, _ = await asyncio.wait({get, stop, *readers}, timeout=timeout,
                                             return_when=asyncio.FIRST_COMPLETED)
                if get not in done:
                    get.cancel()
                    await asyncio.gather(get, return_exceptions=True)
                    for reader in readers:
                        if reader.done() and not reader.cancelled() and reader.exception():
                            raise reader.exception()
                    self._commit()
                    continue
                partition, records = get.result()
                code = await self._handle(partition, records)
                if code is not None:
                    return code
                self._commit()
        finally:
            for task in (*readers, stop):
                task.cancel()
            await asyncio.gather(*readers, stop, return_exceptions=True)
        self.ctx.reporter.info("stopping: committing delivered offsets")
        return 0

    async def _handle(self, partition: int, batch: list[Record] | RecordColumns) -> int | None:
        """Transform, deliver, advance. Returns an exit code when the pipeline must end."""
        reporter = self.ctx.reporter
        metrics = reporter.metrics
        metrics.records_in += len(batch)
        outcome = self.transformer.apply(batch)
        metrics.filtered += max(0, len(batch) - outcome.kept - outcome.failed)
        out = outcome.records if outcome.columns is None else outcome.columns.records()
        delivery = await self._deliver(out)
        if delivery is None:  # stopped while the sink was still retrying: not committed
            return 0
        delivered = out[: delivery.delivered]
        metrics.records_out += len(delivered)
        metrics.bytes += sum(len(r.value) for r in delivered)
        for record, reason in delivery.failures:
            reporter.error(f"sink could not deliver the record: {reason}", offset=record.offset)
        stop_offsets = []
        if outcome.stopped_at is not None:
            stop_offsets.append(outcome.stopped_at)
        if delivery.halted and delivery.failures:
            stop_offsets.append(delivery.failures[0][0].offset)
        if stop_offsets:
            # commit up to (not including) the failing record, so a restart meets it again
            at = min(stop_offsets)
            self.uncommitted[partition] = at
            self.positions[partition] = at
            reporter.info(f"stopped by the error policy at offset {at} (on-error: stop)")
            return 1
        nxt = next_offset(batch)
        if delivery.interrupted and delivery.attempted < len(out):
            # stopped mid-batch: commit what was handled, the rest comes again next start
            nxt = out[delivery.attempted].offset
            reporter.info(f"stopped mid-batch: offsets from {nxt} will be delivered on the "
                          "next start")
        self.positions[partition] = nxt
        self.uncommitted[partition] = nxt
        return None

    async def _deliver(self, records: list[Record]) -> Delivery | None:
        if not records:
            return Delivery()
        task = asyncio.create_task(self.sink.deliver(records))
        stop = asyncio.create_task(self.ctx.stop.wait())
        try:
            await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not task.done():
                done, _ = await asyncio.wait({task}, timeout=STOP_GRACE_S)
                if not done:
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
                    self.ctx.reporter.info(
                        f"stopped while delivering {len(records)} records: they will be "
                        "delivered again on the next start"
                    )
                    return None
            return task.result()
        finally:
            stop.cancel()
            await asyncio.gather(stop, return_exceptions=True)


async def run_sink(ctx: ConnectorContext, sink: Sink, store: TopicStore) -> int:
    return await SinkPipeline(ctx, sink, store).run()
