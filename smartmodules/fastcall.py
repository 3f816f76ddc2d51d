"""Low-overhead calls into wasm and guest memory access.

wasmtime-py's `Func.__call__` re-reads the function type and converts every argument
through several ctypes objects on each call, and its host-function trampoline does the
same for `copy_records`: tens of microseconds per batch that add up to more than the
guest's own work. Entry points here have fixed signatures, checked once against the
function's type, so each call goes through wasmtime's unchecked entry with an argument
buffer built once and reused. This leans on wasmtime-py's C bindings
(`wasmtime._bindings`), which is why pyproject pins wasmtime to one major version.
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Callable, Sequence

import wasmtime
from wasmtime import _ffi as ffi
from wasmtime._func import maybe_raise_last_exn

_dll = ffi.dll
_c_call = _dll["wasmtime_func_call_unchecked"]
_c_call.restype = ctypes.c_void_p
_c_call.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                    ctypes.c_void_p]
if ctypes.sizeof(ffi.wasmtime_val_raw) != 16:  # the slot layout FastFunc packs
    raise ImportError("unexpected wasmtime_val_raw_t size: pin wasmtime as pyproject does")
_c_mem_data = _dll["wasmtime_memory_data"]
_c_mem_data.restype = ctypes.c_void_p
_c_mem_data.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
_c_mem_size = _dll["wasmtime_memory_data_size"]
_c_mem_size.restype = ctypes.c_size_t
_c_mem_size.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
_c_caller_context = _dll["wasmtime_caller_context"]
_c_caller_context.restype = ctypes.c_void_p
_c_caller_context.argtypes = [ctypes.c_void_p]
_c_set_deadline = _dll["wasmtime_context_set_epoch_deadline"]
_c_set_deadline.restype = None
_c_set_deadline.argtypes = [ctypes.c_void_p, ctypes.c_uint64]

_TrapPtr = ctypes.POINTER(ffi.wasm_trap_t)
_ErrPtr = ctypes.POINTER(ffi.wasmtime_error_t)
_NO_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)()  # a NULL function pointer
_string_at = ctypes.string_at
_memmove = ctypes.memmove


def context_address(store: wasmtime.Store) -> int:
    return ctypes.cast(store._context(), ctypes.c_void_p).value


class FastFunc:
    """Call one exported function with integer params and one integer result.

    The signature is checked once, here, against the function's own type, so each call
    can use wasmtime's unchecked entry: the arguments are packed into the raw value
    slots with one `struct` call and the result is read back through a memoryview."""

    __slots__ = ("_ctx", "_func", "_func_obj", "_slots", "_n", "_pack", "_trap", "_trap_ref",
                 "_result")

    def __init__(self, store: wasmtime.Store, func: wasmtime.Func, params: Sequence[str],
                 result: str) -> None:
        kind = func.type(store)
        actual = ([str(t) for t in kind.params], [str(t) for t in kind.results])
        if actual != (list(params), [result]):
            raise TypeError(f"the function has the signature {actual}, not "
                            f"{(list(params), [result])}")
        self._ctx = ctypes.c_void_p(context_address(store))
        self._func_obj = func
        self._func = ctypes.c_void_p(ctypes.addressof(func._func))
        # one 16-byte wasmtime_val_raw_t per argument; the result comes back in the first
        self._n = max(len(params), 1)
        self._slots = (ctypes.c_int64 * (2 * self._n))()
        # every integer as an i64 in its slot: an i32 is its low 4 bytes (little-endian)
        self._pack = struct.Struct("<" + "q8x" * len(params)).pack_into
        self._result = memoryview(self._slots).cast("B").cast("i" if result == "i32" else "q")
        self._trap = ctypes.c_void_p()
        self._trap_ref = ctypes.byref(self._trap)

    def __call__(self, *args: int) -> int:
        self._pack(self._slots, 0, *args)
        trap = self._trap
        trap.value = None
        error = _c_call(self._ctx, self._func, self._slots, self._n, self._trap_ref)
        if error:
            exc = wasmtime.WasmtimeError._from_ptr(ctypes.cast(error, _ErrPtr))
            maybe_raise_last_exn()
            raise exc
        if trap.value:
            trap_obj = wasmtime.Trap._from_ptr(ctypes.cast(trap.value, _TrapPtr))
            maybe_raise_last_exn()
            raise trap_obj
        return self._result[0]


class GuestMemory:
    """Read and write an instance's exported memory by address (bounds-checked)."""

    __slots__ = ("_ctx", "_mem", "_memory")

    def __init__(self, store: wasmtime.Store, memory: wasmtime.Memory) -> None:
        self._ctx = context_address(store)
        self._memory = memory
        self._mem = ctypes.addressof(memory._memory)

    def size(self) -> int:
        return _c_mem_size(self._ctx, self._mem)

    def base(self) -> int:
        return _c_mem_data(self._ctx, self._mem) or 0

    def read(self, ptr: int, length: int) -> bytes:
        if ptr < 0 or length < 0 or ptr + length > _c_mem_size(self._ctx, self._mem):
            raise IndexError(f"{ptr}+{length} is outside the memory")
        return _string_at(_c_mem_data(self._ctx, self._mem) + ptr, length)

    def write(self, ptr: int, data: bytes) -> None:
        n = len(data)
        if ptr < 0 or ptr + n > _c_mem_size(self._ctx, self._mem):
            raise IndexError(f"{ptr}+{n} is outside the memory")
        _memmove(_c_mem_data(self._ctx, self._mem) + ptr, data, n)


def set_deadline(store_ctx: int, ticks: int) -> None:
    _c_set_deadline(store_ctx, ticks)


class CopyRecords:
    """The `copy_records(ptr, len)` import as a raw callback: copies the guest's output out
    of its memory during the call, as the ABI requires. `memory_address` is set once the
    instance exists; a bad pointer is recorded in `fault` and traps the guest."""

    def __init__(self, store: wasmtime.Store) -> None:
        self.memory_address: int | None = None
        self.output: bytes | None = None
        self.fault: str | None = None
        self._func_type = wasmtime.FuncType([wasmtime.ValType.i32(), wasmtime.ValType.i32()], [])
        self._callback = ffi.wasmtime_func_unchecked_callback_t(self._call)
        raw = ffi.wasmtime_func_t()
        # no finalizer: a Python thunk freed before the store is dropped would be called
        # after it is gone; the callback itself only runs during our own calls
        ffi.wasmtime_func_new_unchecked(store._context(), self._func_type.ptr(), self._callback,
                                        None, _NO_FINALIZER, ctypes.byref(raw))
        self.func = wasmtime.Func._from_raw(raw)

    def _call(self, env, caller, args, nargs) -> int:
        try:
            ptr = args[0].i32 & 0xFFFFFFFF
            length = args[1].i32 & 0xFFFFFFFF
            mem = self.memory_address
            ctx = _c_caller_context(ctypes.cast(caller, ctypes.c_void_p))
            if mem is None:
                self.fault = "copy_records was called before the module was ready"
                return _new_trap(self.fault)
            size = _c_mem_size(ctx, mem)
            if ptr + length > size:
                self.fault = (f"copy_records({ptr}, {length}) points outside the module's "
                              f"memory ({size} bytes)")
                return _new_trap(self.fault)
            self.output = _string_at(_c_mem_data(ctx, mem) + ptr, length)
            return 0
        except BaseException as exc:  # noqa: BLE001 - must not unwind through wasm frames
            self.fault = f"copy_records failed in the host: {exc}"
            return _new_trap(self.fault)


def _new_trap(message: str) -> int:
    trap = wasmtime.Trap(message)._consume()
    return ctypes.cast(trap, ctypes.c_void_p).value


Caller = Callable[..., int]
