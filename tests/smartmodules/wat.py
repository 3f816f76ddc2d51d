"""Build the test SmartModules from the WAT sources in `wat/` (shared glue in lib.wat)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import wasmtime

WAT_DIR = Path(__file__).parent / "wat"

MISBEHAVIOUR = {
    "trap": "unreachable",
    "loop": "(loop $spin (br $spin))",
    "membomb": "(loop $grow (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1))"
               " (then unreachable)) (br $grow))",
    "short": "(call $copy_records (i32.const 1024) (i32.const 4)) (return (i32.const 5))",
    "badbool": "(call $copy_records (i32.const 1040) (i32.const 5)) (return (i32.const 0))",
    "nocopy": "(return (i32.const 0))",
    "badrecord": "(call $copy_records (i32.const 1060) (i32.const 8)) (return (i32.const 1))",
    "oob": "(call $copy_records (i32.const 0x7fff0000) (i32.const 10)) (return (i32.const 0))",
}


def lib_text() -> str:
    return (WAT_DIR / "lib.wat").read_text()


def source(name: str, mode: str | None = None) -> str:
    text = (WAT_DIR / f"{name}.wat").read_text()
    text = text.replace(";;@lib", (WAT_DIR / "lib.wat").read_text())
    if mode is not None:
        if mode.startswith("rc:"):
            body = f"(return (i32.const {int(mode[3:])}))"
        else:
            body = MISBEHAVIOUR[mode]
        text = text.replace(";;@mode", body)
    return text


@cache
def wasm(name: str, mode: str | None = None) -> bytes:
    return wasmtime.wat2wasm(source(name, mode))


def raw_module(text: str) -> bytes:
    """A module written inline in a test (entry-point variants, refusals)."""
    return wasmtime.wat2wasm(text.replace(";;@lib", (WAT_DIR / "lib.wat").read_text()))


def write(directory: Path, name: str, mode: str | None = None, data: bytes | None = None) -> Path:
    """Write a module as `<directory>/<name>[-mode].wasm` and return its path."""
    stem = name if mode is None else f"{name}-{mode.replace(':', '')}"
    path = directory / f"{stem}.wasm"
    path.write_bytes(data if data is not None else wasm(name, mode))
    return path
