"""Chain semantics (smartmodule-abi.md section 5)."""

from __future__ import annotations

import pytest

from runtime.errors import EnvironmentProblem, NotFound
from runtime.topics.record import Record
from smartmodules import encoding
from smartmodules.chain import build_chain
from smartmodules.spec import TransformSpec
from tests.smartmodules import wat
from tests.smartmodules.test_engine import chain_of, recs, values


def test_empty_chain_passes_records_through():
    data = recs("a", "b")
    result = build_chain([]).process(data)
    assert result.records == data and result.ok and result.stages == []


def test_error_stops_the_chain_and_keeps_partial_output(tmp_path):
    chain = chain_of(tmp_path, "map", "filter_map", "filter")
    result = chain.process(recs("1", "x", "4", base=50, ts=7))
    assert values(result) == ["1"]
    err = result.error
    # the second module saw the original base offset: the error names offset 51
    assert (err.module, err.offset, err.hint) == ("filter_map.wasm", 51, "invalid digit found "
                                                                         "in string")
    assert err.record_value == b"X"
    assert [s.module for s in result.stages] == ["map.wasm", "filter_map.wasm"]
    assert [r.value for r in result.stages[0].records] == [b"1", b"X", b"4"]
    assert result.stages[1].error is err


def test_trap_fails_the_whole_call(tmp_path):
    chain = chain_of(tmp_path, "map", "misbehave#trap")
    result = chain.process(recs("a"))
    assert result.records == [] and result.error.kind == "trap"
    assert len(result.stages) == 1  # the map ran; its output stays visible for tracing
    with pytest.raises(type(result.error)):
        result.raise_for_error()


def test_whole_call_failure_names_the_batch(tmp_path):
    err = chain_of(tmp_path, "misbehave#trap").process(recs("a", "b", base=5)).error
    assert err.offset is None and "batch of 2 records at offsets 5..6" in err.message
    one = chain_of(tmp_path, "misbehave#trap").process(recs("a", base=9)).error
    assert one.offset == 9 and "at offset 9" in one.message


def test_original_base_offset_and_timestamp_passed_on(tmp_path):
    chain = chain_of(tmp_path, "array_map", "map")
    result = chain.process(recs("a,b", "c", base=10, ts=500), base_offset=8, base_timestamp=400)
    # array_map emits deltas 0: every record lands on the base the chain was given
    assert [(r.offset, r.timestamp, r.value) for r in result.records] == [
        (8, 400, b"A"), (8, 400, b"B"), (8, 400, b"C")]


def test_filter_fast_path_matches_full_decode(tmp_path):
    data = [Record(100 + i, 9000 + 3 * i, (b"k%d" % i) if i % 3 else None,
                   (b"#" if i % 2 else b"") + b"v" * i, partition=2) for i in range(300)]
    chain = chain_of(tmp_path, "filter", "filter")
    result = chain.process(data)
    stage = result.stages[-1]
    slow = encoding.decode_record_list(stage.raw, stage.base_offset, stage.base_timestamp,
                                       partition=2)
    assert result.records == slow
    assert len(result.records) == 150
    assert all(a is b for a, b in zip(result.records, data[::2], strict=True))


def test_headers_are_not_seen_by_the_guest(tmp_path):
    data = [Record(0, 5, None, b"a", headers=(("h", b"1"),))]
    result = chain_of(tmp_path, "filter").process(data)
    assert result.records == [Record(0, 5, None, b"a")]


def test_aggregate_state_per_stage_and_between_calls(tmp_path):
    path = str(wat.write(tmp_path, "aggregate"))
    chain = build_chain([TransformSpec(uses=path, aggregate_initial=b">"),
                         TransformSpec(uses=path)])
    first = chain.process(recs("a", "b"))
    assert values(first) == [">a", ">a>ab"]
    assert values(chain.process(recs("c"))) == [">a>ab>abc"]


def test_unknown_module_name():
    with pytest.raises(NotFound) as info:
        build_chain([TransformSpec(uses="no-such-module")])
    assert "no SmartModules registered" in info.value.hint


def test_missing_wasm_path(tmp_path):
    with pytest.raises(EnvironmentProblem, match="no such file"):
        build_chain([TransformSpec(uses=str(tmp_path / "gone.wasm"))])


def test_closed_chain_refuses_to_run(tmp_path):
    chain = chain_of(tmp_path, "filter")
    chain.close()
    with pytest.raises(RuntimeError, match="closed"):
        chain.process(recs("a"))
