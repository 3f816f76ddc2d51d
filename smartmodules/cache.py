"""Compiled modules kept on disk so a second load skips Cranelift.

Key: sha256 of the wasm bytes + wasmtime version + engine flags + machine. Files live in
`$WEIR_HOME/cache/wasm/`; a corrupt or foreign entry is recompiled and replaced.
"""

from __future__ import annotations

import hashlib
import platform
from pathlib import Path

import wasmtime

from runtime.home import weir_home
from runtime.private_files import write_private_atomic
from smartmodules.engine import engine_flags, get_engine, wasmtime_version


def cache_dir() -> Path:
    return weir_home() / "cache" / "wasm"


def cache_key(wasm: bytes, timed: bool = True) -> str:
    digest = hashlib.sha256(wasm).hexdigest()
    tag = hashlib.sha256(f"{wasmtime_version()}|{engine_flags(timed)}|{platform.machine()}"
                         .encode()).hexdigest()[:12]
    return f"{digest}-{tag}"


def load_compiled(wasm: bytes, *, use_cache: bool = True,
                  timed: bool = True) -> tuple[wasmtime.Module, bool]:
    """(compiled module, whether it came from the cache), for the timed or plain engine."""
    engine = get_engine(timed)
    if not use_cache:
        return wasmtime.Module(engine, wasm), False
    try:
        directory = cache_dir()
    except Exception:  # noqa: BLE001 - an unusable home only costs a recompile
        return wasmtime.Module(engine, wasm), False
    path = directory / f"{cache_key(wasm, timed)}.cwasm"
    if path.is_file():
        try:
            # read, not mmap: a file replaced or truncated later must not crash us
            return wasmtime.Module.deserialize(engine, path.read_bytes()), True
        except (wasmtime.WasmtimeError, OSError):
            path.unlink(missing_ok=True)
    module = wasmtime.Module(engine, wasm)
    try:
        write_private_atomic(path, module.serialize())
    except OSError:
        pass  # read-only home: run uncached
    return module, False


def clear_cache() -> int:
    """Remove every cached artifact; returns how many."""
    directory = cache_dir()
    count = 0
    if directory.is_dir():
        for entry in directory.glob("*.cwasm"):
            entry.unlink(missing_ok=True)
            count += 1
    return count
