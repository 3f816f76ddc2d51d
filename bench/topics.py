"""Topic store throughput and follow latency, beside Redis Streams measured in the same run.

    python bench/topics.py [--records 300000] [--samples 500]

Workloads (the same for both):
- produce: 100-byte values in batches of 1,000 (weir: one `append` per batch, durable (its
  WAL fdatasynced); Redis: one pipeline of 1,000 XADD per batch, no persistence at all);
- consume: every record from the beginning (weir: `read` 1,000 at a time; Redis: XRANGE
  COUNT 1000 paging);
- follow: a producer in another process writes one record every 5 ms carrying its send
  time (CLOCK_MONOTONIC, shared by all processes); the follower (weir: `follow`; Redis:
  XREAD BLOCK) records the delay until the record is in its hands;
- idle follower CPU: a follower waiting 3 s on a silent topic (weir only).

Needs `redis-server` (Debian package) and the `redis` client (`pip install -e '.[bench]'`).
The benchmark starts its own redis-server on a free 127.0.0.1 port and stops it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from runtime.topics.embedded import EmbeddedStore  # noqa: E402
from runtime.topics.pipeline import Pipeline  # noqa: E402
from runtime.topics.record import ProduceRecord, produce_records  # noqa: E402
from runtime.topics.store import TopicSpec  # noqa: E402

BATCH = 1000
VALUE = b"v" * 100
INTERVAL_S = 0.005


# -- the producer child for follow latency --------------------------------------------------

def child_produce(kind: str, target: str, samples: int) -> None:
    """Write one timestamped record every INTERVAL_S; runs in its own process."""
    if kind == "weir":
        store = EmbeddedStore(target)
        send = lambda payload: store.append("latency", [ProduceRecord(payload)])  # noqa: E731
    else:
        import redis

        client = redis.Redis(port=int(target))
        send = lambda payload: client.xadd("latency", {b"v": payload})  # noqa: E731
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()  # go
    sent = []
    for _ in range(samples):
        t0 = time.monotonic_ns()
        send(str(t0).encode().ljust(100, b" "))
        sent.append(f"{t0}:{time.monotonic_ns()}")
        time.sleep(INTERVAL_S)
    # when each record was sent and when the produce call returned (acknowledged)
    sys.stdout.write(" ".join(sent) + "\n")


def spawn_producer(kind: str, target: str, samples: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", kind, target, str(samples)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


@dataclass
class Latency:
    """Per record: from the producer's call, how long the call took (for weir: the
    commit's fsync), and from the call's return to the follower having it."""

    end_to_end: list[float]
    call: list[float]
    after_ack: list[float]


def latencies(received: dict[int, int], producer_output: str) -> Latency:
    pairs = [tuple(map(int, item.split(":"))) for item in producer_output.split()]
    return Latency(
        end_to_end=[(received[t0] - t0) / 1e6 for t0, _ in pairs],
        call=[(t1 - t0) / 1e6 for t0, t1 in pairs],
        # the follower may hold the record before the producer's call has returned
        after_ack=[max(0, received[t0] - t1) / 1e6 for t0, t1 in pairs],
    )


@dataclass
class Rate:
    """Records per second of wall time, and per second of CPU time spent on them (this
    process plus the server's): the second holds steady on a busy shared machine."""

    wall: float
    cpu: float


def _server_cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Measure:
    def __init__(self, records: int, server_pid: int | None = None) -> None:
        self.records = records
        self.server_pid = server_pid

    def __enter__(self) -> Measure:
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        self.s0 = _server_cpu(self.server_pid)
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.t0
        cpu = time.process_time() - self.c0 + _server_cpu(self.server_pid) - self.s0
        self.rate = Rate(self.records / wall, self.records / max(cpu, 1e-9))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# -- weir ---------------------------------------------------------------------------------

def weir_produce(store: EmbeddedStore, records: int) -> Rate:
    store.create_topic(TopicSpec("bench"))
    with Measure(records) as m:
        for _ in range(records // BATCH):
            store.append("bench", produce_records([VALUE] * BATCH))
    return m.rate


def weir_produce_pipelined(store: EmbeddedStore, records: int) -> Rate:
    """The same batches through a Pipeline: each still acknowledged only once fsynced,
    but packed while the previous ones commit, and committed together when they queue."""
    store.create_topic(TopicSpec("bench"))
    with Measure(records) as m, Pipeline(store, "bench") as pipe:
        for _ in range(records // BATCH):
            pipe.send(produce_records([VALUE] * BATCH))
    return m.rate


DEDUP_WINDOW = 10_000  # records of a partition whose keys a dedup window would remember


class DedupCheckStore(EmbeddedStore):
    """A prototype of topic dedup (`--dedup-count`), to price it before building it: in
    the appending transaction, under the write lock where it would have to run, look the
    batch's keys up in a table of recent keys, remember them, and forget keys that left
    the window. With unique keys nothing is dropped, so this is what the check alone costs
    (a real one would also re-pack a batch that had duplicates)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._conn.execute("CREATE TABLE IF NOT EXISTS dedup_keys (topic_id INTEGER, "
                           "partition INTEGER, key BLOB, last_offset INTEGER, ts INTEGER, "
                           "PRIMARY KEY (topic_id, partition, key)) WITHOUT ROWID")
        self._conn.execute("CREATE INDEX IF NOT EXISTS dedup_by_offset ON dedup_keys "
                           "(topic_id, partition, last_offset)")

    def commit_spans(self, topic, batches, position=None):
        now = int(time.time() * 1000)
        results = []
        with self._write(f"append to topic `{topic}`") as conn:
            current = self._topic(conn, topic)
            for prepared in batches:
                keys = [r.key for r in prepared.records]
                (next_offset,) = conn.execute(
                    "SELECT next_offset FROM partitions WHERE topic_id = ? AND partition = 0",
                    (current.id,)).fetchone()
                seen = set()
                for start in range(0, len(keys), 900):
                    chunk = keys[start:start + 900]
                    seen.update(k for (k,) in conn.execute(
                        "SELECT key FROM dedup_keys WHERE topic_id = ? AND partition = 0 "
                        f"AND key IN ({','.join('?' * len(chunk))})", (current.id, *chunk)))
                assert not seen  # unique keys: the prototype never drops one
                conn.executemany(
                    "INSERT OR REPLACE INTO dedup_keys VALUES (?, 0, ?, ?, ?)",
                    [(current.id, k, next_offset + i, now) for i, k in enumerate(keys)])
                conn.execute("DELETE FROM dedup_keys WHERE topic_id = ? AND partition = 0 "
                             "AND last_offset < ?",
                             (current.id, next_offset + len(keys) - DEDUP_WINDOW))
                results.append(self._store_plan(conn, current, prepared.plan, now))
        self._notifier.notify(topic)
        return results


def weir_produce_keyed(store: EmbeddedStore, records: int) -> Rate:
    """Keyed records (a unique key each), the workload dedup would apply to."""
    store.create_topic(TopicSpec("keyed"))
    with Measure(records) as m:
        for b in range(records // BATCH):
            keys = [b"key-%d-%d" % (b, i) for i in range(BATCH)]
            store.append("keyed", produce_records([VALUE] * BATCH, keys))
    return m.rate


def dedup_cost(tmp_path: Path, records: int, rounds: int = 3) -> tuple[Rate, Rate]:
    """Keyed produce, plain and through the dedup prototype, alternated: best of each."""
    plain, checked = [], []
    for r in range(rounds):
        for cls, out in ((EmbeddedStore, plain), (DedupCheckStore, checked)):
            store = cls(tmp_path / f"dedup-{cls.__name__}-{r}")
            out.append(weir_produce_keyed(store, records))
            store.close()
    best = lambda rates: max(rates, key=lambda x: x.wall)  # noqa: E731
    return best(plain), best(checked)


def weir_consume(store: EmbeddedStore, records: int) -> Rate:
    offset = got = 0
    with Measure(records) as m:
        while batch := store.read("bench", 0, offset, BATCH):
            got += len(batch)
            offset = batch[-1].offset + 1
    assert got == records, (got, records)
    return m.rate


def weir_follow(directory: Path, samples: int) -> Latency:
    store = EmbeddedStore(directory)
    store.create_topic(TopicSpec("latency"))
    proc = spawn_producer("weir", str(directory), samples)
    received: dict[int, int] = {}

    async def follow() -> None:
        proc.stdin.write("go\n")
        proc.stdin.flush()
        async for batch in store.follow("latency", 0, 0):
            now = time.monotonic_ns()
            for r in batch:
                received[int(r.value)] = now
            if len(received) >= samples:
                return

    asyncio.run(follow())
    result = latencies(received, proc.stdout.readline())
    proc.wait(timeout=60)
    store.close()
    return result


IDLE_FOLLOWER = """
import asyncio, resource, sys
from runtime.topics.embedded import EmbeddedStore
store = EmbeddedStore(sys.argv[1])
async def main():
    async def follow():
        async for _ in store.follow("latency", 0, 10**9):
            pass
    try:
        await asyncio.wait_for(follow(), 3.0)
    except TimeoutError:
        pass
before = resource.getrusage(resource.RUSAGE_SELF)
asyncio.run(main())
after = resource.getrusage(resource.RUSAGE_SELF)
print((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))
"""


def weir_idle_cpu(directory: Path) -> float:
    """CPU seconds per second that a follower of a silent topic burns."""
    out = subprocess.run([sys.executable, "-c", IDLE_FOLLOWER, str(directory)], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    return float(out) / 3.0


def disk_sync_ms(directory: Path, rounds: int = 100) -> list[float]:
    """What the disk itself charges: append 100 KB to a file and fdatasync it, as a commit
    of one batch does. This bounds durable produce rate and follow latency."""
    took = []
    fd = os.open(directory / "fsync-probe", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for _ in range(rounds):
            t0 = time.perf_counter()
            os.write(fd, VALUE * BATCH)
            os.fdatasync(fd)
            took.append((time.perf_counter() - t0) * 1000)
    finally:
        os.close(fd)
    return took


# -- redis --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(workdir: Path) -> tuple[subprocess.Popen, int]:
    server = shutil.which("redis-server")
    if server is None:
        sys.exit("redis-server not found: apt-get install redis-server")
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            return proc, port
        except redis.ConnectionError:
            time.sleep(0.025)
    proc.kill()
    sys.exit("redis-server did not start")


def redis_produce(client, records: int, server_pid: int) -> Rate:
    with Measure(records, server_pid) as m:
        for _ in range(records // BATCH):
            pipe = client.pipeline(transaction=False)
            for _ in range(BATCH):
                pipe.xadd("bench", {b"v": VALUE})
            pipe.execute()
    return m.rate


def redis_consume(client, records: int, server_pid: int) -> Rate:
    got = 0
    start = "-"
    with Measure(records, server_pid) as m:
        while True:
            batch = client.xrange("bench", min=start, max="+", count=BATCH)
            if not batch:
                break
            got += len(batch)
            start = "(" + batch[-1][0].decode()
    assert got == records, (got, records)
    return m.rate


def redis_follow(port: int, samples: int) -> Latency:
    import redis

    client = redis.Redis(port=port)
    proc = spawn_producer("redis", str(port), samples)
    proc.stdin.write("go\n")
    proc.stdin.flush()
    received: dict[int, int] = {}
    last = "0-0"
    while len(received) < samples:
        for _stream, entries in client.xread({"latency": last}, block=0, count=BATCH):
            now = time.monotonic_ns()
            for entry_id, fields in entries:
                received[int(fields[b"v"])] = now
                last = entry_id
    result = latencies(received, proc.stdout.readline())
    proc.wait(timeout=60)
    return result


# -- report -------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--dedup-only", action="store_true",
                        help="Only price a topic dedup check (keyed produce, with and "
                        "without it); no Redis needed.")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_produce(args.child[0], args.child[1], int(args.child[2]))
        return
    records = args.records // BATCH * BATCH
    if args.dedup_only:
        with tempfile.TemporaryDirectory(prefix="weir-bench-") as tmp:
            plain, checked = dedup_cost(Path(tmp), records)
        print(f"keyed produce, plain append      {plain.wall:>12,.0f} rec/s  "
              f"{plain.cpu:>12,.0f} rec/CPU-s")
        print(f"keyed produce, dedup check       {checked.wall:>12,.0f} rec/s  "
              f"{checked.cpu:>12,.0f} rec/CPU-s")
        print(f"dedup check costs {100 * (1 - checked.wall / plain.wall):.0f}% of wall "
              f"throughput, {100 * (1 - checked.cpu / plain.cpu):.0f}% per CPU second "
              f"(window {DEDUP_WINDOW:,} keys; {records:,} records, best of 3, load average "
              f"{os.getloadavg()[0]:.2f})")
        return
    with tempfile.TemporaryDirectory(prefix="weir-bench-") as tmp:
        tmp_path = Path(tmp)
        store = EmbeddedStore(tmp_path / "store")
        w_produce = weir_produce(store, records)
        w_consume = weir_consume(store, records)
        store.close()
        store = EmbeddedStore(tmp_path / "store-pipelined")
        w_produce_pipelined = weir_produce_pipelined(store, records)
        store.close()
        store = EmbeddedStore(tmp_path / "store-normal", sync="normal")
        w_produce_normal = weir_produce(store, records)
        store.close()
        w_lat = weir_follow(tmp_path / "follow", args.samples)
        w_idle = weir_idle_cpu(tmp_path / "follow")
        sync_ms = disk_sync_ms(tmp_path)

        redis_proc, port = start_redis(tmp_path)
        try:
            import redis

            client = redis.Redis(port=port)
            r_produce = redis_produce(client, records, redis_proc.pid)
            r_consume = redis_consume(client, records, redis_proc.pid)
            r_lat = redis_follow(port, args.samples)
        finally:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)

    median = statistics.median

    def p99(values: list[float]) -> float:
        return percentile(values, 99)

    def rate(x: float) -> str:
        return f"{x:,.0f} rec/s"

    def ms(x: float) -> str:
        return f"{x:.2f} ms"

    rows = [
        ("produce (100 B values, batches of 1000)", rate(w_produce.wall),
         rate(r_produce.wall), f"{w_produce.wall / r_produce.wall:.1f}x"),
        ("  per CPU second (redis: client + server)", rate(w_produce.cpu), rate(r_produce.cpu),
         f"{w_produce.cpu / r_produce.cpu:.1f}x"),
        ("produce, pipelined (group commit, acks still after fsync)",
         rate(w_produce_pipelined.wall), rate(r_produce.wall),
         f"{w_produce_pipelined.wall / r_produce.wall:.1f}x"),
        ("produce, WEIR_STORE_SYNC=normal (no fsync per batch)", rate(w_produce_normal.wall),
         rate(r_produce.wall), f"{w_produce_normal.wall / r_produce.wall:.1f}x"),
        ("consume from the beginning", rate(w_consume.wall), rate(r_consume.wall),
         f"{w_consume.wall / r_consume.wall:.1f}x"),
        ("  per CPU second (redis: client + server)", rate(w_consume.cpu), rate(r_consume.cpu),
         f"{w_consume.cpu / r_consume.cpu:.1f}x"),
        ("follow latency p50, from the producer's call", ms(median(w_lat.end_to_end)),
         ms(median(r_lat.end_to_end)), ""),
        ("follow latency p99, from the producer's call", ms(p99(w_lat.end_to_end)),
         ms(p99(r_lat.end_to_end)), ""),
        ("  the producer's call p50 (weir: commit + fsync)", ms(median(w_lat.call)),
         ms(median(r_lat.call)), ""),
        ("  the producer's call p99", ms(p99(w_lat.call)), ms(p99(r_lat.call)), ""),
        ("follow wake-up p50, from the acknowledgement", ms(median(w_lat.after_ack)),
         ms(median(r_lat.after_ack)), ""),
        ("follow wake-up p99, from the acknowledgement", ms(p99(w_lat.after_ack)),
         ms(p99(r_lat.after_ack)), ""),
        ("idle follower CPU", f"{w_idle * 100:.2f} %", "", ""),
        ("this disk: write 100 KB + fdatasync, p50 / p99",
         f"{median(sync_ms):.2f} / {p99(sync_ms):.2f} ms", "", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'workload':<{width}}  {'weir embedded':>18}  {'redis streams':>18}  ratio")
    for name, ours, theirs, ratio in rows:
        print(f"{name:<{width}}  {ours:>18}  {theirs:>18}  {ratio}")
    print(f"\n{records:,} records; {args.samples} latency samples at "
          f"{INTERVAL_S * 1000:.0f} ms intervals; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.2f}; redis: no persistence, "
          f"weir: fsync per batch (WEIR_STORE_SYNC=full)")
    targets = [
        ("produce >= 300,000 rec/s", max(w_produce.wall, w_produce_pipelined.wall) >= 300_000),
        ("consume >= 1,000,000 rec/s", w_consume.wall >= 1_000_000),
        ("follow p99 <= 20 ms", p99(w_lat.end_to_end) <= 20),
        ("ahead of Redis on produce", w_produce.wall > r_produce.wall),
        ("ahead of Redis on consume", w_consume.wall > r_consume.wall),
    ]
    print("targets: " + ", ".join(f"{t} {'ok' if ok else 'MISSED'}" for t, ok in targets))


if __name__ == "__main__":
    main()
