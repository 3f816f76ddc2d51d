"""Pydantic models of the two connector config formats (see docs/connector-config.md).

These describe shape and value rules; `runtime.config.validate` runs them against the
positioned YAML and turns their errors into located diagnostics. The connector's own
section (`http:`, `sql:` ...) is checked by the per-type models in `connector_types`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, WithJsonSchema

from runtime.config.fields import (
    ByteSize,
    ConnectorName,
    Duration,
    NonNegative,
    OffsetStart,
    Partition,
    SecretName,
    Str,
    TopicName,
)

API_VERSIONS = ("0.0.0", "0.1.0", "0.2.0")
LEGACY_SMARTMODULE_PARAMS = ("map", "filter", "filter-map", "arraymap", "aggregate")


class Strict(BaseModel):
    """Unknown keys are reported (as warnings, with a suggestion) rather than ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)


class SecsNanos(Strict):
    """A Rust `Duration` as serde writes it: `{secs: 10, nanos: 0}`."""

    secs: NonNegative = 0
    nanos: Annotated[int, Field(ge=0, le=999_999_999)] = 0


class Producer(Strict):
    linger: Duration | None = Field(None, description="wait before sending a batch (100ms)")
    batch_size: ByteSize | None = Field(None, alias="batch-size",
                                        description="max batch size (16 KB)")
    compression: Literal["none", "gzip", "snappy", "lz4", "zstd"] | None = None
    max_request_size: ByteSize | None = Field(None, alias="max-request-size")


class LegacyProducer(Producer):
    compression: Literal["none", "gzip", "snappy", "lz4"] | None = None


class Offset(Strict):
    strategy: Literal["none", "manual", "auto"] | None = Field(
        None, description="required when offset is given")
    start: OffsetStart = Field("end", description="beginning | end | {absolute: N} | ...")
    flush_period: SecsNanos | None = Field(None, alias="flush-period")


class Consumer(Strict):
    partition: Partition = "all"
    max_bytes: ByteSize | None = Field(None, alias="max-bytes")
    id: Str | None = None
    offset: Offset | None = None


class SecretDecl(Strict):
    name: SecretName


class TopicMeta(Strict):
    name: TopicName


class TopicPartition(Strict):
    count: Annotated[int, Field(ge=1)] | None = None
    replication: Annotated[int, Field(ge=1)] | None = None
    max_size: ByteSize | None = Field(None, alias="max-size")


class TopicRetention(Strict):
    time: Duration | None = None
    segment_size: ByteSize | None = Field(None, alias="segment-size")


class TopicCompression(Strict):
    type: Literal["None", "Gzip", "Snappy", "Lz4", "Zstd", "Any"] = "Any"


class TopicConfig(Strict):
    """apiVersion 0.2.0: `meta.topic` as a map (compression names capitalised here)."""

    meta: TopicMeta
    partition: TopicPartition | None = None
    retention: TopicRetention | None = None
    compression: TopicCompression | None = None
    deduplication: dict[str, Any] | None = None


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
    consumer: Consumer | None = None
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
