"""The SC's metadata objects as Weir presents them, and their wire encodings at a version
(`crates/fluvio-controlplane-metadata/src/{topic,partition,spu,smartmodule}/`).

Weir is a single-SPU cluster: one SPU leads every partition, each with one replica, every
topic is Provisioned and every partition Online. Each object is `Metadata<S>` on the wire:
its name, its spec and its status.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from runtime.fluvio_wire.codec import Writer

SPU_ID = 5001
SPU_NAME = "weir-spu"
# Fluvio's CompressionAlgorithm tags (TopicSpec.compression_type)
COMPRESSION_NONE, COMPRESSION_GZIP, COMPRESSION_SNAPPY = 0, 1, 2
COMPRESSION_LZ4, COMPRESSION_ANY, COMPRESSION_ZSTD = 3, 4, 5
TOPIC_PROVISIONED = 4
PARTITION_ONLINE = 1
SPU_ONLINE = 0
SPU_CUSTOM = 1
PLAINTEXT = 0

TOPIC, PARTITION, SPU, SMARTMODULE = "Topic", "Partition", "SPU", "SmartModule"
LABELS = (TOPIC, PARTITION, SPU, SMARTMODULE)


@dataclass(frozen=True, slots=True)
class TopicObject:
    name: str
    partitions: int
    retention_ms: int | None = None
    max_partition_bytes: int | None = None
    system: bool = False


@dataclass(frozen=True, slots=True)
class PartitionObject:
    topic: str
    partition: int
    retention_ms: int | None = None
    max_partition_bytes: int | None = None
    system: bool = False
    # live figures, shown by List; a watch does not push every change of them
    hw: int = field(default=0, compare=False)
    earliest: int = field(default=0, compare=False)
    size: int = field(default=0, compare=False)

    @property
    def name(self) -> str:
        return f"{self.topic}-{self.partition}"


@dataclass(frozen=True, slots=True)
class SpuObject:
    host: str
    port: int
    id: int = SPU_ID
    name: str = SPU_NAME


@dataclass(frozen=True, slots=True)
class SmartModuleObject:
    name: str
    wasm_length: int
    gzipped_wasm: bytes | None = None  # only for a full (non-summary) listing


MetadataObject = TopicObject | PartitionObject | SpuObject | SmartModuleObject


def _cleanup(w: Writer, retention_ms: int | None) -> None:
    """Option<CleanupPolicy::Segment{time_in_seconds u32}>"""
    if retention_ms is None:
        w.bool(False)
    else:
        w.bool(True).u8(0).u32(min(max(retention_ms // 1000, 1), 0xFFFFFFFF))


def _storage(w: Writer, max_partition_bytes: int | None) -> None:
    """Option<{segment_size: None, max_partition_size: Option<u64>}>"""
    if max_partition_bytes is None:
        w.bool(False)
    else:
        w.bool(True).bool(False).bool(True).u64(max_partition_bytes)


def encode_topic(w: Writer, t: TopicObject, version: int) -> None:
    w.string(t.name)
    # spec: ReplicaSpec::Computed{partitions, replication_factor 1, ignore_rack false}
    w.u8(1).u32(t.partitions).u32(1).bool(False)
    if version >= 3:
        _cleanup(w, t.retention_ms)
    if version >= 4:
        _storage(w, t.max_partition_bytes)
    if version >= 6:
        w.u8(COMPRESSION_ANY)
    if version >= 12:
        w.bool(False)  # no deduplication
    if version >= 13:
        w.bool(t.system)
    # status: Provisioned, replica map {p: [SPU]}, mirror map {}, reason ""
    w.u8(TOPIC_PROVISIONED)
    w.u16(t.partitions)
    for p in range(t.partitions):
        w.u32(p).count(1).i32(SPU_ID)
    if version >= 14:
        w.u16(0)
    w.string("")


def encode_partition(w: Writer, p: PartitionObject, version: int) -> None:
    w.string(p.name)
    w.i32(SPU_ID).count(1).i32(SPU_ID)
    if version >= 4:
        _cleanup(w, p.retention_ms)
        _storage(w, p.max_partition_bytes)
    if version >= 6:
        w.u8(COMPRESSION_ANY)
    if version >= 12:
        w.bool(False)
    if version >= 13:
        w.bool(p.system)
    if version >= 14:
        w.bool(False)  # no mirror
    # status: Online, leader {spu, hw, leo}, lsr, no followers, size, not deleting, base
    w.u8(PARTITION_ONLINE)
    w.i32(SPU_ID).i64(p.hw).i64(p.hw)
    w.u32(0)
    w.count(0)
    if version >= 5:
        w.i64(p.size)
    w.bool(False)
    if version >= 16:
        w.i64(p.earliest)


def encode_spu(w: Writer, s: SpuObject, version: int) -> None:
    w.string(s.name)
    w.i32(s.id).u8(SPU_CUSTOM)
    # public endpoint: port, one ingress {hostname Some(host), ip None}, plaintext
    w.u16(s.port).count(1).bool(True).string(s.host).bool(False).u8(PLAINTEXT)
    w.u16(s.port).string(s.host).u8(PLAINTEXT)  # private endpoint
    w.bool(False)  # rack
    if version >= 1:
        w.bool(False)  # public_endpoint_local
    w.u8(SPU_ONLINE)


def encode_smartmodule(w: Writer, m: SmartModuleObject, version: int) -> None:
    w.string(m.name)
    # spec (v >= 10): meta None, summary, wasm {format Binary, payload}
    w.bool(False)
    if m.gzipped_wasm is None:
        w.bool(True).u32(m.wasm_length)
        w.u8(0).bytes_(b"")
    else:
        w.bool(False)
        w.u8(0).bytes_(m.gzipped_wasm)
    # status: a unit struct, nothing on the wire


_ENCODERS = {
    TopicObject: encode_topic, PartitionObject: encode_partition, SpuObject: encode_spu,
    SmartModuleObject: encode_smartmodule,
}


def encode_object(w: Writer, obj: MetadataObject, version: int) -> None:
    _ENCODERS[type(obj)](w, obj, version)


def label_of(obj: MetadataObject) -> str:
    return {TopicObject: TOPIC, PartitionObject: PARTITION, SpuObject: SPU,
            SmartModuleObject: SMARTMODULE}[type(obj)]
