"""The host: every kind, init, look_back, return codes, traps, limits, WASI, refusals, cache."""

from __future__ import annotations

import time

import pytest

from runtime.topics.record import Record
from smartmodules.chain import build_chain
from smartmodules.errors import InvalidSmartModule, SmartModuleError
from smartmodules.instance import INIT_RC, LOOKBACK_RC, TRANSFORM_RC
from smartmodules.module import load_bytes
from smartmodules.spec import TransformSpec
from tests.smartmodules import wat


def recs(*values: str, base: int = 0, ts: int = 1000) -> list[Record]:
    return [Record(base + i, ts + i, None, v.encode()) for i, v in enumerate(values)]


def chain_of(tmp_path, *names: str, **kwargs):
    specs = []
    for name in names:
        mode = None
        if "#" in name:
            name, mode = name.split("#")
        specs.append(TransformSpec(uses=str(wat.write(tmp_path, name, mode))))
    return build_chain(specs, **kwargs)


def values(result) -> list[str]:
    return [r.value.decode() for r in result.records]


def test_every_kind(tmp_path):
    data = recs("hello", "#skip", "a,b")
    assert values(chain_of(tmp_path, "filter").process(data)) == ["hello", "a,b"]
    assert values(chain_of(tmp_path, "map").process(data)) == ["HELLO", "#SKIP", "A,B"]
    assert values(chain_of(tmp_path, "array_map").process(data)) == ["hello", "#skip", "a", "b"]
    assert values(chain_of(tmp_path, "filter_map").process(recs("1", "22"))) == ["1", "22"]
    assert values(chain_of(tmp_path, "aggregate").process(recs("x", "y"))) == ["x", "xy"]


def test_offsets_and_timestamps_as_the_guest_saw_them(tmp_path):
    data = recs("a", "b", base=100, ts=5000)
    result = chain_of(tmp_path, "map").process(data)
    assert [(r.offset, r.timestamp) for r in result.records] == [(100, 5000), (101, 5001)]
    shifted = chain_of(tmp_path, "map").process(data, base_offset=90, base_timestamp=4000)
    assert [(r.offset, r.timestamp) for r in shifted.records] == [(100, 5000), (101, 5001)]
    arr = chain_of(tmp_path, "array_map").process(data)
    assert [(r.offset, r.timestamp) for r in arr.records] == [(100, 5000), (100, 5000)]


def test_aggregate_accumulator_carries_and_initial_value(tmp_path):
    spec = TransformSpec(uses=str(wat.write(tmp_path, "aggregate")), aggregate_initial=b"1")
    chain = build_chain([spec])
    assert values(chain.process(recs("a", "b"))) == ["1a", "1ab"]
    assert values(chain.process(recs("c"))) == ["1abc"]


def test_init_params_and_missing_param(tmp_path):
    path = str(wat.write(tmp_path, "params"))
    chain = build_chain([TransformSpec(uses=path, params={"key": "z"})])
    assert values(chain.process(recs("zed", "abc", "fizz"))) == ["zed", "fizz"]
    with pytest.raises(SmartModuleError) as info:
        build_chain([TransformSpec(uses=path, params={"other": "1"})])
    err = info.value
    assert err.kind == "init" and err.rc == -2 and err.hint == "Missing param key"
    assert err.module == "params.wasm" and "params given: other" in err.message


def test_look_back_seeds_state(tmp_path):
    path = str(wat.write(tmp_path, "lookback"))
    stored = recs("a", "b")
    seen = []

    def lookback(spec):
        seen.append(spec.lookback_last)
        return stored[-spec.lookback_last:]

    chain = build_chain([TransformSpec(uses=path, lookback_last=1)], lookback=lookback)
    assert seen == [1]
    assert values(chain.process(recs("b", "b", "c"))) == ["c"]
    plain = build_chain([TransformSpec(uses=path)], lookback=lookback)
    assert seen == [1]  # not asked for a lookback: look_back is not called
    assert values(plain.process(recs("b", "b", "c"))) == ["b", "c"]


def test_look_back_error_minus_99(tmp_path):
    path = str(wat.write(tmp_path, "lookback"))
    with pytest.raises(SmartModuleError) as info:
        build_chain([TransformSpec(uses=path, lookback_last=5)],
                    lookback=lambda spec: recs("ok", "!bad", base=40))
    err = info.value
    assert (err.kind, err.rc, err.offset, err.hint) == ("look-back", -99, 41, "bad stored record")
    assert err.record_value == b"!bad"


@pytest.mark.parametrize("rc", sorted(TRANSFORM_RC))
def test_transform_return_codes(tmp_path, rc):
    result = chain_of(tmp_path, f"misbehave#rc:{rc}").process(recs("a", base=7))
    err = result.error
    assert result.records == [] and err is not None
    assert (err.kind, err.rc, err.offset, err.module) == ("rc", rc, 7, f"misbehave-rc{rc}.wasm")
    assert TRANSFORM_RC[rc][0] in err.message and err.hint


def test_unknown_return_code(tmp_path):
    err = chain_of(tmp_path, "misbehave#rc:-7").process(recs("a")).error
    assert err.rc == -7 and "unknown error code -7" in err.message


ENTRY_RC = """(module ;;@lib
  (func (export "{entry}") (param i32 i32 i32) (result i32) (i32.const {rc}))
  (func (export "filter") (param i32 i32 i32) (result i32) (i32.const 0)))"""


@pytest.mark.parametrize("rc", [-1, -10, -11])
def test_init_return_codes(tmp_path, rc):
    path = tmp_path / "init.wasm"
    path.write_bytes(wat.raw_module(ENTRY_RC.format(entry="init", rc=rc)))
    with pytest.raises(SmartModuleError) as info:
        build_chain([TransformSpec(uses=str(path))])
    assert info.value.rc == rc and INIT_RC[rc][0] in info.value.message


@pytest.mark.parametrize("rc", [-1, -66, -77, -88])
def test_look_back_return_codes(tmp_path, rc):
    path = tmp_path / "lb.wasm"
    path.write_bytes(wat.raw_module(ENTRY_RC.format(entry="look_back", rc=rc)))
    with pytest.raises(SmartModuleError) as info:
        build_chain([TransformSpec(uses=str(path), lookback_last=1)], lookback=lambda s: [])
    assert info.value.rc == rc and LOOKBACK_RC[rc][0] in info.value.message


def test_trap(tmp_path):
    err = chain_of(tmp_path, "misbehave#trap").process(recs("a", base=3)).error
    assert err.kind == "trap" and err.offset == 3 and "unreachable" in err.message
    assert "panic" in err.hint


def test_runaway_loop_hits_time_limit(tmp_path):
    chain = chain_of(tmp_path, "misbehave#loop", time_limit_ms=200)
    started = time.monotonic()
    err = chain.process(recs("a")).error
    assert err.kind == "time-limit" and "200 ms" in err.message
    assert time.monotonic() - started < 10
    # the instance is still usable for the next call (and stops again)
    assert chain.process(recs("b")).error.kind == "time-limit"


def test_no_time_limit_uses_the_plain_engine(tmp_path, weir_home):
    chain = chain_of(tmp_path, "filter", time_limit_ms=None)
    assert values(chain.process(recs("a", "#b"))) == ["a"]
    timed = chain_of(tmp_path, "filter")
    assert values(timed.process(recs("a", "#b"))) == ["a"]
    # one cached artifact per engine
    import hashlib

    digest = hashlib.sha256(wat.wasm("filter")).hexdigest()
    assert len(list((weir_home / "cache" / "wasm").glob(f"{digest}-*.cwasm"))) == 2


def test_memory_bomb_hits_cap(tmp_path):
    chain = chain_of(tmp_path, "misbehave#membomb", memory_limit=4 * 1024 * 1024)
    err = chain.process(recs("a")).error
    assert err.kind == "memory-limit" and "4194304" in err.message


@pytest.mark.parametrize(("mode", "text"), [
    ("short", "record 0 of 5"),
    ("badbool", "expected 0 or 1"),
    ("nocopy", "never called copy_records"),
    ("badrecord", "record 0"),
    ("oob", "outside the module's memory"),
])
def test_malformed_output(tmp_path, mode, text):
    err = chain_of(tmp_path, f"misbehave#{mode}").process(recs("a")).error
    assert err.kind == "output" and text in err.message


def test_wasi_output_goes_to_log(tmp_path):
    lines = []
    chain = chain_of(tmp_path, "wasi_hello", log=lambda module, line: lines.append((module, line)))
    assert values(chain.process(recs("a", "b"))) == ["a", "b"]
    assert lines == [("wasi_hello.wasm", "hello from wasm")]


def test_wasi_reactor_is_initialized(tmp_path):
    chain = chain_of(tmp_path, "wasi_reactor")
    assert values(chain.process(recs("a"))) == ["a"]


def test_version_25_layout(tmp_path):
    result = chain_of(tmp_path, "filter_map", version=25).process(recs("1", "y", base=9))
    assert values(result) == ["1"] and result.error.offset == 10


BASE = """(module ;;@lib
  (func (export "filter") (param i32 i32 i32) (result i32) (i32.const 0)))"""


@pytest.mark.parametrize(("text", "reason"), [
    ('(module (memory (export "memory") 1) (func (export "alloc") (param i32) (result i32) '
     'i32.const 0) (func (export "filter") (param i32 i32 i32) (result i32) i32.const 0))',
     "does not import `copy_records`"),
    (BASE.replace("(module", '(module (import "env" "now" (func (result i64)))'),
     "imports env.now"),
    (BASE.replace('"filter"', '"transform"'), "exports no entry point"),
    (BASE.replace('"filter"', '"join"'), "`join` SmartModules are deprecated"),
    (BASE.replace("(param i32 i32 i32)", "(param i32 i32)"), "two-argument ABI"),
    (BASE.replace("(param i32 i32 i32) (result i32) (i32.const 0)", "(param i32)"),
     "expected (i32 ptr, i32 len, i32 version) -> i32"),
    (BASE.replace(";;@lib", wat.lib_text().replace('(export "alloc")', "")),
     "does not export `alloc"),
])
def test_refusals(text, reason):
    with pytest.raises(InvalidSmartModule, match=None) as info:
        load_bytes(wat.raw_module(text), name="bad.wasm")
    assert reason in info.value.message and "bad.wasm" in info.value.message


def test_not_wasm_and_wat_text():
    with pytest.raises(InvalidSmartModule, match="not a WebAssembly module"):
        load_bytes(b"hello", name="x")
    with pytest.raises(InvalidSmartModule) as info:
        load_bytes(b"(module)", name="x.wat")
    assert "text (.wat)" in info.value.hint
    with pytest.raises(InvalidSmartModule, match="does not validate"):
        load_bytes(b"\x00asm\x01\x00\x00\x00\x99", name="x")


def test_kind_detection_order():
    text = BASE.replace("(func (export \"filter\")", "(func (export \"map\") (param i32 i32 i32) "
                        "(result i32) (i32.const 0)) (func (export \"filter\")")
    assert load_bytes(wat.raw_module(text), name="two").info.kind == "filter"


def test_compiled_cache(weir_home):
    data = wat.wasm("map")
    first = load_bytes(data, name="m")
    second = load_bytes(data, name="m")
    assert not first.from_cache and second.from_cache
    assert list((weir_home / "cache" / "wasm").glob("*.cwasm"))
    for entry in (weir_home / "cache" / "wasm").glob("*.cwasm"):
        entry.write_bytes(b"garbage")
    third = load_bytes(data, name="m")
    assert not third.from_cache and third.info.kind == "map"
