"""Follow a topic's partitions in a thread of its own, handing batches to the UI.

The thread owns its store connection and event loop (SQLite connections stay in the thread
that opened them); the UI drains `take()` on a timer, so a burst of records costs one
refresh per tick. The buffer is bounded: if the UI falls behind, the oldest pending
records are dropped (and counted) instead of memory growing.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable

from runtime.topics.record import Record

START_END = "end"
START_BEGINNING = "beginning"


class TopicStream:
    WAIT_POLL_S = 0.25  # how often a tail of a topic that does not exist yet looks again

    def __init__(
        self,
        topic: str,
        *,
        start: str | int = START_END,
        partitions: list[int] | None = None,
        max_pending: int = 50_000,
        open_store: Callable | None = None,
    ) -> None:
        self.topic = topic
        self.start = start  # "end", "beginning", or an absolute offset (every partition)
        self.partitions = partitions
        self.pending: deque[Record] = deque(maxlen=max_pending)
        self.skipped = 0  # dropped because the UI fell behind
        self.received = 0
        self.error: BaseException | None = None
        self.waiting = False  # the topic does not exist (yet)
        self.waited = False  # it did not exist when the tail opened
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._open_store = open_store
        self.positions: dict[int, int] = {}  # next offset to read, per partition
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- control (UI thread) ----------------------------------------------------------

    def start_thread(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"tail-{self.topic}",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._resume.set()
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(lambda: None)
            except RuntimeError:
                pass
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def paused(self) -> bool:
        return not self._resume.is_set()

    def pause(self) -> None:
        self._resume.clear()

    def resume(self) -> None:
        self._resume.set()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def take(self) -> list[Record]:
        """Everything received since the last call, oldest first."""
        with self._lock:
            batch = list(self.pending)
            self.pending.clear()
        return batch

    # -- the thread -------------------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 - handed to the UI, never raised there
            self.error = exc

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._open_store is None:
            from runtime.topics import open_store
        else:
            open_store = self._open_store
        store = open_store()
        try:
            info = await self._topic_info(store)
            if info is None:
                return  # stopped while waiting for the topic
            partitions = self.partitions or [p.partition for p in info.partitions]
            by_id = {p.partition: p for p in info.partitions}
            for p in partitions:
                if p not in by_id:
                    continue
                part = by_id[p]
                if self.start == START_END and not self.waited:
                    offset = part.latest
                elif self.start in (START_END, START_BEGINNING):
                    offset = part.earliest  # a topic created after the tail opened: all new
                else:
                    offset = max(part.earliest, min(int(self.start), part.latest))
                self.positions[p] = offset
            tasks = [asyncio.create_task(self._follow(store, p, o))
                     for p, o in self.positions.items()]
            stopper = asyncio.create_task(asyncio.to_thread(self._stop.wait))
            done, _ = await asyncio.wait([*tasks, stopper],
                                         return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
            for task in done:
                if task is not stopper and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            if not stopper.done():
                self._stop.set()
                await stopper
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            store.close()

    async def _topic_info(self, store):
        """The topic's description, waiting for it to exist: a connector creates its topic
        when it starts, and a tail opened just before that would otherwise fail. None
        when stopped first."""
        from runtime.errors import NotFound

        while not self._stop.is_set():
            try:
                info = store.describe_topic(self.topic)
            except NotFound:
                self.waiting = self.waited = True
                await asyncio.sleep(self.WAIT_POLL_S)
                continue
            self.waiting = False
            return info
        return None

    async def _follow(self, store, partition: int, offset: int) -> None:
        stream = store.follow(self.topic, partition, offset)
        try:
            async for batch in stream:
                if self._stop.is_set():
                    return
                while not self._resume.is_set() and not self._stop.is_set():
                    await asyncio.to_thread(self._resume.wait, 0.2)
                if not batch:
                    continue
                with self._lock:
                    room = (self.pending.maxlen or 0) - len(self.pending)
                    if room < len(batch):
                        self.skipped += len(batch) - max(0, room)
                    self.pending.extend(batch)
                self.received += len(batch)
                self.positions[partition] = batch[-1].offset + 1
        finally:
            closer = getattr(stream, "aclose", None)
            if closer is not None:
                await closer()
