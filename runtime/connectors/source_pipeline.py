"""source -> SmartModule chain -> producer -> topic, until stopped or the source ends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from runtime.connectors.backoff import Backoff
from runtime.connectors.base import ConnectorContext, Source
from runtime.connectors.positions import Positions
from runtime.connectors.producer import Producer
from runtime.connectors.transform import Transformer, topic_lookback
from runtime.errors import WeirError
from runtime.topics.columns import RecordColumns
from runtime.topics.limits import MAX_RECORD_BYTES
from runtime.topics.record import ProduceRecord
from runtime.topics.store import TopicStore


class PipelineStopped(BaseException):
    """Raised inside `emit` when the error policy says stop (a BaseException, so a
    source's `except Exception` around its own I/O cannot swallow it)."""


async def run_source(ctx: ConnectorContext, source: Source, store: TopicStore) -> int:
    """Exit code 0 when stopped or the source is exhausted, 1 when the policy stopped it."""
    spec, reporter = ctx.spec, ctx.reporter
    transformer = Transformer(spec.transforms, ctx.policy, reporter,
                              topic_lookback(store, spec.topic, spec.partition or 0),
                              where="input record")
    producer = Producer(store, spec.topic, spec.producer, reporter, spec.partition)
    producer.positions = ctx.positions = Positions(store, spec.name, ctx.state_dir())
    opts = spec.producer
    reporter.info(
        f"producer: linger {opts.linger_ms}ms, batch-size {opts.batch_size_bytes} bytes, "
        f"compression {opts.compression}"
        + (" (recorded; the embedded store keeps values uncompressed)"
           if opts.compression != "none" else "")
    )
    sequence = 0
    metrics = reporter.metrics
    wake = asyncio.Event()

    async def emit(raw: Sequence[ProduceRecord], position: str | None = None) -> None:
        if position is not None:  # before add: a flush inside it stores this position
            producer.set_position(position)
            wake.set()
        await accept(raw)
        # Hand the loop over once a batch, whatever the source does: a source that is
        # always behind its schedule (a generator at `rate: 1000000`) never awaits
        # anything else, and without this the linger flush and the stop request would
        # never run. A stop cancels the source here, between two batches.
        await asyncio.sleep(0)

    async def accept(raw: Sequence[ProduceRecord]) -> None:
        nonlocal sequence
        if not raw:
            return
        if transformer.chain is None:  # no transforms: straight to the producer
            first = sequence
            sequence += len(raw)
            metrics.records_in += len(raw)
            admit(raw, first)
            return
        # as columns: the chain encodes them without a Record per record
        batch = RecordColumns.from_produce_records(raw, sequence, int(time.time() * 1000))
        sequence += len(batch)
        metrics.records_in += len(batch)
        outcome = transformer.apply(batch)
        metrics.filtered += max(0, len(batch) - outcome.kept - outcome.failed)
        admit(outcome.produce_records(), None)
        if outcome.stopped_at is not None:
            raise PipelineStopped(outcome.stopped_at)

    def admit(records: Sequence[ProduceRecord], first: int | None) -> None:
        """To the producer, except records over MAX_RECORD_BYTES (what the CLI and the
        Fluvio endpoint refuse too): each is an error, skipped or stopping the run as the
        policy says. `first` is the input number of the first record, when known."""
        for i, record in enumerate(records):
            size = len(record.value) + len(record.key or b"")
            if size <= MAX_RECORD_BYTES:
                continue
            producer.add(records[:i])
            at = None if first is None else first + i
            reporter.error(f"a record of {size:,} bytes is over the {MAX_RECORD_BYTES:,}-byte "
                           "limit; it was not produced", offset=at, where="input record")
            if ctx.policy == "stop":
                raise PipelineStopped(at if at is not None else "(after the chain)")
            admit(records[i + 1:], None if first is None else first + i + 1)
            return
        producer.add(records)
        if producer.buffer:
            wake.set()

    async def linger_loop() -> None:
        backoff = Backoff(200, 10_000)
        while True:
            due = producer.due_in()
            if due is None:
                wake.clear()
                await wake.wait()
                continue
            if due > 0:
                await asyncio.sleep(due)
            try:
                producer.flush()
                backoff.reset()
            except WeirError as exc:
                reporter.error(f"cannot append to topic `{spec.topic}`: {exc.message}")
                await asyncio.sleep(backoff.next_delay())

    async def metrics_loop() -> None:
        while True:
            reporter.flush_metrics()
            await asyncio.sleep(0.25)

    source_task = asyncio.create_task(source.run(emit), name="source")
    helpers = [asyncio.create_task(linger_loop()), asyncio.create_task(metrics_loop())]
    stop_task = asyncio.create_task(ctx.stop.wait())
    code = 0
    try:
        await asyncio.wait({source_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
        if not source_task.done():
            reporter.info("stopping: flushing buffered records")
            source_task.cancel()
        try:
            await source_task
            if not ctx.stop.is_set():
                reporter.info("source finished")
        except asyncio.CancelledError:
            pass
        except PipelineStopped as exc:
            reporter.info(f"stopped by the error policy at offset {exc.args[0]} (on-error: stop)")
            code = 1
    finally:
        for task in (*helpers, stop_task):
            task.cancel()
        await asyncio.gather(*helpers, stop_task, return_exceptions=True)
        try:
            _final_flush(producer, reporter)
        finally:
            transformer.close()
    return code


def _final_flush(producer: Producer, reporter) -> None:
    for attempt in range(3):
        try:
            producer.flush()
            return
        except WeirError as exc:
            last = exc
            reporter.error(f"cannot append the last {len(producer.buffer)} records: {exc.message}")
            time.sleep(0.2 * (attempt + 1))
    # the same kind of error (a full disk stays a DiskFull, which the supervisor retries)
    raise type(last)(f"{len(producer.buffer)} buffered records could not be appended: "
                     f"{last.message}", hint=last.hint)
