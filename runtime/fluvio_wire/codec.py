"""Fluvio's primitive encodings: big-endian integers, i16-prefixed strings, u32-counted
vectors, u16-counted maps, bool-tagged options and zig-zag varints.

The Reader is bounded: every length it reads is checked against what is left in the
frame and against a maximum, so a hostile length costs nothing but a DecodeError.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# A request frame larger than this is refused before it is read (Fluvio's own client sends
# produce requests of a few MB at most; a record is at most MAX_RECORD_BYTES).
MAX_FRAME_BYTES = 64 * 1024 * 1024
# Upper bounds for the element count of a vector or map (strings are bounded by their i16
# length already, 32767 bytes).
MAX_VECTOR_LEN = 1_000_000

_I8 = struct.Struct(">b")
_U8 = struct.Struct(">B")
_I16 = struct.Struct(">h")
_U16 = struct.Struct(">H")
_I32 = struct.Struct(">i")
_U32 = struct.Struct(">I")
_I64 = struct.Struct(">q")
_U64 = struct.Struct(">Q")


class DecodeError(Exception):
    """The bytes are not a valid encoding of what was expected."""


class Reader:
    """Reads primitives from one frame's bytes; never past its end."""

    __slots__ = ("data", "pos", "end")

    def __init__(self, data: bytes | bytearray | memoryview, pos: int = 0,
                 end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    @property
    def remaining(self) -> int:
        return self.end - self.pos

    def take(self, n: int) -> bytes:
        if n < 0 or n > self.end - self.pos:
            raise DecodeError(f"needs {n} bytes at byte {self.pos}, "
                              f"only {self.end - self.pos} left")
        start = self.pos
        self.pos += n
        return bytes(self.data[start:self.pos])

    def _fixed(self, fmt: struct.Struct):
        if fmt.size > self.end - self.pos:
            raise DecodeError(f"needs {fmt.size} bytes at byte {self.pos}, "
                              f"only {self.end - self.pos} left")
        (value,) = fmt.unpack_from(self.data, self.pos)
        self.pos += fmt.size
        return value

    def i8(self) -> int:
        return self._fixed(_I8)

    def u8(self) -> int:
        return self._fixed(_U8)

    def i16(self) -> int:
        return self._fixed(_I16)

    def u16(self) -> int:
        return self._fixed(_U16)

    def i32(self) -> int:
        return self._fixed(_I32)

    def u32(self) -> int:
        return self._fixed(_U32)

    def i64(self) -> int:
        return self._fixed(_I64)

    def u64(self) -> int:
        return self._fixed(_U64)

    def bool(self) -> bool:
        value = self.u8()
        if value > 1:
            raise DecodeError(f"a bool must be 0 or 1, not {value} (byte {self.pos - 1})")
        return value == 1

    def string(self) -> str:
        n = self.i16()
        if n <= 0:
            return ""
        raw = self.take(n)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"a string is not UTF-8 (byte {self.pos - n + exc.start})"
                              ) from None

    def bytes_(self) -> bytes:
        """Vec<u8> / ByteBuf: u32 length + bytes."""
        n = self.i32()
        return b"" if n <= 0 else self.take(n)

    def count(self, what: str = "vector") -> int:
        n = self.i32()
        if n < 1:
            return 0
        if n > MAX_VECTOR_LEN:
            raise DecodeError(f"a {what} of {n} elements is over the limit of "
                              f"{MAX_VECTOR_LEN}")
        return n

    def vec(self, item: Callable[[Reader], T]) -> list[T]:
        return [item(self) for _ in range(self.count())]

    def option(self, item: Callable[[Reader], T]) -> T | None:
        return item(self) if self.bool() else None

    def string_map(self) -> dict[str, str]:
        n = self.u16()
        return {self.string(): self.string() for _ in range(n)}

    def varint(self) -> int:
        """A zig-zag varint (7-bit groups, low group first), at most 10 bytes."""
        shift = 0
        raw = 0
        data = self.data
        for _ in range(10):
            if self.pos >= self.end:
                raise DecodeError(f"a varint runs past the end (byte {self.pos})")
            b = data[self.pos]
            self.pos += 1
            raw |= (b & 0x7F) << shift
            if not b & 0x80:
                return (raw >> 1) ^ -(raw & 1)
            shift += 7
        raise DecodeError(f"a varint is longer than 10 bytes (byte {self.pos})")


class Writer:
    """Builds one message's bytes."""

    __slots__ = ("buf",)

    def __init__(self) -> None:
        self.buf = bytearray()

    def getvalue(self) -> bytes:
        return bytes(self.buf)

    def raw(self, data: bytes | bytearray | memoryview) -> Writer:
        self.buf += data
        return self

    def i8(self, v: int) -> Writer:
        self.buf += _I8.pack(v)
        return self

    def u8(self, v: int) -> Writer:
        self.buf += _U8.pack(v)
        return self

    def i16(self, v: int) -> Writer:
        self.buf += _I16.pack(v)
        return self

    def u16(self, v: int) -> Writer:
        self.buf += _U16.pack(v)
        return self

    def i32(self, v: int) -> Writer:
        self.buf += _I32.pack(v)
        return self

    def u32(self, v: int) -> Writer:
        self.buf += _U32.pack(v)
        return self

    def i64(self, v: int) -> Writer:
        self.buf += _I64.pack(v)
        return self

    def u64(self, v: int) -> Writer:
        self.buf += _U64.pack(v)
        return self

    def bool(self, v: bool) -> Writer:
        self.buf.append(1 if v else 0)
        return self

    def string(self, s: str) -> Writer:
        raw = s.encode("utf-8")
        if len(raw) > 0x7FFF:
            raw = raw[:0x7FFF].decode("utf-8", "ignore").encode("utf-8")
        self.buf += _I16.pack(len(raw))
        self.buf += raw
        return self

    def bytes_(self, data: bytes) -> Writer:
        self.buf += _U32.pack(len(data))
        self.buf += data
        return self

    def count(self, n: int) -> Writer:
        self.buf += _U32.pack(n)
        return self

    def option_string(self, s: str | None) -> Writer:
        if s is None:
            return self.bool(False)
        return self.bool(True).string(s)

    def string_map(self, items: dict[str, str]) -> Writer:
        self.u16(len(items))
        for k in sorted(items):
            self.string(k).string(items[k])
        return self

    def varint(self, n: int) -> Writer:
        self.buf += encode_varint(n)
        return self


def encode_varint(n: int) -> bytes:
    raw = (n << 1) ^ (n >> 63)
    out = bytearray()
    while raw & ~0x7F:
        out.append((raw & 0x7F) | 0x80)
        raw >>= 7
    out.append(raw)
    return bytes(out)
