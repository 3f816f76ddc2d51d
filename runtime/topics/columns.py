"""A batch of records as parallel columns, and the conversions to and from Records.

A source hands its records to a SmartModule chain, and gets them back, as columns: the
chain's codec packs a column with one C call, where it would otherwise take every Record
apart and build a new one per output record. Conversions run without a Python loop per
record: Record is a named tuple, so `zip(*records)` transposes a batch in C and
`tuple.__new__` builds one from a row in C as well (`Record._make` would add a Python
call per record).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise, repeat

from runtime.topics.record import Headers, ProduceRecord, Record

_tuple_new = tuple.__new__


@dataclass(frozen=True, slots=True)
class RecordColumns:
    """`values[i]`, `offsets[i]`, ... are record i. `offsets` is a range when they are
    dense (the common case, which the codec encodes without reading them); `keys` and
    `headers` are None when no record has one."""

    values: Sequence[bytes]
    offsets: Sequence[int]
    timestamps: Sequence[int]
    keys: Sequence[bytes | None] | None = None
    headers: Sequence[Headers] | None = None
    partition: int = 0

    def __post_init__(self) -> None:
        n = len(self.values)
        lengths = [len(self.offsets), len(self.timestamps)]
        lengths += [len(c) for c in (self.keys, self.headers) if c is not None]
        if any(length != n for length in lengths):
            raise ValueError(f"columns of different lengths: {n} values, but {lengths}")

    def __len__(self) -> int:
        return len(self.values)

    @classmethod
    def from_records(cls, records: Sequence[Record]) -> RecordColumns:
        """The columns of Records of one partition (that of the first record)."""
        n = len(records)
        if not n:
            return cls((), range(0), ())
        offsets, timestamps, keys, values, headers, partitions = zip(*records, strict=True)
        partition = partitions[0]
        if partitions.count(partition) != n:
            raise ValueError("records of more than one partition in one batch")
        return cls(values, offsets, timestamps,
                   None if keys.count(None) == n else keys,
                   None if headers.count(()) == n else headers, partition)

    @classmethod
    def from_produce_records(cls, records: Sequence[ProduceRecord], first_offset: int,
                             now_ms: int) -> RecordColumns:
        """Records on their way in, numbered from `first_offset`; a missing timestamp is
        `now_ms`."""
        n = len(records)
        if not n:
            return cls((), range(first_offset, first_offset), ())
        values, keys, stamps, headers = zip(*records, strict=True)
        if stamps.count(None) == n:
            stamps = (now_ms,) * n
        elif None in stamps:
            stamps = tuple(now_ms if t is None else t for t in stamps)
        return cls(values, range(first_offset, first_offset + n), stamps,
                   None if keys.count(None) == n else keys,
                   None if headers.count(()) == n else headers)

    @classmethod
    def concat(cls, parts: Sequence[RecordColumns]) -> RecordColumns:
        """One batch of several of one partition, in order."""
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return cls((), range(0), ())

        def joined(column: str) -> list:
            return list(chain.from_iterable(getattr(p, column) for p in parts))

        def optional(column: str, fill: object) -> list | None:
            """None when no part has the column, else `fill` where a part lacks it."""
            if all(getattr(p, column) is None for p in parts):
                return None
            return list(chain.from_iterable(_filled(getattr(p, column), fill, len(p))
                                            for p in parts))

        ranges = [p.offsets for p in parts]
        offsets: Sequence[int]
        if all(isinstance(r, range) and r.step == 1 for r in ranges) and all(
                a.stop == b.start for a, b in pairwise(ranges)):
            offsets = range(ranges[0].start, ranges[-1].stop)
        else:
            offsets = joined("offsets")
        return cls(joined("values"), offsets, joined("timestamps"), optional("keys", None),
                   optional("headers", ()), parts[0].partition)

    def records(self) -> list[Record]:
        n = len(self.values)
        rows = zip(self.offsets, self.timestamps, _filled(self.keys, None, n), self.values,
                   _filled(self.headers, (), n), repeat(self.partition, n), strict=True)
        return list(map(_tuple_new, repeat(Record, n), rows))

    def produce_records(self) -> list[ProduceRecord]:
        """The records to append to a topic (the topic assigns the offsets)."""
        n = len(self.values)
        rows = zip(self.values, _filled(self.keys, None, n), self.timestamps,
                   _filled(self.headers, (), n), strict=True)
        return list(map(_tuple_new, repeat(ProduceRecord, n), rows))


@dataclass(frozen=True, slots=True)
class ProduceColumns(Sequence):
    """Records on their way into a topic, as columns: what a decoded Fluvio record batch
    is. The store packs them without building a ProduceRecord per record; indexing one
    builds it (for the rare paths that look at records one by one). `keys` None: no
    record has a key; `timestamps` None: the store stamps them all."""

    values: Sequence[bytes]
    keys: Sequence[bytes | None] | None = None
    timestamps: Sequence[int | None] | None = None

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ProduceColumns(self.values[index],
                                  None if self.keys is None else self.keys[index],
                                  None if self.timestamps is None else self.timestamps[index])
        return ProduceRecord(self.values[index],
                             None if self.keys is None else self.keys[index],
                             None if self.timestamps is None else self.timestamps[index])

    def columns(self) -> tuple[Sequence[bytes], Sequence[bytes | None],
                               Sequence[int | None], Sequence[Headers]]:
        """(values, keys, timestamps, headers), each as long as the batch."""
        n = len(self.values)
        return (self.values, (None,) * n if self.keys is None else self.keys,
                (None,) * n if self.timestamps is None else self.timestamps, ((),) * n)

    @classmethod
    def concat(cls, parts: Sequence[ProduceColumns]) -> ProduceColumns:
        if len(parts) == 1:
            return parts[0]

        def joined(column: str) -> list | None:
            if all(getattr(p, column) is None for p in parts):
                return None
            return list(chain.from_iterable(
                getattr(p, column) or (None,) * len(p) for p in parts))

        return cls(list(chain.from_iterable(p.values for p in parts)), joined("keys"),
                   joined("timestamps"))


def before(batch: Sequence[Record] | RecordColumns, stop: int) -> Sequence[Record] | RecordColumns:
    """The records of a batch with an offset below `stop` (a bounded read's cut)."""
    if not len(batch) or next_offset(batch) <= stop:
        return batch
    if isinstance(batch, RecordColumns):
        n = sum(1 for o in batch.offsets if o < stop)
        return RecordColumns(
            batch.values[:n], batch.offsets[:n], batch.timestamps[:n],
            None if batch.keys is None else batch.keys[:n],
            None if batch.headers is None else batch.headers[:n], batch.partition)
    return [r for r in batch if r.offset < stop]


def _filled(column: Sequence | None, fill: object, n: int) -> Iterable:
    """An optional column, or `fill` n times where a batch has none."""
    return repeat(fill, n) if column is None else column


def next_offset(batch: Sequence[Record] | RecordColumns) -> int:
    """The offset after a non-empty batch, of Records or columns."""
    if isinstance(batch, RecordColumns):
        return batch.offsets[-1] + 1
    return batch[-1].offset + 1
