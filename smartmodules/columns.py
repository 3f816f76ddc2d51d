"""Records to columns and back, without a Python loop per record.

Record is a named tuple, so `zip(*records)` transposes a batch in C and `tuple.__new__`
builds one from a row in C as well (`Record._make` would add a Python call per record).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

from runtime.topics.record import Record

_tuple_new = tuple.__new__


def columns(records: Sequence[Record]) -> tuple[tuple, tuple, tuple, tuple, tuple, tuple]:
    """(offsets, timestamps, keys, values, headers, partitions) of a non-empty batch."""
    return tuple(zip(*records, strict=True))  # type: ignore[return-value]


def records_from_columns(offsets: Sequence[int], timestamps: Sequence[int], keys: Sequence,
                         values: Sequence[bytes], partition: int = 0) -> list[Record]:
    """Records with empty headers, equal to `Record(o, t, k, v, (), partition)` each."""
    n = len(values)
    rows = zip(offsets, timestamps, keys, values, repeat((), n), repeat(partition, n),
               strict=True)
    return list(map(_tuple_new, repeat(Record, n), rows))
