"""WalSync: one fdatasync covers every transaction committed before it began, and a
failed one is never taken for a success."""

from __future__ import annotations

import errno
import os
import threading

import pytest

from runtime.errors import DiskFull, WeirError
from runtime.topics.wal_sync import WalSync


@pytest.fixture
def wal(tmp_path):
    path = tmp_path / "topics.db-wal"
    path.write_bytes(b"frames")
    return path


def test_commits_made_during_an_fdatasync_share_the_next_one(wal):
    started, release = threading.Event(), threading.Event()
    flushed: list[int] = []

    def flush(fd: int) -> None:
        flushed.append(fd)
        if len(flushed) == 1:
            started.set()
            release.wait(10)
        os.fdatasync(fd)

    sync = WalSync(wal, flush)
    first = threading.Thread(target=sync.sync, args=(sync.committed(),))
    first.start()
    assert started.wait(10)
    later = [sync.committed() for _ in range(3)]  # committed while the first one syncs
    threads = [threading.Thread(target=sync.sync, args=(t,)) for t in later]
    for t in threads:
        t.start()
    release.set()
    for t in [first, *threads]:
        t.join(10)
        assert not t.is_alive()
    assert len(flushed) == 2  # the first, then one for all three later commits
    assert sync.covers(later[-1])
    sync.sync(later[-1])  # already durable: no third fdatasync
    assert len(flushed) == 2
    assert not sync.covers(sync.committed())


def test_a_failed_fdatasync_fails_every_commit_it_was_to_cover(wal):
    outcomes = iter([OSError(errno.EIO, "Input/output error"), None])

    def flush(fd: int) -> None:
        error = next(outcomes)
        if error is not None:
            raise error

    sync = WalSync(wal, flush)
    a, b = sync.committed(), sync.committed()
    with pytest.raises(WeirError, match="topics.db-wal.*Input/output error") as failed:
        sync.sync(b)
    assert "may not survive a power cut" in failed.value.message
    with pytest.raises(WeirError):  # covered by the failed one: not retried as if fine
        sync.sync(a)
    sync.sync(sync.committed())  # a later commit gets a fresh fdatasync


def test_a_full_disk_at_the_fdatasync_is_reported_as_one(wal):
    def flush(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    sync = WalSync(wal, flush)
    with pytest.raises(DiskFull, match="no space left.*may not survive a power cut"):
        sync.sync(sync.committed())


def test_each_fdatasync_is_of_the_wal_there_now(wal):
    inodes: list[int] = []
    sync = WalSync(wal, lambda fd: inodes.append(os.fstat(fd).st_ino))
    sync.sync(sync.committed())
    replaced = wal.with_name("replaced")
    replaced.write_bytes(b"a new wal")
    replaced.rename(wal)
    sync.sync(sync.committed())
    assert inodes[0] != inodes[1] == os.stat(wal).st_ino
    wal.unlink()  # checkpointed and deleted by SQLite: already in the synced database
    sync.sync(sync.committed())
    assert len(inodes) == 2
