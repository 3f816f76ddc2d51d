"""Produce (0): record batches per topic and partition in, a base offset per partition
out (`crates/fluvio-spu-schema/src/produce/{request,response}.rs`)."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.fluvio_wire.batch import Batch, decode_record_set
from runtime.fluvio_wire.codec import Reader, Writer
from runtime.fluvio_wire.error_code import ErrorCode
from runtime.fluvio_wire.smartmodule_invocation import (
    SmartModuleInvocation,
    decode_invocations,
)


@dataclass(frozen=True, slots=True)
class PartitionProduce:
    partition: int
    batches: list[Batch]


@dataclass(frozen=True, slots=True)
class TopicProduce:
    name: str
    partitions: list[PartitionProduce]


@dataclass(frozen=True, slots=True)
class ProduceRequest:
    transactional_id: str | None
    isolation: int  # 1 ReadUncommitted, -1 ReadCommitted
    timeout_ms: int
    topics: list[TopicProduce]
    smartmodules: list[SmartModuleInvocation]


def _partition(r: Reader) -> PartitionProduce:
    return PartitionProduce(r.u32(), decode_record_set(r))


def _topic(r: Reader) -> TopicProduce:
    return TopicProduce(r.string(), r.vec(_partition))


def decode_request(r: Reader, version: int) -> ProduceRequest:
    transactional_id = r.option(Reader.string) if version >= 3 else None
    isolation = r.i16()
    timeout = r.i32()
    topics = r.vec(_topic)
    smartmodules = decode_invocations(r, version) if version >= 8 else []
    return ProduceRequest(transactional_id, isolation, timeout, topics, smartmodules)


@dataclass(frozen=True, slots=True)
class PartitionResult:
    partition: int
    error: ErrorCode
    base_offset: int = -1
    log_start_offset: int = -1


def encode_response(results: list[tuple[str, list[PartitionResult]]], version: int) -> bytes:
    w = Writer().count(len(results))
    for name, partitions in results:
        w.string(name).count(len(partitions))
        for p in partitions:
            w.u32(p.partition)
            p.error.encode(w)
            w.i64(p.base_offset)
            if version >= 2:
                w.i64(-1)  # log_append_time_ms
            if version >= 5:
                w.i64(p.log_start_offset)
    if version >= 1:
        w.i32(0)  # throttle_time_ms
    return w.getvalue()
