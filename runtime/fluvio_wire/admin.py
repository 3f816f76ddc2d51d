"""The SC's object requests: Create (1001), Delete (1002), List (1003), Watch (1004)
(`crates/fluvio-sc-schema/src/objects/`).

From version 11 each request body, and each List/Watch response body, is a TypeBuffer:
the object's label (`"Topic"`, `"Partition"`, ...), then a u32 length and the typed
payload, encoded at the request's version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from runtime.fluvio_wire.codec import DecodeError, Reader, Writer
from runtime.fluvio_wire.error_code import ErrorCode
from runtime.fluvio_wire.objects import MetadataObject, encode_object
from runtime.fluvio_wire.smartmodule_spec import SmartModuleRequest, decode_smartmodule_spec

UPDATE, DELETE = 0, 1  # a watch change's header (msg_type.rs)


def _type_buffer(r: Reader) -> tuple[str, Reader]:
    label = r.string()
    n = r.i32()
    if n < 0 or n > r.remaining:
        raise DecodeError(f"a `{label}` payload of {n} bytes runs past the request "
                          f"({r.remaining} left)")
    sub = Reader(r.data, r.pos, r.pos + n)
    r.pos += n
    return label, sub


@dataclass(frozen=True, slots=True)
class TopicRequest:
    """A TopicSpec as the client asked for it."""

    partitions: int = 1
    replication_factor: int = 1
    assigned: tuple[tuple[int, tuple[int, ...]], ...] | None = None  # (partition, replicas)
    retention_s: int | None = None
    segment_size: int | None = None
    max_partition_size: int | None = None
    compression: int = 4
    deduplication: bool = False
    system: bool = False
    mirror: bool = False


@dataclass(frozen=True, slots=True)
class CreateRequest:
    label: str
    name: str
    dry_run: bool
    timeout_ms: int | None
    topic: TopicRequest | None  # None when the label is not Topic
    smartmodule: SmartModuleRequest | None = None  # when the label is SmartModule


@dataclass(frozen=True, slots=True)
class DeleteRequest:
    label: str
    key: str
    force: bool


@dataclass(frozen=True, slots=True)
class ListRequest:
    label: str
    names: tuple[str, ...]
    summary: bool
    system: bool


@dataclass(frozen=True, slots=True)
class WatchRequest:
    label: str
    epoch: int
    summary: bool


def _duration(r: Reader) -> None:
    r.u64()
    r.u32()


def _topic_spec(r: Reader, version: int) -> TopicRequest:
    spec: dict = {}
    tag = r.u8()
    if tag == 0:  # Assigned(Vec<PartitionMap>)
        maps = []
        for _ in range(r.count()):
            pid = r.u32()
            replicas = tuple(r.vec(Reader.i32))
            if version >= 14 and r.bool():
                spec["mirror"] = True
                return TopicRequest(**spec)  # the rest is a mirror config Weir cannot serve
            maps.append((pid, replicas))
        spec["assigned"] = tuple(maps)
        spec["partitions"] = len(maps)
    elif tag == 1:
        spec["partitions"] = r.u32()
        spec["replication_factor"] = r.u32()
        r.bool()  # ignore_rack_assignment
    elif tag == 2 and version >= 14:
        return TopicRequest(mirror=True)
    else:
        raise DecodeError(f"unknown replica spec tag {tag}")
    if version >= 3 and r.bool():
        policy = r.u8()
        if policy != 0:
            raise DecodeError(f"unknown cleanup policy tag {policy}")
        spec["retention_s"] = r.u32()
    if version >= 4 and r.bool():
        if r.bool():
            spec["segment_size"] = r.u32()
        if r.bool():
            spec["max_partition_size"] = r.u64()
    if version >= 6:
        spec["compression"] = r.u8()
    if version >= 12 and r.bool():
        r.u64()  # bounds.count
        if r.bool():
            _duration(r)
        r.string()  # filter.transform.uses
        r.string_map()  # filter.transform.with
        spec["deduplication"] = True
    if version >= 13:
        spec["system"] = r.bool()
    return TopicRequest(**spec)


def decode_create(r: Reader, version: int) -> CreateRequest:
    label, body = _type_buffer(r)
    name = body.string()
    dry_run = body.bool()
    timeout = body.option(Reader.u32) if version >= 7 else None
    topic = _topic_spec(body, version) if label == "Topic" else None
    module = decode_smartmodule_spec(body, version) if label == "SmartModule" else None
    return CreateRequest(label, name, dry_run, timeout, topic, module)


def decode_delete(r: Reader, version: int) -> DeleteRequest:
    label, body = _type_buffer(r)
    key = body.string()
    force = body.bool() if version >= 13 else False
    return DeleteRequest(label, key, force)


def decode_list(r: Reader, version: int) -> ListRequest:
    label, body = _type_buffer(r)
    names = tuple(body.vec(Reader.string))
    summary = body.bool() if version >= 10 else False
    system = body.bool() if version >= 13 else False
    return ListRequest(label, names, summary, system)


def decode_watch(r: Reader, version: int) -> WatchRequest:
    label, body = _type_buffer(r)
    epoch = body.i64()
    summary = body.bool() if version >= 10 else False
    return WatchRequest(label, epoch, summary)


def encode_status(name: str, error: ErrorCode, message: str | None = None) -> bytes:
    """Create/Delete's response: `Status{name, error_code, error_message}`."""
    w = Writer().string(name)
    error.encode(w)
    return w.option_string(message).getvalue()


def _with_label(label: str, payload: bytes) -> bytes:
    return Writer().string(label).u32(len(payload)).raw(payload).getvalue()


def encode_list(label: str, objects: Sequence[MetadataObject], version: int) -> bytes:
    w = Writer().count(len(objects))
    for obj in objects:
        encode_object(w, obj, version)
    return _with_label(label, w.getvalue())


@dataclass(frozen=True, slots=True)
class Change:
    kind: int  # UPDATE or DELETE
    obj: MetadataObject


@dataclass(frozen=True, slots=True)
class MetadataUpdate:
    epoch: int
    changes: Sequence[Change] = field(default_factory=tuple)
    all: Sequence[MetadataObject] = field(default_factory=tuple)


def encode_watch(label: str, update: MetadataUpdate, version: int) -> bytes:
    w = Writer().i64(update.epoch).count(len(update.changes))
    for change in update.changes:
        w.u8(change.kind)
        encode_object(w, change.obj, version)
    w.count(len(update.all))
    for obj in update.all:
        encode_object(w, obj, version)
    return _with_label(label, w.getvalue())
