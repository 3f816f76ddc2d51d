"""Turning a byte stream (stdin, a file) into batches of records on a topic.

Lines are gathered into batches while more input is already waiting, and a batch is sent
as soon as the input pauses, so a file goes in 1,000 records per transaction and a person
typing sees each line land at once.
"""

from __future__ import annotations

import os
import select
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass

from runtime.errors import WeirError
from runtime.human import human_size
from runtime.topics.limits import MAX_RECORD_BYTES
from runtime.topics.pipeline import Pipeline
from runtime.topics.record import ProduceRecord, produce_records
from runtime.topics.store import TopicStore

# A hook for SmartModules on the produce side: records in, records out (maybe fewer).
ProduceTransform = Callable[[list[ProduceRecord]], list[ProduceRecord]]

BATCH_SIZE = 1000
_CHUNK = 1 << 20


@dataclass
class ProduceSummary:
    records: int = 0
    batches: int = 0


def _ready(fd: int, timeout: float = 0) -> bool:
    try:
        readable, _, _ = select.select([fd], [], [], timeout)
    except (OSError, ValueError):
        return True
    return bool(readable)


class LineTooLong(Exception):
    """A line longer than the reader's bound, found before it was read whole."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


def read_lines(fd: int, max_line: int | None = None) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, line without its newline, more input already waiting) for each line.
    A line over `max_line` bytes raises LineTooLong once that much of it is read, so a
    huge one is never held whole. Each chunk is scanned once: a long line arriving in
    pipe-sized pieces costs its length, not its length squared."""
    partial: list[bytes] = []  # the pieces of a line not ended yet
    partial_size = 0
    number = 0
    while True:
        try:
            chunk = os.read(fd, _CHUNK)
        except InterruptedError:
            continue
        if not chunk:
            break
        if b"\n" not in chunk:
            partial.append(chunk)
            partial_size += len(chunk)
            if max_line is not None and partial_size > max_line + 1:  # (+1: a trailing \r)
                raise LineTooLong(number + 1)
            continue
        if partial:
            chunk = b"".join((*partial, chunk))
        lines = chunk.split(b"\n")
        rest = lines.pop()
        partial, partial_size = ([rest], len(rest)) if rest else ([], 0)
        last = len(lines) - 1
        for i, line in enumerate(lines):
            number += 1
            if line.endswith(b"\r"):
                line = line[:-1]
            if max_line is not None and len(line) > max_line:
                raise LineTooLong(number)
            yield number, line, i < last or bool(rest) or _ready(fd)
        if max_line is not None and partial_size > max_line + 1:
            raise LineTooLong(number + 1)
    if partial:
        line = b"".join(partial).removesuffix(b"\r")
        if max_line is not None and len(line) > max_line:
            raise LineTooLong(number + 1)
        yield number + 1, line, False


def read_all(fd: int, limit: int | None = None) -> bytes | None:
    """Everything behind `fd`, or None as soon as it is over `limit` bytes."""
    chunks = []
    size = 0
    while chunk := os.read(fd, _CHUNK):
        size += len(chunk)
        if limit is not None and size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(limit: int, where: str) -> WeirError:
    """The error for a record over the limit (`--max-record-size`)."""
    return WeirError(f"{where}: a record is over the {limit:,}-byte limit "
                     f"({human_size(limit)}); nothing of it was stored",
                     hint="raise --max-record-size, or split the record")


def produce_fd(
    store: TopicStore,
    topic: str,
    fd: int,
    *,
    key_separator: str | None = None,
    key: bytes | None = None,
    raw: bool = False,
    partition: int | None = None,
    batch_size: int = BATCH_SIZE,
    batch_bytes: int | None = None,
    linger_ms: int | None = None,
    transform: ProduceTransform | None = None,
    source: str = "stdin",
    on_batch: Callable[[list[tuple[int, int]]], None] | None = None,
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> ProduceSummary:
    """Produce the input behind `fd` to `topic`: one record per line, or one in all (`raw`).

    A batch goes out when it holds `batch_size` records (or `batch_bytes` bytes, when
    given), and when the input pauses; with `linger_ms`, a pause shorter than that since
    the batch's first line does not end it. `key` is every record's key.

    A line without `key_separator` (when one is given), or a record over
    `max_record_bytes` (key and value; found before it is read whole), stops the run with
    an error naming the line; every batch before it stays produced, and the error says how
    many records.
    """
    summary = ProduceSummary()
    store.describe_topic(topic)  # fail before reading input when the topic is missing
    pipeline = Pipeline(store, topic)
    pending: deque[tuple[int, Future]] = deque()

    def settle(block: bool, quiet: bool = False) -> None:
        """Count (and report) the batches that are durable, in order."""
        while pending and (block or pending[0][1].done()):
            if quiet and (not pending[0][1].done() or pending[0][1].exception()):
                return
            count, future = pending.popleft()
            offsets = future.result()  # raises the commit's failure
            summary.records += count
            summary.batches += 1
            if on_batch:
                on_batch(offsets)

    def send(batch: list[ProduceRecord]) -> None:
        if transform is not None:
            # A transform may store records itself (the ones before a SmartModule error):
            # everything sent before must be stored first.
            pipeline.flush()
            settle(True)
            batch = transform(batch)
        if batch:
            pending.append((len(batch), pipeline.send(batch, partition)))
            settle(False)

    try:
        if raw:
            value = read_all(fd, max_record_bytes - len(key or b""))
            if value is None:
                raise too_large(max_record_bytes, source)
            send([ProduceRecord(value, key)])
        else:
            batching = _Batching(None if batch_bytes else batch_size, batch_bytes,
                                 (linger_ms or 0) / 1000, max_record_bytes)
            _produce_lines(fd, send, key_separator, key, batching, source, lambda: summary,
                           lambda: (pipeline.flush(), settle(True)))
        pipeline.flush()
        settle(True)
    finally:
        try:
            pipeline.close()
        except Exception:  # noqa: BLE001 - already raised from flush or send above
            pass
        settle(True, quiet=True)
    return summary


@dataclass(frozen=True, slots=True)
class _Batching:
    """When a batch of lines goes out: `records` or `bytes` (whichever is set) reached,
    or `linger_s` after its first line."""

    records: int | None
    bytes: int | None
    linger_s: float
    max_record: int = MAX_RECORD_BYTES  # key + value


def _produce_lines(fd, send, key_separator, key, batching: _Batching, source, summary,
                   drain) -> None:
    sep = key_separator.encode() if key_separator is not None else None
    if sep == b"":
        raise WeirError("the key separator must not be empty")
    values: list[bytes] = []
    keys: list[bytes | None] | None = None if sep is None else []
    size = 0
    started = 0.0

    def batch_keys() -> list[bytes | None] | None:
        return [key] * len(values) if key is not None else keys

    def stop(error: WeirError) -> WeirError:
        """Store what came before the bad line, then say how much that was."""
        if values:
            send(produce_records(values, batch_keys()))
        drain()
        error.hint = f"{error.hint}; the {summary().records} records before this line were " \
                     "produced"
        return error

    # a line within this holds a key and value within the limit (the separator is not
    # stored; --key's key is, on every record)
    lines = read_lines(fd, batching.max_record - len(key or b"") + len(sep or b""))
    while True:
        try:
            number, line, more = next(lines)
        except StopIteration:
            break
        except LineTooLong as exc:
            raise stop(too_large(batching.max_record,
                                 f"{source}, line {exc.number}")) from None
        if not values:
            started = time.monotonic()
        if keys is None:
            values.append(line)
        else:
            k, found, value = line.partition(sep)
            if not found:
                raise stop(WeirError(
                    f"{source}, line {number}: no key separator {key_separator!r} in "
                    f"{line[:60].decode(errors='replace')!r}",
                    hint=f"write lines as KEY{key_separator}VALUE",
                ))
            keys.append(k)
            values.append(value)
        if batching.bytes is not None:
            size += len(values[-1])
        lingering = started + batching.linger_s - time.monotonic()
        if not more and lingering > 0:
            more = _ready(fd, lingering)  # the input paused: wait out the linger for more
        full = (len(values) >= batching.records if batching.records is not None
                else size >= batching.bytes)
        if full or not more or (batching.linger_s and lingering <= 0):
            send(produce_records(values, batch_keys()))
            values = []
            keys = None if keys is None else []
            size = 0
            if not more:
                drain()  # the input paused: report what is stored before waiting for more
    if values:
        send(produce_records(values, batch_keys()))
