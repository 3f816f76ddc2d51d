"""Connector throughput beside the raw store append rate, measured in the same run.

    python bench/connectors.py [--records N] [--repeat R]

Each figure is the best of R runs (default 3), so a busy machine disturbs it less.

Figures (records per second, and the ratio to the raw append rate):
  raw append        TopicStore.append in batches of 500 (the ceiling for any source)
  generator->topic  the source pipeline with no transforms
  generator->filter->topic   the same through the contains-filter SmartModule (wasm)
  plugin source->topic   a connector plugin (registered through the `weir.connectors`
                    entry points, as `weir connector generate` writes one) emitting
                    records it holds in memory: the kit's own cost over a raw append
  topic->sql-sink   a sink pipeline inserting JSON records into a SQLite table

`--profile` prints where the time goes in the plugin source and the sql-sink runs
(cProfile, the top functions by their own time).
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


PLUGIN = '''
from runtime.connectors.kit import Field, Parameters, ProduceRecord, Source


class MemoryParams(Parameters):
    count: int = Field(description="records to emit")
    batch: int = Field(500, description="records per emit")


class MemorySource(Source):
    """Emits the same in-memory records until `count`: no I/O, no rendering."""

    type = "bench-memory-source"
    Params = MemoryParams

    async def run(self, emit):
        value = b'{"n": 1, "level": "info", "value": 42}'
        batch = [ProduceRecord(value)] * self.params.batch
        for _ in range(self.params.count // self.params.batch):
            await emit(batch)
'''


def install_plugin(root: Path) -> None:
    """The bench plugin on sys.path with its entry point, as pip would leave it."""
    from runtime.connectors import registry

    (root / "bench_memory_source.py").write_text(PLUGIN)
    info = root / "bench_memory_source-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: bench-memory-source\n"
                                   "Version: 0.1.0\n")
    (info / "entry_points.txt").write_text(
        "[weir.connectors]\nbench-memory-source = bench_memory_source:MemorySource\n")
    sys.path.insert(0, str(root))
    registry.reload()


def plugin_source(store, name: str, n: int) -> float:
    from runtime.config.spec import ConnectorSpec, ProducerOptions
    from runtime.connectors.runner import run_connector

    spec = ConnectorSpec(
        name=name, type="bench-memory-source", kind="source", topic=name,
        parameters={"count": n}, producer=ProducerOptions(linger_ms=50,
                                                          batch_size_bytes=64_000))
    started = time.perf_counter()
    code = run_connector(spec, store=store, stop_event=threading.Event(),
                         handle_signals=False)
    elapsed = time.perf_counter() - started
    assert code == 0, f"{name} exited {code}"
    assert store.describe_topic(name).record_count == n
    return n / elapsed


def profiled(label: str, func, *args, in_thread: bool = False):
    """Run `func` under cProfile (in its connector thread when `in_thread`) and print the
    functions that took the most time of their own."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    result = func(*args, profile=profile) if in_thread else profile.runcall(func, *args)
    print(f"\n-- where the time goes: {label} (top 15 by own time)")
    pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    return result


def sqlite_ceiling(n: int, db: Path, journal: str, batch: int = 500) -> float:
    """The database alone: the same rows, `batch` a transaction, no Weir at all."""
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA journal_mode={journal}")
    conn.execute("CREATE TABLE events (n INTEGER, level TEXT, value INTEGER)")
    conn.commit()
    rows = [(i, "info", 42) for i in range(batch)]
    started = time.perf_counter()
    for _ in range(n // batch):
        conn.executemany("INSERT INTO events VALUES (?, ?, ?)", rows)
        conn.commit()
    elapsed = time.perf_counter() - started
    conn.close()
    return n // batch * batch / elapsed


def sql_sink(store, topic: str, n: int, db: Path, name: str = "bench-sql",
             profile=None, journal: str = "wal") -> float:
    from runtime.config.spec import ConnectorSpec, ConsumerOptions
    from runtime.connectors.runner import run_connector

    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA journal_mode={journal}")
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

    def run() -> None:
        call = profile.runcall if profile is not None else (lambda f, *a, **k: f(*a, **k))
        result.append(call(run_connector, spec, store=store, stop_event=stop,
                           handle_signals=False))

    thread = threading.Thread(target=run)
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
    parser.add_argument("--profile", action="store_true",
                        help="profile one more plugin-source and sql-sink run")
    args = parser.parse_args()
    n, repeat = args.records, max(1, args.repeat)
    with tempfile.TemporaryDirectory(prefix="weir-bench-") as tmp:
        os.environ["WEIR_HOME"] = tmp
        from runtime.topics import open_store
        from smartmodules.spec import TransformSpec

        wasm = REPO / "examples" / "smartmodules" / "prebuilt" / "contains_filter.wasm"
        only_errors = [TransformSpec(str(wasm), {"contains": "error"})]
        install_plugin(Path(tmp))
        store = open_store()
        raw = plain = filtered = sink = plugin = sink_delete = 0.0
        ceiling = ceiling_delete = 0.0
        try:
            for i in range(repeat):
                raw = max(raw, raw_append(store, n, f"bench-raw-{i}"))
                plain = max(plain, source(store, f"bench-plain-{i}", n)[0])
                plugin = max(plugin, plugin_source(store, f"bench-plugin-{i}", n))
                rate, kept = source(store, f"bench-filter-{i}", n, only_errors)
                filtered = max(filtered, rate)
                sink = max(sink, sql_sink(store, f"bench-plain-{i}", n,
                                          Path(tmp) / f"bench-{i}.db", f"bench-sql-{i}"))
                sink_delete = max(sink_delete, sql_sink(
                    store, f"bench-plain-{i}", n, Path(tmp) / f"bench-d{i}.db",
                    f"bench-sqld-{i}", journal="delete"))
                ceiling = max(ceiling, sqlite_ceiling(n, Path(tmp) / f"c{i}.db", "wal"))
                ceiling_delete = max(ceiling_delete, sqlite_ceiling(
                    n, Path(tmp) / f"cd{i}.db", "delete"))
            if args.profile:
                profiled("plugin source -> topic", plugin_source, store, "bench-plugin-p", n)
                profiled("topic -> sql-sink", sql_sink, store, "bench-plain-0", n,
                         Path(tmp) / "bench-p.db", "bench-sql-p", in_thread=True)
        finally:
            store.close()
    print(f"records per run: {n:,}, best of {repeat}")
    rows = [
        ("raw append (baseline)", raw),
        ("generator -> topic", plain),
        ("generator -> filter (wasm) -> topic", filtered),
        ("plugin source (in memory) -> topic", plugin),
        ("topic -> sql-sink (SQLite, WAL)", sink),
        ("topic -> sql-sink (SQLite, rollback journal)", sink_delete),
    ]
    for label, rate in rows:
        print(f"  {label:44} {rate:>10,.0f} records/s   {rate / raw:6.2f}x raw")
    print("  the database alone, the same rows, 500 a transaction (no Weir):")
    print(f"    WAL {ceiling:,.0f} rows/s (the sink reaches {sink / ceiling:.2f}x of it), "
          f"rollback journal {ceiling_delete:,.0f} rows/s ({sink_delete / ceiling_delete:.2f}x)")
    print(f"  (the filter kept {kept:,} of {n:,} records)")


if __name__ == "__main__":
    main()
