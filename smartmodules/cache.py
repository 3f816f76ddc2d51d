"""Compiled modules kept on disk so a second load skips Cranelift.

Key: sha256 of the wasm bytes + wasmtime version + engine flags + machine. Files live in
`$WEIR_HOME/cache/wasm/`. wasmtime trusts a serialized module: it maps the machine code
and runs it, so one flipped byte in an entry crashes the process (SIGSEGV), on every
later use. Each entry therefore carries the sha256 of the artefact in front of it, in the
same file (one rename publishes both, so they never disagree), and an entry whose digest
does not match is recompiled and replaced before wasmtime sees it. The digest catches
corruption (disk, a torn copy, an edit), not an attacker: the directory is the owner's
alone (0700), and whoever can write there can write a matching digest too.
"""

from __future__ import annotations

import hashlib
import platform
from pathlib import Path

import wasmtime

from runtime.home import weir_home
from runtime.private_files import write_private_atomic
from smartmodules.engine import engine_flags, get_engine, wasmtime_version

# An entry: MAGIC, the sha256 of the artefact, the artefact (Module.serialize()).
MAGIC = b"weir-cwasm-sha256\n"
_HEADER = len(MAGIC) + 32


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
    artefact = read_entry(path)
    if artefact is not None:
        try:
            return wasmtime.Module.deserialize(engine, artefact), True
        except wasmtime.WasmtimeError:
            pass  # intact but not for this engine (e.g. another wasmtime build)
    module = wasmtime.Module(engine, wasm)
    try:
        write_entry(path, module.serialize())
    except OSError:
        pass  # read-only home: run uncached
    return module, False


def read_entry(path: Path) -> bytes | None:
    """The artefact stored at `path` if it is there and intact; a damaged entry (digest
    mismatch, truncated, written by an older Weir without a digest) is removed."""
    try:
        # read, not mmap: a file replaced or truncated later must not crash us
        data = path.read_bytes()
    except OSError:
        return None
    digest, artefact = data[len(MAGIC):_HEADER], data[_HEADER:]
    if data.startswith(MAGIC) and hashlib.sha256(artefact).digest() == digest:
        return artefact
    path.unlink(missing_ok=True)
    return None


def write_entry(path: Path, artefact: bytes) -> None:
    write_private_atomic(path, MAGIC + hashlib.sha256(artefact).digest() + artefact)


def clear_cache() -> int:
    """Remove every cached artifact; returns how many."""
    directory = cache_dir()
    count = 0
    if directory.is_dir():
        for entry in directory.glob("*.cwasm"):
            entry.unlink(missing_ok=True)
            count += 1
    return count
