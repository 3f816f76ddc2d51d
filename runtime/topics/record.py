"""The record every layer passes around: what a topic stores and a SmartModule sees."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Record:
    """One stored record. `offset` is dense per partition, starting at 0."""

    offset: int
    timestamp: int  # milliseconds since the epoch
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()
    partition: int = 0


@dataclass(frozen=True, slots=True)
class ProduceRecord:
    """A record on its way in: the store assigns offset (and timestamp when None)."""

    value: bytes
    key: bytes | None = None
    timestamp: int | None = None
    headers: tuple[tuple[str, bytes], ...] = field(default=())
