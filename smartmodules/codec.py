"""Batch record encoding and decoding done by a small wasm module (codec.wat).

Python hands whole columns across (values and keys marshalled, offsets, timestamps) and
gets whole columns back, so no Python code runs per record. Everything it accepts is also
checked by the pure-Python decoder in encoding.py, which takes over to produce the exact
error message when the codec refuses.
"""

from __future__ import annotations

import marshal
import math
import struct
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import itemgetter
from pathlib import Path

import wasmtime

from runtime.topics.columns import RecordColumns
from smartmodules import encoding
from smartmodules.engine import get_engine
from smartmodules.fastcall import FastFunc, GuestMemory

_PAGE = 65536
_NOT_BYTES = "record keys and values must be bytes (keys may be None)"
_NO_KEYS = b"\xff" * 4096  # key starts of -1 (None) as i32, grown on demand


def _align(n: int) -> int:
    return (n + 7) & ~7


def _dump(items: Sequence) -> bytes:
    """marshal of a list or tuple: a 5-byte header ("[" or "(", i32 count), then the items
    (version 2: no back-references to repeated objects, no short forms)."""
    return marshal.dumps(items if type(items) in (list, tuple) else list(items), 2)


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


@dataclass(frozen=True, slots=True)
class _Encoded:
    """Where the last `encode` put a batch in the codec's memory. `offsets_at` is 0 for
    dense offsets from `first_offset`, `timestamps_at` 0 when all are `timestamp`."""

    batch: RecordColumns
    out: int
    bounds: int
    offsets_at: int
    first_offset: int
    timestamps_at: int
    timestamp: int


class Codec:
    """One per chain (not thread-safe, like the chain). Remembers the last encoded batch so
    `match` and `select` can map a filter's output back to the input records."""

    def __init__(self) -> None:
        store = wasmtime.Store(get_engine(timed=False))
        self._store = store
        instance = wasmtime.Instance(store, _module(), [])
        exports = instance.exports(store)
        self._memory: wasmtime.Memory = exports["memory"]
        self._mem = GuestMemory(store, self._memory)
        i32, i64 = "i32", "i64"
        self._encode = FastFunc(store, exports["encode"],
                                (i32, i32, i32, i32, i32, i64, i64, i64, i64, i32, i32), i32)
        self._scan = FastFunc(store, exports["scan"], (i32, i32), i32)
        self._decode = FastFunc(store, exports["decode"], (i32, i32, i64, i64, i32), i32)
        self._match = FastFunc(store, exports["match"], (i32, i32, i32, i32, i32, i32), i32)
        self._gather = FastFunc(store, exports["gather"], (i32, i32, i32, i64, i32), i32)
        self._uniform = FastFunc(store, exports["uniform"], (i32, i32), i32)
        self._values_format = FastFunc(store, exports["values_format"], (i32, i32, i32), i32)
        self._in: _Encoded | None = None
        self.last_plain = False
        self._free = 16

    def _ensure(self, size: int) -> None:
        have = self._mem.size()
        if size > have:
            self._memory.grow(self._store, math.ceil((size - have) / _PAGE))

    def encode(self, batch: RecordColumns, base_offset: int, base_timestamp: int) -> bytes:
        """`Vec<Record>` of the batch (count included), deltas against the bases."""
        n = len(batch)
        values, keys = batch.values, batch.keys
        # decoding this encoding gives this very batch back (the guest never sees headers)
        self.last_plain = batch.headers is None
        # marshal writes each value as "s", its length, its bytes: lengths and data in
        # one C call
        try:
            vdump = _dump(values)
            kdump = b"" if keys is None else _dump(keys)
        except ValueError:  # an object marshal cannot write at all
            raise TypeError(_NOT_BYTES) from None
        offsets, timestamps = batch.offsets, batch.timestamps
        dense = isinstance(offsets, range) and offsets.step == 1
        same_time = n > 0 and timestamps.count(timestamps[0]) == n
        first_offset = offsets[0] if dense and n else 0
        timestamp = timestamps[0] if same_time else 0
        a_vals = 16
        a_keys = a_vals + len(vdump)
        a_offs = _align(a_keys + len(kdump))
        a_tss = a_offs + (0 if dense else 8 * n)
        a_bounds = a_tss + (0 if same_time else 8 * n)
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
        if not dense:
            write(a_offs, wide.pack(*offsets))
        if not same_time:
            write(a_tss, wide.pack(*timestamps))
        encoded = _Encoded(batch, a_out, a_bounds, 0 if dense else a_offs, first_offset,
                           0 if same_time else a_tss, timestamp)
        length = self._encode(n, a_vals + 5, a_keys + 5 if kdump else 0, encoded.offsets_at,
                              encoded.timestamps_at, base_offset, base_timestamp,
                              first_offset, timestamp, a_out, a_bounds)
        if length < 0:  # an item marshal wrote as something other than bytes (or None)
            raise TypeError(_NOT_BYTES)
        self._in = encoded
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

    def _matched(self, successes: bytes) -> tuple[int, int] | None:
        """(where the indices are, how many) of the last encoded batch's records that make
        up `successes`, or None."""
        encoded = self._in
        if encoded is None:
            return None
        n = len(encoded.batch)
        at = self._place(successes, 4 * n + 8)
        idx_at = _align(at + len(successes))
        k = self._match(encoded.out, encoded.bounds, n, at, len(successes), idx_at)
        return None if k < 0 else (idx_at, k)

    def _ints(self, at: int, k: int, code: str) -> list[int]:
        items = array(code)
        items.frombytes(self._mem.read(at, items.itemsize * k))
        return items.tolist()

    def match(self, successes: bytes) -> list[int] | None:
        """Indices of the last encoded batch's records that make up `successes`, or None."""
        found = self._matched(successes)
        return None if found is None else self._ints(*found, "i")

    def select(self, successes: bytes) -> RecordColumns | None:
        """The last encoded batch's records that make up `successes` (what a filter kept),
        or None. Values and keys are the batch's own objects."""
        found = self._matched(successes)
        if found is None:
            return None
        idx_at, k = found
        encoded = self._in
        batch = encoded.batch
        idx = self._ints(idx_at, k, "i")
        if k > 1:
            pick = itemgetter(*idx)  # one C call per column
        else:
            def pick(column: Sequence) -> tuple:
                return tuple(column[i] for i in idx)
        out_at = _align(idx_at + 4 * k)
        self._ensure(out_at + 8 * k)
        self._gather(idx_at, k, encoded.offsets_at, encoded.first_offset, out_at)
        offsets = self._ints(out_at, k, "q")
        if encoded.timestamps_at:
            self._gather(idx_at, k, encoded.timestamps_at, 0, out_at)
            timestamps: Sequence[int] = self._ints(out_at, k, "q")
        else:
            timestamps = (encoded.timestamp,) * k
        keys = None if batch.keys is None else pick(batch.keys)
        return RecordColumns(pick(batch.values), offsets, timestamps, keys, None,
                             batch.partition)

    def decode(self, successes: bytes, base_offset: int, base_timestamp: int,
               partition: int = 0) -> RecordColumns:
        """The records of a `Vec<Record>`; malformed input raises the Python decoder's
        error."""
        n = int.from_bytes(successes[:4], "big") if len(successes) >= 4 else 0
        global _NO_KEYS
        if len(_NO_KEYS) < 4 * n:
            _NO_KEYS = b"\xff" * (8 * n)
        at = self._place(successes, 32 * n + 8)
        fields = _align(at + len(successes))
        if len(successes) < 4 or self._decode(at, len(successes), base_offset, base_timestamp,
                                              fields) < 0:
            records = encoding.decode_record_list(successes, base_offset, base_timestamp,
                                                  partition=partition)
            return RecordColumns.from_records(records)
        if not n:
            return RecordColumns((), range(base_offset, base_offset), (), None, None, partition)
        view = memoryview(self._mem.read(fields, 32 * n))
        uniform = self._uniform(fields, n)
        offsets: Sequence[int]
        timestamps: Sequence[int]
        if uniform & 1:  # dense, as a map leaves them: no int object per record
            first = view[:8].cast("q")[0]
            offsets = range(first, first + n)
        else:
            offsets = view[:8 * n].cast("q").tolist()
        if uniform & 2:
            timestamps = (view[8 * n:8 * n + 8].cast("q")[0],) * n
        else:
            timestamps = view[8 * n:16 * n].cast("q").tolist()
        fmt_at = fields + 32 * n
        self._ensure(fmt_at + 24 * n + 8)
        fmt_len = self._values_format(fields, n, fmt_at)
        values = struct.unpack_from(self._mem.read(fmt_at, fmt_len).decode("ascii"), successes)
        keys: list[bytes | None] | None = None
        if view[16 * n:20 * n] != _NO_KEYS[:4 * n]:  # some key is not None
            ks = view[16 * n:20 * n].cast("i").tolist()
            ke = view[20 * n:24 * n].cast("i").tolist()
            if min(ks) >= 0:  # every record has a key: sliced in C
                keys = list(map(successes.__getitem__, map(slice, ks, ke)))
            else:
                keys = [None if s < 0 else successes[s:e] for s, e in zip(ks, ke, strict=True)]
        return RecordColumns(values, offsets, timestamps, keys, None, partition)

    def close(self) -> None:
        self._in = None
