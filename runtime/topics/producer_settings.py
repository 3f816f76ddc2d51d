"""How a producer hands records to a topic, as `fluvio produce` takes them: linger,
batch size, compression and delivery semantic.

The Fluvio backend passes them to the official client's producer. The embedded store
batches by them too, but keeps values uncompressed (every consumer reads them as
produced; compression would only cost CPU on a local disk), and its at-most-once skips
the fsync per batch (WEIR_STORE_SYNC=normal): a power cut may lose the last batches, a
crash of weir loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Compression = Literal["none", "gzip", "snappy", "lz4", "zstd"]
DeliverySemantic = Literal["at-least-once", "at-most-once"]
COMPRESSIONS: tuple[Compression, ...] = ("none", "gzip", "snappy", "lz4", "zstd")
DELIVERY_SEMANTICS: tuple[DeliverySemantic, ...] = ("at-least-once", "at-most-once")


@dataclass(frozen=True, slots=True)
class ProducerSettings:
    linger_ms: int | None = None  # wait this long for more records before sending
    batch_size_bytes: int | None = None  # send once a batch holds this much
    compression: Compression = "none"
    delivery_semantic: DeliverySemantic = "at-least-once"

    @property
    def is_default(self) -> bool:
        return self == ProducerSettings()
