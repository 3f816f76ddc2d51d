"""Calls one SmartModule entry point with raw bytes: the ABI doc's test vectors checked
against the glue's exact output, independent of the engine's own encoding."""

from __future__ import annotations

from pathlib import Path

import wasmtime

_ENGINE = wasmtime.Engine()
_MODULES: dict[Path, wasmtime.Module] = {}


def _compiled(path: Path) -> wasmtime.Module:
    path = Path(path).resolve()
    key = path
    if key not in _MODULES:
        _MODULES[key] = wasmtime.Module.from_file(_ENGINE, str(path))
    return _MODULES[key]


class RawModule:
    """One instance of a .wasm; `call(entry, input, version)` -> (rc, bytes given to
    copy_records or None)."""

    def __init__(self, path: Path) -> None:
        self.engine = _ENGINE
        self.store = wasmtime.Store(self.engine)
        module = _compiled(path)
        self._output: bytes | None = None
        linker = wasmtime.Linker(self.engine)
        copy_type = wasmtime.FuncType([wasmtime.ValType.i32(), wasmtime.ValType.i32()], [])
        linker.define_func("env", "copy_records", copy_type, self._copy, access_caller=True)
        self.instance = linker.instantiate(self.store, module)
        exports = self.instance.exports(self.store)
        self.memory = exports["memory"]
        self.alloc = exports["alloc"]
        self.exports = exports

    def _copy(self, caller, ptr: int, length: int) -> None:
        memory = caller.get("memory")
        self._output = bytes(memory.read(caller, ptr, ptr + length))

    def call(self, entry: str, data: bytes, version: int = 22) -> tuple[int, bytes | None]:
        self._output = None
        ptr = self.alloc(self.store, len(data))
        self.memory.write(self.store, data, ptr)
        rc = self.exports[entry](self.store, ptr, len(data), version)
        return rc, self._output


def zigzag(n: int) -> bytes:
    v = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def record(value: bytes, key: bytes | None = None, offset_delta: int = 0,
           timestamp_delta: int = 0) -> bytes:
    body = b"\x00" + zigzag(timestamp_delta) + zigzag(offset_delta)
    body += b"\x00" if key is None else b"\x01" + zigzag(len(key)) + key
    body += zigzag(len(value)) + value + b"\x00"
    return zigzag(len(body)) + body


def record_list(records: list[bytes]) -> bytes:
    return len(records).to_bytes(4, "big") + b"".join(records)


def smartmodule_input(records: list[bytes], *, base_offset: int = 0, base_timestamp: int = 0,
                      version: int = 22) -> bytes:
    raw = record_list(records)
    out = base_offset.to_bytes(8, "big", signed=True) + len(raw).to_bytes(4, "big") + raw
    if version <= 22:
        out += b"\x00\x00" + (b"\x00" if version >= 20 else b"")
        if version >= 16:
            out += b"\x00\x00\x00\x00"
    if version >= 22:
        out += base_timestamp.to_bytes(8, "big", signed=True)
    return out


def values_input(values: list[bytes], **kwargs) -> bytes:
    return smartmodule_input([record(v, offset_delta=i) for i, v in enumerate(values)], **kwargs)


def params(pairs: dict[str, str], version: int = 22) -> bytes:
    out = len(pairs).to_bytes(2, "big")
    for k in sorted(pairs, key=lambda s: s.encode()):
        for s in (k, pairs[k]):
            b = s.encode()
            out += len(b).to_bytes(2, "big") + b
    if version >= 20:
        out += b"\x00"
    return out
