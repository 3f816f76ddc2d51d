"""The record every layer passes around: what a topic stores and a SmartModule sees.

Records are named tuples rather than dataclasses: a consumer reading a million records a
second builds a million of them, and a tuple is built in C (see `runtime/topics/codec.py`).
Fields, defaults, immutability and keyword construction are those of the frozen dataclass
they replace; use `record.replace(value=...)` where one would use `dataclasses.replace`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from itertools import repeat
from typing import NamedTuple

Headers = tuple[tuple[str, bytes], ...]


class Record(NamedTuple):
    """One stored record. `offset` is dense per partition, starting at 0."""

    offset: int
    timestamp: int  # milliseconds since the epoch
    key: bytes | None
    value: bytes
    headers: Headers = ()
    partition: int = 0

    def replace(self, **changes) -> Record:
        """A copy with some fields changed (the dataclasses.replace of a named tuple)."""
        return self._replace(**changes)


class ProduceRecord(NamedTuple):
    """A record on its way in: the store assigns offset (and timestamp when None)."""

    value: bytes
    key: bytes | None = None
    timestamp: int | None = None
    headers: Headers = ()

    def replace(self, **changes) -> ProduceRecord:
        return self._replace(**changes)


_new_produce_record = partial(tuple.__new__, ProduceRecord)


def produce_records(
    values: Iterable[bytes], keys: Iterable[bytes | None] | None = None
) -> list[ProduceRecord]:
    """Many ProduceRecords at once, built in C: a producer of 1,000-record batches spends
    more time constructing records one by one than the store spends writing them."""
    values = values if isinstance(values, list) else list(values)
    n = len(values)
    key_list = repeat(None, n) if keys is None else keys
    return list(map(_new_produce_record,
                    zip(values, key_list, repeat(None, n), repeat((), n), strict=True)))
