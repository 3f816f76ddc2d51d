"""The embedded store under the conditions it promises to survive: many processes at
once, a producer killed mid-stream, retention, and broken surroundings."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runtime.errors import EnvironmentProblem, WeirError
from runtime.topics.embedded import EmbeddedStore
from runtime.topics.record import ProduceRecord
from runtime.topics.store import TopicSpec

REPO = Path(__file__).resolve().parents[2]

PRODUCER = """
import sys
from runtime.topics.embedded import EmbeddedStore
from runtime.topics.record import ProduceRecord
store = EmbeddedStore(sys.argv[1])
name, tag, batches, size = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
for b in range(batches):
    offsets = store.append(name, [ProduceRecord(f"{tag}:{b}:{i}".encode()) for i in range(size)])
    # acknowledged: tell the parent which batch is durable and where it went
    print(b, offsets[0][1], flush=True)
store.close()
"""


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", PRODUCER, *args], cwd=REPO, stdout=subprocess.PIPE, text=True
    )


@pytest.fixture
def data_dir(weir_home) -> Path:
    return weir_home / "data"


@pytest.fixture
def store(data_dir):
    s = EmbeddedStore(data_dir)
    yield s
    s.close()


def all_records(store: EmbeddedStore, name: str, partition: int = 0):
    out, offset = [], 0
    while batch := store.read(name, partition, offset, 10_000):
        out += batch
        offset = batch[-1].offset + 1
    return out


def test_four_processes_produce_dense_offsets_nothing_lost(store, data_dir):
    store.create_topic(TopicSpec("busy"))
    procs = [spawn(str(data_dir), "busy", f"p{n}", "40", "50") for n in range(4)]
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
    records = all_records(store, "busy")
    assert [r.offset for r in records] == list(range(4 * 40 * 50))
    values = [r.value.decode() for r in records]
    assert len(set(values)) == len(values)
    for n in range(4):
        mine = [v for v in values if v.startswith(f"p{n}:")]
        # each producer's records are all there, in the order it sent them
        assert mine == [f"p{n}:{b}:{i}" for b in range(40) for i in range(50)]


def test_sigkill_mid_stream_keeps_every_acknowledged_batch(store, data_dir):
    store.create_topic(TopicSpec("crashy"))
    proc = spawn(str(data_dir), "crashy", "k", "100000", "200")
    acked: list[tuple[int, int]] = []
    assert proc.stdout is not None
    while len(acked) < 25:
        line = proc.stdout.readline()
        assert line, "producer ended early"
        batch, offset = map(int, line.split())
        acked.append((batch, offset))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    reopened = EmbeddedStore(data_dir)
    try:
        records = all_records(reopened, "crashy")
    finally:
        reopened.close()
    # every acknowledged batch is there, at the offset it was acknowledged with
    for batch, offset in acked:
        assert records[offset].value == f"k:{batch}:0".encode()
        assert records[offset + 199].value == f"k:{batch}:199".encode()
    # no partial batch: whole batches only, dense
    assert len(records) % 200 == 0
    assert [r.offset for r in records] == list(range(len(records)))
    assert records[-1].value.endswith(b":199")


FOLLOWER = """
import asyncio, sys, time
from runtime.topics.embedded import EmbeddedStore
store = EmbeddedStore(sys.argv[1])
async def main():
    print("ready", flush=True)
    got = 0
    async for batch in store.follow(sys.argv[2], 0, 0):
        for r in batch:
            print(r.value.decode(), flush=True)
        got += len(batch)
        if got >= int(sys.argv[3]):
            return
asyncio.run(main())
"""


def test_follow_sees_records_from_another_process(store, data_dir):
    store.create_topic(TopicSpec("live"))
    proc = subprocess.Popen([sys.executable, "-c", FOLLOWER, str(data_dir), "live", "3"],
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.2)
    store.append("live", [ProduceRecord(b"one")])
    store.append("live", [ProduceRecord(b"two"), ProduceRecord(b"three")])
    out, _ = proc.communicate(timeout=30)
    assert out.split() == ["one", "two", "three"]


async def test_follow_in_this_process_wakes_on_a_producer_elsewhere(store, data_dir):
    store.create_topic(TopicSpec("wake"))
    got: list[bytes] = []

    async def follow():
        async for batch in store.follow("wake", 0, 0):
            got.extend(r.value for r in batch)
            return

    task = asyncio.create_task(follow())
    await asyncio.sleep(0.1)
    assert len(list((data_dir / "notify").iterdir())) == 1
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PRODUCER, str(data_dir), "wake", "x", "1", "1", cwd=REPO,
        stdout=asyncio.subprocess.DEVNULL)
    await proc.wait()
    await asyncio.wait_for(task, 10)
    assert got == [b"x:0:0"]
    assert list((data_dir / "notify").iterdir()) == []  # the follower cleaned up


def test_stale_follower_sockets_are_removed(store, data_dir):
    store.create_topic(TopicSpec("stale"))
    code = ("import os, socket, sys, zlib; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);"
            "s.bind(sys.argv[1] + '/%08x.1.dead' % zlib.crc32(b'stale')); os._exit(0)")
    subprocess.run([sys.executable, "-c", code, str(data_dir / "notify")], check=True)
    assert len(list((data_dir / "notify").iterdir())) == 1
    store.append("stale", [ProduceRecord(b"x")])
    assert list((data_dir / "notify").iterdir()) == []


def test_retention_by_time_drops_old_batches(store):
    store.create_topic(TopicSpec("short", retention_ms=300))
    store.append("short", [ProduceRecord(b"old")] * 10)
    time.sleep(0.4)
    store.append("short", [ProduceRecord(b"new")] * 5)
    assert store.earliest_offset("short", 0) == 10
    assert [r.value for r in store.read("short", 0, 0)] == [b"new"] * 5
    info = store.describe_topic("short").partitions[0]
    assert (info.earliest, info.latest) == (10, 15)
    time.sleep(0.4)
    # nobody writes: describing the topic applies retention all the same
    assert store.describe_topic("short").record_count == 0


def test_retention_by_size_keeps_the_newest(store):
    store.create_topic(TopicSpec("small", segment_bytes=5000))
    for _ in range(20):
        store.append("small", [ProduceRecord(b"x" * 100)] * 10)  # ~1 KB a batch
    part = store.describe_topic("small").partitions[0]
    assert part.latest == 200
    assert part.size_bytes <= 5000
    assert part.earliest >= 150 and part.earliest % 10 == 0
    records = store.read("small", 0, 0, 1000)
    assert records[0].offset == part.earliest and records[-1].offset == 199


def test_reading_below_earliest_starts_at_earliest(store):
    store.create_topic(TopicSpec("trimmed", segment_bytes=100))
    for i in range(3):
        store.append("trimmed", [ProduceRecord(b"y" * 80, key=str(i).encode())])
    assert [r.offset for r in store.read("trimmed", 0, 0)] == [2]


def test_corrupt_database_is_a_clear_environment_error(data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "topics.db").write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(EnvironmentProblem) as err:
        EmbeddedStore(data_dir)
    assert "corrupt" in err.value.message and "topics.db" in err.value.message


def test_unusable_directory_is_a_clear_environment_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(EnvironmentProblem, match="cannot create the topic store directory"):
        EmbeddedStore(blocker / "data")


def test_full_disk_fails_the_batch_and_keeps_what_was_acknowledged(store):
    store.create_topic(TopicSpec("full"))
    store.append("full", [ProduceRecord(b"kept")] * 3)
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    # SQLite's own "disk full" path (SQLITE_FULL), as a small filesystem would trigger it.
    store._conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(WeirError, match="full") as err:
        store.append("full", [ProduceRecord(b"z" * 4000)] * 50)
    assert "nothing was written" in err.value.message
    store._conn.execute("PRAGMA max_page_count = 1073741823")
    assert [r.value for r in store.read("full", 0, 0)] == [b"kept"] * 3
    assert store.append("full", [ProduceRecord(b"after")]) == [(0, 3)]


def test_read_only_database_is_a_clear_error(store, data_dir):
    store.create_topic(TopicSpec("ro"))
    store._conn.execute("PRAGMA query_only = 1")  # what a read-only mount looks like to SQLite
    with pytest.raises(EnvironmentProblem, match="readonly|read-only|cannot"):
        store.append("ro", [ProduceRecord(b"x")])
    store._conn.execute("PRAGMA query_only = 0")


def test_long_store_paths_still_notify(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    s = EmbeddedStore(deep)
    try:
        s.create_topic(TopicSpec("deep"))

        async def run():
            async def follow():
                async for batch in s.follow("deep", 0, 0):
                    return batch
            task = asyncio.create_task(follow())
            await asyncio.sleep(0.05)
            other = EmbeddedStore(deep)
            t0 = time.monotonic()
            other.append("deep", [ProduceRecord(b"hi")])
            batch = await asyncio.wait_for(task, 5)
            other.close()
            return batch, time.monotonic() - t0

        batch, waited = asyncio.run(run())
        assert batch[0].value == b"hi"
        assert waited < 0.4  # woken by the socket, not by the 0.5 s safety poll
    finally:
        s.close()


def test_schema_from_a_newer_weir_is_refused(data_dir):
    EmbeddedStore(data_dir).close()
    conn = sqlite3.connect(data_dir / "topics.db")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(EnvironmentProblem, match="newer weir"):
        EmbeddedStore(data_dir)


def test_open_store_uses_the_profile_data_dir(tmp_path):
    from runtime.profiles import Profile
    from runtime.topics import open_store

    s = open_store(Profile("elsewhere", data_dir=str(tmp_path / "x")))
    try:
        assert isinstance(s, EmbeddedStore)
        assert (tmp_path / "x" / "topics.db").exists()
    finally:
        s.close()
    assert os.environ["WEIR_HOME"]


def _spy_fdatasync(monkeypatch, data_dir: Path, topic: str) -> list[tuple[int, int]]:
    """Every fdatasync from now on as (inode synced, records of `topic` another store
    reads at that moment); the real fdatasync still runs."""
    calls: list[tuple[int, int]] = []
    real = os.fdatasync
    other = EmbeddedStore(data_dir, sync="normal")

    def spy(fd: int) -> None:
        calls.append((os.fstat(fd).st_ino, len(other.read(topic, 0, 0))))
        real(fd)

    monkeypatch.setattr(os, "fdatasync", spy)
    return calls


def test_sync_level_comes_from_the_environment(data_dir, monkeypatch):
    EmbeddedStore(data_dir).create_topic(TopicSpec("levels"))
    calls = _spy_fdatasync(monkeypatch, data_dir, "levels")
    monkeypatch.setenv("WEIR_STORE_SYNC", "normal")
    with EmbeddedStore(data_dir) as s:
        s.append("levels", [ProduceRecord(b"a")])
    assert calls == []  # normal: SQLite syncs at checkpoints only
    monkeypatch.setenv("WEIR_STORE_SYNC", "full")
    with EmbeddedStore(data_dir) as s:
        s.append("levels", [ProduceRecord(b"b")])
    assert len(calls) == 1
    monkeypatch.setenv("WEIR_STORE_SYNC", "sometimes")
    with pytest.raises(EnvironmentProblem, match="WEIR_STORE_SYNC"):
        EmbeddedStore(data_dir)


def test_a_batch_is_visible_before_its_fdatasync_and_acknowledged_after(data_dir,
                                                                         monkeypatch):
    """Followers need not wait for the disk; the producer does."""
    s = EmbeddedStore(data_dir, sync="full")
    s.create_topic(TopicSpec("early"))
    calls = _spy_fdatasync(monkeypatch, data_dir, "early")
    s.append("early", [ProduceRecord(b"x"), ProduceRecord(b"y")])
    wal = os.stat(data_dir / "topics.db-wal").st_ino
    assert calls == [(wal, 2)]  # the WAL, synced while another reader saw the batch
    s.commit_offset("c", "early", 0, 2)  # every write transaction is synced, not appends only
    assert calls[1:] == [(wal, 2)]
    s.close()


def test_produce_records_builds_plain_records():
    from runtime.topics.record import produce_records

    built = produce_records([b"a", b"b"], [b"k", None])
    assert built == [ProduceRecord(b"a", key=b"k"), ProduceRecord(b"b")]
    assert produce_records([b"x"])[0].timestamp is None


def test_a_batch_bigger_than_a_row_is_stored_as_several(store, monkeypatch):
    import runtime.topics.embedded as embedded

    monkeypatch.setattr(embedded, "MAX_ROW_BYTES", 1000)
    store.create_topic(TopicSpec("big", partitions=2))
    placed = store.append("big", [ProduceRecord(bytes([i]) * 300) for i in range(10)],
                          partition=1)
    assert placed == [(1, i) for i in range(10)]
    rows = store._conn.execute("SELECT count(*) FROM batches").fetchone()[0]
    assert rows == 4  # 3 + 3 + 3 + 1 records of ~316 bytes under 1000
    assert [r.value[0] for r in store.read("big", 1, 0)] == list(range(10))
    assert [r.offset for r in store.read("big", 1, 5)] == [5, 6, 7, 8, 9]
    monkeypatch.setattr(embedded, "MAX_RECORD_BYTES", 200)
    with pytest.raises(WeirError, match="over the embedded store's limit"):
        store.append("big", [ProduceRecord(b"x" * 300)] * 4, partition=0)


@pytest.mark.parametrize(("offset", "limit"), [(0, 10_000), (3, 4), (5, 1), (2, 9), (11, 5)])
def test_read_columns_gives_what_read_gives(store, offset, limit):
    """Across stored batches with and without keys, headers and one shared timestamp."""
    store.create_topic(TopicSpec("cols"))
    store.append("cols", [ProduceRecord(b"a%d" % i, timestamp=50) for i in range(4)])
    store.append("cols", [ProduceRecord(b"b%d" % i, key=b"k" if i else None,
                                        timestamp=60 + i) for i in range(3)])
    store.append("cols", [ProduceRecord(b"c", headers=(("h", b"1"),), timestamp=70)])
    store.append("cols", [ProduceRecord(b"d%d" % i, timestamp=80) for i in range(4)])
    columns = store.read_columns("cols", 0, offset, limit)
    assert columns.records() == store.read("cols", 0, offset, limit)
    if len(columns):
        assert isinstance(columns.offsets, range)  # dense offsets stay a range
    assert len(store.read_columns("cols", 0, 12)) == 0


async def test_follow_columns_yields_what_follow_yields(store):
    store.create_topic(TopicSpec("fcols"))
    store.append("fcols", [ProduceRecord(b"v%d" % i, key=b"k") for i in range(5)])
    async for columns in store.follow_columns("fcols", 0, 2):
        async for records in store.follow("fcols", 0, 2):
            assert columns.records() == records
            return


def test_a_second_store_in_the_same_process_keeps_the_first_ones_commits_visible(tmp_path):
    """Opening another store on the same directory must not drop the first connection's
    POSIX locks (closing any descriptor of the file would): otherwise another process
    checkpoints and deletes the WAL under it, and its later commits are lost to others."""
    first = EmbeddedStore(tmp_path)
    second = EmbeddedStore(tmp_path)
    try:
        first.create_topic(TopicSpec("before"))
        reader = ("import sys; from runtime.topics.embedded import EmbeddedStore; "
                  "s = EmbeddedStore(sys.argv[1]); "
                  "print(' '.join(t.spec.name for t in s.list_topics())); s.close()")
        listed = subprocess.run([sys.executable, "-c", reader, str(tmp_path)],
                                capture_output=True, text=True, check=True)
        assert listed.stdout.split() == ["before"]
        first.create_topic(TopicSpec("after"))
        listed = subprocess.run([sys.executable, "-c", reader, str(tmp_path)],
                                capture_output=True, text=True, check=True)
        assert listed.stdout.split() == ["after", "before"]
    finally:
        first.close()
        second.close()


def test_records_given_as_columns_are_stored_like_records(store):
    from runtime.topics.columns import ProduceColumns

    store.create_topic(TopicSpec("cols", 2))
    plain = ProduceColumns([b"a", b"b"])  # no keys, stamped by the store
    assert store.append("cols", plain, partition=1) == [(1, 0), (1, 1)]
    full = ProduceColumns([b"c", b"d"], [b"k", None], [1_700_000_000_000, 1_700_000_000_001])
    assert store.append("cols", full, partition=1) == [(1, 2), (1, 3)]
    got = store.read("cols", 1, 0)
    assert [(r.value, r.key) for r in got] == [(b"a", None), (b"b", None), (b"c", b"k"),
                                               (b"d", None)]
    assert [r.timestamp for r in got[2:]] == [1_700_000_000_000, 1_700_000_000_001]
    assert abs(got[0].timestamp - time.time() * 1000) < 60_000
    # without a partition, keyless columns are spread round-robin as records are
    assert sorted(p for p, _ in store.append("cols", ProduceColumns([b"x", b"y"]))) == [0, 1]
    assert full[1] == ProduceRecord(b"d", None, 1_700_000_000_001)
    assert list(full[:1]) == [ProduceRecord(b"c", b"k", 1_700_000_000_000)]
