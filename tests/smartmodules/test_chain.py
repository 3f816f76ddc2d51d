"""Chain semantics (smartmodule-abi.md section 5)."""

from __future__ import annotations

import pytest

from runtime.errors import EnvironmentProblem, NotFound
from runtime.topics.columns import RecordColumns
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


def _mixed_batch() -> list[Record]:
    """Keys on some records, a value filter_map cannot parse, timestamps that differ."""
    return [Record(40 + i, 7000 + (i % 3), (b"k%d" % i) if i % 4 else None,
                   b"#%d" % i if i % 5 == 4 else b"%d" % i, partition=3)
            for i in range(60)]


@pytest.mark.parametrize("names", [["filter"], ["filter", "filter"], ["map"], ["array_map"],
                                   ["filter_map"], ["aggregate"], ["map", "filter"]])
@pytest.mark.parametrize("shape", ["as stored", "dense, one timestamp"])
def test_columns_in_give_what_records_in_give(tmp_path, names, shape):
    data = _mixed_batch()
    if shape == "dense, one timestamp":
        data = [r.replace(timestamp=7000) for r in data]
    by_records = chain_of(tmp_path, *names).process(data)
    columns = RecordColumns.from_records(data)
    if shape == "dense, one timestamp":  # as a source hands them over
        columns = RecordColumns(columns.values, range(40, 100), (7000,) * 60, columns.keys,
                                None, 3)
    by_columns = chain_of(tmp_path, *names).process(columns)
    assert isinstance(by_columns.output, RecordColumns)
    assert by_columns.records == by_records.records
    assert (by_columns.error is None) == (by_records.error is None)
    if names == ["filter_map"]:
        assert by_records.error.offset == 44 and len(by_records.records) == 4
    if by_records.error is not None:
        assert by_columns.error.offset == by_records.error.offset
    assert [s.raw for s in by_columns.stages] == [s.raw for s in by_records.stages]


def test_columns_a_filter_keeps_are_the_input_objects(tmp_path):
    values_in = [b"#%d" % i if i % 2 else b"v%d" % i for i in range(200)]
    columns = RecordColumns(values_in, range(10, 210), (5,) * 200)
    out = chain_of(tmp_path, "filter").process(columns).columns
    assert list(out.offsets) == list(range(10, 210, 2)) and set(out.timestamps) == {5}
    assert all(a is b for a, b in zip(out.values, values_in[::2], strict=True))


def test_columns_of_a_map_keep_dense_offsets_as_a_range(tmp_path):
    columns = RecordColumns([b"a", b"b", b"c"], range(7, 10), (3, 3, 3))
    out = chain_of(tmp_path, "map").process(columns).columns
    assert out.offsets == range(7, 10) and tuple(out.timestamps) == (3, 3, 3)
    assert list(out.values) == [b"A", b"B", b"C"]


def test_columns_trap_and_empty_batch(tmp_path):
    columns = RecordColumns([b"a", b"b"], range(5, 7), (1, 1))
    failed = chain_of(tmp_path, "misbehave#trap").process(columns)
    assert failed.records == [] and len(failed.columns) == 0
    assert "offsets 5..6" in failed.error.message
    empty = chain_of(tmp_path, "map").process(RecordColumns((), range(0), ()))
    assert empty.ok and empty.records == []


def test_a_batch_spans_one_partition(tmp_path):
    with pytest.raises(ValueError, match="more than one partition"):
        chain_of(tmp_path, "filter").process([Record(0, 0, None, b"a", partition=0),
                                              Record(0, 0, None, b"b", partition=1)])
