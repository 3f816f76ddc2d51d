"""SmartModule throughput: records/s through a one-module filter chain and a map chain,
beside the same transform in plain Python over the same records in the same run, plus the
share of time the host spends in its own encoding and decoding.

    python bench/smartmodules.py [--batches N] [--repeat R]

Modules: the examples' prebuilt .wasm (contains-filter with `contains=cat`, catfact-map)
and, for a map whose guest work is tiny, the upper-case WAT map of the tests.
Records: 100-byte values, batches of 1,000. Each transform runs twice: on Records (what
`smartmodule test` and the TUI playground hand the chain) and on columns (what `consume`
and sink connectors read from the embedded store, and what source connectors and
`produce` hand it: values, dense offsets, one timestamp). Targets: >= 1,000,000
records/s through the filter, >= 500,000 through a map, host encode/decode under half of
the total.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("WEIR_HOME", tempfile.mkdtemp(prefix="weir-bench-"))

from runtime.topics.columns import RecordColumns  # noqa: E402
from runtime.topics.record import ProduceRecord, Record  # noqa: E402
from smartmodules import encoding  # noqa: E402
from smartmodules.chain import build_chain  # noqa: E402
from smartmodules.spec import TransformSpec  # noqa: E402

PREBUILT = REPO / "examples" / "smartmodules" / "prebuilt"
BATCH = 1000
VALUE_SIZE = 100


def text_batches(n_batches: int) -> list[list[Record]]:
    """100-byte values, every other one containing `cat`."""
    batches = []
    offset = 0
    ts = 1_700_000_000_000
    for _ in range(n_batches):
        batch = []
        for i in range(BATCH):
            word = b"cat" if i % 2 == 0 else b"dog"
            head = b"record %08d %s " % (offset, word)
            batch.append(Record(offset, ts + i, None, head + b"x" * (VALUE_SIZE - len(head))))
            offset += 1
        batches.append(batch)
    return batches


def json_batches(n_batches: int) -> list[list[Record]]:
    """100-byte cat-fact responses: {"fact": "...", "length": N}."""
    batches = []
    offset = 0
    ts = 1_700_000_000_000
    for _ in range(n_batches):
        batch = []
        for i in range(BATCH):
            fact = f"Cat fact {offset:08d}: "
            shell = json.dumps({"fact": fact, "length": 0})
            fact += "z" * (VALUE_SIZE - len(shell) - 2)
            value = json.dumps({"fact": fact, "length": len(fact)}).encode()
            batch.append(Record(offset, ts + i, None, value[:VALUE_SIZE]))
            offset += 1
        batches.append(batch)
    return batches


def source_columns(batch: list[Record]) -> RecordColumns:
    """The batch as a source connector's pipeline hands it to the chain: the values it
    produced, dense offsets, the one timestamp of their arrival."""
    produced = [ProduceRecord(r.value, r.key) for r in batch]
    return RecordColumns.from_produce_records(produced, batch[0].offset, batch[0].timestamp)


def as_columns(batch) -> tuple[RecordColumns, int, int]:
    """A batch as the chain encodes it (Records taken apart), with its base offset and
    timestamp."""
    columns = batch if isinstance(batch, RecordColumns) else RecordColumns.from_records(batch)
    return columns, columns.offsets[0], columns.timestamps[0]


def python_filter(records: list[Record]) -> list[Record]:
    return [r for r in records if b"cat" in r.value]


def python_catfact(records: list[Record]) -> list[Record]:
    out = []
    for r in records:
        fact = json.loads(r.value)["fact"]
        out.append(Record(r.offset, r.timestamp, r.key, json.dumps(fact).encode()))
    return out


def python_upper(records: list[Record]) -> list[Record]:
    return [Record(r.offset, r.timestamp, r.key, r.value.upper()) for r in records]


# CPU time of this process: on a shared machine, wall time mostly measures the neighbours
CLOCK = time.process_time


def timed(fn) -> float:
    started = CLOCK()
    fn()
    return CLOCK() - started


class Case:
    """One transform over its batches, and the four things timed for it: the chain end to
    end, the same transform in Python, the host's input encoding and its output decoding."""

    def __init__(self, label: str, spec: TransformSpec, batches, python_fn,
                 time_limit_ms: int | None = 10_000, columns: bool = False) -> None:
        self.label = label
        # the chain gets Records, or the columns a source connector hands it; the Python
        # version gets the same records as Records either way
        self.python_batches = batches
        self.batches = list(map(source_columns, batches)) if columns else batches
        self.python_fn = python_fn
        self.chain = build_chain([spec], time_limit_ms=time_limit_ms)
        self.records = sum(len(b) for b in batches)
        # warm up, and keep the outputs for decode timing
        self.results = [self.chain.process(b) for b in self.batches]
        assert all(r.error is None for r in self.results), self.results[0].error
        for got, want in zip(self.results, map(python_fn, batches), strict=True):
            if [(r.offset, r.value) for r in got.records] != [(r.offset, r.value) for r in want]:
                raise SystemExit(f"{label}: the module and the Python version disagree")
        self.best = {"chain": float("inf"), "python": float("inf"),
                     "encode": float("inf"), "decode": float("inf")}

    def run_chain(self) -> None:
        for b in self.batches:
            self.chain.process(b)

    def run_python(self) -> None:
        for b in self.python_batches:
            self.python_fn(b)

    def run_encode(self) -> None:
        """Input encoding: the batch -> record list bytes, and the SmartModuleInput wrapper
        (for Records, taking them apart into columns first)."""
        codec, version = self.chain._codec, self.chain.version
        for b in self.batches:
            columns, bo, bt = as_columns(b)
            encoding.encode_input(codec.encode(columns, bo, bt), bo, bt, version)

    def decode_time(self) -> float:
        """Output decoding: the last module's successes -> the output batch, Records or
        columns as the input came (timed per batch, as it needs the batch's encoding set
        up first, untimed)."""
        codec, spent = self.chain._codec, 0.0
        for b, result in zip(self.batches, self.results, strict=True):
            raw = result.stages[-1].raw
            columns, bo, bt = as_columns(b)
            first = codec.encode(columns, bo, bt)  # sets up a filter's match
            started = CLOCK()
            codec.list_end(raw)  # what decode_output asks of the codec per stage
            self.chain._finish(raw, b, columns, first, bo, bt)
            spent += CLOCK() - started
        return spent

    def round(self) -> None:
        """Each thing timed twice in a row (the second runs warm, as in a steady stream);
        the best of all rounds is kept."""
        best = self.best
        for _ in range(2):
            best["chain"] = min(best["chain"], timed(self.run_chain))
            best["python"] = min(best["python"], timed(self.run_python))
        for _ in range(2):
            best["encode"] = min(best["encode"], timed(self.run_encode))
        for _ in range(2):
            best["decode"] = min(best["decode"], self.decode_time())

    def figures(self) -> dict:
        t = self.best
        return {
            "label": self.label,
            "chain_rps": self.records / t["chain"],
            "python_rps": self.records / t["python"],
            "host_share": (t["encode"] + t["decode"]) / t["chain"],
            "encode_share": t["encode"] / t["chain"],
            "decode_share": t["decode"] / t["chain"],
        }


def call_overhead(calls: int = 20_000, rounds: int = 5) -> tuple[float, float]:
    """Microseconds a call into a wasm export costs, through FastFunc and through
    wasmtime-py's own `Func.__call__`, on the codec's `scan` of a 4-byte list (almost no
    guest work), in alternating rounds."""
    from smartmodules.codec import Codec

    codec = Codec()
    fast = codec._scan
    func, store = fast._func_obj, codec._store
    assert fast(16, 4) == func(store, 16, 4)
    best_fast = best_plain = float("inf")
    for _ in range(rounds):
        best_fast = min(best_fast, timed(lambda: [fast(16, 4) for _ in range(calls)]))
        best_plain = min(best_plain, timed(lambda: [func(store, 16, 4) for _ in range(calls)]))
    return best_fast / calls * 1e6, best_plain / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=50, help="batches of 1,000 records")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (best kept)")
    parser.add_argument("--wall", action="store_true",
                        help="time with the wall clock instead of the process's CPU time")
    args = parser.parse_args()
    if args.wall:
        global CLOCK
        CLOCK = time.perf_counter

    filter_wasm = PREBUILT / "contains_filter.wasm"
    map_wasm = PREBUILT / "catfact_map.wasm"
    if not filter_wasm.exists() or not map_wasm.exists():
        raise SystemExit(f"missing prebuilt examples in {PREBUILT}")
    from tests.smartmodules import wat

    upper = Path(os.environ["WEIR_HOME"]) / "upper.wasm"
    upper.write_bytes(wat.wasm("map"))

    text, facts = text_batches(args.batches), json_batches(args.batches)
    contains = TransformSpec(uses=str(filter_wasm), params={"contains": "cat"})
    catfact = TransformSpec(uses=str(map_wasm))
    upper_case = TransformSpec(uses=str(upper))
    cases = [
        Case("filter (contains-filter, contains=cat)", contains, text, python_filter),
        Case("  the same, columns in", contains, text, python_filter, columns=True),
        Case("map (catfact-map: JSON fact extraction)", catfact, facts, python_catfact),
        Case("  the same, columns in", catfact, facts, python_catfact, columns=True),
        Case("map (upper-case, WAT)", upper_case, text, python_upper),
        Case("  the same, columns in", upper_case, text, python_upper, columns=True),
        Case("filter, time limit off", contains, text, python_filter, time_limit_ms=None),
        Case("map (catfact-map), time limit off", catfact, facts, python_catfact,
             time_limit_ms=None),
    ]
    # The batches and kept outputs are ~500,000 live objects that a connector would not
    # hold; frozen, the garbage collector stops walking them during the timed work.
    gc.collect()
    gc.freeze()
    # rounds go through every case in turn, so a machine that speeds up or slows down
    # during the run affects every row alike
    for _ in range(args.repeat):
        for case in cases:
            case.round()
    rows = [case.figures() for case in cases]
    for case in cases:
        case.chain.close()
    from smartmodules.cache import clear_cache
    from smartmodules.module import load_bytes

    wasm = map_wasm.read_bytes()
    clear_cache()
    started = CLOCK()
    load_bytes(wasm, name="catfact")
    cold = CLOCK() - started
    started = CLOCK()
    assert load_bytes(wasm, name="catfact").from_cache
    cached = CLOCK() - started

    print(f"{args.batches * BATCH:,} records of {VALUE_SIZE} bytes in batches of {BATCH:,}, "
          f"best of {args.repeat} rounds, {'wall' if args.wall else 'CPU'} time")
    print(f"{'transform':42} {'wasm rec/s':>12} {'python rec/s':>13} {'ratio':>6} "
          f"{'host enc+dec':>13}")
    for row in rows:
        print(f"{row['label']:42} {row['chain_rps']:12,.0f} {row['python_rps']:13,.0f} "
              f"{row['chain_rps'] / row['python_rps']:6.2f} "
              f"{row['host_share']:12.0%} (enc {row['encode_share']:.0%}, "
              f"dec {row['decode_share']:.0%})")
    print(f"loading catfact_map.wasm ({len(wasm) // 1000} KB): compiled {cold * 1000:.0f} ms, "
          f"from the cache {cached * 1000:.1f} ms ({cold / cached:.0f}x faster)")
    fast, plain = call_overhead()
    print(f"a call into wasm (six a batch): FastFunc {fast:.2f} us, wasmtime-py's "
          f"Func.__call__ {plain:.2f} us ({plain / fast:.1f}x)")


if __name__ == "__main__":
    main()

