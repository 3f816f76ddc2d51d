"""How much memory compiling a module will take, estimated before Cranelift starts.

Compiling is not bounded by the module's memory limit (that caps its linear memory at
run time), yet it can take more than the machine has: a module of 200,000 empty
functions needs over 1 GB while wasmtime compiles it. Measured with wasmtime 50 on 2
cores, as peak RSS growth of a process whose engine has compiled a module already (the
engine's own ~9 MB is spent whatever the module), modules from tests/faults/wasmgen.py:

    functions  body               peak      estimate
    1,000      empty              5.6 MB    6.1 MB    5.5 KB a function
    20,000     empty              111 MB    123 MB
    200,000    empty              1,031 MB  1,229 MB
    1          3 MB of code       80 MB     96 MB     27 bytes a byte of its body
    2          3 MB each          156 MB    192 MB    (compiled at once on 2 cores)
    100        300 KB each        15 MB     20 MB

So the estimate is FUNCTION_COST a function plus BODY_COST a byte of the bodies compiled
at the same time: the largest ones, as many as wasmtime has threads (one a CPU). It errs
high, never low, for the shapes above (tests/faults/test_compile_budget.py checks three).
A module whose estimate is over the memory limit is refused with what was counted,
before any of it is compiled: with the default 1 GB limit, up to about 160,000 functions
compile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from smartmodules.errors import InvalidSmartModule

FUNCTION_COST = 6 * 1024
BODY_COST = 32
_CODE_SECTION = 10


@dataclass(frozen=True, slots=True)
class ModuleShape:
    """What compiling costs in: defined functions and their body sizes."""

    functions: int
    code_bytes: int
    largest_bodies: tuple[int, ...]  # the biggest few, largest first


def compile_threads() -> int:
    """Threads wasmtime compiles with: one per CPU this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def estimate(shape: ModuleShape) -> int:
    """Bytes of memory compiling a module of `shape` may take at its peak."""
    return FUNCTION_COST * shape.functions + BODY_COST * sum(shape.largest_bodies)


def module_shape(wasm: bytes, *, keep: int | None = None) -> ModuleShape:
    """Read the code section's function count and body sizes, skipping everything
    else; no more than the length of each section and body is decoded. Bytes that do
    not parse give an empty shape: wasmtime then says what is wrong with them."""
    keep = keep or compile_threads()
    pos = 8
    try:
        while pos < len(wasm):
            section = wasm[pos]
            size, pos = _leb(wasm, pos + 1)
            if section == _CODE_SECTION:
                return _code_shape(wasm, pos, pos + size, keep)
            pos += size
    except IndexError:
        pass
    return ModuleShape(0, 0, ())


def check_compile_budget(wasm: bytes, *, name: str, memory_limit: int) -> None:
    """Refuse a module whose compilation would take more than `memory_limit` bytes."""
    shape = module_shape(wasm)
    needed = estimate(shape)
    if needed > memory_limit:
        raise InvalidSmartModule(
            f"{name}: compiling it would take about {_mb(needed)} of memory "
            f"({shape.functions:,} functions, {_mb(shape.code_bytes)} of code), more than "
            f"the memory limit of {_mb(memory_limit)}; nothing was compiled",
            hint="SmartModules are a few hundred functions; if you trust this one, raise "
                 "the limit (`weir smartmodule test --wasm-file FILE --memory-limit 4GB`)",
        )


def _code_shape(wasm: bytes, pos: int, end: int, keep: int) -> ModuleShape:
    count, pos = _leb(wasm, pos)
    code_bytes = end - pos
    sizes = []
    for _ in range(count):
        size, pos = _leb(wasm, pos)
        sizes.append(size)
        pos += size
    sizes.sort(reverse=True)
    return ModuleShape(count, code_bytes, tuple(sizes[:keep]))


def _leb(data: bytes, pos: int) -> tuple[int, int]:
    """An unsigned LEB128 at `pos`: (value, position after it)."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _mb(n: int) -> str:
    return f"{n / 1_000_000:,.0f} MB" if n >= 10_000_000 else f"{n / 1_000_000:,.1f} MB"
