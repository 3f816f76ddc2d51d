"""SmartModule chains (smartmodule-abi.md section 5): the API connectors, `consume`,
`produce` and `smartmodule test` use.

    chain = build_chain([TransformSpec(uses="my-filter")])
    result = chain.process(records)
    result.records, result.error, result.stages

A chain is not thread-safe: use one per thread.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from runtime.topics.columns import RecordColumns
from runtime.topics.record import Record
from smartmodules import encoding
from smartmodules.codec import Codec
from smartmodules.errors import DecodeError, SmartModuleError
from smartmodules.instance import LogFn, SmartModuleInstance
from smartmodules.limits import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT_MS, Limits
from smartmodules.module import LoadedModule, load_bytes, load_file
from smartmodules.spec import TransformSpec

__all__ = ["Chain", "ChainResult", "SmartModuleError", "StageOutput", "build_chain",
           "resolve_module"]

LookbackFn = Callable[[TransformSpec], Sequence[Record]]
# (spec, limits) -> the module a spec names, for a host with its own registry
ResolveFn = Callable[[TransformSpec, Limits], LoadedModule]


@dataclass(slots=True)
class StageOutput:
    """What one module returned in one `process` call (decoded only when read)."""

    module: str
    kind: str
    count: int
    error: SmartModuleError | None
    raw: bytes = field(repr=False)
    base_offset: int = 0
    base_timestamp: int = 0
    partition: int = 0
    seconds: float = 0.0  # the module's call, encoding excluded (the playground's timing)
    records_in: int = 0  # the records handed to it
    _records: list[Record] | None = field(default=None, repr=False)

    @property
    def records(self) -> list[Record]:
        if self._records is None:
            self._records = encoding.decode_record_list(
                self.raw, self.base_offset, self.base_timestamp, partition=self.partition)
        return self._records


@dataclass(slots=True)
class ChainResult:
    """`records`: the last stage's successes, offsets and timestamps as the guest saw them
    (`columns`: the same as columns, what a batch given as columns gets back without a
    Record built per record).
    `error`: the first failure; with a record error the records before it are kept and
    `error.offset` names the record. A trap, bad return code, malformed output or limit
    fails the whole call: `records` is empty, and `error.offset` is the record's offset
    for a one-record batch, else None (the message names the batch's offset range).
    `stages`: per-module outputs."""

    output: list[Record] | RecordColumns
    error: SmartModuleError | None = None
    stages: list[StageOutput] = field(default_factory=list)

    @property
    def records(self) -> list[Record]:
        if isinstance(self.output, RecordColumns):
            self.output = self.output.records()
        return self.output

    @property
    def columns(self) -> RecordColumns:
        if isinstance(self.output, RecordColumns):
            return self.output
        return RecordColumns.from_records(self.output)

    @property
    def ok(self) -> bool:
        return self.error is None

    def raise_for_error(self) -> None:
        if self.error is not None:
            raise self.error


class _Stage:
    __slots__ = ("spec", "instance", "name", "kind")

    def __init__(self, spec: TransformSpec, instance: SmartModuleInstance) -> None:
        self.spec = spec
        self.instance = instance
        self.name = instance.name
        self.kind = instance.kind


class Chain:
    """Modules in order; `process` feeds each one's successes to the next."""

    def __init__(self, stages: list[_Stage], *, version: int) -> None:
        self._stages = stages
        self.version = version
        self._only_filters = all(s.kind == "filter" for s in stages)
        self._codec = Codec() if stages else None
        self._closed = False

    @property
    def modules(self) -> list[tuple[str, str]]:
        """(name, kind) of each stage."""
        return [(s.name, s.kind) for s in self._stages]

    def __len__(self) -> int:
        return len(self._stages)

    def process(self, batch: Sequence[Record] | RecordColumns, *,
                base_offset: int | None = None, base_timestamp: int | None = None,
                start: int = 0) -> ChainResult:
        """Run the chain over one batch (records of one partition). Never raises for module
        failures: see `error`.

        `start` skips the first stages: a caller that met a record error in stage i
        passes that stage's successes on through stages i+1.. without re-running the
        earlier, possibly stateful, modules."""
        if self._closed:
            raise RuntimeError("this SmartModule chain is closed")
        as_columns = isinstance(batch, RecordColumns)
        stages_to_run = self._stages[start:]
        if not stages_to_run:
            return ChainResult(batch if as_columns else list(batch))
        columns = batch if as_columns else RecordColumns.from_records(batch)
        n = len(columns)
        if base_offset is None:
            base_offset = columns.offsets[0] if n else 0
        if base_timestamp is None:
            base_timestamp = columns.timestamps[0] if n else 0
        codec = self._codec
        raw = codec.encode(columns, base_offset, base_timestamp)
        first_raw = raw
        stages: list[StageOutput] = []
        error: SmartModuleError | None = None
        handed = n
        for stage in stages_to_run:
            began = time.perf_counter()
            try:
                out = stage.instance.transform(raw, base_offset, base_timestamp,
                                               list_end=codec.list_end)
            except SmartModuleError as exc:
                if exc.offset is None and n:
                    exc = exc.in_batch(columns.offsets[0], columns.offsets[-1], n)
                return ChainResult([], exc, stages)
            if out.error is not None:
                err = out.error
                error = SmartModuleError(
                    f"the {encoding.KIND_NAMES.get(err.kind, 'transform')} failed on "
                    f"{_preview(err.record_value)}",
                    module=stage.name, offset=err.offset, hint=err.hint, kind="runtime",
                    record_key=err.record_key, record_value=err.record_value)
            stages.append(StageOutput(stage.name, stage.kind, out.count, error, out.successes,
                                      base_offset, base_timestamp, columns.partition,
                                      time.perf_counter() - began, handed))
            handed = out.count
            raw = out.successes
            if error is not None:
                break
        final = stages[-1]
        try:
            output = self._finish(final.raw, batch, columns, first_raw, base_offset,
                                  base_timestamp)
        except DecodeError as exc:  # validated by decode_output; kept as a last guard
            return ChainResult([], SmartModuleError(f"malformed output: {exc}",
                                                    module=final.module, kind="output"), stages)
        if not as_columns:
            final._records = output
        return ChainResult(output, error, stages)

    def _finish(self, raw: bytes, batch: Sequence[Record] | RecordColumns,
                columns: RecordColumns, first_raw: bytes, base_offset: int,
                base_timestamp: int) -> list[Record] | RecordColumns:
        """The last stage's output `raw`, in the form `batch` came in. The input records
        are reused when the output is made of their exact bytes (an unchanged batch, what
        a filter kept); otherwise the codec decodes. Call right after `process` encoded
        `columns` into `first_raw`."""
        codec = self._codec
        if codec.last_plain and raw == first_raw:
            return batch if batch is columns else list(batch)
        if codec.last_plain and self._only_filters:
            if batch is columns:
                kept = codec.select(raw)
                if kept is not None:
                    return kept
            else:
                idx = codec.match(raw)
                if idx is not None:
                    return list(map(batch.__getitem__, idx))
        output = codec.decode(raw, base_offset, base_timestamp, columns.partition)
        return output if batch is columns else output.records()

    def close(self) -> None:
        for stage in self._stages:
            stage.instance.close()
        self._stages = []
        self._closed = True

    def __enter__(self) -> Chain:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _preview(value: bytes, limit: int = 60) -> str:
    """A record value as it would read in an error message."""
    try:
        text = value.decode()
    except UnicodeDecodeError:
        return f"a binary value of {len(value)} bytes"
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"value {text!r}"


def is_path(uses: str) -> bool:
    """A `.wasm` path rather than a registered name (the config validator's rule)."""
    return (uses.endswith(".wasm") or uses.startswith((".", "/", "~"))
            or uses.count("/") > 1 or os.sep != "/" and os.sep in uses)


def resolve_module(uses: str, *, base_dir: Path | None = None, use_cache: bool = True,
                   timed: bool = True,
                   memory_limit: int = DEFAULT_MEMORY_LIMIT) -> LoadedModule:
    """`uses` is a registered name (`name`, `group/name@version`) or a path to a .wasm."""
    from smartmodules import registry

    if is_path(uses):
        path = Path(uses).expanduser()
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        return load_file(path, name=Path(uses).name, use_cache=use_cache, timed=timed,
                         memory_limit=memory_limit)
    entry = registry.get(uses)
    return load_bytes(entry.read_wasm(), name=entry.name, use_cache=use_cache, timed=timed,
                      memory_limit=memory_limit)


def module_problem(uses: str, *, base_dir: Path | None = None) -> tuple[str, str | None] | None:
    """Why `uses` would not load here (message, hint), or None when it does: checked before
    a managed connector is created, so a typo is refused instead of crash-looping."""
    from runtime.errors import WeirError

    try:
        resolve_module(uses, base_dir=base_dir)
    except WeirError as exc:
        return exc.message, exc.hint
    return None


def build_chain(
    specs: Sequence[TransformSpec],
    *,
    version: int = encoding.DEFAULT_VERSION,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    time_limit_ms: int | None = DEFAULT_TIME_LIMIT_MS,
    log: LogFn | None = None,
    lookback: LookbackFn | None = None,
    base_dir: Path | None = None,
    use_cache: bool = True,
    resolve: ResolveFn | None = None,
) -> Chain:
    """Load, instantiate and `init` each module in order (then `look_back` where a spec
    asks for it and `lookback` supplies the stored records). `time_limit_ms=None` turns
    the per-call time limit off: no epoch checks in the guest, which then runs faster.
    `resolve` loads the module a spec names instead of `resolve_module` (the Fluvio
    endpoint: its own registry, modules sent inline).
    Raises SmartModuleError, NotFound or InvalidSmartModule with the module's name."""
    if not 0 <= version <= 32767:
        raise ValueError(f"ABI version must be 0..32767, got {version}")
    limits = Limits(memory_limit=memory_limit, time_limit_ms=time_limit_ms)
    stages: list[_Stage] = []
    try:
        for spec in specs:
            loaded = (resolve(spec, limits) if resolve is not None else
                      resolve_module(spec.uses, base_dir=base_dir, use_cache=use_cache,
                                     timed=limits.timed, memory_limit=limits.memory_limit))
            instance = SmartModuleInstance(loaded, limits=limits, version=version, log=log,
                                           aggregate_initial=spec.aggregate_initial)
            instance.init(spec.params, lookback_last=spec.lookback_last,
                          lookback_age_ms=spec.lookback_age_ms)
            wants_lookback = spec.lookback_last is not None or spec.lookback_age_ms is not None
            if wants_lookback and lookback is not None and loaded.info.has_look_back:
                instance.look_back(list(lookback(spec)))
            stages.append(_Stage(spec, instance))
    except BaseException:
        for stage in stages:
            stage.instance.close()
        raise
    return Chain(stages, version=version)
