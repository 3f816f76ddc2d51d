"""The worked examples of smartmodule-abi.md section 8, byte for byte, through real
modules running in wasmtime."""

from __future__ import annotations

import pytest

from runtime.topics.record import Record
from smartmodules import encoding
from smartmodules.instance import SmartModuleInstance
from smartmodules.module import load_bytes
from tests.smartmodules import wat

HELLO_V22 = bytes.fromhex(
    "0000000000000000"  # base_offset
    "00000010"  # raw_bytes length 16
    "00000001" "16" "000000" "00" "0a68656c6c6f" "00"  # one record
    "0000"  # params
    "00"  # lookback None
    "00000000"  # join_record
    "0000000000000000"  # base_timestamp
)


def instance(name: str, **kwargs) -> SmartModuleInstance:
    return SmartModuleInstance(load_bytes(wat.wasm(name), name=name), **kwargs)


def records(*values: bytes, base: int = 0) -> list[Record]:
    return [Record(base + i, 0, None, v) for i, v in enumerate(values)]


def test_input_hello_v22_is_43_bytes():
    raw = encoding.encode_record_list(records(b"hello"), 0, 0)
    data = encoding.encode_input(raw, 0, 0, 22)
    assert len(data) == 43
    assert data == HELLO_V22


@pytest.mark.parametrize("version", [23, 25])
def test_input_without_params_lookback_join_from_v23(version):
    raw = encoding.encode_record_list(records(b"hello"), 0, 0)
    data = encoding.encode_input(raw, 0, 0, version)
    assert len(data) == 36
    assert data == HELLO_V22[:28] + HELLO_V22[-8:]


def test_input_layout_per_version():
    raw = encoding.encode_record_list([], 0, 0)
    assert encoding.encode_input(raw, 0, 0, 15) == bytes(8) + b"\0\0\0\4" + raw + b"\0\0"
    assert encoding.encode_input(raw, 0, 0, 19) == bytes(8) + b"\0\0\0\4" + raw + bytes(6)
    assert encoding.encode_input(raw, 0, 0, 21) == bytes(8) + b"\0\0\0\4" + raw + bytes(7)
    assert encoding.encode_input(raw, 7, 9, 22)[-8:] == (9).to_bytes(8, "big")


def test_filter_keeps_hello_byte_for_byte():
    rc, out = instance("filter").call_raw("filter", HELLO_V22)
    assert rc == 1
    assert out == bytes.fromhex("00000001" "16000000000a68656c6c6f00" "00")


def test_filter_map_error_vector():
    inst = instance("filter_map")
    raw = encoding.encode_record_list(records(b"1", b"x", b"4", base=50), 50, 0)
    rc, out = inst.call_raw("filter_map", encoding.encode_input(raw, 50, 0, 22))
    assert rc == 1
    success = encoding.encode_record_list(records(b"1", base=50), 50, 0)
    hint = b"invalid digit found in string"
    expected = (success + b"\x01" + b"\x00\x1d" + hint
                + bytes.fromhex("0000000000000033") + b"\x04" + b"\x00" + b"\x02x")
    assert out == expected
    decoded = encoding.decode_output(out)
    assert decoded.count == 1
    assert decoded.error == encoding.RuntimeError_(hint.decode(), 51, 4, None, b"x")


def test_aggregate_vector():
    inst = instance("aggregate")
    raw = encoding.encode_record_list(records(b"a", b"b", b"c", b"d"), 0, 0)
    rc, out = inst.call_raw("aggregate", encoding.encode_input(raw, 0, 0, 22, accumulator=b"1"))
    assert rc == 4
    decoded = encoding.decode_output(out, aggregate=True)
    values = [r.value for r in encoding.decode_record_list(decoded.successes, 0, 0)]
    assert values == [b"1a", b"1ab", b"1abc", b"1abcd"]
    assert out.endswith(b"\x00" + b"\x00\x00\x00\x05" + b"1abcd")
    assert decoded.error is None and decoded.accumulator == b"1abcd"


def test_init_params_vector():
    assert encoding.encode_params({"key": "a"}, 22) == bytes.fromhex("0001" "0003" "6b6579"
                                                                     "0001" "61" "00")


def test_init_params_sorted_and_lookback():
    data = encoding.encode_params({"b": "2", "a": "1"}, 21, lookback_last=3, lookback_age_ms=1500)
    assert data == (bytes.fromhex("0002" "0001" "61" "0001" "31" "0001" "62" "0001" "32")
                    + b"\x01" + (3).to_bytes(8, "big")
                    + b"\x01" + (1).to_bytes(8, "big") + (500_000_000).to_bytes(4, "big"))
    assert encoding.encode_params({}, 19) == b"\x00\x00"
    assert encoding.encode_params({}, 20, lookback_last=2) == (b"\x00\x00\x01"
                                                               + (2).to_bytes(8, "big"))


def test_init_missing_param_returns_minus_two_with_hint():
    inst = instance("params")
    rc, out = inst.call_raw("init", encoding.encode_params({}, 22))
    assert rc == -2
    assert encoding.decode_init_error(out) == "Missing param key"
    assert inst.call_raw("init", encoding.encode_params({"key": "a"}, 22))[0] == 0
