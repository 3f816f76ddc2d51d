"""SmartModule invocations a StreamFetch (or Produce) carries
(`crates/fluvio-spu-schema/src/server/smartmodule.rs`, `fluvio-smartmodule/src/input.rs`).

They are decoded in full here, so that the SPU can name what the client asked for; the
server applies them in `runtime/fluvio_wire/stream.py`'s `smartmodule_chain` hook.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.fluvio_wire.codec import DecodeError, Reader

FILTER, MAP, ARRAY_MAP, AGGREGATE, FILTER_MAP, JOIN, JOIN_STREAM, GENERIC = range(8)
KIND_NAMES = ("filter", "map", "array_map", "aggregate", "filter_map", "join", "join_stream",
              "smartmodule")


@dataclass(frozen=True, slots=True)
class Lookback:
    last: int
    age_s: float | None = None


@dataclass(frozen=True, slots=True)
class SmartModuleInvocation:
    predefined: str | None  # a module by name from the registry ...
    adhoc_gzip: bytes | None  # ... or gzip'd wasm sent inline
    kind: int
    accumulator: bytes | None  # Aggregate's (or Generic(Aggregate)'s) initial value
    params: dict[str, str]
    lookback: Lookback | None

    @property
    def label(self) -> str:
        return self.predefined if self.predefined is not None else "<inline wasm>"


def _context(r: Reader) -> bytes | None:
    tag = r.u8()
    if tag == 0:
        return None
    if tag == 1:
        return r.bytes_()
    if tag == 2:
        r.string()
        return None
    if tag == 3:
        r.string()
        r.string()
        return None
    raise DecodeError(f"unknown SmartModule context tag {tag}")


def decode_invocation(r: Reader, version: int) -> SmartModuleInvocation:
    wasm_tag = r.u8()
    predefined = adhoc = None
    if wasm_tag == 0:
        predefined = r.string()
    elif wasm_tag == 1:
        adhoc = r.bytes_()
    else:
        raise DecodeError(f"unknown SmartModule wasm tag {wasm_tag}")
    kind = r.u8()
    accumulator = None
    if kind == AGGREGATE:
        accumulator = r.bytes_()
    elif kind == JOIN:
        r.string()
    elif kind == JOIN_STREAM:
        r.string()
        r.string()
    elif kind == GENERIC:
        accumulator = _context(r)
    elif kind not in (FILTER, MAP, ARRAY_MAP, FILTER_MAP):
        raise DecodeError(f"unknown SmartModule kind tag {kind}")
    params = r.string_map()
    lookback = None
    if version >= 20 and r.bool():
        last = r.u64()
        age = None
        if version >= 21 and r.bool():
            seconds, nanos = r.u64(), r.u32()
            age = seconds + nanos / 1e9
        lookback = Lookback(last, age)
    return SmartModuleInvocation(predefined, adhoc, kind, accumulator, params, lookback)


def decode_invocations(r: Reader, version: int) -> list[SmartModuleInvocation]:
    return [decode_invocation(r, version) for _ in range(r.count("SmartModule chain"))]
