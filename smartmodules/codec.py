"""Batch record encoding and decoding done by a small wasm module (codec.wat).

Python hands whole arrays across (values joined, lengths, offsets, timestamps) and gets
whole arrays back, so no Python code runs per record except building the Record objects
a caller asked for. Everything it accepts is also checked by the pure-Python decoder in
encoding.py, which takes over to produce the exact error message when the codec refuses.
"""

from __future__ import annotations

import marshal
import math
import struct
from array import array
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

import wasmtime

from runtime.topics.record import Record
from smartmodules import encoding
from smartmodules.columns import columns, records_from_columns
from smartmodules.engine import get_engine
from smartmodules.fastcall import FastFunc, GuestMemory

_PAGE = 65536
_NOT_BYTES = "record keys and values must be bytes (keys may be None)"
_NO_KEYS = b"\xff" * 4096  # key starts of -1 (None) as i32, grown on demand


def _align(n: int) -> int:
    return (n + 7) & ~7


@lru_cache(maxsize=64)
def _packer(code: str, n: int) -> struct.Struct:
    """n little-endian integers: a compiled Struct packs a column several times faster
    than building an array from it (batches mostly come in a few sizes)."""
    return struct.Struct(f"<{n}{code}")


@cache
def _module() -> wasmtime.Module:
    from smartmodules.cache import load_compiled

    text = (Path(__file__).with_name("codec.wat")).read_text()
    module, _ = load_compiled(wasmtime.wat2wasm(text), timed=False)
    return module


class Codec:
    """One per chain (not thread-safe, like the chain). Remembers the last encoded batch so
    `match` can map a filter's output back to the input Records."""

    def __init__(self) -> None:
        store = wasmtime.Store(get_engine(timed=False))
        self._store = store
        instance = wasmtime.Instance(store, _module(), [])
        exports = instance.exports(store)
        self._memory: wasmtime.Memory = exports["memory"]
        self._mem = GuestMemory(store, self._memory)
        i32, i64 = "i32", "i64"
        self._encode = FastFunc(store, exports["encode"],
                                (i32, i32, i32, i32, i32, i64, i64, i32, i32), i32)
        self._scan = FastFunc(store, exports["scan"], (i32, i32), i32)
        self._decode = FastFunc(store, exports["decode"], (i32, i32, i64, i64, i32), i32)
        self._match = FastFunc(store, exports["match"], (i32, i32, i32, i32, i32, i32), i32)
        self._values_format = FastFunc(store, exports["values_format"], (i32, i32, i32), i32)
        self._in: tuple[int, int, int] | None = None  # (out, bounds, n) of the last encode
        self.last_plain = False
        self._free = 16

    def _ensure(self, size: int) -> None:
        have = self._mem.size()
        if size > have:
            self._memory.grow(self._store, math.ceil((size - have) / _PAGE))

    def encode(self, records: Sequence[Record], base_offset: int, base_timestamp: int) -> bytes:
        """`Vec<Record>` of the records (count included), deltas against the bases."""
        n = len(records)
        if n:
            offsets, timestamps, keys, values, headers, partitions = columns(records)
            # decoding this encoding gives these very Records back (no headers, one partition)
            self.last_plain = (headers.count(()) == n
                               and partitions.count(partitions[0]) == n)
        else:
            offsets = timestamps = keys = values = ()
            self.last_plain = True
        # marshal writes each value as "s", its length, its bytes: lengths and data in
        # one C call (version 2: no back-references to repeated objects)
        try:
            vdump = marshal.dumps(values, 2)
            kdump = b"" if keys.count(None) == n else marshal.dumps(keys, 2)
        except ValueError:  # an object marshal cannot write at all
            raise TypeError(_NOT_BYTES) from None
        a_vals = 16
        a_keys = a_vals + len(vdump)
        a_offs = _align(a_keys + len(kdump))
        a_tss = a_offs + 8 * n
        a_bounds = a_tss + 8 * n
        a_out = _align(a_bounds + 4 * (n + 1))
        # per record at most 38 bytes of framing around its key and value
        max_out = 4 + 38 * n + len(vdump) + len(kdump)
        self._free = _align(a_out + max_out)
        self._ensure(self._free)
        write = self._mem.write
        write(a_vals, vdump)
        if kdump:
            write(a_keys, kdump)
        wide = _packer("q", n)
        write(a_offs, wide.pack(*offsets))
        write(a_tss, wide.pack(*timestamps))
        length = self._encode(n, a_vals + 5, a_keys + 5 if kdump else 0, a_offs, a_tss,
                              base_offset, base_timestamp, a_out, a_bounds)
        if length < 0:  # an item marshal wrote as something other than bytes (or None)
            raise TypeError(_NOT_BYTES)
        self._in = (a_out, a_bounds, n)
        return self._mem.read(a_out, length)

    def _place(self, data: bytes, extra: int) -> int:
        at = self._free
        self._ensure(_align(at + len(data)) + extra)
        self._mem.write(at, data)
        return at

    def list_end(self, buf: bytes) -> int:
        """Where the `Vec<Record>` at the start of `buf` ends, or -1 if it is malformed."""
        at = self._place(buf, 0)
        return self._scan(at, len(buf))

    def match(self, successes: bytes) -> list[int] | None:
        """Indices of the last encoded batch's records that make up `successes`, or None."""
        if self._in is None:
            return None
        out, bounds, n = self._in
        at = self._place(successes, 4 * n + 8)
        idx_at = _align(at + len(successes))
        k = self._match(out, bounds, n, at, len(successes), idx_at)
        if k < 0:
            return None
        idx = array("i")
        idx.frombytes(self._mem.read(idx_at, 4 * k))
        return idx.tolist()

    def decode(self, successes: bytes, base_offset: int, base_timestamp: int,
               partition: int = 0) -> list[Record]:
        """Records of a `Vec<Record>`; malformed input raises the Python decoder's error."""
        n = int.from_bytes(successes[:4], "big") if len(successes) >= 4 else 0
        global _NO_KEYS
        if len(_NO_KEYS) < 4 * n:
            _NO_KEYS = b"\xff" * (8 * n)
        at = self._place(successes, 32 * n + 8)
        fields = _align(at + len(successes))
        if len(successes) < 4 or self._decode(at, len(successes), base_offset, base_timestamp,
                                              fields) < 0:
            return encoding.decode_record_list(successes, base_offset, base_timestamp,
                                               partition=partition)
        view = memoryview(self._mem.read(fields, 32 * n))
        offsets = view[:8 * n].cast("q").tolist()
        timestamps = view[8 * n:16 * n].cast("q").tolist()
        fmt_at = fields + 32 * n
        self._ensure(fmt_at + 24 * n + 8)
        fmt_len = self._values_format(fields, n, fmt_at)
        values = list(struct.unpack_from(self._mem.read(fmt_at, fmt_len).decode("ascii"),
                                         successes))
        if view[16 * n:20 * n] == _NO_KEYS[:4 * n]:  # every key None: the common case
            keys: list[bytes | None] = [None] * n
        else:
            ks = view[16 * n:20 * n].cast("i").tolist()
            ke = view[20 * n:24 * n].cast("i").tolist()
            keys = [None if s < 0 else successes[s:e] for s, e in zip(ks, ke, strict=True)]
        return records_from_columns(offsets, timestamps, keys, values, partition)

    def close(self) -> None:
        self._in = None
