"""Fluvio protocol encoding: varints, records, outputs, and their failures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.topics.record import Record
from smartmodules import encoding
from smartmodules.errors import DecodeError


@pytest.mark.parametrize(("n", "expected"), [
    (0, "00"), (-1, "01"), (1, "02"), (5, "0a"), (11, "16"), (63, "7e"), (64, "8001"),
    (-64, "7f"), (8191, "fe7f"), (8192, "808001"), (300, "d804"),
])
def test_varint_known_bytes(n, expected):
    assert encoding.encode_varint(n).hex() == expected
    assert encoding.decode_varint(bytes.fromhex(expected), 0) == (n, len(expected) // 2)


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_varint_roundtrip(n):
    data = encoding.encode_varint(n)
    assert encoding.decode_varint(data + b"\xff", 0) == (n, len(data))


def test_varint_truncated():
    with pytest.raises(DecodeError, match="past the end"):
        encoding.decode_varint(b"\x80\x80", 0)


record_st = st.builds(
    Record,
    offset=st.integers(min_value=0, max_value=2**40),
    timestamp=st.integers(min_value=0, max_value=2**42),
    key=st.none() | st.binary(max_size=200),
    value=st.binary(max_size=20000),
    headers=st.just(()),
    partition=st.just(0),
)


@given(st.lists(record_st, max_size=20), st.integers(0, 2**40), st.integers(0, 2**42))
def test_record_list_roundtrip(recs, base_offset, base_ts):
    raw = encoding.encode_record_list(recs, base_offset, base_ts)
    assert encoding.skip_record_list(raw) == (len(recs), len(raw))
    assert encoding.decode_record_list(raw, base_offset, base_ts) == recs


def test_record_with_key_layout():
    raw = encoding.encode_record(Record(12, 105, b"k", b"v"), 10, 100)
    # length 9: attrs 0, ts delta 5 (0a), offset delta 2 (04), key Some "k", value "v", 0 headers
    assert raw.hex() == "12" "00" "0a" "04" "01026b" "0276" "00"


def test_output_roundtrip_with_error_and_accumulator():
    recs = [Record(5, 7, None, b"a"), Record(6, 7, b"k", b"bb")]
    err = encoding.RuntimeError_("boom", 6, 1, b"k", b"bb")
    data = encoding.encode_output(recs, 5, 7, error=err, accumulator=b"acc")
    out = encoding.decode_output(data, aggregate=True)
    assert out.count == 2 and out.error == err and out.accumulator == b"acc"
    assert encoding.decode_record_list(out.successes, 5, 7) == recs


@pytest.mark.parametrize(("data", "message"), [
    (b"\x00\x00", "too short for the record count"),
    (b"\x00\x00\x00\x05", "record 0 of 5"),
    (b"\x00\x00\x00\x00", "error option is missing"),
    (b"\x00\x00\x00\x00\x07", "expected 0 or 1"),
    (b"\x00\x00\x00\x00\x01\x00\x05ab", "ends inside the error hint"),
    (b"\x00\x00\x00\x00\x01\x00\x00" + bytes(8) + b"\x09", "not one of 0..6"),
])
def test_malformed_outputs(data, message):
    with pytest.raises(DecodeError, match=message):
        encoding.decode_output(data)


def test_aggregate_output_needs_accumulator():
    with pytest.raises(DecodeError, match="accumulator length"):
        encoding.decode_output(b"\x00\x00\x00\x00\x00", aggregate=True)
