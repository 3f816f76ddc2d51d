"""Load a .wasm, check it is a SmartModule (imports, exports, types) and find its kind."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from smartmodules.errors import InvalidSmartModule
from smartmodules.limits import DEFAULT_MEMORY_LIMIT

Kind = Literal["filter", "map", "filter_map", "array_map", "aggregate"]
KINDS: tuple[Kind, ...] = ("filter", "map", "filter_map", "array_map", "aggregate")
WASI_MODULES = ("wasi_snapshot_preview1", "wasi_unstable")
WASM_MAGIC = b"\x00asm"


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    """What a SmartModule declares; computed once per load."""

    kind: Kind
    has_init: bool
    has_look_back: bool
    copy_records_module: str
    uses_wasi: bool
    size: int
    exports: tuple[str, ...]
    imports: tuple[str, ...]


@dataclass(slots=True)
class LoadedModule:
    """A compiled, validated SmartModule ready to instantiate."""

    name: str
    wasm: bytes
    module: object  # wasmtime.Module
    info: ModuleInfo
    from_cache: bool
    timed: bool = True


def _sig(func_type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(str(p) for p in func_type.params), tuple(str(r) for r in func_type.results)


ENTRY_SIG = (("i32", "i32", "i32"), ("i32",))
LEGACY_SIG = (("i32", "i32"), ("i32",))


def inspect_compiled(module, *, name: str, size: int) -> ModuleInfo:
    """Check imports and exports of a compiled module against the ABI; raise with the reason."""
    import wasmtime

    imports = []
    copy_module = None
    uses_wasi = False
    for imp in module.imports:
        label = f"{imp.module}.{imp.name}"
        imports.append(label)
        if imp.name == "copy_records":
            if not isinstance(imp.type, wasmtime.FuncType) or _sig(imp.type) != (
                    ("i32", "i32"), ()):
                raise InvalidSmartModule(
                    f"{name}: the import {label} must be a function (i32, i32) -> ()",
                    hint="the module was not built with the fluvio-smartmodule ABI")
            copy_module = imp.module
        elif imp.module in WASI_MODULES:
            uses_wasi = True
        else:
            raise InvalidSmartModule(
                f"{name}: it imports {label}, which a SmartModule host does not provide",
                hint="SmartModules may import only `copy_records` and WASI preview 1 "
                     "functions; build for wasm32-unknown-unknown or wasm32-wasip1")
    exports = {exp.name: exp.type for exp in module.exports}
    if copy_module is None:
        raise InvalidSmartModule(
            f"{name}: it does not import `copy_records`, so it is not a SmartModule",
            hint="a SmartModule is built with the fluvio-smartmodule crate "
                 "(`weir smartmodule generate`)")
    if not isinstance(exports.get("memory"), wasmtime.MemoryType):
        raise InvalidSmartModule(f"{name}: it does not export its `memory`",
                                 hint="SmartModules export `memory`, `alloc` and an entry point")
    alloc = exports.get("alloc")
    if not isinstance(alloc, wasmtime.FuncType) or _sig(alloc) != (("i32",), ("i32",)):
        raise InvalidSmartModule(f"{name}: it does not export `alloc(len: i32) -> i32`",
                                 hint="SmartModules export `memory`, `alloc` and an entry point")
    kind: Kind | None = None
    for candidate in KINDS:
        if candidate in exports:
            kind = candidate
            break
    if kind is None:
        found = ", ".join(sorted(n for n, t in exports.items()
                                 if isinstance(t, wasmtime.FuncType))) or "none"
        extra = (" (`join` SmartModules are deprecated in Fluvio and not supported)"
                 if "join" in exports else "")
        raise InvalidSmartModule(
            f"{name}: it exports no entry point: expected one of "
            f"{', '.join(KINDS)}; exported functions: {found}{extra}")
    for entry in (kind, "init", "look_back"):
        ty = exports.get(entry)
        if ty is None:
            continue
        if not isinstance(ty, wasmtime.FuncType):
            raise InvalidSmartModule(f"{name}: the export `{entry}` is not a function")
        sig = _sig(ty)
        if sig == LEGACY_SIG:
            raise InvalidSmartModule(
                f"{name}: `{entry}` takes (ptr, len): the two-argument ABI of SmartModules "
                "built before 2022 is not supported",
                hint="rebuild the module with a current fluvio-smartmodule crate "
                     "(entry points take ptr, len, version)")
        if sig != ENTRY_SIG:
            raise InvalidSmartModule(
                f"{name}: `{entry}` has type ({', '.join(sig[0])}) -> ({', '.join(sig[1])}), "
                "expected (i32 ptr, i32 len, i32 version) -> i32")
    return ModuleInfo(
        kind=kind,
        has_init="init" in exports,
        has_look_back="look_back" in exports,
        copy_records_module=copy_module,
        uses_wasi=uses_wasi,
        size=size,
        exports=tuple(sorted(exports)),
        imports=tuple(imports),
    )


def load_bytes(wasm: bytes, *, name: str, use_cache: bool = True, timed: bool = True,
               memory_limit: int = DEFAULT_MEMORY_LIMIT) -> LoadedModule:
    """Compile (or fetch from the cache) and validate; `timed`: for the engine with epoch
    interruption (time limits). A module whose compilation would take more memory than
    `memory_limit` is refused first, cached or not, so the answer never depends on it."""
    import wasmtime

    from smartmodules.cache import load_compiled
    from smartmodules.compile_budget import check_compile_budget

    if wasm[:4] != WASM_MAGIC:
        hint = None
        if wasm[:4] == b"(mod" or wasm.lstrip()[:7] == b"(module":
            hint = "this looks like WebAssembly text (.wat); compile it to .wasm first"
        raise InvalidSmartModule(
            f"{name}: not a WebAssembly module (the file does not start with \\0asm)", hint=hint)
    check_compile_budget(wasm, name=name, memory_limit=memory_limit)
    try:
        module, from_cache = load_compiled(wasm, use_cache=use_cache, timed=timed)
    except wasmtime.WasmtimeError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid module"
        raise InvalidSmartModule(f"{name}: the WebAssembly does not validate: {first}") from None
    info = inspect_compiled(module, name=name, size=len(wasm))
    return LoadedModule(name=name, wasm=wasm, module=module, info=info, from_cache=from_cache,
                        timed=timed)


def load_file(path: str | Path, *, name: str | None = None, use_cache: bool = True,
              timed: bool = True, memory_limit: int = DEFAULT_MEMORY_LIMIT) -> LoadedModule:
    """Read and load a .wasm file; a missing or unreadable file says so."""
    from runtime.errors import EnvironmentProblem

    p = Path(path)
    try:
        wasm = p.read_bytes()
    except FileNotFoundError:
        raise EnvironmentProblem(f"{p}: no such file",
                                 hint="build it first (`weir smartmodule build`) or fix the "
                                      "path") from None
    except IsADirectoryError:
        raise InvalidSmartModule(f"{p}: is a directory, expected a .wasm file") from None
    except OSError as exc:
        raise InvalidSmartModule(f"{p}: cannot read: {exc.strerror}") from None
    return load_bytes(wasm, name=name or p.name, use_cache=use_cache, timed=timed,
                      memory_limit=memory_limit)
