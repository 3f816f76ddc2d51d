"""One running SmartModule: its store, memory, `copy_records` import and entry points.

Each instance has its own wasmtime Store (so its memory cap, time limit and WASI output
are its own). All guest-facing errors become SmartModuleError naming the module.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Mapping, Sequence

import wasmtime

from runtime.topics.record import Record
from smartmodules import encoding
from smartmodules.engine import get_engine
from smartmodules.errors import DecodeError, SmartModuleError
from smartmodules.fastcall import CopyRecords, FastFunc, GuestMemory, context_address, set_deadline
from smartmodules.limits import Limits
from smartmodules.module import LoadedModule

LogFn = Callable[[str, str], None]

TRANSFORM_RC = {
    -1: ("the module failed with an unknown error (rc -1)",
         "look at the module's own log output; a Rust `?` on a non-SmartModule error "
         "ends up here"),
    -11: ("the module could not decode its input (rc -11: decoding base input)",
          "the module may read another ABI version: it was called with version {version}; "
          "modules built before fluvio 0.10.14 need version 22 (`--abi-version 22`)"),
    -22: ("the module could not decode the records of its input (rc -22: decoding records)",
          "the module may read another ABI version: it was called with version {version}"),
    -33: ("the module could not encode its output (rc -33: encoding output)",
          "a bug in the module's glue code; rebuild it with a current fluvio-smartmodule"),
    -44: ("the module could not parse its extra params (rc -44: parsing extra params)",
          "check the params given with `with:` or `-e key=value`"),
    -55: ("the module reported an undefined right record (rc -55)",
          "join SmartModules are deprecated in Fluvio and not supported here"),
}
INIT_RC = {
    -1: ("init failed with an unknown error (rc -1)", "look at the module's own log output"),
    -10: ("init could not decode its params (rc -10: decoding init input)",
          "the module may read another ABI version: it was called with version {version}"),
    -11: ("init could not encode its error output (rc -11: encoding init output)",
          "a bug in the module's glue code; rebuild it with a current fluvio-smartmodule"),
}
LOOKBACK_RC = {
    -1: ("look_back failed with an unknown error (rc -1)",
         "look at the module's own log output"),
    -66: ("look_back could not decode its input (rc -66)",
          "the module may read another ABI version: it was called with version {version}"),
    -77: ("look_back could not decode the stored records (rc -77)",
          "the module may read another ABI version: it was called with version {version}"),
    -88: ("look_back could not encode its output (rc -88)",
          "a bug in the module's glue code; rebuild it with a current fluvio-smartmodule"),
}
KIND_WORD = {"filter": "filter", "map": "map", "filter_map": "filter-map",
             "array_map": "array-map", "aggregate": "aggregate"}


def trap_summary(exc: Exception) -> str:
    """The line of a wasmtime trap that says what happened (not the backtrace header)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if line.startswith("wasm trap:"):
            return line[len("wasm trap:"):].strip()
    for line in reversed(lines):
        if not line[0].isdigit() and not line.startswith(("error while executing", "Caused by")):
            return line
    return type(exc).__name__


class _HostFault(Exception):
    """Raised inside the copy_records import; turned into a SmartModuleError by `call`."""


class _LineBuffer:
    """Collects WASI stdout/stderr bytes and hands complete lines to the log."""

    def __init__(self, log: LogFn, module: str, stream: str) -> None:
        self.log = log
        self.module = module
        self.stream = stream
        self.pending = b""

    def write(self, data: bytes) -> int:
        self.pending += data
        *lines, self.pending = self.pending.split(b"\n")
        for line in lines:
            self.log(self.module, line.decode(errors="replace"))
        return len(data)

    def flush(self) -> None:
        if self.pending:
            self.log(self.module, self.pending.decode(errors="replace"))
            self.pending = b""


def default_log(module: str, line: str) -> None:
    import logging

    logging.getLogger("weir.smartmodule").info("[%s] %s", module, line)


class SmartModuleInstance:
    """Instantiate, init (params), optional look_back, then transform calls."""

    def __init__(
        self,
        loaded: LoadedModule,
        *,
        limits: Limits | None = None,
        version: int = encoding.DEFAULT_VERSION,
        log: LogFn | None = None,
        aggregate_initial: bytes | None = None,
    ) -> None:
        self.name = loaded.name
        self.info = loaded.info
        self.kind = loaded.info.kind
        self.version = version
        self.limits = limits or Limits()
        self.log = log or default_log
        self.accumulator = aggregate_initial or b""
        if loaded.timed != self.limits.timed:
            raise ValueError("the module was compiled for the other engine (time limit "
                             "on/off); load it with timed=limits.timed")
        engine = get_engine(self.limits.timed)
        store = wasmtime.Store(engine)
        store.set_limits(memory_size=self.limits.memory_limit)
        self.store = store
        linker = wasmtime.Linker(engine)
        self._streams: list[_LineBuffer] = []
        if self.info.uses_wasi:
            linker.define_wasi()
            wasi = wasmtime.WasiConfig()
            out = _LineBuffer(self.log, self.name, "stdout")
            err = _LineBuffer(self.log, self.name, "stderr")
            self._streams = [out, err]
            wasi.stdout_custom = out.write
            wasi.stderr_custom = err.write
            store.set_wasi(wasi)
        self._copy = CopyRecords(store)
        linker.define(store, self.info.copy_records_module, "copy_records", self._copy.func)
        self._ctx = context_address(store)
        self._timed = self.limits.timed
        if self._timed:
            set_deadline(self._ctx, self.limits.deadline_ticks)
        try:
            instance = linker.instantiate(store, loaded.module)
        except wasmtime.Trap as trap:
            raise self._trap_error(trap, "instantiating") from None
        except wasmtime.WasmtimeError as exc:
            first = str(exc).strip().splitlines()[0]
            hint = ("SmartModules may import only `copy_records` and WASI preview 1"
                    if "memory limits" not in first else
                    f"the module needs more memory than the limit ({self.limits.memory_limit} "
                    "bytes) allows: raise --memory-limit")
            raise SmartModuleError(f"cannot instantiate: {first}", module=self.name,
                                   kind="invalid-module", hint=hint) from None
        exports = instance.exports(store)
        self.memory: wasmtime.Memory = exports["memory"]
        self._mem = GuestMemory(store, self.memory)
        self._copy.memory_address = ctypes.addressof(self.memory._memory)
        entry_sig = ("i32", "i32", "i32")
        self._alloc = FastFunc(store, exports["alloc"], ("i32",), "i32")
        self._entry = FastFunc(store, exports[self.kind], entry_sig, "i32")
        self._init = (FastFunc(store, exports["init"], entry_sig, "i32")
                      if self.info.has_init else None)
        self._look_back = (FastFunc(store, exports["look_back"], entry_sig, "i32")
                           if self.info.has_look_back else None)
        initialize = exports.get("_initialize") if self.info.uses_wasi else None
        if isinstance(initialize, wasmtime.Func) and not initialize.type(store).params:
            # a WASI reactor runs its constructors here, once, before any other export
            try:
                initialize(store)
            except (wasmtime.Trap, wasmtime.WasmtimeError) as trap:
                raise self._trap_error(trap, "_initialize") from None

    # -- guest memory -------------------------------------------------------------

    def _write_input(self, data: bytes) -> int:
        n = len(data)
        ptr = self._alloc(n) & 0xFFFFFFFF
        try:
            self._mem.write(ptr, data)
        except IndexError:
            raise _HostFault(f"alloc({n}) returned {ptr}, outside the module's memory "
                             f"({self._mem.size()} bytes)") from None
        return ptr

    # -- calls ----------------------------------------------------------------------

    def _call(self, func, data: bytes, what: str, offset: int | None) -> tuple[int, bytes | None]:
        """Run one entry point on `data`: (rc, what the guest passed to copy_records)."""
        copy = self._copy
        copy.output = None
        copy.fault = None
        if self._timed:
            set_deadline(self._ctx, self.limits.deadline_ticks)
        try:
            ptr = self._write_input(data)
            rc = func(ptr, len(data), self.version)
        except _HostFault as fault:
            raise SmartModuleError(f"{what}: {fault}", module=self.name, offset=offset,
                                   kind="output",
                                   hint="the module's alloc returned a bad pointer") from None
        except (wasmtime.Trap, wasmtime.WasmtimeError) as trap:
            if copy.fault is not None:
                raise SmartModuleError(f"{what}: {copy.fault}", module=self.name, offset=offset,
                                       kind="output",
                                       hint="the module's glue code wrote a bad pointer or "
                                            "length") from None
            raise self._trap_error(trap, what, offset) from None
        finally:
            if self._streams:
                for stream in self._streams:
                    stream.flush()
        return rc, copy.output

    def _trap_error(self, trap: Exception, what: str,
                    offset: int | None = None) -> SmartModuleError:
        code = getattr(trap, "trap_code", None)
        first = trap_summary(trap)
        if code == wasmtime.TrapCode.INTERRUPT:
            return SmartModuleError(
                f"{what}: stopped after the time limit of {self.limits.time_limit_ms} ms",
                module=self.name, offset=offset, kind="time-limit",
                hint="the module may loop forever; if it is only slow, try it with a higher "
                     "limit: `weir smartmodule test --wasm-file FILE --time-limit 30s`")
        try:
            size = self._mem.size() if hasattr(self, "_mem") else 0
        except (wasmtime.WasmtimeError, ValueError):
            size = 0
        if size * 2 >= self.limits.memory_limit:
            # a refused memory.grow returns -1 and the guest then traps (Rust aborts with
            # `unreachable`); a growing Vec fails once past half the cap
            return SmartModuleError(
                f"{what}: the module trapped ({first}) with its memory at {size} bytes of "
                f"the {self.limits.memory_limit}-byte limit: it most likely ran out of memory",
                module=self.name, offset=offset, kind="memory-limit",
                hint="the module allocates without bound, or the batch is too large; raise "
                     "the cap with `--memory-limit`")
        frames = []
        for frame in getattr(trap, "frames", None) or []:
            if frame.func_name:
                frames.append(frame.func_name)
        hint = "a Rust panic shows as `unreachable`; run the module on one record to find it"
        if frames:
            hint = f"in {' <- '.join(frames[:4])}; " + hint
        return SmartModuleError(f"{what}: the module trapped: {first}", module=self.name,
                                offset=offset, kind="trap", hint=hint)

    def _rc_error(self, table: dict, rc: int, what: str, offset: int | None) -> SmartModuleError:
        message, hint = table.get(rc, (f"{what} returned the unknown error code {rc}",
                                       "the module does not follow the SmartModule ABI"))
        return SmartModuleError(message, module=self.name, offset=offset, kind="rc", rc=rc,
                                hint=hint.format(version=self.version))

    def init(self, params: Mapping[str, str], *, lookback_last: int | None = None,
             lookback_age_ms: int | None = None) -> None:
        """Call `init` with the params (and the lookback request) if the module has one."""
        if self._init is None:
            if params:
                self.log(self.name, f"params {', '.join(sorted(params))} ignored: the module "
                                    "has no init")
            return
        try:
            data = encoding.encode_params(params, self.version, lookback_last=lookback_last,
                                          lookback_age_ms=lookback_age_ms)
        except ValueError as exc:
            raise SmartModuleError(f"bad params: {exc}", module=self.name, kind="init") from None
        rc, out = self._call(self._init, data, "init", None)
        if rc == 0:
            return
        if rc == -2:
            hint = None
            if out is not None:
                try:
                    hint = encoding.decode_init_error(out)
                except DecodeError:
                    hint = None
            given = ", ".join(sorted(params)) or "none"
            raise SmartModuleError(
                f"init failed (params given: {given}; pass params with `with:` in a "
                "transforms file or `-e key=value`)",
                module=self.name, kind="init", rc=-2,
                hint=hint or "the module reported an init error without a message")
        raise self._rc_error(INIT_RC, rc, "init", None)

    def look_back(self, records: Sequence[Record]) -> None:
        """Feed stored records to `look_back` (base offset and timestamp 0)."""
        if self._look_back is None:
            return
        raw = encoding.encode_record_list(records, 0, 0)
        data = encoding.encode_input(raw, 0, 0, self.version)
        rc, out = self._call(self._look_back, data, "look_back", None)
        if rc >= 0:
            return
        if rc == -99 and out is not None:
            try:
                err = encoding.decode_lookback_error(out)
            except DecodeError as exc:
                raise SmartModuleError(f"look_back failed and its error is malformed: {exc}",
                                       module=self.name, kind="output", rc=-99) from None
            raise SmartModuleError(f"look_back failed: {err.hint}", module=self.name,
                                   offset=err.offset, kind="look-back", rc=-99, hint=err.hint,
                                   record_key=err.record_key, record_value=err.record_value)
        raise self._rc_error(LOOKBACK_RC, rc, "look_back", None)

    def transform(self, raw_records: bytes, base_offset: int, base_timestamp: int, *,
                  list_end=None) -> encoding.Output:
        """One transform call on an encoded record list; raises on rc < 0, trap, bad output
        (without an offset: the whole call failed, the chain says which batch). A runtime
        error the guest reports comes back in `Output.error`."""
        aggregate = self.kind == "aggregate"
        data = encoding.encode_input(raw_records, base_offset, base_timestamp, self.version,
                                     accumulator=self.accumulator if aggregate else None)
        rc, out = self._call(self._entry, data, KIND_WORD[self.kind], None)
        if rc < 0:
            raise self._rc_error(TRANSFORM_RC, rc, KIND_WORD[self.kind], None)
        if out is None:
            raise SmartModuleError(
                f"returned {rc} but never called copy_records with its output",
                module=self.name, kind="output",
                hint="the module does not follow the SmartModule ABI")
        try:
            output = encoding.decode_output(out, aggregate=aggregate, version=self.version,
                                            list_end=list_end)
        except DecodeError as exc:
            raise SmartModuleError(
                f"malformed output: {exc}", module=self.name, kind="output",
                hint=f"the output does not follow SmartModuleOutput at ABI version "
                     f"{self.version}; was the module built for another version?") from None
        if aggregate and output.accumulator is not None:
            self.accumulator = output.accumulator
        return output

    def call_raw(self, entry: str, data: bytes) -> tuple[int, bytes | None]:
        """Call an entry point on raw input bytes: (rc, bytes passed to copy_records).
        For tests and tools that check the wire format byte for byte."""
        funcs = {self.kind: self._entry, "init": self._init, "look_back": self._look_back}
        func = funcs.get(entry)
        if func is None:
            raise SmartModuleError(f"has no `{entry}` entry point", module=self.name)
        return self._call(func, data, entry, None)

    def close(self) -> None:
        for stream in self._streams:
            stream.flush()
        self._streams = []
