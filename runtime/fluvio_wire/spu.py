"""The SPU (data plane): Produce, FetchOffsets, StreamFetch with UpdateOffsets, and the
consumer-offset requests, over the served store.

Produce is answered only once its records are durable (one transaction per request and
topic, the WAL fdatasynced unless WEIR_STORE_SYNC=normal), with the offsets the store
gave them: dense and shared with every other writer of the partition. Consumer offsets
live in the store's consumer-offset table, the one Weir's sink connectors use; Fluvio
counts the last record processed where the store keeps the next one to read, hence the
±1 below.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

from runtime.errors import NotFound, WeirError
from runtime.fluvio_wire import api_keys, api_versions, consumer_offsets, error_code, produce
from runtime.fluvio_wire.backend import Backend
from runtime.fluvio_wire.codec import Reader
from runtime.fluvio_wire.connection import Api, Connection
from runtime.fluvio_wire.error_code import ErrorCode
from runtime.fluvio_wire.fetch import (
    PartitionOffsets,
    decode_fetch_offsets,
    decode_stream_fetch,
    decode_update_offsets,
    encode_fetch_offsets,
    encode_update_offsets,
)
from runtime.fluvio_wire.header import RequestHeader
from runtime.fluvio_wire.produce import PartitionResult
from runtime.fluvio_wire.smartmodule_invocation import SmartModuleInvocation
from runtime.fluvio_wire.stream import FetchStream
from runtime.topics.columns import ProduceColumns
from runtime.topics.limits import MAX_RECORD_BYTES
from runtime.topics.record import ProduceRecord


@dataclass(frozen=True, slots=True)
class _TopicResults:
    """A topic's partition results as known when queued; `future` gives the rest."""

    results: list[PartitionResult | None]
    groups: list[tuple[int, int, list]]  # (index in results, partition, records)
    future: asyncio.Future | None


def _not_found_code(exc: NotFound) -> int:
    return (error_code.NOT_LEADER_FOR_PARTITION if exc.message.startswith("partition")
            else error_code.TOPIC_NOT_FOUND)


def _joined(parts: list[Sequence[ProduceRecord]]) -> Sequence[ProduceRecord]:
    """A partition's batches as one sequence of records (columns stay columns)."""
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(p, ProduceColumns) for p in parts):
        return ProduceColumns.concat(parts)
    return [rec for part in parts for rec in part]


def _too_large(records: Sequence[ProduceRecord]) -> bool:
    """Is a record's key and value together over the limit? (The largest value and key
    bound it without a Python step per record.)"""
    if not records:
        return False
    if isinstance(records, ProduceColumns):
        values, keys = records.values, records.keys or ()
    else:
        values, keys = map(itemgetter(0), records), map(itemgetter(1), records)
    bound = max(map(len, values)) + max(map(len, filter(None, keys)), default=0)
    return bound > MAX_RECORD_BYTES and any(
        len(rec.value) + len(rec.key or b"") > MAX_RECORD_BYTES for rec in records)


class SpuService:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._session_ids = itertools.count(1)
        self._streams: dict[int, FetchStream] = {}

    def apis(self) -> dict[int, Api]:
        return {
            api_keys.API_VERSIONS: Api(self._api_versions),
            api_keys.PRODUCE: Api(self._produce, ordered=True),
            api_keys.FETCH_OFFSETS: Api(self._fetch_offsets),
            api_keys.STREAM_FETCH: Api(self._stream_fetch),
            api_keys.UPDATE_OFFSETS: Api(self._update_offsets),
            api_keys.UPDATE_CONSUMER_OFFSET: Api(self._update_consumer_offset, ordered=True),
            api_keys.DELETE_CONSUMER_OFFSET: Api(self._delete_consumer_offset,
                                                 self._error_only, ordered=True),
            api_keys.FETCH_CONSUMER_OFFSETS: Api(self._fetch_consumer_offsets,
                                                 self._fetch_consumer_offsets_error),
        }

    async def _api_versions(self, conn: Connection, header: RequestHeader, r: Reader
                            ) -> bytes:
        api_versions.decode_request(r, header.api_version)
        return api_versions.encode_response(api_keys.SPU_VERSIONS, api_keys.PLATFORM_VERSION)

    # -- produce ----------------------------------------------------------------------

    async def _produce(self, conn: Connection, header: RequestHeader, r: Reader) -> None:
        """Checked and queued for the store in arrival order (an ordered API); answered
        by a task of its own once durable, so the next request is read and queued while
        this one is being fsynced (the store group-commits them)."""
        req = produce.decode_request(r, header.api_version)
        pending = []
        for topic in req.topics:
            pending.append((topic.name, await self._produce_topic(
                topic, req.smartmodules, header.api_version)))
        conn.spawn(self._answer_produce(conn, header, pending))
        return None

    async def _answer_produce(self, conn: Connection, header: RequestHeader,
                              pending: list[tuple[str, _TopicResults]]) -> None:
        results = [(name, await self._results(topic_results))
                   for name, topic_results in pending]
        conn.send(header.correlation_id, produce.encode_response(results, header.api_version))

    async def _produce_topic(self, topic: produce.TopicProduce,
                             smartmodules: list[SmartModuleInvocation], version: int
                             ) -> _TopicResults:
        """One result per partition entry, in order (a request may name a partition
        twice: each entry is its own group, stored in order); the stored ones pending."""
        results: list[PartitionResult | None] = []
        groups = []
        for part in topic.partitions:
            records = _joined([batch.records for batch in part.batches])
            if smartmodules and records:
                outcome = await self._transform(topic.name, part.partition, smartmodules,
                                                version, records)
                if isinstance(outcome, ErrorCode):
                    results.append(PartitionResult(part.partition, outcome))
                    continue
                if not outcome:  # all filtered away: Fluvio answers offset 0, no error
                    results.append(PartitionResult(part.partition, error_code.OK, 0))
                    continue
                records = outcome
            if _too_large(records):
                results.append(PartitionResult(part.partition,
                                               ErrorCode(error_code.MESSAGE_TOO_LARGE)))
            elif not records:  # nothing to store: answer with the partition's end
                results.append(await self._empty_result(topic.name, part.partition))
            else:
                results.append(None)
                groups.append((len(results) - 1, part.partition, records))
        future = None
        if groups:
            future = await self.backend.submit(topic.name,
                                               [(p, recs) for _, p, recs in groups])
        return _TopicResults(results, groups, future)

    async def _results(self, pending: _TopicResults) -> list[PartitionResult]:
        results = list(pending.results)
        if pending.future is not None:
            outcomes = await self._outcomes(pending.future, len(pending.groups))
            for (index, partition, _), outcome in zip(pending.groups, outcomes, strict=True):
                results[index] = (
                    PartitionResult(partition, outcome) if isinstance(outcome, ErrorCode)
                    else PartitionResult(partition, error_code.OK, outcome))
        return [r for r in results if r is not None]

    async def _transform(self, topic: str, partition: int,
                         smartmodules: list[SmartModuleInvocation], version: int,
                         records: Sequence[ProduceRecord]) -> list[ProduceRecord] | ErrorCode:
        """A Produce's SmartModules over one partition's records, in a worker thread."""
        from runtime.fluvio_wire.smartmodule_chain import transform_produce

        def lookback(last: int | None, age_ms: int | None) -> list:
            return self.backend.lookback(topic, partition, last, age_ms)

        try:
            return await asyncio.to_thread(transform_produce, smartmodules, version,
                                           self.backend.registry_dir, lookback, records)
        except NotFound as exc:
            return ErrorCode(_not_found_code(exc))

    @staticmethod
    async def _outcomes(future: asyncio.Future, count: int) -> list[int | ErrorCode]:
        """Base offset per group, or its error code."""
        try:
            outcomes = await future
        except NotFound as exc:
            return [ErrorCode(_not_found_code(exc))] * count
        except WeirError as exc:
            return [error_code.other(exc.message)] * count
        return [ErrorCode(_not_found_code(o)) if isinstance(o, NotFound)
                else error_code.other(o.message) if isinstance(o, WeirError) else o
                for o in outcomes]

    async def _empty_result(self, topic: str, partition: int) -> PartitionResult:
        try:
            earliest, latest = await self.backend.offsets(topic, partition)
        except NotFound as exc:
            return PartitionResult(partition, ErrorCode(_not_found_code(exc)))
        return PartitionResult(partition, error_code.OK, latest, earliest)

    # -- reading ----------------------------------------------------------------------

    async def _fetch_offsets(self, conn: Connection, header: RequestHeader, r: Reader
                             ) -> bytes:
        req = decode_fetch_offsets(r, header.api_version)
        topics = []
        for name, partitions in req.topics:
            answers = []
            for p in partitions:
                try:
                    earliest, latest = await self.backend.offsets(name, p)
                    answers.append(PartitionOffsets(p, error_code.OK, earliest, latest))
                except NotFound as exc:
                    answers.append(PartitionOffsets(p, ErrorCode(_not_found_code(exc))))
                except WeirError as exc:
                    answers.append(PartitionOffsets(p, error_code.other(exc.message)))
            topics.append((name, answers))
        return encode_fetch_offsets(topics)

    async def _stream_fetch(self, conn: Connection, header: RequestHeader, r: Reader) -> None:
        req = decode_stream_fetch(r, header.api_version)
        session_id = next(self._session_ids)
        stream = FetchStream(self.backend, conn, header.correlation_id, header.api_version,
                             session_id, req)
        self._streams[session_id] = stream
        task = conn.spawn(stream.run())
        task.add_done_callback(lambda _: self._streams.pop(session_id, None))
        return None

    async def _update_offsets(self, conn: Connection, header: RequestHeader, r: Reader
                              ) -> bytes:
        statuses = []
        for offset, session_id in decode_update_offsets(r, header.api_version):
            stream = self._streams.get(session_id)
            if stream is None or stream.conn is not conn:
                statuses.append((session_id, ErrorCode(error_code.FETCH_SESSION_NOT_FOUND)))
            else:
                stream.ack(offset)
                statuses.append((session_id, error_code.OK))
        return encode_update_offsets(statuses)

    # -- consumer offsets -------------------------------------------------------------

    async def _update_consumer_offset(self, conn: Connection, header: RequestHeader,
                                      r: Reader) -> bytes:
        offset, session_id = consumer_offsets.decode_update(r, header.api_version)
        stream = self._streams.get(session_id)
        if stream is None or stream.conn is not conn:
            return consumer_offsets.encode_update(
                offset, ErrorCode(error_code.FETCH_SESSION_NOT_FOUND))
        if not stream.consumer_id:
            return consumer_offsets.encode_update(
                offset, ErrorCode(error_code.OFFSET_MANAGEMENT_DISABLED))
        if offset < 0:
            return consumer_offsets.encode_update(offset, error_code.other(
                f"offset must be 0 or more, not {offset}"))
        try:
            await self.backend.commit_offset(stream.consumer_id, stream.topic,
                                             stream.partition, offset + 1)
        except NotFound as exc:
            return consumer_offsets.encode_update(offset, ErrorCode(_not_found_code(exc)))
        except WeirError as exc:
            return consumer_offsets.encode_update(offset, error_code.other(exc.message))
        return consumer_offsets.encode_update(offset, error_code.OK)

    def _error_only(self, header: RequestHeader, message: str) -> bytes:
        return consumer_offsets.encode_error(error_code.other(message))

    async def _delete_consumer_offset(self, conn: Connection, header: RequestHeader,
                                      r: Reader) -> bytes:
        topic, partition, consumer = consumer_offsets.decode_delete(r, header.api_version)
        try:
            await self.backend.delete_consumer_offset(consumer, topic, partition)
        except NotFound as exc:
            return consumer_offsets.encode_error(ErrorCode(_not_found_code(exc)))
        except WeirError as exc:
            return consumer_offsets.encode_error(error_code.other(exc.message))
        return consumer_offsets.encode_error(error_code.OK)

    def _fetch_consumer_offsets_error(self, header: RequestHeader, message: str) -> bytes:
        return consumer_offsets.encode_fetch(error_code.other(message), [])

    async def _fetch_consumer_offsets(self, conn: Connection, header: RequestHeader,
                                      r: Reader) -> bytes:
        wanted = consumer_offsets.decode_fetch(r, header.api_version)
        try:
            rows = await self.backend.consumer_offsets()
        except WeirError as exc:
            return consumer_offsets.encode_fetch(error_code.other(exc.message), [])
        found = [
            consumer_offsets.ConsumerOffset(o.consumer, o.topic, o.partition, o.offset - 1,
                                            o.modified_ms)
            for o in rows
            if o.offset > 0
            and (wanted.consumer_id is None or o.consumer == wanted.consumer_id)
            and (wanted.topic is None or o.topic == wanted.topic)
            and (wanted.partition is None or o.partition == wanted.partition)
        ]
        return consumer_offsets.encode_fetch(error_code.OK, found)
