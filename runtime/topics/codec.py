"""Packing a batch of records into one row, and back.

The embedded store keeps each appended batch as one SQLite row: the values concatenated
in one blob with their lengths beside them, keys the same way (absent when the batch has
none), timestamps as one integer when the whole batch shares it, headers only when some
record has any. Writing 1,000 records is then one INSERT, and reading them back is a few
C-level slices, which is what lets a Python consumer read millions of records a second.
Lengths and timestamps are little-endian whatever the machine, so a data directory can be
mounted into a container of another architecture.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from runtime.errors import WeirError
from runtime.topics.columns import ProduceColumns, RecordColumns
from runtime.topics.record import Headers, ProduceRecord, Record

_BIG_ENDIAN = sys.byteorder == "big"


def _pack(kind: str, values) -> bytes:
    arr = array(kind, values)
    if _BIG_ENDIAN:
        arr.byteswap()
    return arr.tobytes()


def _unpack(kind: str, blob: bytes) -> array:
    arr = array(kind)
    arr.frombytes(blob)
    if _BIG_ENDIAN:
        arr.byteswap()
    return arr


@dataclass(frozen=True, slots=True)
class PackedBatch:
    """One batch as stored: everything the `batches` table row holds but the offsets."""

    count: int
    first_ts: int
    max_ts: int
    timestamps: bytes | None  # None: every record has first_ts
    value_lens: bytes
    values: bytes
    key_lens: bytes | None  # None: no record has a key
    keys: bytes | None
    headers: bytes | None  # None: no record has headers

    @property
    def size(self) -> int:
        """Bytes the batch accounts for in a partition's size (retention by size)."""
        return (
            len(self.values)
            + len(self.keys or b"")
            + len(self.headers or b"")
            + len(self.value_lens)
            + len(self.key_lens or b"")
            + len(self.timestamps or b"")
        )


def pack(records: Sequence[ProduceRecord], now_ms: int) -> PackedBatch:
    """Pack records (in order) into one batch; records without a timestamp get `now_ms`."""
    count = len(records)
    try:
        if isinstance(records, ProduceColumns):  # no ProduceRecord to take apart
            values, keys, stamps, headers = records.columns()
        else:
            values, keys, stamps, headers = zip(*records, strict=True)
    except (TypeError, ValueError) as exc:
        raise WeirError(
            "a batch must hold ProduceRecord(value, key, timestamp, headers) items"
        ) from exc
    try:
        value_blob = b"".join(values)
        value_lens = _pack("i", map(len, values))
    except TypeError as exc:
        raise WeirError(f"record values must be bytes: {exc}") from exc

    stamp_set = set(stamps)
    if stamp_set == {None}:
        first_ts = max_ts = now_ms
        ts_blob = None
    else:
        if None in stamp_set:
            stamps = tuple(now_ms if t is None else t for t in stamps)
            stamp_set = set(stamps)
        if not all(type(t) is int and 0 <= t < 1 << 63 for t in stamp_set):
            bad = next(t for t in stamp_set if type(t) is not int or not 0 <= t < 1 << 63)
            raise WeirError(f"record timestamps must be integers >= 0 (ms), not {bad!r}")
        try:
            first_ts, max_ts = stamps[0], max(stamp_set)
            ts_blob = None if len(stamp_set) == 1 else _pack("q", stamps)
        except OverflowError as exc:
            raise WeirError(f"record timestamps must fit in 64 bits: {exc}") from exc

    if keys.count(None) == count:
        key_lens = key_blob = None
    else:
        try:
            key_blob = b"".join(k for k in keys if k is not None)
            key_lens = _pack("i", (-1 if k is None else len(k) for k in keys))
        except TypeError as exc:
            raise WeirError(f"record keys must be bytes or None: {exc}") from exc

    header_blob = _pack_headers(headers) if any(headers) else None
    return PackedBatch(
        count=count,
        first_ts=first_ts,
        max_ts=max_ts,
        timestamps=ts_blob,
        value_lens=value_lens,
        values=value_blob,
        key_lens=key_lens,
        keys=key_blob,
        headers=header_blob,
    )


def unpack(
    base_offset: int,
    partition: int,
    row: tuple,
    start: int = 0,
    stop: int | None = None,
) -> list[Record]:
    """Records `start`..`stop` (indexes within the batch) of a stored batch row.

    `row` is (count, first_ts, timestamps, value_lens, values, key_lens, keys, headers).
    """
    return unpack_columns(base_offset, partition, row, start, stop).records()


def unpack_columns(
    base_offset: int,
    partition: int,
    row: tuple,
    start: int = 0,
    stop: int | None = None,
) -> RecordColumns:
    """`unpack` as columns, without building a Record per record."""
    count, first_ts, ts_blob, vlen_blob, values, klen_blob, keys, hdr_blob = row
    stop = count if stop is None else min(stop, count)
    first = base_offset + start
    if start >= stop:
        return RecordColumns((), range(first, first), (), partition=partition)
    n = stop - start
    starts = list(accumulate(_unpack("i", vlen_blob), initial=0))
    slices = map(slice, starts[start:stop], starts[start + 1 : stop + 1])
    vals = list(map(values.__getitem__, slices))
    if ts_blob is None:
        stamps: Sequence[int] = (first_ts,) * n
    else:
        stamps = _unpack("q", ts_blob)[start:stop]
    key_list = None if klen_blob is None else _unpack_keys(klen_blob, keys or b"")[start:stop]
    hdrs = None if hdr_blob is None else _unpack_headers(hdr_blob, count)[start:stop]
    return RecordColumns(vals, range(first, first + n), stamps, key_list, hdrs, partition)


def _unpack_keys(klen_blob: bytes, blob: bytes) -> list[bytes | None]:
    lens = _unpack("i", klen_blob)
    starts = list(accumulate((max(n, 0) for n in lens), initial=0))
    keys: list[bytes | None] = list(map(blob.__getitem__, map(slice, starts, starts[1:])))
    if min(lens, default=0) < 0:
        keys = [None if n < 0 else k for n, k in zip(lens, keys, strict=True)]
    return keys


_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")


def _pack_headers(all_headers: Sequence[Headers]) -> bytes:
    out = bytearray()
    for headers in all_headers:
        out += _U16.pack(len(headers))
        for name, value in headers:
            try:
                raw_name = name.encode()
                out += _U16.pack(len(raw_name)) + raw_name + _U32.pack(len(value)) + value
            except (AttributeError, TypeError, struct.error) as exc:
                raise WeirError(
                    f"record headers must be (str name, bytes value) pairs, got {name!r}"
                ) from exc
    return bytes(out)


def _unpack_headers(blob: bytes, count: int) -> list[Headers]:
    out: list[Headers] = []
    pos = 0
    for _ in range(count):
        (n,) = _U16.unpack_from(blob, pos)
        pos += 2
        items = []
        for _ in range(n):
            (name_len,) = _U16.unpack_from(blob, pos)
            pos += 2
            name = blob[pos : pos + name_len].decode()
            pos += name_len
            (value_len,) = _U32.unpack_from(blob, pos)
            pos += 4
            items.append((name, blob[pos : pos + value_len]))
            pos += value_len
        out.append(tuple(items))
    return out
