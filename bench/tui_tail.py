"""The workbench's live tail under load, beside the raw store follow rate of the same run.

    python bench/tui_tail.py [--rate 20000] [--seconds 20] [--baseline-seconds N]

A producer in another process appends `--rate` records/s (1,000 a batch, ~110 bytes each)
for `--seconds`. Baseline: a bare `TopicStore.follow` consumer (no UI) on that stream.
Then the Textual app, driven by Pilot headless at 120x36, tails the same kind of stream
while a key is pressed every 100 ms; we report the tail's achieved rate and lag, the key
latency (press to action, p50/p99), and RSS at the start, middle and end (the tail's
history is bounded, so RSS should level off rather than grow with the records received).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BATCH = 1000


def memory() -> tuple[float, float, float, int]:
    """RSS, its anonymous part, its file-backed part (MB), and live Python heap blocks.

    File-backed pages are the store's memory-mapped database: the kernel reclaims them
    under pressure. Anonymous RSS includes SQLite's page cache, bounded by cache_size.
    The count of Python allocated blocks shows whether objects pile up anywhere.
    """
    fields = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                fields[name] = int(rest.split()[0]) / 1024
    file_backed = fields.get("RssFile", 0.0) + fields.get("RssShmem", 0.0)
    return fields.get("VmRSS", 0.0), fields.get("RssAnon", 0.0), file_backed, \
        sys.getallocatedblocks()


def produce(home: str, topic: str, rate: int, seconds: float, ready, go) -> None:
    """The producer process: paced batches, so the offered load is `rate` records/s."""
    os.environ["WEIR_HOME"] = home
    from runtime.topics import open_store
    from runtime.topics.record import ProduceRecord

    store = open_store()
    ready.set()
    go.wait()
    started = time.perf_counter()
    sent = 0
    while (now := time.perf_counter() - started) < seconds:
        due = int(now * rate) + BATCH - sent
        if due >= BATCH:
            batch = [ProduceRecord(
                b'{"n": %d, "level": "info", "host": "web-%d", "latency_ms": %d, '
                b'"path": "/api/v1/orders"}' % (sent + i, (sent + i) % 7, (sent + i) % 250))
                for i in range(BATCH)]
            store.append(topic, batch, 0)
            sent += BATCH
        else:
            time.sleep((BATCH - due) / rate)
    store.close()


def start_producer(home: str, topic: str, rate: int, seconds: float):
    ctx = mp.get_context("spawn")
    ready, go = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=produce, args=(home, topic, rate, seconds, ready, go),
                       daemon=True)
    proc.start()
    ready.wait(60)
    return proc, go


def baseline(home: str, rate: int, seconds: float) -> tuple[float, int, int]:
    """A bare follow loop on the same load: records/s received, received, produced."""
    from runtime.topics import open_store
    from runtime.topics.store import TopicSpec

    store = open_store()
    store.create_topic(TopicSpec("bench-raw", partitions=1))
    start = store.latest_offset("bench-raw", 0)
    received = 0
    stop = threading.Event()

    async def follow() -> None:
        nonlocal received
        async for batch in store.follow("bench-raw", 0, start):
            received += len(batch)
            if stop.is_set():
                return

    proc, go = start_producer(home, "bench-raw", rate, seconds)
    loop = asyncio.new_event_loop()
    task = loop.create_task(follow())
    go.set()
    began = time.perf_counter()
    loop.run_until_complete(asyncio.wait([task], timeout=seconds + 2))
    stop.set()
    elapsed = min(time.perf_counter() - began, seconds)
    task.cancel()
    loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
    loop.close()
    proc.join(30)
    produced = store.latest_offset("bench-raw", 0) - start
    store.close()
    return received / elapsed, received, produced


async def tui_run(home: str, rate: int, seconds: float) -> dict:
    from textual import events

    from runtime.topics import open_store
    from runtime.topics.store import TopicSpec
    from tui.app import create_app
    from tui.components.topics.pane import TopicsPane
    from tui.components.topics.tail_view import TailView
    from tui.settings import TuiSettings

    store = open_store()
    store.create_topic(TopicSpec("bench-tui", partitions=1))
    store.close()
    app = create_app(settings=TuiSettings(), start_area="topics", watch_cluster=False,
                     persist_settings=False)
    latencies: list[float] = []
    pressed: list[float] = []
    rss: list[tuple[float, tuple[float, float, float, int]]] = []
    # Start the producer (waiting for `go`) before the app owns the terminal's descriptors.
    proc, go = start_producer(home, "bench-tui", rate, seconds)
    async with app.run_test(size=(120, 36)) as pilot:
        topics = app.query_one(TopicsPane)
        await pilot.pause(0.5)
        topics.select_topic("bench-tui")
        tail = app.query_one(TailView)
        tail.focus()
        original = tail.action_toggle_dates

        def timed_toggle() -> None:  # the key's action: stamp when it runs
            latencies.append(time.perf_counter() - pressed[-1])
            original()

        tail.action_toggle_dates = timed_toggle  # type: ignore[method-assign]
        await pilot.pause(0.5)
        rss.append((0.0, memory()))
        go.set()
        began = time.perf_counter()
        rss_every = max(5.0, seconds / 12)  # about a dozen samples, however long the run
        next_rss = rss_every
        while (elapsed := time.perf_counter() - began) < seconds:
            pressed.append(time.perf_counter())
            # As a terminal would: hand the key to the driver and do not wait for idle
            # (Pilot.press waits until the app is idle, which it never is under load).
            key = events.Key("t", "t")
            key.set_sender(app)
            app._driver.send_message(key)
            await asyncio.sleep(max(0.0, 0.1 - (time.perf_counter() - pressed[-1])))
            if elapsed >= next_rss:
                rss.append((elapsed, memory()))
                next_rss += rss_every
        proc.join(30)
        produced = topics.stream.positions.get(0, 0)
        at_end = tail.total
        settle = time.perf_counter()
        store = open_store()
        latest = store.latest_offset("bench-tui", 0)
        store.close()
        while tail.total < latest and time.perf_counter() - settle < 30:
            await pilot.pause(0.05)
        catch_up = time.perf_counter() - settle
        rss.append((time.perf_counter() - began, memory()))
        return {
            "rate": at_end / seconds, "received_at_end": at_end, "produced": latest,
            "caught_up": tail.total, "catch_up_s": catch_up, "latencies": latencies,
            "rss": rss, "history": len(tail.records), "stream_position": produced,
            "skipped": topics.stream.skipped,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--baseline-seconds", type=float, default=None,
                        help="length of the bare-follow baseline (default: --seconds); "
                        "a short baseline lets a long tail run measure memory over time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="weir-bench-") as home:
        os.environ["WEIR_HOME"] = home
        raw_rate, raw_received, raw_produced = baseline(
            home, args.rate, args.baseline_seconds or args.seconds)
        result = asyncio.run(tui_run(home, args.rate, args.seconds))
    lat = sorted(result["latencies"])
    p50 = statistics.median(lat) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    print(f"offered load: {args.rate:,} records/s for {args.seconds:.0f} s "
          f"(producer in another process)")
    print(f"raw store follow (baseline): {raw_rate:,.0f} records/s "
          f"({raw_received:,} of {raw_produced:,} produced)")
    print(f"TUI tail:                    {result['rate']:,.0f} records/s "
          f"({result['rate'] / raw_rate:.2f}x baseline; {result['received_at_end']:,} of "
          f"{result['produced']:,} shown when the producer stopped, "
          f"{result['caught_up']:,} {result['catch_up_s']:.2f} s later)")
    if result["skipped"]:
        print(f"  skipped by the tail while the UI fell behind (counted on screen): "
              f"{result['skipped']:,} records")
    print(f"key latency (key to its action, {len(lat)} keys, one every 100 ms): "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {lat[-1] * 1000:.1f} ms")
    print(f"memory (tail history bounded at {result['history']:,} records):")
    print(f"  {'time':>7} {'RSS MB':>7} {'anon MB':>8} {'file MB':>8} {'Python blocks':>14}")
    for moment, (rss, anon, mapped, blocks) in result["rss"]:
        print(f"  {moment:>6.0f}s {rss:>7.1f} {anon:>8.1f} {mapped:>8.1f} {blocks:>14,}")
    if len(result["rss"]) > 2:
        first, last = result["rss"][1][1], result["rss"][-1][1]
        print(f"  after the first sample: RSS {last[0] - first[0]:+.1f} MB, anonymous "
              f"{last[1] - first[1]:+.1f} MB, Python blocks {last[3] - first[3]:+,} "
              f"({last[3] / first[3]:.3f}x)")


if __name__ == "__main__":
    main()
