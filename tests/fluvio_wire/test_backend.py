"""The endpoint's store access: group commit keeps the order submissions were made in,
each submission's offsets dense, and one bad group from spoiling the others; a follower
sees a commit before its fdatasync, the producer after; a locked store never stalls the
event loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
import threading

from runtime.errors import WeirError
from runtime.fluvio_wire import backend as backend_module
from runtime.fluvio_wire.backend import Backend
from runtime.topics.record import ProduceRecord
from runtime.topics.store import TopicSpec


async def test_submissions_are_stored_in_order_grouped(tmp_path):
    backend = Backend(tmp_path)
    try:
        await backend.create_topic(TopicSpec("t", partitions=2))
        futures = [await backend.submit("t", [(i % 2, [ProduceRecord(f"{i}-{j}".encode())
                                                       for j in range(3)])])
                   for i in range(100)]
        bases = [(await f)[0] for f in futures]
        assert [b for i, b in enumerate(bases) if i % 2 == 0] == list(range(0, 150, 3))
        assert [b for i, b in enumerate(bases) if i % 2 == 1] == list(range(0, 150, 3))
        records, _, latest = await backend.read_chunk("t", 0, 0, 1000)
        assert latest == 150
        assert [r.value for r in records][:6] == [b"0-0", b"0-1", b"0-2", b"2-0", b"2-1",
                                                  b"2-2"]
    finally:
        await backend.stop()
        backend.close()


async def test_a_bad_group_or_topic_fails_alone(tmp_path):
    backend = Backend(tmp_path)
    try:
        await backend.create_topic(TopicSpec("t"))
        good = await backend.submit("t", [(0, [ProduceRecord(b"a")]),
                                          (7, [ProduceRecord(b"b")])])
        missing = await backend.submit("nope", [(0, [ProduceRecord(b"c")])])
        after = await backend.submit("t", [(0, [ProduceRecord(b"d")])])
        outcome = await good
        assert outcome[0] == 0 and isinstance(outcome[1], WeirError)
        assert "partition 7 does not exist" in outcome[1].message
        assert isinstance((await missing)[0], WeirError)
        assert await after == [1]
    finally:
        await backend.stop()
        backend.close()


async def test_concurrent_producers_share_dense_offsets(tmp_path):
    backend = Backend(tmp_path)
    try:
        await backend.create_topic(TopicSpec("t"))

        async def producer(name: str) -> list[int]:
            return [(await backend.append("t", [(0, [ProduceRecord(name.encode())] * 5)]))[0]
                    for _ in range(20)]

        results = await asyncio.gather(*(producer(f"p{k}") for k in range(5)))
        bases = sorted(b for r in results for b in r)
        assert bases == list(range(0, 500, 5))
    finally:
        await backend.stop()
        backend.close()


async def test_a_follower_sees_a_small_commit_before_its_fdatasync_the_producer_after(
        tmp_path, monkeypatch):
    backend = Backend(tmp_path)
    listener = None
    try:
        await backend.create_topic(TopicSpec("t"))
        flushing, release = threading.Event(), threading.Event()
        real = os.fdatasync

        def slow_disk(fd: int) -> None:
            flushing.set()
            release.wait(10)
            real(fd)

        monkeypatch.setattr(os, "fdatasync", slow_disk)
        listener = backend.listener("t")
        answer = await backend.submit("t", [(0, [ProduceRecord(b"now")])])
        assert await listener.wait(5)  # woken by the commit, not by the poll
        columns, _, latest = backend.read_columns_now("t", 0, 0, 10)
        assert (list(columns.values), latest) == ([b"now"], 1)
        assert await asyncio.to_thread(flushing.wait, 5)
        await asyncio.sleep(0.05)
        assert not answer.done()  # the producer hears only once the WAL is on disk
        release.set()
        assert await asyncio.wait_for(answer, 5) == [0]
    finally:
        if listener is not None:
            listener.close()
        await backend.stop()
        backend.close()


async def test_a_store_locked_by_another_writer_never_stalls_the_event_loop(tmp_path):
    backend = Backend(tmp_path)
    holding, release = threading.Event(), threading.Event()

    def other_writer() -> None:
        with contextlib.closing(sqlite3.connect(tmp_path / "topics.db",
                                                isolation_level=None)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            holding.set()
            release.wait(5)  # a stalled loop would find the lock gone after this
            conn.execute("ROLLBACK")

    try:
        await backend.create_topic(TopicSpec("t"))
        holder = threading.Thread(target=other_writer)
        holder.start()
        assert await asyncio.to_thread(holding.wait, 5)
        answer = await backend.submit("t", [(0, [ProduceRecord(b"x")])])
        for _ in range(20):  # the loop runs on meanwhile, the submission waits in a thread
            await asyncio.sleep(0.01)
        assert not answer.done()
        release.set()
        assert await asyncio.wait_for(answer, 10) == [0]
        await asyncio.to_thread(holder.join, 5)
    finally:
        release.set()
        await backend.stop()
        backend.close()


ROWS_IN_DATABASE_FILE = """
import shutil, sqlite3, sys, tempfile
with tempfile.TemporaryDirectory() as tmp:
    shutil.copyfile(sys.argv[1], tmp + "/copy.db")  # the file alone, not its WAL
    try:
        print(sqlite3.connect(tmp + "/copy.db").execute("SELECT count(*) FROM batches")
              .fetchone()[0])
    except sqlite3.DatabaseError:
        print(0)
"""


def rows_in_database_file(path) -> int:
    """Batches checkpointed into the database file, read by another process (closing a
    descriptor of the file here would drop the locks this process's connections hold)."""
    out = subprocess.run([sys.executable, "-c", ROWS_IN_DATABASE_FILE, str(path)],
                         capture_output=True, text=True, check=True, timeout=30)
    return int(out.stdout)


async def test_commits_on_the_loop_are_checkpointed_every_so_often(tmp_path, monkeypatch):
    monkeypatch.setattr(backend_module, "CHECKPOINT_EVERY", 4)
    backend = Backend(tmp_path)
    try:
        await backend.create_topic(TopicSpec("t"))
        for n in range(3):
            assert await backend.append("t", [(0, [ProduceRecord(b"r")])]) == [n]
        assert rows_in_database_file(tmp_path / "topics.db") == 0  # all in the WAL still
        await backend.append("t", [(0, [ProduceRecord(b"r")])])
        for _ in range(100):
            if rows_in_database_file(tmp_path / "topics.db") == 4:
                break
            await asyncio.sleep(0.05)
        assert rows_in_database_file(tmp_path / "topics.db") == 4
    finally:
        await backend.stop()
        backend.close()
