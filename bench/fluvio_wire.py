"""The official `fluvio` client against weir's Fluvio endpoint, beside the embedded store's
own `append`/`read` on the same store in the same run.

    python bench/fluvio_wire.py [--records 200000] [--samples 400]

A real `weir cluster start` on free ports in a temporary WEIR_HOME serves the endpoint;
the client runs in this process (produce, consume) and in a child process (the follow
latency producer). Workloads, 100-byte values:
- produce: `send_all` of 1,000 records at a time, `flush` at the end, every offset
  awaited; the producer is tuned as a user after throughput would: batch size raised to
  256 KB, linger 0. The client's defaults (16 KB batches, linger 0) are a second row.
  Acknowledged only once durable (the WAL fdatasynced), as `weir produce`;
- consume: every record from the beginning through `partition_consumer().stream()`;
- baseline: `TopicStore.append` of 1,000 records at a time and `read` 1,000 at a time on
  the cluster's own store (another topic), in this process;
- follow: a child process produces one record every 5 ms carrying its send time
  (CLOCK_MONOTONIC, shared by all processes) through the client; this process's consumer
  stream records the delay until the record is in its hands. Baseline: bench/topics.py's
  `TopicStore.append` in a child process and `follow` here, on a store of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from runtime.topics.embedded import EmbeddedStore  # noqa: E402
from runtime.topics.record import ProduceRecord  # noqa: E402
from runtime.topics.store import TopicSpec  # noqa: E402

BATCH = 1000
VALUE = b"v" * 100
INTERVAL_S = 0.005


def weir(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui.cli.main", *args], cwd=REPO,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=120, check=True)


def connect(sc: str):
    from fluvio import Fluvio, FluvioAdmin, FluvioConfig

    return (Fluvio.connect_with_config(FluvioConfig.new(sc)),
            FluvioAdmin.connect_with_config(FluvioConfig.new(sc)))


def create_topic(admin, name: str) -> None:
    from fluvio import TopicSpec as FluvioTopicSpec

    admin.create_topic(name, FluvioTopicSpec.create().build())


def producer(fl, topic: str, batch_bytes: int | None):
    from fluvio import TopicProducerConfigBuilder

    if batch_bytes is None:
        return fl.topic_producer(topic)
    builder = TopicProducerConfigBuilder()
    builder = builder.batch_size(batch_bytes) or builder
    builder = builder.linger(0) or builder
    return fl.topic_producer_with_config(topic, builder.build())


def bench_client_produce(fl, admin, topic: str, n: int, batch_bytes: int | None) -> float:
    create_topic(admin, topic)
    time.sleep(0.2)  # the watch brings the topic to the producer's cache
    prod = producer(fl, topic, batch_bytes)
    pairs = [(b"", VALUE)] * BATCH
    start = time.perf_counter()
    outs = []
    for _ in range(n // BATCH):
        outs.extend(prod.send_all(pairs))
    prod.flush()
    last = outs[-1].wait().offset()
    elapsed = time.perf_counter() - start
    assert last == n - 1, last
    return n / elapsed


def bench_client_consume(fl, topic: str, n: int) -> float:
    from fluvio import Offset

    start = time.perf_counter()
    last = -1
    for seen, rec in enumerate(fl.partition_consumer(topic, 0).stream(Offset.beginning()), 1):
        if seen == n:
            last = rec.offset()
            break
    elapsed = time.perf_counter() - start
    assert last == n - 1, last
    return n / elapsed


def bench_store(data_dir: Path, n: int) -> tuple[float, float]:
    store = EmbeddedStore(data_dir)
    try:
        store.create_topic(TopicSpec("bench-store"))
        records = [ProduceRecord(VALUE)] * BATCH
        start = time.perf_counter()
        for _ in range(n // BATCH):
            store.append("bench-store", records)
        produce = n / (time.perf_counter() - start)
        start = time.perf_counter()
        offset = 0
        while offset < n:
            offset = store.read("bench-store", 0, offset, BATCH)[-1].offset + 1
        consume = n / (time.perf_counter() - start)
    finally:
        store.close()
    return produce, consume


def child_produce(sc: str, topic: str, samples: int) -> None:
    """One record every INTERVAL_S carrying its send time; runs in its own process. Prints
    each record's send time and when `flush` returned (the produce acknowledged)."""
    fl, _ = connect(sc)
    prod = producer(fl, topic, None)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    sent = []
    for _ in range(samples):
        t0 = time.monotonic_ns()
        prod.send(b"", str(t0).encode().ljust(100, b" "))
        prod.flush()
        sent.append(f"{t0}:{time.monotonic_ns()}")
        time.sleep(INTERVAL_S)
    sys.stdout.write(" ".join(sent) + "\n")


def bench_follow(fl, admin, sc: str, samples: int):
    from fluvio import Offset

    from bench.topics import latencies

    create_topic(admin, "latency")
    time.sleep(0.2)
    child = subprocess.Popen([sys.executable, __file__, "--child", sc, str(samples)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        stream = fl.partition_consumer("latency", 0).stream(Offset.end())
        child.stdin.write("go\n")
        child.stdin.flush()
        received: dict[int, int] = {}
        for rec in stream:
            received[int(rec.value_string())] = time.monotonic_ns()
            if len(received) == samples:
                break
        return latencies(received, child.stdout.readline())
    finally:
        child.wait(timeout=60)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Meter:
    """Wall time, this process's CPU and the daemon's CPU over one workload."""

    def __init__(self, daemon_pid: int) -> None:
        self.pid = daemon_pid

    def __enter__(self) -> Meter:
        self.wall = time.perf_counter()
        self.mine = time.process_time()
        self.daemon = cpu_seconds(self.pid)
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall
        self.mine = time.process_time() - self.mine
        self.daemon = cpu_seconds(self.pid) - self.daemon


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--samples", type=int, default=400)
    ap.add_argument("--sync", choices=["full", "normal"], default="full",
                    help="the cluster's WEIR_STORE_SYNC (full: fsync before each ack)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_produce(args.child[0], "latency", int(args.child[1]))
        return
    n = args.records // BATCH * BATCH
    os.environ["WEIR_STORE_SYNC"] = args.sync  # the baselines' stores too
    with tempfile.TemporaryDirectory() as tmp:
        env = {"WEIR_HOME": f"{tmp}/home", "HOME": f"{tmp}/user",
               "WEIR_STORE_SYNC": args.sync}
        os.makedirs(env["HOME"])
        weir("cluster", "start", "--fluvio-sc", "127.0.0.1:0", "--fluvio-spu", "127.0.0.1:0",
             env=env)
        try:
            status = json.loads(weir("cluster", "status", "-O", "json", env=env).stdout)
            sc = status["fluvio"]["sc"]
            fl, admin = connect(sc)
            with Meter(status["pid"]) as p_meter:
                produce = bench_client_produce(fl, admin, "bench-client", n, 256 * 1024)
            produce_default = bench_client_produce(fl, admin, "bench-default", n, None)
            with Meter(status["pid"]) as c_meter:
                consume = bench_client_consume(fl, "bench-client", n)
            store_produce, store_consume = bench_store(Path(env["WEIR_HOME"]) / "data", n)
            follow = bench_follow(fl, admin, sc, args.samples)
        finally:
            weir("cluster", "stop", env=env)
        from bench.topics import weir_follow

        store_follow = weir_follow(Path(tmp) / "follow-store", args.samples)
    print(f"{n:,} records of {len(VALUE)} bytes; WEIR_STORE_SYNC={args.sync}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print("| workload | official client -> weir endpoint | TopicStore in-process | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| produce (256 KB batches, linger 0), acked once stored | {produce:,.0f} rec/s | "
          f"{store_produce:,.0f} rec/s | {produce / store_produce:.2f}x |")
    print(f"| produce, client defaults (16 KB batches) | {produce_default:,.0f} rec/s | "
          f"{store_produce:,.0f} rec/s | {produce_default / store_produce:.2f}x |")
    print(f"| consume from the beginning | {consume:,.0f} rec/s | {store_consume:,.0f} rec/s "
          f"| {consume / store_consume:.2f}x |")
    for label, attr in (("follow latency p50 / p99, producer in another process",
                         "end_to_end"),
                        ("... of which the produce call (client: send + flush)", "call"),
                        ("... from the acknowledgement to the follower", "after_ack")):
        ours, base = getattr(follow, attr), getattr(store_follow, attr)
        print(f"| {label} | {pct(ours, 50):.1f} / {pct(ours, 99):.1f} ms | "
              f"{pct(base, 50):.1f} / {pct(base, 99):.1f} ms | |")
    for name, meter in (("produce (256 KB batches)", p_meter), ("consume", c_meter)):
        print(f"{name}: {n / meter.wall:,.0f} rec/s over {meter.wall:.2f} s wall; daemon CPU "
              f"{meter.daemon:.2f} s ({n / max(meter.daemon, 1e-9):,.0f} rec per daemon CPU "
              f"second), client CPU {meter.mine:.2f} s")


if __name__ == "__main__":
    main()
