"""Run a connector's SmartModule chain over record batches, surviving bad records.

A failing record (a SmartModule error, a trap, a limit) is logged with its offset and
counted; with the `skip` policy the rest of the batch goes on, with `stop` the batch is
cut at the failing record and the pipeline ends. The engine is imported only when the
connector has transforms, so plain connectors never load wasmtime.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from runtime.connectors.base import ErrorPolicy
from runtime.connectors.reporter import Reporter
from runtime.errors import WeirError
from runtime.topics.columns import RecordColumns
from runtime.topics.record import ProduceRecord, Record
from runtime.topics.store import TopicStore
from smartmodules.spec import TransformSpec

if TYPE_CHECKING:
    from smartmodules.chain import ChainResult


@dataclass(slots=True)
class Outcome:
    """What one batch became: the records (or columns) to pass on, and how many failed."""

    records: list[Record] = field(default_factory=list)
    failed: int = 0
    # the offset of the record that stopped the pipeline (stop policy), else None
    stopped_at: int | None = None
    # instead of `records`: the output of a batch given as columns that went through whole
    columns: RecordColumns | None = None

    @property
    def kept(self) -> int:
        return len(self.records) if self.columns is None else len(self.columns)

    def produce_records(self) -> list[ProduceRecord]:
        """The output, ready to append to a topic."""
        if self.columns is not None:
            return self.columns.produce_records()
        return [ProduceRecord(r.value, r.key, r.timestamp, r.headers) for r in self.records]


def topic_lookback(store: TopicStore, topic: str, partition: int = 0):
    """The records a `lookback: {last, age}` transform replays at start, from `topic`."""

    def lookback(spec: TransformSpec) -> list[Record]:
        try:
            latest = store.latest_offset(topic, partition)
            earliest = store.earliest_offset(topic, partition)
        except WeirError:
            return []
        start = earliest
        if spec.lookback_last is not None:
            start = max(earliest, latest - spec.lookback_last)
        records: list[Record] = []
        while start < latest:
            batch = store.read(topic, partition, start, 1000)
            if not batch:
                break
            records.extend(batch)
            start = batch[-1].offset + 1
        if spec.lookback_age_ms is not None:
            cutoff = int(time.time() * 1000) - spec.lookback_age_ms
            records = [r for r in records if r.timestamp >= cutoff]
        return records

    return lookback


class Transformer:
    """The chain of one connector, or a pass-through when it has no transforms."""

    def __init__(
        self,
        transforms: Sequence[TransformSpec],
        policy: ErrorPolicy,
        reporter: Reporter,
        lookback: Callable[[TransformSpec], Sequence[Record]] | None = None,
        where: str = "offset",
    ) -> None:
        self.policy = policy
        self.where = where
        self.reporter = reporter
        self.stages = len(transforms)
        self.chain = None
        if transforms:
            from smartmodules.chain import build_chain

            def log(module: str, line: str) -> None:
                reporter.info(f"[{module}] {line}")

            self.chain = build_chain(list(transforms), log=log, lookback=lookback)
            names = ", ".join(t.uses for t in transforms)
            reporter.info(f"transforms: {names}")

    def apply(self, batch: Sequence[Record] | RecordColumns, start: int = 0) -> Outcome:
        """Run `batch` through the chain from stage `start` on. A batch of columns that
        goes through whole comes back as columns; one with a failing record is handled
        record by record from there."""
        if self.chain is None or not len(batch) or start >= self.stages:
            if isinstance(batch, RecordColumns):
                return Outcome(columns=batch)
            return Outcome(list(batch))
        if not isinstance(batch, RecordColumns):
            return self._apply_records(list(batch), start)
        try:
            result = self.chain.process(batch, start=start)
        except WeirError:
            return self._apply_records(batch.records(), start, one_by_one=True)
        if result.error is None:
            return Outcome(columns=result.columns)
        return self._apply_records(batch.records(), start, first=result)

    def _apply_records(self, records: list[Record], start: int,
                       first: ChainResult | None = None, one_by_one: bool = False) -> Outcome:
        """`first`: what the chain already gave for the whole of `records`."""
        outcome = Outcome()
        pending = records
        while pending:
            batch = pending[:1] if one_by_one else pending
            rest = pending[len(batch):]
            if first is not None:
                result, first = first, None
            else:
                try:
                    result = self.chain.process(batch, start=start)
                except WeirError as exc:
                    # A trap or a limit fails the whole call without saying which record:
                    # retry one record at a time to find it.
                    if len(batch) > 1:
                        one_by_one = True
                        continue
                    if self._fail(outcome, batch[0].offset, _message(exc)):
                        return outcome
                    pending = rest
                    continue
            err = result.error
            if err is None:
                outcome.records.extend(result.records)
                pending = rest
                continue
            index = _index_of(batch, err.offset)
            if index < 0:
                if len(batch) > 1:
                    one_by_one = True
                    continue
                index = 0
            failing_stage = start + len(result.stages) - 1
            if index > 0 and failing_stage == self.stages - 1:
                outcome.records.extend(result.records)
            elif index > 0:
                # A middle stage's successes still have the later stages ahead of them;
                # the earlier stages already saw these records and must not see them again.
                after = self.apply(result.stages[-1].records, start=failing_stage + 1)
                outcome.records.extend(after.records)
                outcome.failed += after.failed
                if after.stopped_at is not None:
                    outcome.stopped_at = after.stopped_at
                    return outcome
            if self._fail(outcome, batch[index].offset, _message(err)):
                return outcome
            pending = batch[index + 1:] + rest
        return outcome

    def _fail(self, outcome: Outcome, offset: int, message: str) -> bool:
        """Count one failed record; True when the policy says stop."""
        outcome.failed += 1
        self.reporter.error(message, offset=offset, where=self.where)
        if self.policy == "stop":
            outcome.stopped_at = offset
            return True
        return False

    def close(self) -> None:
        if self.chain is not None:
            self.chain.close()
            self.chain = None


def _index_of(batch: Sequence[Record], offset: int | None) -> int:
    for i, record in enumerate(batch):
        if record.offset == offset:
            return i
    return -1


def _message(err: object) -> str:
    module = getattr(err, "module", None)
    hint = getattr(err, "hint", None) or getattr(err, "message", None) or str(err)
    return f"SmartModule `{module}` failed: {hint}" if module else f"SmartModule failed: {hint}"
