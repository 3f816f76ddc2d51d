"""Consumer offsets: UpdateConsumerOffset (1006), DeleteConsumerOffset (1007) and
FetchConsumerOffsets (1008) (`crates/fluvio-spu-schema/src/server/consumer_offset.rs`).

Fluvio stores the offset of the last record a consumer processed; Weir's store keeps the
next one to read. The SPU translates (see spu.py)."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.fluvio_wire.codec import Reader, Writer
from runtime.fluvio_wire.error_code import ErrorCode


def decode_update(r: Reader, version: int) -> tuple[int, int]:
    """(offset, session_id)"""
    return r.i64(), r.u32()


def encode_update(offset: int, error: ErrorCode) -> bytes:
    w = Writer().i64(offset)
    return error.encode(w).getvalue()


def decode_delete(r: Reader, version: int) -> tuple[str, int, str]:
    """(topic, partition, consumer_id)"""
    return r.string(), r.u32(), r.string()


def encode_error(error: ErrorCode) -> bytes:
    return error.encode(Writer()).getvalue()


@dataclass(frozen=True, slots=True)
class FetchFilter:
    topic: str | None = None
    partition: int | None = None
    consumer_id: str | None = None


def decode_fetch(r: Reader, version: int) -> FetchFilter:
    if version < 24 or not r.bool():
        return FetchFilter()
    replica = r.option(lambda x: (x.string(), x.u32()))
    consumer_id = r.option(Reader.string)
    topic, partition = replica if replica else (None, None)
    return FetchFilter(topic, partition, consumer_id)


@dataclass(frozen=True, slots=True)
class ConsumerOffset:
    consumer_id: str
    topic: str
    partition: int
    offset: int  # Fluvio's: the last processed record
    modified_ms: int


def encode_fetch(error: ErrorCode, offsets: list[ConsumerOffset]) -> bytes:
    w = Writer()
    error.encode(w)
    w.count(len(offsets))
    for o in offsets:
        w.string(o.consumer_id).string(o.topic).u32(o.partition).i64(o.offset)
        w.u64(o.modified_ms // 1000)  # Fluvio counts seconds (TimestampSecs)
    return w.getvalue()
