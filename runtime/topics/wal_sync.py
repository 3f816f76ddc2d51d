"""Make committed transactions durable after they are visible: commit, wake, then fsync.

With `synchronous=FULL` SQLite fsyncs the WAL inside COMMIT, before it publishes the
transaction to readers, so a follower waits for the disk's flush as well as the producer,
and the write lock is held through it. The store commits with `synchronous=NORMAL`
instead (the transaction is in the WAL and visible to every reader, in any process, but
not yet on stable storage), wakes followers, and then `WalSync.sync` fdatasyncs the WAL
before the producer is acknowledged. The WAL is written in order, so one fdatasync covers
every transaction committed before it started, by any connection or process: a commit
whose transaction an fdatasync started after already covers waits for that one instead of
issuing its own (group commit). What a power cut can cost is what FULL would cost: only
transactions not yet acknowledged. A follower may have seen such a transaction (as a
Kafka consumer never does past the high watermark); a process crash loses nothing, the
WAL's pages are in the kernel's cache.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from runtime.errors import WeirError, os_problem


class WalSync:
    """fdatasync of one database's WAL, shared by the threads of one store."""

    def __init__(self, wal: Path, flush: Callable[[int], None] | None = None) -> None:
        """`flush(fd)`: os.fdatasync unless given."""
        self.wal = wal
        self._flush = flush
        self._cond = threading.Condition(threading.Lock())
        self._issued = 0  # transactions committed, numbered in commit order
        self._synced = 0  # every transaction up to this one is durable
        self._syncing = False
        self._failed: tuple[int, WeirError] | None = None

    def committed(self) -> int:
        """Number a transaction that just committed (call it right after COMMIT, still
        holding the connection): its ticket for `sync`."""
        with self._cond:
            self._issued += 1
            return self._issued

    def covers(self, ticket: int) -> bool:
        """Is transaction `ticket` durable already (no fdatasync needed)?"""
        with self._cond:
            return self._synced >= ticket

    def sync(self, ticket: int) -> None:
        """Return once transaction `ticket` is durable; raise WeirError if the fdatasync
        that was to cover it failed (the data may then be lost: never retried as if it
        had worked)."""
        with self._cond:
            while self._synced < ticket:
                if self._failed is not None and ticket <= self._failed[0]:
                    raise self._failed[1]
                if self._syncing:
                    self._cond.wait()
                    continue
                self._syncing = True
                target = self._issued
                self._cond.release()
                try:
                    error = self._flush_wal()
                finally:
                    self._cond.acquire()
                    self._syncing = False
                    self._cond.notify_all()
                if error is not None:
                    self._failed = (target, error)
                    raise error
                self._synced = max(self._synced, target)

    def _flush_wal(self) -> WeirError | None:
        """fdatasync the WAL, opened afresh each time: always the file there now, and no
        stat of it (measured on this machine's ext4: a stat or fstat of the WAL between
        two commits made the next fdatasync a third slower, 0.19 against 0.14 ms; the
        open costs nothing measurable). A WAL that is gone was checkpointed into the
        database and synced by SQLite before it deleted it: nothing left to sync."""
        try:
            fd = os.open(self.wal, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return self._failure(exc)
        try:
            (self._flush or os.fdatasync)(fd)
        except OSError as exc:
            return self._failure(exc)
        finally:
            os.close(fd)
        return None

    def _failure(self, exc: OSError) -> WeirError:
        problem = os_problem(exc, "make a commit durable (fdatasync of the WAL)", self.wal)
        # the same kind (DiskFull stays DiskFull: supervisors retry on it)
        return type(problem)(f"{problem.message}; the records were committed but may not "
                             "survive a power cut", hint=problem.hint or
                             "check the disk (dmesg); the producer was not acknowledged")
