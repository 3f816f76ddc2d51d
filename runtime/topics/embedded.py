"""The embedded topic store: one SQLite database in WAL mode under the profile's data dir.

Why it is shaped this way:
- One appended batch is one row (see codec.py) and one transaction: when `append` returns,
  the batch is on disk (WEIR_STORE_SYNC=normal trades the power-cut guarantee for
  throughput; a crash of weir itself loses nothing). Followers see a batch once it is
  committed, while its fdatasync is still under way (wal_sync.py): the disk's flush delays
  the producer's acknowledgement, not the records' delivery.
- Appends take the write lock first (`BEGIN IMMEDIATE`) and read the partition's next
  offset from the table under that lock, so any number of processes (connectors, the CLI,
  the TUI, containers mounting the directory) get dense offsets without coordinating.
- Readers never block writers (WAL); followers sleep on a socket until a producer pokes
  them after its commit (notify.py), with a slow poll as a safety net.
- Retention (by append time and by partition size) drops whole batches, oldest first,
  inside the appending transaction.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import sys
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path

from runtime.errors import DiskFull, EnvironmentProblem, NotFound, WeirError
from runtime.private_files import (
    PRIVATE_FILE,
    make_private_dir,
    tighten,
    tighten_tree,
    write_private_atomic,
)
from runtime.topics import codec
from runtime.topics.columns import ProduceColumns, RecordColumns, next_offset
from runtime.topics.notify import CATALOG, Listener, Notifier
from runtime.topics.record import ProduceRecord, Record
from runtime.topics.spec_check import check_partitions, check_spec
from runtime.topics.store import ConsumerOffset, PartitionInfo, TopicInfo, TopicSpec
from runtime.topics.wal_sync import WalSync

DB_NAME = "topics.db"
# Written once the store exists, so a topics.db later found empty or missing is reported.
MARKER_NAME = "topics.db.created"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000
# One stored row holds at most this much (SQLite refuses blobs over 1 GB); a bigger batch
# is stored as several rows in the same transaction.
MAX_ROW_BYTES = 64 * 1024 * 1024
MAX_RECORD_BYTES = 900 * 1024 * 1024
# How long a follower sleeps when no wake-up comes: the safety net, not the mechanism.
FALLBACK_POLL_S = 0.5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    partitions INTEGER NOT NULL,
    retention_ms INTEGER,
    segment_bytes INTEGER,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS partitions (
    topic_id INTEGER NOT NULL,
    partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL DEFAULT 0,
    earliest INTEGER NOT NULL DEFAULT 0,
    size_bytes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (topic_id, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS batches (
    topic_id INTEGER NOT NULL,
    partition INTEGER NOT NULL,
    last_offset INTEGER NOT NULL,
    base_offset INTEGER NOT NULL,
    count INTEGER NOT NULL,
    append_ms INTEGER NOT NULL,
    size INTEGER NOT NULL,
    first_ts INTEGER NOT NULL,
    max_ts INTEGER NOT NULL,
    timestamps BLOB,
    value_lens BLOB NOT NULL,
    vals BLOB NOT NULL,
    key_lens BLOB,
    keys BLOB,
    headers BLOB
);
CREATE UNIQUE INDEX IF NOT EXISTS batches_by_offset
    ON batches (topic_id, partition, last_offset);
CREATE TABLE IF NOT EXISTS consumer_offsets (
    consumer TEXT NOT NULL,
    topic_id INTEGER NOT NULL,
    partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (consumer, topic_id, partition)
) WITHOUT ROWID;
"""

_READ_SQL = (
    "SELECT base_offset, count, first_ts, timestamps, value_lens, vals, key_lens, keys, headers "
    "FROM batches WHERE topic_id = (SELECT id FROM topics WHERE name = ?) "
    "AND partition = ? AND last_offset >= ? ORDER BY last_offset"
)


_Batch = list[Record] | RecordColumns


class StoreBusy(WeirError):
    """Another writer held the store's write lock for longer than this store waits."""


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Hold the cyclic GC while decoding: records are tuples with no cycles, yet each
    thousand of them triggers a collection that costs more than building them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _sync_mode(sync: str | None) -> str:
    """`full` (default): every acknowledged batch is fsynced, it survives a power cut.
    `normal` (WEIR_STORE_SYNC=normal): it survives any crash of weir itself, but the last
    batches before a power cut may be lost; for throughput above what the disk can fsync."""
    mode = (sync or os.environ.get("WEIR_STORE_SYNC") or "full").lower()
    if mode not in ("full", "normal"):
        raise EnvironmentProblem(
            f"WEIR_STORE_SYNC={mode!r} is not a durability level",
            hint="use `full` (fsync every batch, the default) or `normal`",
        )
    return mode


@dataclass(frozen=True, slots=True)
class _Topic:
    id: int
    name: str
    partitions: int
    retention_ms: int | None
    segment_bytes: int | None


def _split(
    entry: tuple[int, Sequence[int], codec.PackedBatch], records: Sequence[ProduceRecord]
) -> list[tuple[int, Sequence[int], codec.PackedBatch]]:
    """A packed group over MAX_ROW_BYTES as several groups under it, in order."""
    p, indexes, batch = entry
    if batch.size <= MAX_ROW_BYTES:
        return [entry]
    pieces: list[tuple[int, Sequence[int], codec.PackedBatch]] = []
    chunk: list[int] = []
    size = 0
    for i in indexes:
        record = records[i]
        n = len(record.value) + len(record.key or b"") + 16
        if n > MAX_RECORD_BYTES:
            raise WeirError(
                f"a record of {n:,} bytes is over the embedded store's limit of "
                f"{MAX_RECORD_BYTES:,} bytes per record"
            )
        if chunk and size + n > MAX_ROW_BYTES:
            pieces.append((p, chunk, codec.pack([records[j] for j in chunk], batch.first_ts)))
            chunk, size = [], 0
        chunk.append(i)
        size += n
    pieces.append((p, chunk, codec.pack([records[j] for j in chunk], batch.first_ts)))
    return pieces


Span = tuple[int, Sequence[int], int]  # partition, the batch's record indexes, base offset


def _per_record(spans: list[Span], count: int) -> list[tuple[int, int]]:
    """(partition, offset) per record of a batch stored as `spans`, in record order."""
    if len(spans) == 1:
        p, _, base = spans[0]
        return list(zip(repeat(p, count), range(base, base + count), strict=True))
    result = [(0, 0)] * count
    for p, indexes, base in spans:
        for i, offset in zip(indexes, range(base, base + len(indexes)), strict=True):
            result[i] = (p, offset)
    return result


def first_offset(spans: list[Span]) -> int:
    """The offset the batch's first record was stored at."""
    return next(base for _, indexes, base in spans if indexes and indexes[0] == 0)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A batch checked and packed for a topic as it was known when packing."""

    topic: _Topic
    records: Sequence[ProduceRecord]
    partition: int | None
    plan: list


class EmbeddedStore:
    """TopicStore over SQLite. One instance per process (or thread group); cheap to open."""

    def __init__(self, directory: Path | str, *, sync: str | None = None,
                 busy_timeout_ms: int = BUSY_TIMEOUT_MS, auto_checkpoint: bool = True
                 ) -> None:
        """`busy_timeout_ms`: how long a write waits for another writer's lock before
        StoreBusy (0: not at all, for an event loop); `auto_checkpoint=False`: commits
        never copy the WAL into the database (an fsync-ing stall), `checkpoint` does."""
        self.directory = Path(directory)
        self.sync = _sync_mode(sync)
        self._busy_ms = busy_timeout_ms
        self._auto_checkpoint = auto_checkpoint
        self.path = self.directory / DB_NAME
        self._marker = self.directory / MARKER_NAME
        self._notify_dir = self.directory / "notify"
        self._lock = threading.RLock()
        self._round_robin: dict[str, int] = {}
        self._topics: dict[str, _Topic] = {}
        self._prepare_directory()
        # `full`: SQLite commits without syncing (synchronous=NORMAL) and each write
        # transaction fdatasyncs the WAL itself, after waking followers, before returning.
        self._wal = WalSync(self.wal_path) if self.sync == "full" else None
        self._conn = self._connect()
        self._notifier = Notifier(self._notify_dir)

    # -- opening --------------------------------------------------------------------

    def _prepare_directory(self) -> None:
        """The store directory and its notify directory 0700, topics.db 0600 before SQLite
        first opens it: SQLite gives the -wal and -shm files the database file's mode
        (and, run as root, its owner), whatever the umask."""
        try:
            make_private_dir(self._notify_dir)
        except OSError as exc:
            raise EnvironmentProblem(
                f"cannot create the topic store directory {self.directory}: "
                f"{exc.strerror or exc}",
                hint="set WEIR_HOME (or the profile's data_dir) to a writable directory",
            ) from exc
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise EnvironmentProblem(
                f"the topic store directory {self.directory} is not writable",
                hint="set WEIR_HOME (or the profile's data_dir) to a writable directory",
            )
        self._refuse_lost_store()
        if not self._marker.exists() and self.path.exists():
            self._tighten_older_store()
        try:
            # Create it 0600 if missing, but never open (and close) an existing one: closing
            # any descriptor of the file drops every POSIX lock this process holds on it,
            # including those of another connection here (the daemon's Fluvio endpoint),
            # which SQLite then reads as "database disk image is malformed".
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                             PRIVATE_FILE))
        except FileExistsError:
            pass
        except OSError as exc:
            raise EnvironmentProblem(
                f"cannot open the topic store {self.path}: {exc.strerror or exc}",
                hint="make the directory and its files writable, or set WEIR_HOME elsewhere",
            ) from exc

    def _refuse_lost_store(self) -> None:
        """SQLite takes a missing or empty file for a new, empty database: where the marker
        says a store was created, that is data lost (a truncated or deleted file), said so
        rather than silently started over."""
        if not self._marker.exists():
            return
        try:
            size = os.stat(self.path).st_size
        except FileNotFoundError:
            what, fresh = "is missing", f"delete {self._marker}"
        else:
            if size > 0:
                return  # a damaged non-empty file is SQLite's to report (self._error)
            what = "is empty (0 bytes)"
            fresh = f"move {self.path} aside and delete {self._marker}"
        raise EnvironmentProblem(
            f"the topic store {self.path} {what}, but {self._marker.name} beside it says "
            "a store was created there: its records are gone (truncated, deleted or "
            "replaced), not a new store",
            hint=f"restore {DB_NAME} (with its -wal file) from a backup; to start a new "
                 f"empty store instead, {fresh}",
        )

    def _tighten_older_store(self) -> None:
        """A store an older Weir made (no marker yet) may be readable by others where no
        private home shields it (a profile's data_dir): its files are made private, with
        one line saying so."""
        names = (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", "notify", "smartmodules")
        changed = tighten(self.directory) + sum(tighten_tree(self.directory / name)
                                                 for name in names)
        if changed:
            print(f"weir: the topic store {self.directory} was readable by other users; "
                  "made it private (0700 directories, 0600 files)", file=sys.stderr)

    def _mark_created(self) -> None:
        if not self._marker.exists():
            write_private_atomic(self._marker, "A Weir topic store was created here: an "
                                 f"empty or missing {DB_NAME} beside this file is data "
                                 "lost, reported, not a new store.\n")

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
        except sqlite3.Error as exc:
            raise self._error(exc, "open") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
            self._set_wal(conn)
            if not self._auto_checkpoint:
                conn.execute("PRAGMA wal_autocheckpoint = 0")
            conn.execute("PRAGMA synchronous = NORMAL")  # `full`: see self._wal
            conn.execute("PRAGMA mmap_size = 268435456")
            conn.execute("PRAGMA cache_size = -32768")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                conn.execute("BEGIN IMMEDIATE")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute("COMMIT")
            elif version > SCHEMA_VERSION:
                raise EnvironmentProblem(
                    f"the topic store {self.path} was written by a newer weir "
                    f"(schema {version}, this one knows {SCHEMA_VERSION})",
                    hint="upgrade weir, or point WEIR_HOME elsewhere",
                )
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
            raise self._error(exc, "open") from exc
        try:
            self._mark_created()
        except OSError as exc:
            conn.close()
            raise EnvironmentProblem(
                f"cannot write {self._marker}: {exc.strerror or exc}",
                hint="make the directory and its files writable, or set WEIR_HOME elsewhere",
            ) from exc
        return conn

    @staticmethod
    def _set_wal(conn: sqlite3.Connection) -> None:
        # Switching to WAL needs a moment alone with the file; several processes opening
        # a fresh store at once may see "locked" here, which the busy handler skips.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot switch to WAL mode (got {mode})")

    def _error(self, exc: sqlite3.Error, doing: str) -> WeirError:
        """Turn an SQLite failure into a message a user can act on."""
        text = str(exc)
        code = getattr(exc, "sqlite_errorcode", None)
        full = code is not None and code & 0xFF == sqlite3.SQLITE_FULL
        if full or "disk is full" in text:
            return DiskFull(
                f"the disk holding the topic store {self.path} is full; nothing was written",
                hint="free some space, or lower the topics' retention (weir topic describe)",
            )
        if isinstance(exc, sqlite3.DatabaseError) and (
            "not a database" in text or "malformed" in text or "corrupt" in text
        ):
            return EnvironmentProblem(
                f"the topic store {self.path} is corrupt ({text})",
                hint="move the file aside (with its -wal and -shm files) to start a fresh "
                "store; `sqlite3 FILE .recover` may rescue its records",
            )
        if "readonly" in text or "unable to open" in text or "permission" in text.lower():
            return EnvironmentProblem(
                f"cannot {doing} the topic store {self.path}: {text}",
                hint="make the directory and its files writable, or set WEIR_HOME elsewhere",
            )
        if "locked" in text or "busy" in text:
            return StoreBusy(
                f"the topic store {self.path} stayed locked for {self._busy_ms / 1000:g}s "
                f"while trying to {doing}",
                hint="another process holds a long write transaction; retry",
            )
        return WeirError(f"topic store error while trying to {doing}: {text}")

    @contextmanager
    def _write(self, doing: str, wake: Sequence[str] = (), durable: bool = True
               ) -> Iterator[sqlite3.Connection]:
        """One write transaction, under the database-wide write lock. Once committed, the
        followers of the `wake` channels are poked, then (sync `full`) the WAL is
        fdatasynced: the block exits only once the transaction is durable, but neither
        the followers nor this store's other threads wait for the disk. `durable=False`
        leaves the fdatasync to the caller (a WalSync of its own)."""
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc, doing) from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                if isinstance(exc, sqlite3.Error):
                    raise self._error(exc, doing) from exc
                raise
            ticket = self._wal.committed() if self._wal is not None and durable else None
        for channel in wake:
            self._notifier.notify(channel)
        if ticket is not None:
            self._wal.sync(ticket)

    @contextmanager
    def _read(self, doing: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise self._error(exc, doing) from exc

    # -- topics ---------------------------------------------------------------------

    def _topic(self, conn: sqlite3.Connection, name: str) -> _Topic:
        row = conn.execute(
            "SELECT id, name, partitions, retention_ms, segment_bytes FROM topics "
            "WHERE name = ?",
            (name,),
        ).fetchone()
        if row is None:
            self._topics.pop(name, None)
            raise NotFound(
                f"topic `{name}` not found",
                hint=f"create it with `weir topic create {name}`; `weir topic list` shows "
                "the topics there are",
            )
        topic = _Topic(*row)
        self._topics[name] = topic
        return topic

    def create_topic(self, spec: TopicSpec, *, exist_ok: bool = False) -> None:
        check_spec(spec)
        with self._write("create a topic", wake=(CATALOG,)) as conn:
            exists = conn.execute("SELECT 1 FROM topics WHERE name = ?", (spec.name,)).fetchone()
            if exists:
                if exist_ok:
                    return
                raise WeirError(
                    f"topic `{spec.name}` already exists",
                    hint="pick another name, or `weir topic delete` it first",
                )
            cur = conn.execute(
                "INSERT INTO topics (name, partitions, retention_ms, segment_bytes, created_ms) "
                "VALUES (?, ?, ?, ?, ?)",
                (spec.name, spec.partitions, spec.retention_ms, spec.segment_bytes, _now_ms()),
            )
            conn.executemany(
                "INSERT INTO partitions (topic_id, partition) VALUES (?, ?)",
                [(cur.lastrowid, p) for p in range(spec.partitions)],
            )

    def add_partitions(self, name: str, count: int = 1) -> TopicInfo:
        """Give topic `name` `count` more partitions (numbered after the last). Records
        already stored stay where they are; keys hash over the new count from now on."""
        if not isinstance(count, int) or count < 1:
            raise WeirError(f"add at least 1 partition, not {count}")
        with self._write(f"add partitions to `{name}`", wake=(CATALOG,)) as conn:
            topic = self._topic(conn, name)
            total = topic.partitions + count
            check_partitions(total)
            conn.execute("UPDATE topics SET partitions = ? WHERE id = ?", (total, topic.id))
            conn.executemany(
                "INSERT INTO partitions (topic_id, partition) VALUES (?, ?)",
                [(topic.id, p) for p in range(topic.partitions, total)],
            )
        self._topics.pop(name, None)
        return self.describe_topic(name)

    def list_topics(self) -> list[TopicInfo]:
        self.enforce_retention()
        with self._read("list topics") as conn:
            conn.execute("BEGIN")
            try:
                topics = [
                    _Topic(*row)
                    for row in conn.execute(
                        "SELECT id, name, partitions, retention_ms, segment_bytes FROM topics "
                        "ORDER BY name"
                    )
                ]
                return [self._info(conn, t) for t in topics]
            finally:
                conn.execute("COMMIT")

    def describe_topic(self, name: str) -> TopicInfo:
        self.enforce_retention(name)
        with self._read("describe a topic") as conn:
            return self._info(conn, self._topic(conn, name))

    def _info(self, conn: sqlite3.Connection, topic: _Topic) -> TopicInfo:
        rows = conn.execute(
            "SELECT partition, earliest, next_offset, size_bytes FROM partitions "
            "WHERE topic_id = ? ORDER BY partition",
            (topic.id,),
        ).fetchall()
        return TopicInfo(
            spec=TopicSpec(topic.name, topic.partitions, topic.retention_ms, topic.segment_bytes),
            partitions=tuple(PartitionInfo(*row) for row in rows),
        )

    def delete_topic(self, name: str) -> None:
        # followers of the topic find it gone and stop
        with self._write("delete a topic", wake=(name, CATALOG)) as conn:
            topic = self._topic(conn, name)
            for table in ("batches", "partitions", "consumer_offsets"):
                conn.execute(f"DELETE FROM {table} WHERE topic_id = ?", (topic.id,))
            conn.execute("DELETE FROM topics WHERE id = ?", (topic.id,))
        self._topics.pop(name, None)
        self._round_robin.pop(name, None)

    # -- producing ------------------------------------------------------------------

    def append(
        self, topic: str, records: Sequence[ProduceRecord], partition: int | None = None
    ) -> list[tuple[int, int]]:
        """Append a batch durably in one transaction; (partition, offset) per record."""
        if not records:
            return []
        return self.commit_prepared(topic, [self.prepare(topic, records, partition)])[0]


    def append_at(self, topic: str, records: Sequence[ProduceRecord], partition: int | None,
                  position: tuple[str, str]) -> list[tuple[int, int]]:
        """`append`, and the source's `position` (owner, text) in the same transaction;
        with no records only the position is stored."""
        if not records:
            with self._write("store a source position") as conn:
                self._store_position(conn, position, _now_ms())
            return []
        return self.commit_prepared(topic, [self.prepare(topic, records, partition)],
                                    position)[0]

    def source_position(self, owner: str) -> str | None:
        """The position last stored by `append_at` for `owner`; None when none was."""
        with self._read("read a source position") as conn:
            try:
                row = conn.execute("SELECT position FROM source_positions WHERE owner = ?",
                                   (owner,)).fetchone()
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    return None
                raise
        return row[0] if row else None

    @staticmethod
    def _store_position(conn: sqlite3.Connection, position: tuple[str, str], now: int) -> None:
        # created on first use: a store made before source positions existed needs no
        # schema change, and older Weirs ignore the table
        conn.execute("CREATE TABLE IF NOT EXISTS source_positions (owner TEXT PRIMARY KEY, "
                     "position TEXT NOT NULL, updated_ms INTEGER NOT NULL) WITHOUT ROWID")
        conn.execute("INSERT INTO source_positions VALUES (?, ?, ?) ON CONFLICT (owner) DO "
                     "UPDATE SET position = excluded.position, updated_ms = excluded.updated_ms",
                     (*position, now))

    def prepare(
        self, topic: str, records: Sequence[ProduceRecord], partition: int | None = None
    ) -> Prepared:
        """Check and pack a batch without touching the database (no lock held), so that a
        pipelined producer packs the next batch while the previous one is being fsynced.
        Bad records and partitions raise here, before anything is queued."""
        if not isinstance(records, (list, tuple, ProduceColumns)):
            records = list(records)
        known = self._topics.get(topic)
        if known is not None:
            try:
                return Prepared(known, records, partition, self._plan(known, records, partition))
            except WeirError:
                pass  # perhaps what we knew is stale (topic created again): look again
        with self._read(f"append to topic `{topic}`") as conn:
            known = self._topic(conn, topic)
        return Prepared(known, records, partition, self._plan(known, records, partition))

    def commit_prepared(
        self, topic: str, batches: Sequence[Prepared],
        position: tuple[str, str] | None = None,
    ) -> list[list[tuple[int, int]]]:
        """Store prepared batches in ONE transaction (one fsync): all of them or none.
        Each stays its own batch with its own dense offsets; (partition, offset) per record
        for each batch, in order. `position` (owner, text): a source's place in its input,
        stored in the same transaction, so the records and where to go on from after them
        survive a crash together or not at all (see `source_position`)."""
        return [_per_record(spans, len(prepared.records)) for spans, prepared in
                zip(self.commit_spans(topic, batches, position), batches, strict=True)]

    def commit_spans(
        self, topic: str, batches: Sequence[Prepared],
        position: tuple[str, str] | None = None, *, durable: bool = True,
    ) -> list[list[Span]]:
        """`commit_prepared`, answering per batch with the groups it was stored as
        (partition, record indexes, base offset) instead of a pair per record: for a
        caller that needs only the first offset (the Fluvio endpoint), that pair per
        record was most of the commit's own Python time. `durable=False`: return once
        committed (visible, followers woken); the caller must fdatasync the WAL (a
        WalSync on `wal_path`) before it tells anyone the batches are stored."""
        now = _now_ms()
        results: list[list[Span]] = []
        with self._write(f"append to topic `{topic}`", wake=(topic,),
                         durable=durable) as conn:
            if position is not None:
                self._store_position(conn, position, now)
            current = self._topic(conn, topic)
            for prepared in batches:
                plan = prepared.plan
                if prepared.topic != current:  # deleted and created again since packing
                    plan = self._plan(current, prepared.records, prepared.partition)
                results.append(self._store_plan(conn, current, plan, now))
        return results

    def _store_plan(self, conn: sqlite3.Connection, topic: _Topic, plan: list, now: int
                    ) -> list[Span]:
        spans: list[Span] = []
        for p, indexes, batch in plan:
            # The next offset comes from the table, under the write lock.
            ((end, size),) = conn.execute(
                "UPDATE partitions SET next_offset = next_offset + ?, "
                "size_bytes = size_bytes + ? WHERE topic_id = ? AND partition = ? "
                "RETURNING next_offset, size_bytes",
                (batch.count, batch.size, topic.id, p),
            ).fetchall()
            conn.execute(
                "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (topic.id, p, end - 1, end - batch.count, batch.count, now, batch.size,
                 batch.first_ts, batch.max_ts, batch.timestamps, batch.value_lens,
                 batch.values, batch.key_lens, batch.keys, batch.headers),
            )
            if topic.retention_ms or (topic.segment_bytes and size > topic.segment_bytes):
                self._trim(conn, topic, p, now)
            spans.append((p, indexes, end - batch.count))
        return spans

    def _plan(
        self, topic: _Topic, records: Sequence[ProduceRecord], partition: int | None
    ) -> list[tuple[int, Sequence[int], codec.PackedBatch]]:
        """Which records go to which partition, each group packed: [(p, indexes, batch)].
        A group too big for one row is stored as several rows (same transaction)."""
        plan = self._plan_groups(topic, records, partition)
        if all(batch.size <= MAX_ROW_BYTES for _, _, batch in plan):
            return plan
        return [piece for entry in plan for piece in _split(entry, records)]

    def _plan_groups(
        self, topic: _Topic, records: Sequence[ProduceRecord], partition: int | None
    ) -> list[tuple[int, Sequence[int], codec.PackedBatch]]:
        now = _now_ms()
        n = topic.partitions
        if partition is not None:
            if not isinstance(partition, int) or not 0 <= partition < n:
                raise WeirError(
                    f"partition {partition} does not exist: topic `{topic.name}` has "
                    f"{n} partition{'s' if n != 1 else ''} (0..{n - 1})"
                )
            return [(partition, range(len(records)), codec.pack(records, now))]
        if n == 1:
            return [(0, range(len(records)), codec.pack(records, now))]
        start = self._round_robin.get(topic.name, 0)
        count = len(records)
        groups: dict[int, list[int]] = {}
        if all(r.key is None for r in records):
            # Round-robin, record by record, as Fluvio's default partitioner does.
            self._round_robin[topic.name] = (start + count) % n
            plan = []
            for k in range(min(n, count)):
                indexes = range(k, count, n)
                plan.append(((start + k) % n, indexes, codec.pack(records[k::n], now)))
            return plan
        rr = start
        for i, record in enumerate(records):
            if record.key is None:
                p = rr % n
                rr += 1
            else:
                p = zlib.crc32(record.key) % n
            groups.setdefault(p, []).append(i)
        self._round_robin[topic.name] = rr % n
        return [
            (p, indexes, codec.pack([records[i] for i in indexes], now))
            for p, indexes in sorted(groups.items())
        ]

    def _trim(self, conn: sqlite3.Connection, topic: _Topic, partition: int, now: int) -> None:
        """Drop the oldest batches past the topic's retention (never the newest one)."""
        size, next_offset = conn.execute(
            "SELECT size_bytes, next_offset FROM partitions WHERE topic_id = ? AND partition = ?",
            (topic.id, partition),
        ).fetchone()
        cutoff = now - topic.retention_ms if topic.retention_ms else None
        cut = None
        freed = 0
        rows = conn.execute(
            "SELECT last_offset, size, append_ms FROM batches "
            "WHERE topic_id = ? AND partition = ? ORDER BY last_offset",
            (topic.id, partition),
        )
        for last_offset, batch_size, append_ms in rows:
            expired = cutoff is not None and append_ms < cutoff
            too_big = topic.segment_bytes is not None and size - freed > topic.segment_bytes
            if not (expired or too_big):
                break
            if not expired and last_offset == next_offset - 1:
                break  # keep the newest batch even when it alone is over the size limit
            cut = last_offset
            freed += batch_size
        rows.close()
        if cut is None:
            return
        conn.execute(
            "DELETE FROM batches WHERE topic_id = ? AND partition = ? AND last_offset <= ?",
            (topic.id, partition, cut),
        )
        conn.execute(
            "UPDATE partitions SET earliest = ?, size_bytes = size_bytes - ? "
            "WHERE topic_id = ? AND partition = ?",
            (cut + 1, freed, topic.id, partition),
        )

    def enforce_retention(self, name: str | None = None) -> None:
        """Apply time retention now (appends do it as they go; this is for idle topics)."""
        now = _now_ms()
        with self._read("check retention") as conn:
            rows = conn.execute(
                "SELECT t.id, t.name, t.partitions, t.retention_ms, t.segment_bytes, p.partition "
                "FROM topics t JOIN partitions p ON p.topic_id = t.id "
                "WHERE t.retention_ms IS NOT NULL AND (SELECT b.append_ms FROM batches b "
                "WHERE b.topic_id = t.id AND b.partition = p.partition "
                "ORDER BY b.last_offset LIMIT 1) < ? - t.retention_ms"
                + (" AND t.name = ?" if name else ""),
                (now, name) if name else (now,),
            ).fetchall()
        if not rows:
            return
        with self._lock:
            # Opportunistic: wait a second at most for the write lock, never 30.
            self._conn.execute("PRAGMA busy_timeout = 1000")
            try:
                with self._write("apply retention") as conn:
                    for *topic, partition in rows:
                        self._trim(conn, _Topic(*topic), partition, now)
            except WeirError:
                pass  # the next append applies it; listing must not fail for this
            finally:
                self._conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")

    # -- consuming ------------------------------------------------------------------

    def read(
        self, topic: str, partition: int, offset: int, max_records: int = 1000
    ) -> list[Record]:
        """Records with offset >= `offset`, in order, at most `max_records`."""
        parts = self._read_batches(topic, partition, offset, max_records, codec.unpack)
        return parts[0] if len(parts) == 1 else list(chain.from_iterable(parts))

    def read_columns(
        self, topic: str, partition: int, offset: int, max_records: int = 1000
    ) -> RecordColumns:
        """`read` as columns, for a reader that does not need a Record per record (a
        SmartModule chain)."""
        parts = self._read_batches(topic, partition, offset, max_records,
                                   codec.unpack_columns)
        return RecordColumns.concat(parts)

    def _read_batches(self, topic: str, partition: int, offset: int, max_records: int,
                      unpack: Callable[..., _Batch]) -> list[_Batch]:
        """`unpack(base, partition, row, start, stop)` of each stored batch from `offset`
        on, until they hold `max_records` records."""
        if offset < 0:
            raise WeirError(f"offset must be 0 or more, not {offset}")
        parts: list[_Batch] = []
        got = 0
        with self._read(f"read topic `{topic}`") as conn, _gc_paused():
            cur = conn.execute(_READ_SQL, (topic, partition, offset))
            try:
                for base, count, *rest in cur:
                    start = max(offset - base, 0)
                    part = unpack(base, partition, (count, *rest), start,
                                  start + max_records - got)
                    parts.append(part)
                    got += len(part)
                    if got >= max_records:
                        break
            finally:
                cur.close()
            if not got:
                self._check_partition(conn, topic, partition)
        return parts

    def _check_partition(self, conn: sqlite3.Connection, topic: str, partition: int) -> _Topic:
        info = self._topic(conn, topic)
        if not isinstance(partition, int) or not 0 <= partition < info.partitions:
            n = info.partitions
            raise NotFound(
                f"partition {partition} of topic `{topic}` does not exist "
                f"({n} partition{'s' if n != 1 else ''}: 0..{n - 1})"
            )
        return info

    async def follow(
        self, topic: str, partition: int, offset: int, max_records: int = 1000
    ) -> AsyncIterator[list[Record]]:
        """Yield batches from `offset` on, sleeping between commits on a notify socket."""
        async for batch in self._follow(self.read, topic, partition, offset, max_records):
            yield batch

    async def follow_columns(
        self, topic: str, partition: int, offset: int, max_records: int = 1000
    ) -> AsyncIterator[RecordColumns]:
        """`follow` as columns (see `read_columns`)."""
        async for batch in self._follow(self.read_columns, topic, partition, offset,
                                        max_records):
            yield batch

    async def _follow(self, read: Callable[[str, int, int, int], _Batch], topic: str,
                      partition: int, offset: int, max_records: int) -> AsyncIterator[_Batch]:
        listener = Listener(self._notify_dir, topic)
        try:
            while True:
                batch = read(topic, partition, offset, max_records)
                if len(batch):
                    offset = next_offset(batch)
                    yield batch
                    continue
                await listener.wait(FALLBACK_POLL_S)
        finally:
            listener.close()

    def follow_blocking(
        self, topic: str, partition: int, offset: int, max_records: int = 1000,
        stop: threading.Event | None = None,
    ) -> Iterator[list[Record]]:
        """`follow` for a thread without an event loop; ends when `stop` is set."""
        listener = Listener(self._notify_dir, topic)
        try:
            while stop is None or not stop.is_set():
                records = self.read(topic, partition, offset, max_records)
                if records:
                    offset = records[-1].offset + 1
                    yield records
                    continue
                listener.wait_blocking(0.1 if stop is not None else FALLBACK_POLL_S)
        finally:
            listener.close()

    def _offsets(self, topic: str, partition: int) -> tuple[int, int]:
        with self._read(f"read topic `{topic}`") as conn:
            info = self._check_partition(conn, topic, partition)
            return conn.execute(
                "SELECT earliest, next_offset FROM partitions WHERE topic_id = ? AND partition = ?",
                (info.id, partition),
            ).fetchone()

    def earliest_offset(self, topic: str, partition: int) -> int:
        return self._offsets(topic, partition)[0]

    def latest_offset(self, topic: str, partition: int) -> int:
        return self._offsets(topic, partition)[1]

    # -- consumer offsets -------------------------------------------------------------

    def commit_offset(self, consumer: str, topic: str, partition: int, offset: int) -> None:
        if offset < 0:
            raise WeirError(f"offset must be 0 or more, not {offset}")
        with self._write(f"commit an offset of `{consumer}`") as conn:
            info = self._check_partition(conn, topic, partition)
            conn.execute(
                "INSERT INTO consumer_offsets VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (consumer, topic_id, partition) DO UPDATE SET "
                "next_offset = excluded.next_offset, updated_ms = excluded.updated_ms",
                (consumer, info.id, partition, offset, _now_ms()),
            )

    def fetch_offset(self, consumer: str, topic: str, partition: int) -> int | None:
        with self._read(f"fetch an offset of `{consumer}`") as conn:
            info = self._check_partition(conn, topic, partition)
            row = conn.execute(
                "SELECT next_offset FROM consumer_offsets "
                "WHERE consumer = ? AND topic_id = ? AND partition = ?",
                (consumer, info.id, partition),
            ).fetchone()
        return None if row is None else row[0]

    def list_offsets(self) -> list[ConsumerOffset]:
        with self._read("list consumer offsets") as conn:
            rows = conn.execute(
                "SELECT c.consumer, t.name, c.partition, c.next_offset, c.updated_ms "
                "FROM consumer_offsets c JOIN topics t ON t.id = c.topic_id "
                "ORDER BY c.consumer, t.name, c.partition"
            ).fetchall()
        return [ConsumerOffset(*row) for row in rows]

    def delete_offset(self, consumer: str, topic: str, partition: int) -> bool:
        with self._write(f"delete an offset of `{consumer}`") as conn:
            info = self._check_partition(conn, topic, partition)
            cur = conn.execute(
                "DELETE FROM consumer_offsets WHERE consumer = ? AND topic_id = ? "
                "AND partition = ?",
                (consumer, info.id, partition),
            )
            return cur.rowcount > 0

    @property
    def wal_path(self) -> Path:
        """The database's write-ahead log, which a commit's fdatasync is of."""
        return Path(f"{self.path}-wal")

    def checkpoint(self) -> None:
        """Copy what the WAL holds into the database without waiting for anyone
        (PASSIVE): for a store opened with `auto_checkpoint=False`."""
        with self._read("checkpoint the write-ahead log") as conn:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
        with self._lock:
            self._notifier.close()
            self._conn.close()

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
