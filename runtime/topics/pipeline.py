"""A pipelined producer: send batches without waiting, with group commit behind.

`append` returns once its batch is durable, so a producer calling it in a loop pays the
disk's fsync for every batch, one after the other. A Pipeline hands batches to a writer
thread instead: while it commits (SQLite releases the GIL during the fsync) the producer
packs the next batches, and whatever has queued up meanwhile goes into the next
transaction together, one fsync for all. Each batch keeps its own offsets, its future
resolves only once it is durable, batches are stored in the order sent, and after a
failure nothing sent later is stored.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future

from runtime.topics.record import ProduceRecord
from runtime.topics.store import TopicStore

Offsets = list[tuple[int, int]]
MAX_PENDING = 16  # batches queued before `send` waits: bounds memory, keeps acks close
MAX_GROUP = 64  # batches at most in one transaction


class Pipeline:
    """Pipelined appends to one topic of any TopicStore (group commit where the store
    offers `prepare`/`commit_prepared`, plain appends otherwise)."""

    def __init__(self, store: TopicStore, topic: str, *, max_pending: int = MAX_PENDING) -> None:
        self.store = store
        self.topic = topic
        self.max_pending = max_pending
        self._grouped = hasattr(store, "prepare") and hasattr(store, "commit_prepared")
        self._queue: deque[tuple[object, Future[Offsets]]] = deque()
        self._busy = False
        self._error: BaseException | None = None
        self._closing = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def send(self, records: Sequence[ProduceRecord], partition: int | None = None
             ) -> Future[Offsets]:
        """Queue a batch; its future gives (partition, offset) per record once durable.
        Invalid records or partitions raise here; a failed commit raises on the next send."""
        self._raise_failure()
        item: object
        if self._grouped:
            item = self.store.prepare(self.topic, records, partition)  # type: ignore[attr-defined]
        else:
            item = (records, partition)
        future: Future[Offsets] = Future()
        with self._cond:
            while len(self._queue) >= self.max_pending and self._error is None:
                self._cond.wait()
            self._raise_failure()
            self._queue.append((item, future))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="weir-producer",
                                                daemon=True)
                self._thread.start()
            self._cond.notify_all()
        return future

    def flush(self) -> None:
        """Wait until every batch sent is durable; raise the failure if one failed."""
        with self._cond:
            while (self._queue or self._busy) and self._error is None:
                self._cond.wait()
        self._raise_failure()

    def close(self) -> None:
        """Flush, then stop the writer thread."""
        try:
            self.flush()
        finally:
            with self._cond:
                self._closing = True
                self._cond.notify_all()
            if self._thread is not None:
                self._thread.join()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _raise_failure(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                if not self._queue:
                    return
                group = [self._queue.popleft()
                         for _ in range(min(MAX_GROUP, len(self._queue)))]
                self._busy = True
                self._cond.notify_all()  # room in the queue for the producer
            done: list[tuple[Future[Offsets], Offsets]] = []
            try:
                if self._grouped:
                    results = self.store.commit_prepared(  # type: ignore[attr-defined]
                        self.topic, [item for item, _ in group])
                    done = [(future, offsets)
                            for (_, future), offsets in zip(group, results, strict=True)]
                else:
                    for item, future in group:
                        done.append((future, self.store.append(self.topic, *item)))
            except BaseException as exc:  # noqa: BLE001 - handed to the producer's thread
                for future, offsets in done:
                    future.set_result(offsets)
                with self._cond:
                    self._error = exc
                    failed = group[len(done):] + list(self._queue)
                    self._queue.clear()
                    self._busy = False
                    self._cond.notify_all()
                for _, future in failed:
                    future.set_exception(exc)
                continue
            for future, offsets in done:
                future.set_result(offsets)
            with self._cond:
                self._busy = False
                self._cond.notify_all()
