"""The wasm codec gives exactly what the pure-Python encoder and decoder give."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    raw = codec.encode(recs, base_offset, base_ts)
    assert raw == encoding.encode_record_list(recs, base_offset, base_ts)
    assert codec.list_end(raw + b"\x00tail") == len(raw)
    decoded = codec.decode(raw, base_offset, base_ts, partition)
    assert decoded == encoding.decode_record_list(raw, base_offset, base_ts, partition=partition)
    assert [(r.offset, r.timestamp, r.key, r.value) for r in decoded] == [
        (r.offset, r.timestamp, r.key, r.value) for r in recs]
    # every other record, as a filter would keep them
    kept = recs[::2]
    idx = codec.match(encoding.encode_record_list(kept, base_offset, base_ts))
    assert [recs[i] for i in idx] == kept  # equal records may map to an earlier twin


def test_match_refuses_what_is_not_a_subsequence(codec):
    recs = [Record(i, 0, None, b"v%d" % i) for i in range(5)]
    codec.encode(recs, 0, 0)
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
    raw = codec.encode(recs, 0, 0)
    assert codec.decode(raw, 0, 0) == recs


def test_records_from_columns_equal_constructed_records():
    from smartmodules.columns import records_from_columns

    made = records_from_columns([1, 2], [3, 4], [None, b"k"], [b"a", b"b"], partition=5)
    assert made == [Record(1, 3, None, b"a", (), 5), Record(2, 4, b"k", b"b", (), 5)]
    assert hash(made[0]) == hash(Record(1, 3, None, b"a", (), 5))
    with pytest.raises(AttributeError):
        made[0].value = b"changed"  # still frozen


def test_repeated_value_objects_encode_like_distinct_ones(codec):
    shared, key = b"the same bytes object", b"k"
    recs = [Record(i, 5, key if i % 2 else None, shared) for i in range(300)]
    assert codec.encode(recs, 0, 5) == encoding.encode_record_list(recs, 0, 5)


@pytest.mark.parametrize("bad", [Record(0, 0, None, "text"), Record(0, 0, "text", b"v"),
                                 Record(0, 0, None, 7), Record(0, 0, None, object())])
def test_values_and_keys_must_be_bytes(codec, bad):
    with pytest.raises(TypeError, match="must be bytes"):
        codec.encode([Record(1, 0, None, b"ok"), bad], 0, 0)
