"""A validated connector, in one shape whichever format the YAML was written in.

Loaders build this from a file (see runtime.config.load); the pipeline, launchers and
supervisor read only this. Secret values are already rendered into `parameters`; keep
them out of logs with `runtime.config.secrets.mask`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

from smartmodules.spec import TransformSpec

Compression = Literal["none", "gzip", "snappy", "lz4", "zstd"]


@dataclass(frozen=True, slots=True)
class ProducerOptions:
    linger_ms: int = 100
    batch_size_bytes: int = 16_384
    compression: Compression = "none"


@dataclass(frozen=True, slots=True)
class ConsumerOptions:
    """Where a sink reads from. `partitions` None means all partitions."""

    partitions: tuple[int, ...] | None = None
    id: str | None = None
    max_bytes: int | None = None
    offset_strategy: Literal["none", "manual", "auto"] | None = None
    # "beginning" | "end" | ("absolute", N) | ("from-beginning", N) | ("from-end", N)
    start: str | tuple[str, int] = "end"
    flush_period_ms: int | None = None


@dataclass(frozen=True, slots=True)
class TopicOptions:
    """From a 0.2.0 `meta.topic` map, used when the pipeline creates the topic."""

    partitions: int = 1
    retention_ms: int | None = None
    segment_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class ConnectorSpec:
    name: str
    type: str  # canonical current-format type: http-source, http-sink, sql-sink, ...
    kind: Literal["source", "sink"]
    topic: str
    parameters: dict[str, Any] = field(default_factory=dict)
    transforms: tuple[TransformSpec, ...] = ()
    producer: ProducerOptions = field(default_factory=ProducerOptions)
    consumer: ConsumerOptions = field(default_factory=ConsumerOptions)
    topic_options: TopicOptions = field(default_factory=TopicOptions)
    partition: int | None = None  # legacy `fluvio-partition`
    log_level: str = "info"  # `rust-log`, else RUST_LOG, else info
    secret_values: tuple[str, ...] = ()  # rendered secret values, for masking only
    format: Literal["legacy", "current"] = "current"
    source_path: str | None = None
    # a record a SmartModule or the sink fails on: log + count + skip, or stop (exit 1)
    on_error: Literal["skip", "stop"] = "skip"

    def __repr__(self) -> str:
        """The usual dataclass repr with every secret value masked, so logging a spec
        (or a traceback showing one) cannot leak a rendered secret."""
        from runtime.config.secrets import mask

        body = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)
                         if f.name != "secret_values")
        shown = f"{type(self).__name__}({body}, secret_values=<{len(self.secret_values)}>)"
        return mask(shown, self.secret_values)
