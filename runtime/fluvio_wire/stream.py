"""One StreamFetch session: records of a partition from an offset on, live, for as long as
the client's connection lives.

Flow control follows Fluvio's SPU, acknowledged chunks of at most `max_bytes` each, with
one difference: two chunks may be in flight, not one, so the server reads and sends the
next while the client works through the last (the client acks each frame with
UpdateOffsets as it reaches it; an ack for an earlier offset asks again from there). A
consumer that vanishes or stops reading therefore never makes the server read, encode or
buffer more than two chunks. Between chunks the
session sleeps on the store's notify socket, so a record committed by any process (CLI,
connector, another client) reaches the consumer within a millisecond or so.
"""

from __future__ import annotations

import asyncio
import logging
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass
from itertools import accumulate
from operator import add
from typing import TYPE_CHECKING

from runtime.errors import NotFound, WeirError
from runtime.fluvio_wire import error_code
from runtime.fluvio_wire.backend import Backend
from runtime.fluvio_wire.batch import encode_columns, encode_record_set
from runtime.fluvio_wire.connection import Connection
from runtime.fluvio_wire.error_code import ErrorCode
from runtime.fluvio_wire.fetch import StreamFetchRequest, encode_stream_frame
from runtime.topics.columns import RecordColumns
from runtime.topics.record import Record

if TYPE_CHECKING:
    from smartmodules.chain import Chain

log = logging.getLogger("weir.fluvio")

MAX_CHUNK_BYTES = 16 * 1024 * 1024  # whatever max_bytes the client asks for
MAX_CHUNK_RECORDS = 20_000
MAX_IN_FLIGHT = 2  # frames sent and not yet acknowledged
# A stream that has caught up reads what a commit added on the event loop itself, at most
# this many records (well under a millisecond): a hop to a worker thread and back costs a
# follower more than that on a busy machine (each waits for the GIL).
LIVE_READ_RECORDS = 256
FALLBACK_POLL_S = 0.5  # when no commit poke comes
_RECORD_OVERHEAD = 12  # varints, attributes, key flag: bytes a record adds on the wire


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a stream cannot start: the error frame the client gets."""

    error: ErrorCode


async def smartmodule_chain(req: StreamFetchRequest, version: int, backend: Backend
                            ) -> Chain | Refusal | None:
    """The stream's SmartModules as one chain (None without any), built in a worker
    thread: compiling, `init` and `look_back` may take a while."""
    if req.legacy_wasm:
        return Refusal(error_code.other(
            "weir's cluster does not run pre-0.10 `wasm_module`/derived-stream fetches"))
    if not req.smartmodules:
        return None
    from runtime.fluvio_wire import smartmodule_chain as sm

    def lookback(last: int | None, age_ms: int | None) -> list[Record]:
        return backend.lookback(req.topic, req.partition, last, age_ms)

    try:
        return await asyncio.to_thread(sm.build, req.smartmodules, version,
                                       backend.registry_dir, lookback)
    except sm.ChainRefused as exc:
        return Refusal(exc.error)


def _fit_columns(columns: RecordColumns, max_bytes: int) -> RecordColumns:
    """The leading records whose encoding fits max_bytes (at least one)."""
    n = len(columns)
    keys = columns.keys
    key_bytes = 0 if keys is None else sum(map(len, filter(None, keys)))
    if sum(map(len, columns.values)) + key_bytes + n * _RECORD_OVERHEAD <= max_bytes:
        return columns  # the common case, in C
    sizes = list(accumulate(map(len, columns.values)))
    if keys is not None and key_bytes:
        sizes = list(map(add, sizes, accumulate(len(k) if k else 0 for k in keys)))

    def size(k: int) -> int:  # of the first k records
        return sizes[k - 1] + k * _RECORD_OVERHEAD

    k = max(1, bisect_right(range(1, n + 1), max_bytes, key=size))
    cut = slice(0, k)
    return RecordColumns(
        columns.values[cut], columns.offsets[cut], columns.timestamps[cut],
        None if keys is None else keys[cut],
        None if columns.headers is None else columns.headers[cut], columns.partition)


class FetchStream:
    def __init__(self, backend: Backend, conn: Connection, correlation_id: int, version: int,
                 session_id: int, req: StreamFetchRequest) -> None:
        self.backend = backend
        self.conn = conn
        self.correlation_id = correlation_id
        self.version = version
        self.session_id = session_id
        self.req = req
        self.topic = req.topic
        self.partition = req.partition
        self.consumer_id = req.consumer_id
        self.max_bytes = max(1, min(req.max_bytes, MAX_CHUNK_BYTES))
        self._acked: int | None = None
        self._chain: Chain | None = None
        self._ack = asyncio.Event()

    def _take_ack(self, unacked: deque[int], position: int) -> int:
        """Forget the frames the client's last ack covers; the position to go on from.
        An ack that is no frame's end (below the oldest one still out) asks again from
        there, as Fluvio's SPU reads it."""
        acked = self._acked
        if acked is None:
            return position
        if unacked and acked < unacked[0] and acked not in unacked:
            unacked.clear()
            return max(acked, 0)
        while unacked and unacked[0] <= acked:
            unacked.popleft()
        return position

    def ack(self, offset: int) -> None:
        """The client's UpdateOffsets: it has everything before `offset`."""
        self._acked = offset
        self._ack.set()

    def _frame(self, error: ErrorCode, hw: int, earliest: int, record_set: bytes,
               next_filter_offset: int = 0) -> bytes:
        return encode_stream_frame(self.topic, self.session_id, self.partition, error, hw,
                                   earliest, record_set, self.version, next_filter_offset)

    async def _fail(self, error: ErrorCode, hw: int = -1, earliest: int = -1) -> None:
        await self.conn.send_drained(self.correlation_id,
                                     self._frame(error, hw, earliest, encode_record_set([])))

    async def run(self) -> None:
        try:
            await self._run()
        except NotFound as exc:
            code = (error_code.TOPIC_DELETED if "topic" in exc.message
                    else error_code.NOT_LEADER_FOR_PARTITION)
            await self._fail(ErrorCode(code))
        except WeirError as exc:
            log.warning("fluvio spu: stream of %s-%d: %s", self.topic, self.partition,
                        exc.message)
            await self._fail(error_code.other(exc.message))
        except Exception as exc:  # noqa: BLE001 - a bug ends this stream, visibly, no more
            log.exception("fluvio spu: stream of %s-%d failed", self.topic, self.partition)
            await self._fail(error_code.other(f"internal error in weir's SPU: {exc!r}"))

    async def _run(self) -> None:
        chain = await smartmodule_chain(self.req, self.version, self.backend)
        if isinstance(chain, Refusal):
            await self._fail(chain.error)
            return
        self._chain = chain
        listener = self.backend.listener(self.topic)  # bound before the first read
        try:
            await self._stream(listener)
        finally:
            listener.close()
            if chain is not None:
                chain.close()

    async def _send_processed(self, chunk: RecordColumns, hw: int, earliest: int) -> bool:
        """The chunk through the stream's chain; a frame only when it produced records or
        an error (a chunk filtered away entirely sends nothing, as Fluvio's SPU). The
        frame's next_filter_offset tells the client where the input resumes."""
        from runtime.fluvio_wire.smartmodule_chain import process

        processed = await asyncio.to_thread(process, self._chain, chunk)
        end = chunk.offsets[-1]
        batch = processed.batch(chunk.offsets[0], end)
        if batch is None and processed.error is None:
            return False
        frame = self._frame(processed.error or error_code.OK, hw, earliest,
                            encode_record_set([batch] if batch else []),
                            next_filter_offset=end + 1)
        await self.conn.send_drained(self.correlation_id, frame)
        return True

    async def _stream(self, listener) -> None:
        start = self.req.fetch_offset
        records, earliest, hw = await self.backend.read_chunk(self.topic, self.partition,
                                                              max(start, 0), 1)
        if start < earliest:
            await self._fail(error_code.evicted(start, earliest), hw, earliest)
            return
        if start > hw:
            await self._fail(error_code.other(
                f"start offset: {start} is greater than leo: {hw}"), hw, earliest)
            return
        position = start  # the next offset to send
        unacked: deque[int] = deque()  # where each frame not yet acknowledged ends
        live = False  # the last read reached the partition's end
        first = True
        estimate = 100  # bytes a record takes, from the last chunk
        while not self.conn.closed.is_set():
            if len(unacked) >= MAX_IN_FLIGHT:
                await self._ack.wait()
            if self._ack.is_set():
                self._ack.clear()
                position = self._take_ack(unacked, position)
                if len(unacked) >= MAX_IN_FLIGHT:
                    continue
            limit = max(1, min(MAX_CHUNK_RECORDS, self.max_bytes // estimate))
            if live:  # caught up: the few new records, read here without a thread hop
                columns, earliest, hw = self.backend.read_columns_now(
                    self.topic, self.partition, position, min(limit, LIVE_READ_RECORDS))
            else:
                columns, earliest, hw = await self.backend.read_columns(
                    self.topic, self.partition, position, limit)
            live = len(columns) < min(limit, LIVE_READ_RECORDS)
            if len(columns) and self._chain is not None:
                chunk = _fit_columns(columns, self.max_bytes)
                position = chunk.offsets[-1] + 1
                sent = await self._send_processed(chunk, hw, earliest)
                if sent:
                    unacked.append(position)
                first = first and not sent
                if sent or position < hw:
                    continue
            elif len(columns):
                chunk = _fit_columns(columns, self.max_bytes)
                body = encode_columns(chunk)
                estimate = max(16, len(body) // len(chunk))
                frame = self._frame(error_code.OK, hw, earliest, encode_record_set([body]))
                await self.conn.send_drained(self.correlation_id, frame)
                position = chunk.offsets[-1] + 1
                unacked.append(position)
                first = False
                continue
            if first:  # the client waits for a first answer, records or not
                await self.conn.send_drained(
                    self.correlation_id,
                    self._frame(error_code.OK, hw, earliest, encode_record_set([])))
                first = False
            await listener.wait(FALLBACK_POLL_S)
