"""SmartModule objects through Fluvio's SC API, kept in the served SmartModule registry
(the one `weir smartmodule create|list|delete` uses), answered as Fluvio's SC answers
(`crates/fluvio-sc/src/services/public_api/smartmodule/`): a refused create is
`SmartModuleError` with the reason, deleting a missing module `SmartModuleNotFound`.

The payload is meant to be gzip'd wasm, but the official Python client (0.21.0) sends
the wasm as it is: Weir takes either. Unlike Fluvio's SC, which stores any bytes, Weir
checks that the wasm is a SmartModule it can run before registering it, so a bad upload
fails at create, not at first use.
Blocking: call from a worker thread.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from runtime.errors import NotFound, WeirError
from runtime.fluvio_wire import error_code
from runtime.fluvio_wire.error_code import ErrorCode
from runtime.fluvio_wire.objects import SmartModuleObject
from runtime.fluvio_wire.smartmodule_chain import gunzip
from runtime.fluvio_wire.smartmodule_spec import SmartModuleRequest

CREATED_BY = "the fluvio client (SC Create)"


def create(registry_dir: Path, name: str, request: SmartModuleRequest, dry_run: bool
           ) -> tuple[str, ErrorCode, str | None]:
    """(the name it is registered under, error code, message)."""
    from smartmodules import registry
    from smartmodules.module import WASM_MAGIC, load_bytes

    if request.package is not None:
        if not request.package.name or not request.package.group:
            return name, ErrorCode(error_code.SMARTMODULE_ERROR), "invalid SmartModule package"
        name = request.package.full_name
    try:
        registry.validate_name(name)
        wasm = request.gzipped_wasm
        if wasm[:2] == b"\x1f\x8b":  # gzip'd, as the CLI sends it
            wasm = gunzip(wasm)
        elif wasm[:4] != WASM_MAGIC:  # the Python client sends it unzipped
            raise ValueError("the module is neither WebAssembly (starting with \\0asm) "
                             "nor gzip'd WebAssembly")
        loaded = load_bytes(wasm, name=name)
        if _exists(registry_dir, name):
            return name, ErrorCode(error_code.SMARTMODULE_ERROR), (
                f"SmartModule `{name}` already exists; delete it first")
        if not dry_run:
            registry.store(name, loaded, source=CREATED_BY, registry=registry_dir)
    except ValueError as exc:
        return name, ErrorCode(error_code.SMARTMODULE_ERROR), str(exc)
    except WeirError as exc:
        text = exc.message + (f" ({exc.hint})" if exc.hint else "")
        return name, ErrorCode(error_code.SMARTMODULE_ERROR), text
    return name, error_code.OK, None


def _exists(registry_dir: Path, name: str) -> bool:
    from smartmodules import registry

    return any(e.name == name for e in registry.list_all(registry_dir))


def delete(registry_dir: Path, name: str) -> tuple[ErrorCode, str | None]:
    from smartmodules import registry

    if not _exists(registry_dir, name):
        return ErrorCode(error_code.SMARTMODULE_NOT_FOUND, name=name), "not found"
    try:
        registry.delete(name, registry_dir)
    except NotFound:
        return ErrorCode(error_code.SMARTMODULE_NOT_FOUND, name=name), "not found"
    except WeirError as exc:
        return ErrorCode(error_code.SMARTMODULE_ERROR), exc.message
    return error_code.OK, None


def objects(registry_dir: Path, full: bool) -> list[SmartModuleObject]:
    """The registry's modules as SC objects; `full` carries each one's gzip'd wasm (a
    List without `summary`), else only its length."""
    from smartmodules import registry

    found = []
    for entry in registry.list_modules(registry_dir):
        wasm = None
        if full:
            try:
                wasm = gzip.compress(entry.read_wasm(), mtime=0)
            except WeirError:
                continue
        found.append(SmartModuleObject(entry.name, entry.size, wasm))
    return found
