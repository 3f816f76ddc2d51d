"""Pydantic models of the two connector config formats (see docs/connector-config.md).

These describe shape and value rules; `runtime.config.validate` runs them against the
positioned YAML and turns their errors into located diagnostics. The connector's own
section (`http:`, `sql:` ...) is checked by the per-type models in `connector_types`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from runtime.config.fields import (
    U32_MAX,
    U64_MAX,
    ByteSize,
    ConnectorName,
    Duration,
    LegacyPartition,
    NonNegative,
    OffsetStart,
    Partition,
    SecretName,
    Str,
    TopicName,
)

U32 = Annotated[int, Field(ge=0, le=U32_MAX)]
API_VERSIONS = ("0.0.0", "0.1.0", "0.2.0")
LEGACY_SMARTMODULE_PARAMS = ("map", "filter", "filter-map", "arraymap", "aggregate")


class Strict(BaseModel):
    """Unknown keys are reported (as warnings, with a suggestion) rather than ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)


class SecsNanos(Strict):
    """A Rust `Duration` as serde reads it: `{secs: 10, nanos: 0}`, both required (serde
    refuses `{secs: 10}`); nanos beyond a second carry into secs, as serde allows."""

    secs: Annotated[int, Field(ge=0, le=U64_MAX)]
    nanos: Annotated[int, Field(ge=0, le=U32_MAX)]

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: Any) -> Any:
        """serde's Duration refuses a field it does not know (it is not ignored)."""
        if isinstance(data, dict):
            for key in data:
                if key not in ("secs", "nanos"):
                    raise PydanticCustomError(
                        "invalid-value", "unknown field `{k}`, expected `secs` or `nanos`",
                        {"k": str(key)})
        return data

    @model_validator(mode="after")
    def _no_overflow(self) -> SecsNanos:
        if self.secs + self.nanos // 1_000_000_000 > U64_MAX:
            raise PydanticCustomError("invalid-value", "overflow deserializing Duration")
        return self


class Producer(Strict):
    """Fluvio's ProducerParameters (`batch_size` is serde's alias of `batch-size`)."""

    linger: Duration | None = Field(None, description="wait before sending a batch (100ms)")
    batch_size: ByteSize | None = Field(
        None, alias="batch-size", validation_alias=AliasChoices("batch-size", "batch_size"),
        description="max batch size (16 KB)")
    compression: Literal["none", "gzip", "snappy", "lz4", "zstd"] | None = None


class LegacyProducer(Strict):
    """The legacy format's producer: `batch-size` was a string parsed as a byte size."""

    linger: Duration | None = Field(None, description="wait before sending a batch (100ms)")
    batch_size: ByteSize | None = Field(None, alias="batch-size",
                                        description="max batch size (16 KB)")
    compression: Literal["none", "gzip", "snappy", "lz4"] | None = None


class Offset(Strict):
    strategy: Literal["none", "manual", "auto"] | None = Field(
        None, description="required when offset is given")
    start: OffsetStart | None = Field(None, description="beginning | end (default) | "
                                      "{absolute: N} | {from-beginning: N} | {from-end: N}")
    flush_period: SecsNanos | None = Field(None, alias="flush-period")


class Consumer(Strict):
    """Fluvio's ConsumerParameters (`max_bytes` is serde's alias of `max-bytes`)."""

    partition: Partition = "all"
    max_bytes: ByteSize | None = Field(
        None, alias="max-bytes", validation_alias=AliasChoices("max-bytes", "max_bytes"))
    id: Str | None = None
    offset: Offset | None = None


class LegacyConsumer(Strict):
    """The legacy format's consumer: only a partition number."""

    partition: LegacyPartition | None = None


class SecretDecl(Strict):
    name: SecretName


class TopicMeta(Strict):
    name: TopicName


class PartitionMap(Strict):
    id: U32
    replicas: list[Annotated[int, Field(ge=-2**31, le=2**31 - 1)]]
    mirror: dict[str, Any] | None = None


class TopicPartition(Strict):
    count: Annotated[int, Field(ge=1, le=U32_MAX)] | None = None
    replication: Annotated[int, Field(ge=1, le=U32_MAX)] | None = None
    ignore_rack_assignment: bool | None = Field(None, alias="ignore-rack-assignment")
    max_size: ByteSize | None = Field(None, alias="max-size")
    maps: list[PartitionMap] | None = Field(None, description="replica assignment per "
                                            "partition: [{id, replicas: [SPU ids]}]")


class TopicRetention(Strict):
    time: Duration | None = None
    segment_size: ByteSize | None = Field(None, alias="segment-size")


class TopicCompression(Strict):
    """Fluvio's CompressionAlgorithm as serde reads it: the capitalised names only."""

    type: Literal["None", "Gzip", "Snappy", "Lz4", "Zstd", "Any"] = "Any"


class DedupBounds(Strict):
    count: Annotated[int, Field(ge=1, le=U64_MAX)] = Field(description="required, not 0")
    age: Duration | None = None


class DedupTransform(Strict):
    uses: Str
    with_: dict[str, Str] | None = Field(None, alias="with")


class DedupFilter(Strict):
    transform: DedupTransform


class Deduplication(Strict):
    bounds: DedupBounds
    filter: DedupFilter


class TopicConfig(Strict):
    """apiVersion 0.2.0: `meta.topic` as a map (compression names capitalised here)."""

    version: Str | None = Field(None, description="the topic config's version (0.1.0)")
    meta: TopicMeta
    partition: TopicPartition | None = None
    retention: TopicRetention | None = None
    compression: TopicCompression | None = None
    deduplication: Deduplication | None = None


TopicField = Annotated[Any, WithJsonSchema({"anyOf": [
    {"type": "string", "pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", "maxLength": 63},
    {"type": "object", "description": "apiVersion 0.2.0: topic map (meta, partition, "
     "retention, compression, deduplication)"}]})]


class Meta(Strict):
    version: Str = Field(description="connector version, e.g. 0.5.0")
    name: ConnectorName
    type: Str = Field(description="http-source, http-sink, sql-sink, mqtt-source, "
                      "generator-source, ...")
    topic: TopicField
    secrets: list[SecretDecl] | None = None
    producer: Producer | None = None
    consumer: Consumer | None = None
    create_topic: bool | None = Field(None, alias="create-topic", validation_alias=AliasChoices(
                                          "create-topic", "create_topic"),
                                      description="accepted and ignored")
    on_error: Literal["skip", "stop"] | None = Field(
        None, alias="on-error",
        description="a record a SmartModule or the sink fails on: skip it (default) or stop")


class Lookback(Strict):
    last: NonNegative | None = None
    age: Duration | None = None


WithValue = Annotated[Any, WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "array"},
                                                     {"type": "object"}]})]


class Transform(Strict):
    uses: Str = Field(description="group/name@version, a local SmartModule name, or a .wasm")
    with_: dict[str, WithValue] | None = Field(None, alias="with")
    lookback: Lookback | None = None


class CurrentConfig(BaseModel):
    """apiVersion format: meta + one connector section (extra key) + transforms."""

    model_config = ConfigDict(extra="allow")

    api_version: Literal["0.0.0", "0.1.0", "0.2.0"] | None = Field(None, alias="apiVersion")
    meta: Meta
    transforms: list[Transform] | None = None


class LegacyConfig(Strict):
    """`version: 0.3.0` format of the Smart Connectors page."""

    version: Str
    name: ConnectorName
    type: Str
    topic: TopicName
    direction: Literal["source", "sink"] | None = None
    parameters: dict[str, Any] | None = None
    secrets: dict[str, Str] | None = None
    producer: LegacyProducer | None = None
    consumer: LegacyConsumer | None = None
    transforms: list[Transform] | None = None
    create_topic: bool | None = Field(None, alias="create-topic", validation_alias=AliasChoices(
                                          "create-topic", "create_topic"),
                                      description="accepted and ignored")


class LegacyCommon(Strict):
    """Parameters every legacy connector takes besides its own."""

    map: Str | None = None
    filter: Str | None = None
    filter_map: Str | None = Field(None, alias="filter-map")
    arraymap: Str | None = None
    aggregate: Str | None = None
    aggregate_initial_value: Str | None = Field(None, alias="aggregate-initial-value")
    fluvio_partition: NonNegative | None = Field(None, alias="fluvio-partition")
    rust_log: Str | None = Field(None, alias="rust-log")
    on_error: Literal["skip", "stop"] | None = Field(
        None, alias="on-error",
        description="a record a SmartModule or the sink fails on: skip it (default) or stop")


LEGACY_COMMON_KEYS = tuple(f.alias or n for n, f in LegacyCommon.model_fields.items())
