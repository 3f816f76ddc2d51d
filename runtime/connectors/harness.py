"""Run a connector for a moment against a throwaway embedded store, and say what it did.

`weir connector test` prints this, `weir connector dev` diffs it between saves, and a
plugin's own tests assert on it (`run_test(load_connector("connector.yaml"), ...)`). The
connector runs through the same pipelines as `weir connector run` (transforms, producer,
committed offsets, error policy); only the store, logs and state live in a temporary
directory, removed afterwards, so nothing of the user's topics or connectors is touched.
"""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from runtime.config.spec import ConnectorSpec, ConsumerOptions
from runtime.connectors.base import ConnectorContext, Delivery, StopSignal
from runtime.connectors.registry import connector_class
from runtime.connectors.reporter import Reporter
from runtime.connectors.telemetry import Metrics, log_path, read_events
from runtime.errors import EXIT_FAILED, WeirError
from runtime.topics.record import ProduceRecord, Record

DEFAULT_RECORDS = 10
DEFAULT_TIME_S = 5.0


@dataclass(slots=True)
class TestOutcome:
    """What one bounded run did."""

    __test__ = False  # not a pytest class, whatever its name

    type: str
    kind: str
    topic: str
    records: list[Record]  # source: produced into the topic; sink: delivered by the sink
    ended: str  # "records" (the limit was reached), "time", "finished", "failed"
    exit_code: int
    metrics: Metrics
    logs: list[str] = field(default_factory=list)
    errors: list[tuple[int | None, str]] = field(default_factory=list)  # (offset, message)
    failed: list[tuple[Record, str]] = field(default_factory=list)  # sink: given up on
    produced_total: int = 0  # source: all it produced (records holds at most the limit)
    seconds: float = 0.0

    @property
    def values(self) -> list[bytes]:
        return [r.value for r in self.records]

    def to_dict(self) -> dict:
        from runtime.topics.format import record_json

        return {
            "type": self.type, "kind": self.kind, "ended": self.ended,
            "exit_code": self.exit_code, "seconds": round(self.seconds, 3),
            "records": [record_json(r, self.topic) for r in self.records],
            "produced_total": self.produced_total,
            "failed": [{**record_json(r, self.topic), "reason": reason}
                       for r, reason in self.failed],
            "errors": [{"offset": o, "message": m} for o, m in self.errors],
            "metrics": {k: v for k, v in dataclasses.asdict(self.metrics).items()
                        if k not in ("started_at", "updated_at")},
            "logs": self.logs,
        }


def run_test(spec: ConnectorSpec, *, max_records: int | None = DEFAULT_RECORDS,
             time_limit_s: float = DEFAULT_TIME_S,
             samples: Sequence[ProduceRecord] = (), connector: type | None = None
             ) -> TestOutcome:
    """Run `spec` until `max_records` were produced (source) or every sample was handled
    (sink), until `time_limit_s`, or until the connector ends by itself. `connector` runs
    that class instead of the installed type's (a plugin's tests, before it is installed)."""
    if time_limit_s <= 0:
        raise WeirError("the time limit must be above 0")
    if connector is not None:
        from runtime.connectors.kit import missing_method

        if missing := missing_method(connector):
            raise WeirError(f"{connector.__name__}: {missing}")
        cls, kind = connector, connector.kind
    else:
        cls, kind = connector_class(spec.type)
    with tempfile.TemporaryDirectory(prefix="weir-connector-test-") as tmp:
        home = Path(tmp)  # mkdtemp: 0700 from the start
        from runtime.topics.embedded import EmbeddedStore

        store = EmbeddedStore(home / "store", sync="normal")
        try:
            if kind == "sink":
                spec = dataclasses.replace(spec, consumer=dataclasses.replace(
                    spec.consumer or ConsumerOptions(), start="beginning", offset_strategy="auto",
                    partitions=None))
            return _run(spec, cls, kind, store, home, max_records, time_limit_s, samples)
        finally:
            store.close()


def _run(spec, cls, kind, store, home, max_records, time_limit_s, samples) -> TestOutcome:
    from runtime.connectors.runner import _ensure_topic, error_policy

    reporter = Reporter(spec, home=home)
    stop = StopSignal()
    delivered: list[Record] = []
    failed: list[tuple[Record, str]] = []
    ended = "finished"
    code = EXIT_FAILED
    started = time.monotonic()
    try:
        _ensure_topic(spec, store, reporter)
        if kind == "sink" and samples:
            store.append(spec.topic, list(samples), spec.partition)
        ctx = ConnectorContext(spec, reporter, error_policy(spec), stop, home=home)

        async def main() -> int:
            nonlocal ended
            connector = cls(ctx)
            if kind == "sink":
                _watch_deliveries(connector, delivered, failed)
            watcher = asyncio.create_task(_watch())
            try:
                if kind == "source":
                    from runtime.connectors.source_pipeline import run_source

                    return await run_source(ctx, connector, store)
                from runtime.connectors.sink_pipeline import run_sink

                return await run_sink(ctx, connector, store)
            finally:
                watcher.cancel()

        async def _watch() -> None:
            nonlocal ended
            deadline = started + time_limit_s
            while True:
                if kind == "source" and max_records is not None and \
                        _produced(store, spec.topic) >= max_records:
                    ended = "records"
                    break
                if kind == "sink" and len(delivered) + len(failed) >= len(samples):
                    ended = "records"
                    break
                if time.monotonic() >= deadline:
                    ended = "time"
                    break
                await asyncio.sleep(0.01)
            stop.set()

        code = asyncio.run(main())
    except WeirError as exc:
        reporter.error(exc.message + (f" ({exc.hint})" if exc.hint else ""))
        ended = "failed"
    except Exception as exc:  # noqa: BLE001 - the connector's failure is the outcome
        reporter.error(f"connector failed: {type(exc).__name__}: {exc}")
        ended = "failed"
    finally:
        reporter.close()
    if code != 0 and ended != "failed":
        ended = "failed"
    if kind == "source":
        total = _produced(store, spec.topic)
        records = _read_all(store, spec.topic, max_records)
    else:
        total, records = len(delivered), delivered
    return TestOutcome(
        type=spec.type, kind=kind, topic=spec.topic, records=records, ended=ended, exit_code=code,
        metrics=reporter.metrics, logs=_logs(spec.name, home),
        errors=[(e.offset, e.message) for e in read_events(spec.name, home=home)
                if e.event == "error"],
        failed=failed, produced_total=total, seconds=time.monotonic() - started)


def _watch_deliveries(sink, delivered: list[Record], failed: list) -> None:
    """Note what the sink says it delivered and gave up on, batch by batch."""
    deliver = sink.deliver

    async def watched(records: Sequence[Record]) -> Delivery:
        result = await deliver(records)
        handled = result.attempted or (result.delivered + len(result.failures))
        bad = {id(r) for r, _ in result.failures}
        delivered.extend(r for r in records[:handled] if id(r) not in bad)
        failed.extend(result.failures)
        return result

    sink.deliver = watched


def _produced(store, topic: str) -> int:
    info = store.describe_topic(topic)
    return sum(store.latest_offset(topic, p.partition) - store.earliest_offset(topic, p.partition)
               for p in info.partitions)


def _read_all(store, topic: str, limit: int | None) -> list[Record]:
    """The topic's records, partition by partition, at most `limit` of them."""
    out: list[Record] = []
    for p in store.describe_topic(topic).partitions:
        offset = store.earliest_offset(topic, p.partition)
        while limit is None or len(out) < limit:
            want = 10_000 if limit is None else min(10_000, limit - len(out))
            batch = store.read(topic, p.partition, offset, want)
            if not batch:
                break
            out.extend(batch)
            offset = batch[-1].offset + 1
    return out


def _logs(name: str, home: Path) -> list[str]:
    try:
        return log_path(name, home).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
