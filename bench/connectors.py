"""Connector throughput beside the raw store append rate, measured in the same run.

    python bench/connectors.py [--records N] [--repeat R]

Each figure is the best of R runs (default 3), so a busy machine disturbs it less.

Figures (records per second, and the ratio to the raw append rate):
  raw append        TopicStore.append in batches of 500 (the ceiling for any source)
  generator->topic  the source pipeline with no transforms
  generator->filter->topic   the same through the contains-filter SmartModule (wasm)
  topic->sql-sink   a sink pipeline inserting JSON records into a SQLite table
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TEMPLATE = '{"n": {{n}}, "level": "{{choice:info|warn|error}}", "value": {{random_int}}}'


def raw_append(store, n: int, topic: str = "bench-raw") -> float:
    from runtime.topics.record import ProduceRecord
    from runtime.topics.store import TopicSpec

    store.create_topic(TopicSpec(topic), exist_ok=True)
    value = b'{"n": 1, "level": "info", "value": 42}'
    batch = [ProduceRecord(value)] * 500
    started = time.perf_counter()
    for _ in range(n // 500):
        store.append(topic, batch, 0)
    return (n // 500 * 500) / (time.perf_counter() - started)


def source(store, name: str, n: int, transforms=()) -> tuple[float, int]:
    from runtime.config.spec import ConnectorSpec, ProducerOptions
    from runtime.connectors.runner import run_connector

    spec = ConnectorSpec(
        name=name, type="generator-source", kind="source", topic=name,
        parameters={"rate": "unlimited", "count": str(n), "template": TEMPLATE},
        transforms=tuple(transforms),
        producer=ProducerOptions(linger_ms=50, batch_size_bytes=64_000))
    started = time.perf_counter()
    code = run_connector(spec, store=store, stop_event=threading.Event(),
                         handle_signals=False)
    elapsed = time.perf_counter() - started
    assert code == 0, f"{name} exited {code}"
    return n / elapsed, store.describe_topic(name).record_count


def sql_sink(store, topic: str, n: int, db: Path, name: str = "bench-sql") -> float:
    from runtime.config.spec import ConnectorSpec, ConsumerOptions
    from runtime.connectors.runner import run_connector

    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE events (n INTEGER, level TEXT, value INTEGER)")
    spec = ConnectorSpec(
        name=name, type="sql-sink", kind="sink", topic=topic,
        parameters={"url": f"sqlite:///{db}", "table": "events", "batch-size": "500",
                    "columns": [{"name": "n", "path": "$.n", "type": "integer"},
                                {"name": "level", "path": "$.level", "type": "text"},
                                {"name": "value", "path": "$.value", "type": "integer"}]},
        consumer=ConsumerOptions(start="beginning"))
    stop = threading.Event()
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(run_connector(
        spec, store=store, stop_event=stop, handle_signals=False)))
    started = time.perf_counter()
    thread.start()
    while store.fetch_offset(name, topic, 0) != n:
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    stop.set()
    thread.join()
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    assert rows == n, (rows, n)
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, repeat = args.records, max(1, args.repeat)
    with tempfile.TemporaryDirectory(prefix="weir-bench-") as tmp:
        os.environ["WEIR_HOME"] = tmp
        from runtime.topics import open_store
        from smartmodules.spec import TransformSpec

        wasm = REPO / "examples" / "smartmodules" / "prebuilt" / "contains_filter.wasm"
        only_errors = [TransformSpec(str(wasm), {"contains": "error"})]
        store = open_store()
        raw = plain = filtered = sink = 0.0
        try:
            for i in range(repeat):
                raw = max(raw, raw_append(store, n, f"bench-raw-{i}"))
                plain = max(plain, source(store, f"bench-plain-{i}", n)[0])
                rate, kept = source(store, f"bench-filter-{i}", n, only_errors)
                filtered = max(filtered, rate)
                sink = max(sink, sql_sink(store, f"bench-plain-{i}", n,
                                          Path(tmp) / f"bench-{i}.db", f"bench-sql-{i}"))
        finally:
            store.close()
    print(f"records per run: {n:,}, best of {repeat}")
    rows = [
        ("raw append (baseline)", raw),
        ("generator -> topic", plain),
        ("generator -> filter (wasm) -> topic", filtered),
        ("topic -> sql-sink (SQLite)", sink),
    ]
    for label, rate in rows:
        print(f"  {label:38} {rate:>12,.0f} records/s   {rate / raw:6.2f}x raw")
    print(f"  (the filter kept {kept:,} of {n:,} records)")


if __name__ == "__main__":
    main()
