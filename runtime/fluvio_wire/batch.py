"""Fluvio record batches (`crates/fluvio-protocol/src/record/{batch,data}.rs`): a RecordSet
is an i32 byte length followed by batches; a batch is a 57-byte header (base offset,
length, CRC-32C over attributes..end, timestamps, producer fields) and its records, the
records compressed as one blob when the attributes say so.

Records are Kafka-like, with Fluvio's two differences: the key is an Option (a presence
byte before its varint length) and headers are only a count, always 0 here.
"""

from __future__ import annotations

import atexit
import struct
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import cramjam
from crc32c import crc32c

from runtime.fluvio_wire.codec import DecodeError, Reader, encode_varint
from runtime.topics.columns import ProduceColumns, RecordColumns
from runtime.topics.limits import MAX_RECORD_BYTES
from runtime.topics.record import ProduceRecord, Record

NO_COMPRESSION, GZIP, SNAPPY, LZ4, ZSTD = 0, 1, 2, 3, 4
COMPRESSION_NAMES = {NO_COMPRESSION: "none", GZIP: "gzip", SNAPPY: "snappy", LZ4: "lz4",
                     ZSTD: "zstd"}
_COMPRESSION_MASK = 0x07
_SCHEMA_ID = 0x10
# Decompressed records of one batch may take at most this much memory.
MAX_BATCH_BYTES = 128 * 1024 * 1024

# base_offset i64, batch_len i32, partition_leader_epoch i32, magic i8, crc u32
_PREFIX = struct.Struct(">qiibI")
# attributes i16, last_offset_delta i32, first_ts i64, max_ts i64, producer_id i64,
# producer_epoch i16, first_sequence i32
_HEADER = struct.Struct(">hiqqqhi")
_PREFIX_AFTER_LEN = 4 + 1 + 4  # epoch, magic, crc: counted in batch_len
HEADER_BYTES = _PREFIX.size + _HEADER.size  # 57


class CompressionError(DecodeError):
    """A compressed batch that cannot be decompressed (Fluvio's CompressionError)."""


@dataclass(frozen=True, slots=True)
class Batch:
    """One decoded batch: its records as the producer sent them (as columns when the
    codec read them)."""

    base_offset: int
    first_timestamp: int
    compression: int
    records: Sequence[ProduceRecord]


def _decompress(kind: int, blob: bytes) -> bytes:
    if kind == GZIP:
        d = zlib.decompressobj(31)
        try:
            out = d.decompress(blob, MAX_BATCH_BYTES)
        except zlib.error as exc:
            raise CompressionError(f"gzip: {exc}") from None
        if d.unconsumed_tail:
            raise CompressionError(f"a batch decompresses to more than {MAX_BATCH_BYTES:,} "
                                   "bytes")
        return out
    module = {SNAPPY: cramjam.snappy, LZ4: cramjam.lz4, ZSTD: cramjam.zstd}.get(kind)
    if module is None:
        raise CompressionError(f"unknown compression {kind} in a batch's attributes")
    # Decompress into a bounded buffer, growing it: a small bomb never allocates much.
    size = min(MAX_BATCH_BYTES, max(64 * 1024, len(blob) * 8))
    while True:
        out = bytearray(size)
        try:
            n = module.decompress_into(blob, out)
            return bytes(memoryview(out)[:n])
        except cramjam.DecompressionError as exc:
            if "whole buffer" in str(exc) and size < MAX_BATCH_BYTES:
                size = min(MAX_BATCH_BYTES, size * 4)
                continue
            if "whole buffer" in str(exc):
                raise CompressionError(f"a batch decompresses to more than "
                                       f"{MAX_BATCH_BYTES:,} bytes") from None
            raise CompressionError(f"{COMPRESSION_NAMES[kind]}: {exc}") from None


def compress(kind: int, data: bytes) -> bytes:
    if kind == NO_COMPRESSION:
        return data
    if kind == GZIP:
        return bytes(cramjam.gzip.compress(data))
    module = {SNAPPY: cramjam.snappy, LZ4: cramjam.lz4, ZSTD: cramjam.zstd}[kind]
    return bytes(module.compress(data))


def _varint_at(data: bytes, pos: int) -> tuple[int, int]:
    """A zig-zag varint at `pos` (IndexError past the data's end): (value, next pos)."""
    b = data[pos + 1]
    if b < 0x80:  # two bytes: lengths up to 8191, timestamp deltas up to 8 s
        raw = (data[pos] & 0x7F) | (b << 7)
        return (raw >> 1) ^ -(raw & 1), pos + 2
    raw = shift = 0
    for _ in range(10):
        b = data[pos]
        pos += 1
        raw |= (b & 0x7F) << shift
        if b < 0x80:
            return (raw >> 1) ^ -(raw & 1), pos
        shift += 7
    raise DecodeError(f"a varint is longer than 10 bytes (byte {pos})")


def _records(r: Reader, first_ts: int) -> list[ProduceRecord]:
    """The records of one batch. Written for speed (this runs for every produced record):
    fields are read from the bytes directly, one-byte varints inline; any read past the
    record's own length is caught by the check at its end."""
    count = r.count("batch")
    data = r.data if isinstance(r.data, bytes) else bytes(r.data)
    pos, end = r.pos, r.end
    out: list[ProduceRecord] = []
    append = out.append
    stamp = first_ts >= 0
    try:
        for _ in range(count):
            b = data[pos]
            if b < 0x80:
                length, pos = (b >> 1) ^ -(b & 1), pos + 1
            else:
                length, pos = _varint_at(data, pos)
            record_end = pos + length
            if length < 0 or record_end > end:
                raise DecodeError(f"a record of {length} bytes runs past its batch "
                                  f"(byte {pos})")
            pos += 1  # attributes
            b = data[pos]
            if b < 0x80:
                ts_delta, pos = (b >> 1) ^ -(b & 1), pos + 1
            else:
                ts_delta, pos = _varint_at(data, pos)
            b = data[pos]  # offset delta: offsets are the store's, dense
            pos = pos + 1 if b < 0x80 else _varint_at(data, pos)[1]
            flag = data[pos]
            pos += 1
            key = None
            if flag == 1:
                b = data[pos]
                if b < 0x80:
                    n, pos = (b >> 1) ^ -(b & 1), pos + 1
                else:
                    n, pos = _varint_at(data, pos)
                if n < 0 or n > MAX_RECORD_BYTES:
                    raise DecodeError(f"a key of {n:,} bytes (at most {MAX_RECORD_BYTES:,})")
                key = data[pos:pos + n]
                pos += n
            elif flag != 0:
                raise DecodeError(f"a key's presence byte is {flag}, not 0 or 1 (byte {pos - 1})")
            b = data[pos]
            if b < 0x80:
                n, pos = (b >> 1) ^ -(b & 1), pos + 1
            else:
                n, pos = _varint_at(data, pos)
            if n < 0 or n > MAX_RECORD_BYTES:
                raise DecodeError(f"a value of {n:,} bytes (at most {MAX_RECORD_BYTES:,})")
            value = data[pos:pos + n]
            pos += n
            if data[pos] & 1:  # a header count's zig-zag sign bit: negative
                raise DecodeError(f"a record has a negative header count (byte {pos})")
            pos += 1  # header count; Fluvio records carry no header keys or values
            if pos > record_end:
                raise DecodeError(f"a record is longer than its length {length} says")
            pos = record_end
            ts = first_ts + ts_delta if stamp else None
            if ts is not None and not 0 <= ts < 1 << 63:
                ts = None
            append(ProduceRecord(value, key, ts))
    except IndexError:
        raise DecodeError(f"a record runs past the end of its batch (byte {pos})") from None
    r.pos = pos
    return out


# A batch's records (`u32 count` + records) are exactly a SmartModule `Vec<Record>`: the
# wasm codec SmartModule chains use (smartmodules/codec.py) reads and writes them as whole
# columns, with no Python code per record. One codec per thread (it is not thread-safe),
# dropped at exit before the interpreter tears wasmtime down.
_codecs: dict[int, object] = {}
_MIN_RECORD_BYTES = 7  # length, attributes, two deltas, key flag, value length, headers


def _codec():
    codec = _codecs.get(threading.get_ident())
    if codec is None:
        from smartmodules.codec import Codec

        codec = _codecs[threading.get_ident()] = Codec()
    return codec


atexit.register(_codecs.clear)


def _records_fast(blob: bytes, first_ts: int) -> ProduceColumns | None:
    """The records of a well-formed batch, decoded by the codec as columns; None for
    anything it does not take as it is, which the Python decoder then reads (or locates
    the fault in)."""
    from smartmodules.errors import DecodeError as ListError

    n = int.from_bytes(blob[:4], "big") if len(blob) >= 4 else 0
    if not n or n * _MIN_RECORD_BYTES > len(blob) - 4:
        return None
    codec = _codec()
    try:
        if codec.list_end(blob) != len(blob):
            return None
        cols = codec.decode(blob, 0, max(first_ts, 0))
    except (ListError, TypeError, ValueError):
        return None
    keys = cols.keys
    if max(map(len, cols.values)) > MAX_RECORD_BYTES or (
            keys is not None and max(map(len, filter(None, keys)), default=0)
            > MAX_RECORD_BYTES):
        return None
    stamps = cols.timestamps
    if first_ts >= 0 and min(stamps) < 0:
        return None
    return ProduceColumns(cols.values, keys, stamps if first_ts >= 0 else None)


def decode_record_set(r: Reader) -> list[Batch]:
    """A RecordSet (i32 length + batches) into batches of ProduceRecords."""
    total = r.i32()
    if total < 0 or total > r.remaining:
        raise DecodeError(f"a record set of {total} bytes runs past the request "
                          f"({r.remaining} left, byte {r.pos})")
    end = r.pos + total
    batches: list[Batch] = []
    while r.pos < end:
        if end - r.pos < HEADER_BYTES:
            raise DecodeError(f"a batch header needs {HEADER_BYTES} bytes, "
                              f"{end - r.pos} left (byte {r.pos})")
        base, batch_len, _epoch, magic, _crc = _PREFIX.unpack_from(r.data, r.pos)
        batch_end = r.pos + 12 + batch_len
        if batch_len < HEADER_BYTES - 12 or batch_end > end:
            raise DecodeError(f"a batch of {batch_len} bytes does not fit its record set "
                              f"(byte {r.pos})")
        if magic != 2:
            raise DecodeError(f"batch magic {magic} is not 2 (byte {r.pos + 16})")
        attrs, _last, first_ts, _max_ts, _pid, _pep, _seq = _HEADER.unpack_from(
            r.data, r.pos + _PREFIX.size)
        r.pos += HEADER_BYTES
        if attrs & _SCHEMA_ID:
            r.u32()
        kind = attrs & _COMPRESSION_MASK
        if kind == NO_COMPRESSION:
            blob = bytes(r.data[r.pos:batch_end])
        else:
            blob = _decompress(kind, r.take(batch_end - r.pos))
        records = _records_fast(blob, first_ts)
        if records is None:
            sub = Reader(blob)
            records = _records(sub, first_ts)
            if sub.remaining:
                raise DecodeError(f"{sub.remaining} stray bytes after a batch's records")
        r.pos = batch_end
        batches.append(Batch(base, first_ts, kind, records))
    return batches


# Zig-zag varints of 0..8191 (one or two bytes): most deltas and lengths, precomputed.
_SMALL_VARINTS = [encode_varint(i) for i in range(8192)]


def _varint(n: int) -> bytes:
    return _SMALL_VARINTS[n] if 0 <= n < 8192 else encode_varint(n)


def _encode_records(records: Sequence[Record], first_ts: int, base_offset: int) -> bytes:
    parts = [struct.pack(">I", len(records))]
    add = parts.append
    for rec in records:
        key = rec.key
        value = rec.value
        head = b"\x00" + _varint(rec.timestamp - first_ts) + _varint(rec.offset - base_offset)
        if key is None:
            head += b"\x00" + _varint(len(value))
            size = len(head) + len(value) + 1
            add(_varint(size) + head)
        else:
            head += b"\x01" + _varint(len(key))
            tail = _varint(len(value))
            size = len(head) + len(key) + len(tail) + len(value) + 1
            add(_varint(size) + head)
            add(key)
            add(tail)
        add(value)
        add(b"\x00")  # no headers
    return b"".join(parts)


def encode_batch(records: Sequence[Record], compression: int = NO_COMPRESSION, *,
                 base_offset: int | None = None, last_offset: int | None = None) -> bytes:
    """One batch holding `records`: by default dense offsets, the first one's as base
    offset. What SmartModules made keeps each record's offset delta from `base_offset`
    and says it covers the input up to `last_offset` (Fluvio's filtered batches)."""
    first_ts = min(r.timestamp for r in records)
    max_ts = max(r.timestamp for r in records)
    base = records[0].offset if base_offset is None else base_offset
    last = records[-1].offset if last_offset is None else last_offset
    body = compress(compression, _encode_records(records, first_ts, base))
    header = _HEADER.pack(compression, last - base, first_ts, max_ts, -1, -1, -1)
    crc = crc32c(header + body)
    prefix = _PREFIX.pack(base, _PREFIX_AFTER_LEN + len(header) + len(body), -1, 2, crc)
    return prefix + header + body


def encode_columns(columns: RecordColumns, *, base_offset: int | None = None,
                   last_offset: int | None = None) -> bytes:
    """One uncompressed batch of records, encoded by the codec: stored records (dense
    offsets) by default; what SmartModules made keeps each record's offset delta from
    `base_offset` and covers the input up to `last_offset` (Fluvio's filtered batches)."""
    stamps = columns.timestamps
    first_ts = stamps[0]
    base = columns.offsets[0] if base_offset is None else base_offset
    last = columns.offsets[-1] if last_offset is None else last_offset
    body = _codec().encode(columns, base, first_ts)
    header = _HEADER.pack(NO_COMPRESSION, last - base, first_ts, max(stamps), -1, -1, -1)
    crc = crc32c(header + body)
    prefix = _PREFIX.pack(base, _PREFIX_AFTER_LEN + len(header) + len(body), -1, 2, crc)
    return prefix + header + body


def encode_record_set(batches: Sequence[bytes]) -> bytes:
    total = sum(len(b) for b in batches)
    return struct.pack(">i", total) + b"".join(batches)


def check_crc(batch: bytes) -> bool:
    """Does a whole encoded batch carry the right CRC-32C?"""
    (crc,) = struct.unpack_from(">I", batch, 17)
    return crc == crc32c(batch[21:])
