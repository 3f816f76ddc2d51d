"""The SPU's read side: FetchOffsets (1002), StreamFetch (1003) and UpdateOffsets (1005)
(`crates/fluvio-spu-schema/src/server/{fetch_offset,stream_fetch,update_offset}.rs`,
`crates/fluvio-spu-schema/src/fetch/response.rs`)."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.fluvio_wire.codec import Reader, Writer
from runtime.fluvio_wire.error_code import ErrorCode
from runtime.fluvio_wire.smartmodule_invocation import (
    SmartModuleInvocation,
    decode_invocation,
    decode_invocations,
)


@dataclass(frozen=True, slots=True)
class FetchOffsetsRequest:
    topics: list[tuple[str, list[int]]]
    consumer_id: str | None


def decode_fetch_offsets(r: Reader, version: int) -> FetchOffsetsRequest:
    topics = r.vec(lambda t: (t.string(), t.vec(Reader.u32)))
    consumer_id = r.option(Reader.string) if version == 23 else None
    return FetchOffsetsRequest(topics, consumer_id)


@dataclass(frozen=True, slots=True)
class PartitionOffsets:
    partition: int
    error: ErrorCode
    start_offset: int = -1
    last_stable_offset: int = -1


def encode_fetch_offsets(topics: list[tuple[str, list[PartitionOffsets]]]) -> bytes:
    w = Writer().count(len(topics))
    for name, partitions in topics:
        w.string(name).count(len(partitions))
        for p in partitions:
            p.error.encode(w)
            w.u32(p.partition).i64(p.start_offset).i64(p.last_stable_offset)
    return w.getvalue()


@dataclass(frozen=True, slots=True)
class StreamFetchRequest:
    topic: str
    partition: int
    fetch_offset: int
    max_bytes: int
    isolation: int  # 0 ReadUncommitted, 1 ReadCommitted
    smartmodules: list[SmartModuleInvocation]
    legacy_wasm: bool  # a pre-v18 `wasm_module` or `derivedstream` (not served)
    consumer_id: str | None


def decode_stream_fetch(r: Reader, version: int) -> StreamFetchRequest:
    topic = r.string()
    partition = r.u32()
    offset = r.i64()
    max_bytes = r.i32()
    isolation = r.u8()
    smartmodules: list[SmartModuleInvocation] = []
    legacy = False
    if 11 <= version <= 18:
        legacy = bool(r.bytes_())
    if 16 <= version <= 18:
        one = r.option(lambda x: decode_invocation(x, version))
        if one is not None:
            smartmodules.append(one)
        if r.bool():  # derivedstream {stream, params}
            r.string()
            r.string_map()
            if version >= 20 and r.bool():
                r.u64()
            legacy = True
    if version >= 18:
        smartmodules += decode_invocations(r, version)
    consumer_id = r.option(Reader.string) if version >= 23 else None
    return StreamFetchRequest(topic, partition, offset, max_bytes, isolation, smartmodules,
                              legacy, consumer_id)


def encode_stream_frame(topic: str, stream_id: int, partition: int, error: ErrorCode,
                        high_watermark: int, log_start_offset: int, record_set: bytes,
                        version: int, next_filter_offset: int = 0) -> bytes:
    """One StreamFetchResponse: topic, stream id, then a FetchablePartitionResponse."""
    w = Writer().string(topic).u32(stream_id).u32(partition)
    error.encode(w)
    w.i64(high_watermark)
    if version >= 11:
        w.i64(next_filter_offset)
    w.i64(log_start_offset)
    w.bool(False)  # aborted transactions: none
    return w.raw(record_set).getvalue()


def decode_update_offsets(r: Reader, version: int) -> list[tuple[int, int]]:
    """[(offset, session_id)]"""
    return r.vec(lambda x: (x.i64(), x.u32()))


def encode_update_offsets(statuses: list[tuple[int, ErrorCode]]) -> bytes:
    w = Writer().count(len(statuses))
    for session_id, error in statuses:
        w.u32(session_id)
        error.encode(w)
    return w.getvalue()
