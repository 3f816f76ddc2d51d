"""Run a connector on a thread of the test process and watch its topic fill."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from runtime.config.spec import ConnectorSpec
from runtime.connectors.runner import run_connector
from runtime.topics import open_store
from runtime.topics.record import Record


def wait_for(condition: Callable[[], object], timeout: float = 15, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")


class Running:
    """A connector on a thread; `stop()` sets its stop event and returns the exit code."""

    def __init__(self, spec: ConnectorSpec) -> None:
        self.spec = spec
        self.stop_event = threading.Event()
        self.code: int | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.code = run_connector(self.spec, stop_event=self.stop_event, handle_signals=False)

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self, timeout: float = 20) -> int | None:
        self.stop_event.set()
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "connector did not stop"
        return self.code

    def wait(self, timeout: float = 20) -> int | None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "connector did not finish"
        return self.code


def topic_records(topic: str, partition: int = 0) -> list[Record]:
    store = open_store()
    try:
        try:
            return store.read(topic, partition, store.earliest_offset(topic, partition), 100_000)
        except Exception:  # noqa: BLE001 - topic not created yet
            return []
    finally:
        store.close()


def source_spec(name: str, type_: str, topic_: str, **parameters) -> ConnectorSpec:
    from runtime.config.spec import ProducerOptions

    return ConnectorSpec(name=name, type=type_, kind="source", topic=topic_,
                         parameters=parameters, producer=ProducerOptions(linger_ms=5))


def produce(topic: str, values: list[bytes | str], partitions: int = 1,
            partition: int = 0) -> None:
    from runtime.topics.record import ProduceRecord
    from runtime.topics.store import TopicSpec

    store = open_store()
    try:
        store.create_topic(TopicSpec(topic, partitions), exist_ok=True)
        records = [ProduceRecord(v.encode() if isinstance(v, str) else v) for v in values]
        store.append(topic, records, partition)
    finally:
        store.close()


def committed(consumer: str, topic: str, partition: int = 0) -> int | None:
    store = open_store()
    try:
        return store.fetch_offset(consumer, topic, partition)
    finally:
        store.close()


def sink_spec(name: str, type_: str, topic: str, **parameters) -> ConnectorSpec:
    from runtime.config.spec import ConsumerOptions

    return ConnectorSpec(name=name, type=type_, kind="sink", topic=topic,
                         parameters=parameters,
                         consumer=ConsumerOptions(start="beginning"))
