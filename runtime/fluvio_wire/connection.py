"""One client connection, SC or SPU: read whole frames within limits, dispatch each request
to its handler, write whole response frames.

What a hostile or broken client can cost is bounded: a frame over MAX_FRAME_BYTES closes
the connection before it is read, a frame begun but not finished within FRAME_TIMEOUT_S
closes it too, a request that does not decode gets its API's error answer (or, when the
API has none, a closed connection), and a client that stops reading while the server has
more than MAX_BUFFERED_BYTES queued for it is dropped. Nothing a client sends can raise
out of the connection's task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from runtime.fluvio_wire.budget import ByteBudget
from runtime.fluvio_wire.codec import MAX_FRAME_BYTES, DecodeError, Reader
from runtime.fluvio_wire.header import RequestHeader, decode_header, response_frame
from runtime.fluvio_wire.log_limit import client_trouble

log = logging.getLogger("weir.fluvio")

FRAME_TIMEOUT_S = 10.0  # to finish a frame once its first byte arrived
MAX_BUFFERED_BYTES = 64 * 1024 * 1024  # queued for a client that does not read
_MIN_REQUEST = 10  # api key, version, correlation id, empty client id


class CloseConnection(Exception):
    """A request so broken that the only safe answer is to hang up."""


# handler(connection, header, body reader) -> response body, or None when the handler
# answers by itself (streams) or the request has no response.
Handler = Callable[["Connection", RequestHeader, Reader], Awaitable[bytes | None]]
# error_answer(header, message) -> a response body carrying an error code, or None.
ErrorAnswer = Callable[[RequestHeader, str], bytes | None]


@dataclass(frozen=True, slots=True)
class Api:
    handler: Handler
    error_answer: ErrorAnswer | None = None
    # True: handled by the connection's worker, in arrival order with the other ordered
    # requests (produce: a later batch never overtakes an earlier one), while the read
    # loop goes on; False: handled at once in the read loop (quick ones, stream starts).
    ordered: bool = False


class Connection:
    """Reads requests and writes responses; streams add tasks that end with it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 apis: dict[int, Api], side: str, budget: ByteBudget | None = None) -> None:
        self.reader = reader
        self.budget = budget or ByteBudget()
        self.writer = writer
        self.apis = apis
        self.side = side
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self.closed = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()
        self._on_close: list[Callable[[], None]] = []
        self._ordered: asyncio.Queue[tuple[Api, RequestHeader, Reader]] = \
            asyncio.Queue(maxsize=64)

    # -- writing ----------------------------------------------------------------------

    def send(self, correlation_id: int, body: bytes) -> None:
        """Queue one whole response frame; drop the client if it stopped reading."""
        if self.closed.is_set():
            return
        transport = self.writer.transport
        if transport.is_closing():
            self.close()
            return
        if transport.get_write_buffer_size() > MAX_BUFFERED_BYTES:
            client_trouble(logging.WARNING,
                           "fluvio %s %s: client does not read its responses, dropping it",
                           self.side, self.peer)
            self.close()
            return
        self.writer.write(response_frame(correlation_id, body))

    async def send_drained(self, correlation_id: int, body: bytes) -> None:
        """send() and wait until the socket took it (streams: back-pressure)."""
        self.send(correlation_id, body)
        if not self.closed.is_set():
            try:
                await self.writer.drain()
            except (ConnectionError, RuntimeError):
                self.close()

    # -- lifetime ---------------------------------------------------------------------

    def spawn(self, coro: Awaitable[None]) -> asyncio.Task:
        """A task that belongs to this connection (a stream); cancelled when it closes."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("fluvio %s %s: a stream failed: %r", self.side, self.peer,
                      task.exception())

    def on_close(self, callback: Callable[[], None]) -> None:
        self._on_close.append(callback)

    def close(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        for task in list(self._tasks):
            task.cancel()
        for callback in self._on_close:
            try:
                callback()
            except Exception:  # noqa: BLE001 - one cleanup must not stop the others
                log.exception("fluvio %s %s: cleanup failed", self.side, self.peer)
        with contextlib.suppress(Exception):
            self.writer.close()

    # -- reading ----------------------------------------------------------------------

    async def _read_frame(self) -> bytes | None:
        """The next request frame's bytes, its size taken from the budget (the caller
        gives it back once handled); None at a clean end of the connection."""
        try:
            first = await self.reader.readexactly(1)
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        async with asyncio.timeout(FRAME_TIMEOUT_S):
            (size,) = struct.unpack(">i", first + await self.reader.readexactly(3))
        if size < _MIN_REQUEST or size > MAX_FRAME_BYTES:
            raise CloseConnection(f"a frame of {size} bytes (at most {MAX_FRAME_BYTES:,})")
        await self.budget.acquire(size)  # not the client's time: others hold the room
        try:
            async with asyncio.timeout(FRAME_TIMEOUT_S):
                return await self.reader.readexactly(size)
        except BaseException:
            self.budget.release(size)
            raise

    async def serve(self) -> None:
        """The connection's read loop; returns when the client hangs up or misbehaves."""
        worker = asyncio.ensure_future(self._ordered_worker())
        try:
            while not self.closed.is_set():
                frame = await self._read_frame()
                if frame is None:
                    break
                await self._dispatch(frame)
        except TimeoutError:
            client_trouble(logging.INFO, "fluvio %s %s: half a frame for %ss, closing",
                           self.side, self.peer, FRAME_TIMEOUT_S)
        except CloseConnection as exc:
            client_trouble(logging.INFO, "fluvio %s %s: %s, closing", self.side, self.peer,
                           exc)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.close()
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker
            while not self._ordered.empty():  # queued, never handled: give the room back
                self.budget.release(len(self._ordered.get_nowait()[2].data))

    async def _dispatch(self, frame: bytes) -> None:
        """Handle the frame now or queue it for the ordered worker; its budget is given
        back once it has been handled (or dropped)."""
        queued = False
        try:
            r = Reader(frame)
            try:
                header = decode_header(r)
            except DecodeError as exc:
                raise CloseConnection(f"an unreadable request header ({exc})") from None
            api = self.apis.get(header.api_key)
            if api is None:
                raise CloseConnection(f"api key {header.api_key}, which this "
                                      f"{self.side} does not serve")
            if api.ordered:
                await self._ordered.put((api, header, r))
                queued = True
            else:
                await self._handle(api, header, r)
        finally:
            if not queued:
                self.budget.release(len(frame))

    async def _ordered_worker(self) -> None:
        while True:
            api, header, r = await self._ordered.get()
            try:
                await self._handle(api, header, r)
            finally:
                self.budget.release(len(r.data))

    async def _handle(self, api: Api, header: RequestHeader, r: Reader) -> None:
        try:
            body = await api.handler(self, header, r)
        except DecodeError as exc:
            answer = api.error_answer(header, f"invalid request: {exc}") \
                if api.error_answer else None
            if answer is None:
                client_trouble(logging.INFO,
                               "fluvio %s %s: undecodable request (api %d v%d): %s, closing",
                               self.side, self.peer, header.api_key, header.api_version, exc)
                self.close()
                return
            body = answer
        except CloseConnection as exc:
            client_trouble(logging.INFO, "fluvio %s %s: %s, closing", self.side, self.peer,
                           exc)
            self.close()
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug must cost one connection, no more
            log.exception("fluvio %s %s: request (api %d) failed", self.side, self.peer,
                          header.api_key)
            answer = api.error_answer(header, f"internal error: {exc}") \
                if api.error_answer else None
            if answer is None:
                self.close()
                return
            body = answer
        if body is not None:
            self.send(header.correlation_id, body)
