"""Turning a byte stream (stdin, a file) into batches of records on a topic.

Lines are gathered into batches while more input is already waiting, and a batch is sent
as soon as the input pauses, so a file goes in 1,000 records per transaction and a person
typing sees each line land at once.
"""

from __future__ import annotations

import os
import select
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass

from runtime.errors import WeirError
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


def _ready(fd: int) -> bool:
    try:
        readable, _, _ = select.select([fd], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def read_lines(fd: int) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, line without its newline, more input already waiting) for each line."""
    pending = b""
    number = 0
    while True:
        try:
            chunk = os.read(fd, _CHUNK)
        except InterruptedError:
            continue
        if not chunk:
            break
        pending += chunk
        lines = pending.split(b"\n")
        pending = lines.pop()
        last = len(lines) - 1
        for i, line in enumerate(lines):
            number += 1
            if line.endswith(b"\r"):
                line = line[:-1]
            yield number, line, i < last or bool(pending) or _ready(fd)
    if pending:
        number += 1
        yield number, pending.removesuffix(b"\r"), False


def read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, _CHUNK):
        chunks.append(chunk)
    return b"".join(chunks)


def produce_fd(
    store: TopicStore,
    topic: str,
    fd: int,
    *,
    key_separator: str | None = None,
    raw: bool = False,
    partition: int | None = None,
    batch_size: int = BATCH_SIZE,
    transform: ProduceTransform | None = None,
    source: str = "stdin",
    on_batch: Callable[[list[tuple[int, int]]], None] | None = None,
) -> ProduceSummary:
    """Produce the input behind `fd` to `topic`: one record per line, or one in all (`raw`).

    A line without `key_separator` (when one is given) stops the run with an error naming
    the line; every batch before it stays produced, and the error says how many records.
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
            send([ProduceRecord(read_all(fd))])
        else:
            _produce_lines(fd, send, key_separator, batch_size, source, lambda: summary,
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


def _produce_lines(fd, send, key_separator, batch_size, source, summary, drain) -> None:
    sep = key_separator.encode() if key_separator is not None else None
    if sep == b"":
        raise WeirError("the key separator must not be empty")
    values: list[bytes] = []
    keys: list[bytes | None] | None = None if sep is None else []
    for number, line, more in read_lines(fd):
        if keys is None:
            values.append(line)
        else:
            key, found, value = line.partition(sep)
            if not found:
                if values:
                    send(produce_records(values, keys))
                drain()
                raise WeirError(
                    f"{source}, line {number}: no key separator {key_separator!r} in "
                    f"{line[:60].decode(errors='replace')!r}",
                    hint=f"write lines as KEY{key_separator}VALUE; the {summary().records} "
                    "records before this line were produced",
                )
            keys.append(key)
            values.append(value)
        if len(values) >= batch_size or not more:
            send(produce_records(values, keys))
            values = []
            keys = None if keys is None else []
            if not more:
                drain()  # the input paused: report what is stored before waiting for more
    if values:
        send(produce_records(values, keys))
