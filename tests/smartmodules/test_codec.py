"""The wasm codec gives exactly what the pure-Python encoder and decoder give."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.topics.columns import RecordColumns
from runtime.topics.record import Record
from smartmodules import encoding
from smartmodules.codec import Codec
from smartmodules.errors import DecodeError

record_st = st.builds(
    Record,
    offset=st.integers(min_value=0, max_value=2**45),
    timestamp=st.integers(min_value=0, max_value=2**45),
    key=st.none() | st.binary(max_size=70),
    value=st.binary(max_size=9000),
    headers=st.just(()),
    partition=st.just(0),
)


@pytest.fixture(scope="module")
def codec():
    return Codec()


@settings(max_examples=60, deadline=None)
@given(st.lists(record_st, max_size=30), st.integers(0, 2**45), st.integers(0, 2**45),
       st.integers(0, 3))
def test_encode_decode_match_python(recs, base_offset, base_ts, partition):
    codec = Codec()
    raw = codec.encode(RecordColumns.from_records(recs), base_offset, base_ts)
    assert raw == encoding.encode_record_list(recs, base_offset, base_ts)
    assert codec.list_end(raw + b"\x00tail") == len(raw)
    decoded = codec.decode(raw, base_offset, base_ts, partition).records()
    assert decoded == encoding.decode_record_list(raw, base_offset, base_ts, partition=partition)
    assert [(r.offset, r.timestamp, r.key, r.value) for r in decoded] == [
        (r.offset, r.timestamp, r.key, r.value) for r in recs]
    # every other record, as a filter would keep them
    kept = recs[::2]
    idx = codec.match(encoding.encode_record_list(kept, base_offset, base_ts))
    assert [recs[i] for i in idx] == kept  # equal records may map to an earlier twin


def test_match_refuses_what_is_not_a_subsequence(codec):
    recs = [Record(i, 0, None, b"v%d" % i) for i in range(5)]
    codec.encode(RecordColumns.from_records(recs), 0, 0)
    changed = [Record(1, 0, None, b"V1")]
    assert codec.match(encoding.encode_record_list(changed, 0, 0)) is None
    reordered = [recs[2], recs[1]]
    assert codec.match(encoding.encode_record_list(reordered, 0, 0)) is None
    assert codec.match(encoding.encode_record_list([], 0, 0)) == []


@pytest.mark.parametrize("data", [
    b"\x00\x00\x00\x02\x04\x00\x00\x00",  # framed, but record 0 has no key flag
    b"\x00\x00\x00\x01\x0c\x00\x00\x00\x07\x02x\x00\x00\x00\x00",  # key flag 7
    b"\x00\x00\x00\x01\x80",  # length varint cut off
    b"\x00\x00",
])
def test_malformed_lists_fall_back_to_the_exact_error(codec, data):
    with pytest.raises(DecodeError):
        codec.decode(data, 0, 0)


def test_list_end_refuses_cut_off_lists(codec):
    assert codec.list_end(b"\x00\x00\x00\x01\x80") == -1
    assert codec.list_end(b"\x00\x00\x00\x02\x02\x00") == -1
    assert codec.list_end(b"\x00\x00\x00\x01\x01") == -1  # negative length


def test_large_batch_grows_memory(codec):
    recs = [Record(i, i, b"k", b"x" * 1000) for i in range(3000)]
    raw = codec.encode(RecordColumns.from_records(recs), 0, 0)
    assert codec.decode(raw, 0, 0).records() == recs


def test_records_from_columns_equal_constructed_records():
    made = RecordColumns([b"a", b"b"], [1, 2], [3, 4], [None, b"k"], partition=5).records()
    assert made == [Record(1, 3, None, b"a", (), 5), Record(2, 4, b"k", b"b", (), 5)]
    assert hash(made[0]) == hash(Record(1, 3, None, b"a", (), 5))
    with pytest.raises(AttributeError):
        made[0].value = b"changed"  # still frozen


def test_repeated_value_objects_encode_like_distinct_ones(codec):
    shared, key = b"the same bytes object", b"k"
    recs = [Record(i, 5, key if i % 2 else None, shared) for i in range(300)]
    raw = codec.encode(RecordColumns.from_records(recs), 0, 5)
    assert raw == encoding.encode_record_list(recs, 0, 5)


@pytest.mark.parametrize("bad", [Record(0, 0, None, "text"), Record(0, 0, "text", b"v"),
                                 Record(0, 0, None, 7), Record(0, 0, None, object())])
def test_values_and_keys_must_be_bytes(codec, bad):
    with pytest.raises(TypeError, match="must be bytes"):
        codec.encode(RecordColumns.from_records([Record(1, 0, None, b"ok"), bad]), 0, 0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=30), st.integers(0, 2**45),
       st.integers(0, 2**45), st.integers(0, 2**20))
def test_dense_offsets_and_one_timestamp_encode_like_records(values, first, ts, base_delta):
    """Columns the codec encodes without reading their offsets and timestamps."""
    codec = Codec()
    columns = RecordColumns(values, range(first, first + len(values)), (ts,) * len(values))
    records = columns.records()
    base_offset, base_ts = max(0, first - base_delta), max(0, ts - base_delta)
    raw = codec.encode(columns, base_offset, base_ts)
    assert raw == encoding.encode_record_list(records, base_offset, base_ts)
    assert codec.decode(raw, base_offset, base_ts).records() == records


def test_columns_refuse_ragged_lengths():
    with pytest.raises(ValueError, match="different lengths"):
        RecordColumns([b"a", b"b"], range(2), [0])


def test_columns_of_records_with_headers_round_trip():
    recs = [Record(3, 1, b"k", b"v", (("h", b"1"),), 2), Record(4, 1, None, b"w", (), 2)]
    columns = RecordColumns.from_records(recs)
    assert columns.partition == 2 and columns.keys == (b"k", None)
    assert columns.records() == recs
    with pytest.raises(ValueError, match="more than one partition"):
        RecordColumns.from_records([recs[0], Record(5, 1, None, b"x", (), 0)])


def test_fast_calls_check_the_signature_once_then_pass_integers_exactly():
    import wasmtime

    from smartmodules.fastcall import FastFunc

    store = wasmtime.Store()
    module = wasmtime.Module(store.engine, """(module
      (func (export "add") (param i32 i64) (result i64)
        (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)))
      (func (export "neg") (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0))))""")
    exports = wasmtime.Instance(store, module, []).exports(store)
    add = FastFunc(store, exports["add"], ("i32", "i64"), "i64")
    assert add(-5, 2**40) == 2**40 - 5
    assert add(2**31 - 1, -(2**63)) == -(2**63) + 2**31 - 1
    neg = FastFunc(store, exports["neg"], ("i32",), "i32")
    assert neg(7) == -7 and neg(-(2**31)) == -(2**31)
    with pytest.raises(TypeError, match="signature"):
        FastFunc(store, exports["add"], ("i64", "i64"), "i64")
