"""SmartModules on the server: the invocations a StreamFetch (or a Produce) carries, run as
one chain in Weir's engine (`smartmodules/chain.py`, the host `weir consume --smartmodule`
uses), answered the way Fluvio's SPU answers (`crates/fluvio-spu/src/smartengine/`,
`services/public/stream_fetch.rs`, `produce_handler.rs` at v0.17.3).

- A module named by the client comes from the served registry (what `weir smartmodule
  create` and the client's `create_smartmodule` register); one sent inline is gzip'd wasm.
- The ABI version is the request's version, as Fluvio's SPU passes it.
- Refusals before any record: a missing name is `SmartModuleNotFound{name}`, bytes that do
  not gunzip `SmartModuleInvalid`, a module that fails to load or whose `init` fails
  `SmartModuleChainInitError`, a failing `look_back` `SmartModuleLookBackError`.
- A record error is `SmartModuleRuntimeError` with the record, after the records the chain
  produced before it; a trap, a bad return code or a time limit is `Other`.

The chain is not thread-safe: one stream calls it from one worker thread at a time.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from runtime.errors import NotFound, WeirError
from runtime.fluvio_wire import error_code
from runtime.fluvio_wire.batch import encode_columns
from runtime.fluvio_wire.error_code import ErrorCode, TransformError
from runtime.fluvio_wire.smartmodule_invocation import SmartModuleInvocation
from runtime.topics.columns import RecordColumns
from runtime.topics.record import ProduceRecord, Record
from smartmodules.chain import Chain, build_chain
from smartmodules.errors import SmartModuleError
from smartmodules.limits import Limits
from smartmodules.module import LoadedModule, load_bytes
from smartmodules.spec import TransformSpec

# Fluvio's SmartModuleKind tags, for the kind of the module that failed on a record
KIND_TAGS = {"filter": 0, "map": 1, "array_map": 2, "aggregate": 3, "filter_map": 4}
MAX_WASM_BYTES = 100 * 1024 * 1024  # an inline module, unzipped
INLINE = "<inline #{}>"

# (last N records or None, age in ms or None) -> the stored records look_back gets
LookbackReader = Callable[[int | None, int | None], Sequence[Record]]


class ChainRefused(Exception):
    """The chain cannot be built; `error` is what the client is told."""

    def __init__(self, error: ErrorCode) -> None:
        super().__init__(error)
        self.error = error


def gunzip(payload: bytes) -> bytes:
    """An inline or created module's gzip'd wasm (bounded: a small bomb stays small)."""
    d = zlib.decompressobj(31)
    try:
        out = d.decompress(payload, MAX_WASM_BYTES)
    except zlib.error as exc:
        raise ValueError(f"the module is not gzip'd wasm: {exc}") from None
    if d.unconsumed_tail:
        raise ValueError(f"the module unzips to more than {MAX_WASM_BYTES:,} bytes")
    if not d.eof:
        raise ValueError("the gzip'd module is truncated")
    return out


def _spec(index: int, inv: SmartModuleInvocation) -> TransformSpec:
    last = age_ms = None
    if inv.lookback is not None:  # Fluvio: Last(n), or Age{age, last} (last 0: no count)
        if inv.lookback.age_s is None:
            last = inv.lookback.last
        else:
            age_ms = int(inv.lookback.age_s * 1000)
            last = inv.lookback.last or None
    uses = inv.predefined if inv.predefined is not None else INLINE.format(index + 1)
    return TransformSpec(uses=uses, params=dict(inv.params), lookback_last=last,
                         lookback_age_ms=age_ms, aggregate_initial=inv.accumulator)


def _resolver(invocations: Sequence[SmartModuleInvocation], registry_dir: Path):
    inline = {INLINE.format(i + 1): inv.adhoc_gzip for i, inv in enumerate(invocations)
              if inv.predefined is None}

    def resolve(spec: TransformSpec, limits: Limits) -> LoadedModule:
        from smartmodules import registry

        if spec.uses in inline:
            try:
                wasm = gunzip(inline[spec.uses] or b"")
            except ValueError as exc:
                raise ChainRefused(ErrorCode(error_code.SMARTMODULE_INVALID,
                                             message=str(exc))) from None
            return load_bytes(wasm, name="inline SmartModule", timed=limits.timed,
                              memory_limit=limits.memory_limit)
        try:
            entry = registry.get(spec.uses, registry_dir)
        except (NotFound, registry.InvalidName):
            raise ChainRefused(ErrorCode(error_code.SMARTMODULE_NOT_FOUND,
                                         name=spec.uses)) from None
        return load_bytes(entry.read_wasm(), name=entry.name, timed=limits.timed,
                          memory_limit=limits.memory_limit)

    return resolve


def build(invocations: Sequence[SmartModuleInvocation], version: int, registry_dir: Path,
          lookback: LookbackReader) -> Chain:
    """Instantiate, init and look_back each module in order; raises ChainRefused."""
    specs = [_spec(i, inv) for i, inv in enumerate(invocations)]
    try:
        return build_chain(specs, version=version, resolve=_resolver(invocations, registry_dir),
                           lookback=lambda s: lookback(s.lookback_last, s.lookback_age_ms))
    except SmartModuleError as exc:
        tag = (error_code.SMARTMODULE_LOOK_BACK_ERROR if exc.kind == "look-back"
               else error_code.SMARTMODULE_CHAIN_INIT_ERROR)
        text = exc.message + (f": {exc.hint}" if exc.hint else "")
        raise ChainRefused(ErrorCode(tag, message=text)) from None
    except WeirError as exc:  # not a SmartModule, a damaged registry entry, ...
        raise ChainRefused(ErrorCode(error_code.SMARTMODULE_CHAIN_INIT_ERROR,
                                     message=exc.message)) from None


@dataclass(frozen=True, slots=True)
class Processed:
    """One chunk through the chain: what it produced (records as the last module saw
    them, offsets relative to the chunk's first), and the error it stopped at."""

    output: RecordColumns
    error: ErrorCode | None

    def batch(self, base_offset: int, last_offset: int) -> bytes | None:
        """Fluvio's filtered batch: the chunk's base offset, each record's delta kept,
        covering the input up to `last_offset`."""
        if not len(self.output):
            return None
        return encode_columns(self.output, base_offset=base_offset, last_offset=last_offset)


def _error(chain_error: SmartModuleError, kind: str) -> ErrorCode:
    if chain_error.kind == "runtime" and chain_error.record_value is not None:
        return ErrorCode(error_code.SMARTMODULE_RUNTIME_ERROR, transform=TransformError(
            chain_error.hint or chain_error.reason, chain_error.offset or 0,
            KIND_TAGS.get(kind, 0), chain_error.record_key, chain_error.record_value))
    return error_code.other(f"SmartModule err {chain_error.message}")


def process(chain: Chain, chunk: RecordColumns) -> Processed:
    """Run one chunk of a partition's records (dense offsets, in order), as columns."""
    result = chain.process(chunk)
    if result.error is None:
        return Processed(result.columns, None)
    kind = result.stages[-1].kind if result.stages else ""
    return Processed(result.columns, _error(result.error, kind))


def transform_produce(invocations: Sequence[SmartModuleInvocation], version: int,
                      registry_dir: Path, lookback: LookbackReader,
                      records: Sequence[ProduceRecord]) -> list[ProduceRecord] | ErrorCode:
    """A Produce's SmartModules over one partition's records before they are stored (a
    chain per partition, as Fluvio's SPU builds it): what to store, or the partition's
    error. An empty list means every record was filtered away."""
    try:
        chain = build(invocations, version, registry_dir, lookback)
    except ChainRefused as exc:
        return exc.error
    now = int(time.time() * 1000)
    try:
        result = chain.process([Record(i, r.timestamp if r.timestamp is not None else now,
                                       r.key, r.value) for i, r in enumerate(records)],
                               base_offset=0)
    finally:
        chain.close()
    if result.error is not None:
        if result.error.kind == "runtime":
            kind = result.stages[-1].kind if result.stages else ""
            return _error(result.error, kind)
        return error_code.other(f"smartmodule chain failed: {result.error.message}")
    return [ProduceRecord(r.value, r.key, r.timestamp) for r in result.records]
