"""Fluvio protocol encoding as SmartModules read and write it (smartmodule-abi.md section 3).

Hot paths (record lists) avoid per-record Python objects where they can: varints come
from a precomputed table, records are built with bytes joins, and decoding reads the
buffer with index arithmetic rather than a stream object.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from runtime.topics.record import Record
from smartmodules.errors import DecodeError

DEFAULT_VERSION = 22

# varint bytes of every n in 0..8191 (zigzag 2n < 16384: at most two bytes)
_SMALL = 8192


def _leb128(z: int) -> bytes:
    out = bytearray()
    while z >= 0x80:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


_VARINT: list[bytes] = [_leb128(n << 1) for n in range(_SMALL)]

_I64 = struct.Struct(">q")
_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")
_I64_U32 = struct.Struct(">qI")
_EMPTY_LIST = b"\x00\x00\x00\x00"

KIND_NAMES = {0: "filter", 1: "map", 2: "array_map", 3: "aggregate", 4: "filter_map",
              5: "join", 6: "generic"}


def encode_varint(n: int) -> bytes:
    """Zigzag LEB128 of a signed 64-bit integer."""
    if 0 <= n < _SMALL:
        return _VARINT[n]
    if not -(1 << 63) <= n < (1 << 63):
        raise ValueError(f"varint out of the i64 range: {n}")
    return _leb128(((n << 1) ^ (n >> 63)) & 0xFFFFFFFFFFFFFFFF)


def decode_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """(value, next position); standard 64-bit zigzag."""
    z = 0
    shift = 0
    n = len(buf)
    while True:
        if pos >= n:
            raise DecodeError(f"varint runs past the end of the data at byte {pos}")
        b = buf[pos]
        pos += 1
        z |= (b & 0x7F) << shift
        if b < 0x80:
            break
        shift += 7
        if shift > 63:
            raise DecodeError(f"varint longer than 10 bytes ending at byte {pos}")
    return (z >> 1) ^ -(z & 1), pos


def encode_string(s: str) -> bytes:
    data = s.encode()
    if len(data) > 0xFFFF:
        raise ValueError("string longer than 65535 bytes")
    return _U16.pack(len(data)) + data


def encode_record(record: Record, base_offset: int, base_timestamp: int) -> bytes:
    """One record with its length prefix; deltas relative to the bases."""
    return encode_records_each([record], base_offset, base_timestamp)[0]


def encode_records_each(records: Sequence[Record], base_offset: int,
                        base_timestamp: int) -> list[bytes]:
    """Each record's encoding (length prefix included), in order."""
    table = _VARINT
    small = _SMALL
    join = b"".join
    out: list[bytes] = []
    append = out.append
    for r in records:
        value = r.value
        key = r.key
        od = r.offset - base_offset
        td = r.timestamp - base_timestamp
        vl = len(value)
        head = join((
            b"\x00",
            table[td] if 0 <= td < small else encode_varint(td),
            table[od] if 0 <= od < small else encode_varint(od),
            b"\x00" if key is None else join((b"\x01", encode_varint(len(key)), key)),
            table[vl] if vl < small else encode_varint(vl),
        ))
        bl = len(head) + vl + 1
        append(join((table[bl] if bl < small else encode_varint(bl), head, value, b"\x00")))
    return out


def encode_record_list(records: Sequence[Record], base_offset: int,
                       base_timestamp: int) -> bytes:
    """`Vec<Record>`: u32 count, then the records."""
    return _U32.pack(len(records)) + b"".join(
        encode_records_each(records, base_offset, base_timestamp))


def encode_params(params: Mapping[str, str], version: int = DEFAULT_VERSION, *,
                  lookback_last: int | None = None, lookback_age_ms: int | None = None) -> bytes:
    """The params map (sorted by key bytes) and, from version 20, the lookback option."""
    items = sorted(((k.encode(), v.encode()) for k, v in params.items()), key=lambda kv: kv[0])
    parts = [_U16.pack(len(items))]
    for k, v in items:
        if len(k) > 0xFFFF or len(v) > 0xFFFF:
            raise ValueError(f"param `{k.decode()}` is longer than 65535 bytes")
        parts += [_U16.pack(len(k)), k, _U16.pack(len(v)), v]
    if version >= 20:
        if lookback_last is None and lookback_age_ms is None:
            parts.append(b"\x00")
        else:
            parts.append(b"\x01" + struct.pack(">Q", lookback_last or 0))
            if version >= 21:
                if lookback_age_ms is None:
                    parts.append(b"\x00")
                else:
                    secs, ms = divmod(lookback_age_ms, 1000)
                    parts.append(b"\x01" + struct.pack(">QI", secs, ms * 1_000_000))
    return b"".join(parts)


def input_tail(version: int, base_timestamp: int) -> bytes:
    """What follows raw_bytes in a transform's SmartModuleInput at this version."""
    parts = []
    if version <= 22:
        parts.append(b"\x00\x00\x00" if version >= 20 else b"\x00\x00")
    if 16 <= version <= 22:
        parts.append(_EMPTY_LIST)
    if version >= 22:
        parts.append(_I64.pack(base_timestamp))
    return b"".join(parts)


def encode_input(raw_records: bytes, base_offset: int, base_timestamp: int,
                 version: int = DEFAULT_VERSION, *, accumulator: bytes | None = None) -> bytes:
    """SmartModuleInput around an encoded record list (plus the accumulator for aggregate)."""
    parts = [_I64_U32.pack(base_offset, len(raw_records)), raw_records,
             input_tail(version, base_timestamp)]
    if accumulator is not None:
        parts += [_U32.pack(len(accumulator)), accumulator]
    return b"".join(parts)


@dataclass(frozen=True, slots=True)
class RuntimeError_:
    """The guest's `SmartModuleRuntimeError`: the record it failed on and why."""

    hint: str
    offset: int
    kind: int
    record_key: bytes | None
    record_value: bytes

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, f"kind {self.kind}")


@dataclass(frozen=True, slots=True)
class Output:
    """A decoded SmartModuleOutput. `successes` is the raw `Vec<Record>` (count included)
    so a chain can hand it to the next module without re-encoding."""

    successes: bytes
    count: int
    error: RuntimeError_ | None
    accumulator: bytes | None


class _Reader:
    """Bounds-checked reads for the cold paths (errors, params, lookback)."""

    __slots__ = ("buf", "pos", "what")

    def __init__(self, buf: bytes, pos: int = 0, what: str = "output") -> None:
        self.buf = buf
        self.pos = pos
        self.what = what

    def take(self, n: int, field: str) -> bytes:
        end = self.pos + n
        if n < 0 or end > len(self.buf):
            raise DecodeError(
                f"{self.what} ends inside {field} (needs {n} bytes at byte {self.pos}, "
                f"has {len(self.buf) - self.pos})")
        data = self.buf[self.pos:end]
        self.pos = end
        return bytes(data)

    def u8(self, field: str) -> int:
        return self.take(1, field)[0]

    def boolean(self, field: str) -> bool:
        at = self.pos
        b = self.u8(field)
        if b > 1:
            raise DecodeError(f"{self.what}: {field} at byte {at} is {b}, expected a bool 0 or 1")
        return b == 1

    def i64(self, field: str) -> int:
        return _I64.unpack(self.take(8, field))[0]

    def u32(self, field: str) -> int:
        return _U32.unpack(self.take(4, field))[0]

    def string(self, field: str) -> str:
        n = _U16.unpack(self.take(2, field))[0]
        raw = self.take(n, field)
        try:
            return raw.decode()
        except UnicodeDecodeError as exc:
            raise DecodeError(f"{self.what}: {field} is not UTF-8 ({exc.reason})") from None

    def varint(self, field: str) -> int:
        try:
            value, self.pos = decode_varint(self.buf, self.pos)
        except DecodeError as exc:
            raise DecodeError(f"{self.what}: {field}: {exc}") from None
        return value

    def record_data(self, field: str) -> bytes:
        n = self.varint(field)
        return self.take(n, field)

    def option_record_data(self, field: str) -> bytes | None:
        return self.record_data(field) if self.boolean(field) else None


def skip_record_list(buf: bytes, pos: int = 0, what: str = "output") -> tuple[int, int]:
    """Validate a `Vec<Record>` starting at `pos`: (record count, position after it)."""
    n = len(buf)
    if pos + 4 > n:
        raise DecodeError(f"{what} is {n - pos} bytes, too short for the record count")
    count = _U32.unpack_from(buf, pos)[0]
    pos += 4
    for i in range(count):
        b = buf[pos] if pos < n else 0x80
        if b < 0x80 and not b & 1:
            pos += 1 + (b >> 1)
        else:
            try:
                length, pos = decode_varint(buf, pos)
            except DecodeError:
                raise DecodeError(f"{what}: record {i} of {count} is truncated") from None
            if length < 0:
                raise DecodeError(f"{what}: record {i} has a negative length")
            pos += length
        if pos > n:
            raise DecodeError(
                f"{what}: record {i} of {count} runs past the end of the data ({n} bytes)")
    return count, pos


def decode_record_list(buf: bytes, base_offset: int, base_timestamp: int, *,
                       partition: int = 0, what: str = "output") -> list[Record]:
    """Decode a `Vec<Record>` (count included) into Records with absolute offsets."""
    n = len(buf)
    if n < 4:
        raise DecodeError(f"{what} is {n} bytes, too short for the record count")
    count = _U32.unpack_from(buf, 0)[0]
    pos = 4
    out: list[Record] = []
    append = out.append
    dv = decode_varint
    for i in range(count):
        try:
            b = buf[pos]
            if b < 0x80 and not b & 1:
                end = pos + 1 + (b >> 1)
                pos += 1
            else:
                length, pos = dv(buf, pos)
                end = pos + length
            if end > n or end < pos:
                raise DecodeError(f"record {i} of {count} runs past the end of the data")
            pos += 1  # attributes
            b = buf[pos]
            if b < 0x80:
                td = (b >> 1) ^ -(b & 1)
                pos += 1
            else:
                td, pos = dv(buf, pos)
            b = buf[pos]
            if b < 0x80:
                od = (b >> 1) ^ -(b & 1)
                pos += 1
            else:
                od, pos = dv(buf, pos)
            flag = buf[pos]
            pos += 1
            if flag == 0:
                key = None
            elif flag == 1:
                kl, pos = dv(buf, pos)
                key = buf[pos:pos + kl]
                pos += kl
            else:
                raise DecodeError(f"record {i}: key option flag is {flag}, expected 0 or 1")
            b = buf[pos]
            if b < 0x80 and not b & 1:
                vl = b >> 1
                pos += 1
            else:
                vl, pos = dv(buf, pos)
            vend = pos + vl
            if vend > end or vl < 0:
                raise DecodeError(f"record {i}: value length {vl} runs past the record's end")
            value = buf[pos:vend]
        except IndexError:
            raise DecodeError(f"{what}: record {i} of {count} is truncated") from None
        except DecodeError as exc:
            raise DecodeError(f"{what}: {exc}") from None
        append(Record(base_offset + od, base_timestamp + td, key, value, (), partition))
        pos = end
    return out


def decode_runtime_error(r: _Reader) -> RuntimeError_:
    hint = r.string("the error hint")
    offset = r.i64("the error offset")
    kind = r.u8("the error kind")
    if kind > 6:
        raise DecodeError(f"{r.what}: error kind {kind} is not one of 0..6")
    key = r.option_record_data("the error record key")
    value = r.record_data("the error record value")
    return RuntimeError_(hint, offset, kind, key, value)


def decode_output(buf: bytes, *, aggregate: bool = False, version: int = DEFAULT_VERSION,
                  list_end=None) -> Output:
    """SmartModuleOutput: successes, optional RuntimeError, accumulator for aggregate.
    `list_end(buf)` may find where the successes end faster (-1: let this code explain)."""
    pos = list_end(buf) if list_end is not None else -1
    if pos >= 4:
        count = _U32.unpack_from(buf, 0)[0]
    else:
        count, pos = skip_record_list(buf, 0)
    successes = buf[:pos]
    if pos >= len(buf):
        raise DecodeError(f"output ends after the successes (byte {pos}): the error option "
                          "is missing")
    flag = buf[pos]
    if flag == 0:
        error = None
        pos += 1
    elif flag == 1:
        reader = _Reader(buf, pos + 1)
        error = decode_runtime_error(reader)
        pos = reader.pos
    else:
        raise DecodeError(f"output: error option flag at byte {pos} is {flag}, "
                          "expected 0 or 1")
    accumulator = None
    if aggregate and version >= 16:
        reader = _Reader(buf, pos)
        n = reader.u32("the accumulator length")
        accumulator = reader.take(n, "the accumulator")
    return Output(successes, count, error, accumulator)


def decode_init_error(buf: bytes) -> str:
    """An init error (-2): one String, the hint."""
    return _Reader(buf, 0, "init error").string("the init error hint")


@dataclass(frozen=True, slots=True)
class LookbackError:
    hint: str
    offset: int
    record_key: bytes | None
    record_value: bytes


def decode_lookback_error(buf: bytes) -> LookbackError:
    """A look_back error (-99): hint, offset, key, value."""
    r = _Reader(buf, 0, "look_back error")
    hint = r.string("the hint")
    offset = r.i64("the offset")
    key = r.option_record_data("the record key")
    value = r.record_data("the record value")
    return LookbackError(hint, offset, key, value)


def encode_output(records: Sequence[Record], base_offset: int, base_timestamp: int, *,
                  error: RuntimeError_ | None = None, accumulator: bytes | None = None) -> bytes:
    """SmartModuleOutput as a guest writes it (tests and tools use this)."""
    parts = [encode_record_list(records, base_offset, base_timestamp)]
    if error is None:
        parts.append(b"\x00")
    else:
        parts += [b"\x01", encode_string(error.hint), _I64.pack(error.offset),
                  bytes([error.kind])]
        if error.record_key is None:
            parts.append(b"\x00")
        else:
            parts += [b"\x01", encode_varint(len(error.record_key)), error.record_key]
        parts += [encode_varint(len(error.record_value)), error.record_value]
    if accumulator is not None:
        parts += [_U32.pack(len(accumulator)), accumulator]
    return b"".join(parts)
