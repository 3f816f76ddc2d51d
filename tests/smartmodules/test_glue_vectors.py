"""The `--sdk none` ABI glue, byte for byte: the ABI doc's test vectors (smartmodule-abi.md
section 8) and the protocol's edge cases, run against the prebuilt example modules through
raw calls (so this checks the guest's bytes, independent of our engine's decoding)."""

from __future__ import annotations

import pytest

from tests.conftest import REPO
from tests.smartmodules.rawcall import (
    RawModule,
    params,
    record,
    smartmodule_input,
    values_input,
    zigzag,
)

PREBUILT = REPO / "examples" / "smartmodules" / "prebuilt"


def module(name: str) -> RawModule:
    return RawModule(PREBUILT / f"{name}.wasm")


def test_doc_input_vector_is_what_we_send() -> None:
    data = smartmodule_input([record(b"hello")])
    assert len(data) == 43
    assert len(smartmodule_input([record(b"hello")], version=23)) == 36
    assert params({"key": "a"}) == bytes.fromhex("0001 0003 6b6579 0001 61 00")


def test_filter_vector() -> None:
    m = module("contains_filter")
    assert m.call("init", params({"contains": "ell"})) == (0, None)
    rc, out = m.call("filter", smartmodule_input([record(b"hello")]))
    assert rc == 1
    assert out == bytes.fromhex("00000001 16 00 00 00 00 0a 68656c6c6f 00 00")


def test_filter_map_vector() -> None:
    rc, out = module("parse_int").call("filter_map",
                                       values_input([b"1", b"x", b"4"], base_offset=50))
    assert rc == 1
    hint = b"invalid digit found in string"
    assert out == (bytes.fromhex("00000001") + record(b"1")  # one success, value "1"
                   + b"\x01" + b"\x00\x1d" + hint
                   + (51).to_bytes(8, "big") + b"\x04" + b"\x00" + b"\x02x")


def test_aggregate_vector() -> None:
    data = values_input([b"a", b"b", b"c", b"d"]) + b"\x00\x00\x00\x011"
    rc, out = module("concat_aggregate").call("aggregate", data)
    assert rc == 4
    successes = b"".join(record(v, offset_delta=i)
                         for i, v in enumerate([b"1a", b"1ab", b"1abc", b"1abcd"]))
    assert out == bytes.fromhex("00000004") + successes + b"\x00" + b"\x00\x00\x00\x05" + b"1abcd"


def test_aggregate_without_records_returns_empty_accumulator() -> None:
    # As Fluvio's glue: the output accumulator is the one after the last success.
    rc, out = module("concat_aggregate").call("aggregate", values_input([]) + b"\0\0\0\x02ab")
    assert (rc, out) == (0, bytes(4) + b"\x00" + bytes(4))


def test_init_missing_param() -> None:
    rc, out = module("contains_filter").call("init", params({"other": "x"}))
    hint = b"Missing param contains"
    assert (rc, out) == (-2, len(hint).to_bytes(2, "big") + hint)


def test_init_undecodable() -> None:
    assert module("contains_filter").call("init", b"\x00\x01\x00") == (-10, None)


@pytest.mark.parametrize("version", [16, 19, 20, 21, 22, 23, 25])
def test_versions(version: int) -> None:
    m = module("catfact_map")
    data = smartmodule_input([record(b'{"fact":"x"}', offset_delta=0)], base_offset=7,
                             base_timestamp=1000, version=version)
    rc, out = m.call("map", data, version)
    assert rc == 1
    assert out == bytes.fromhex("00000001") + record(b'"x"') + b"\x00"


def test_keys_and_deltas_are_kept_by_map() -> None:
    data = smartmodule_input([record(b'{"fact":1}', key=b"k1", offset_delta=3,
                                     timestamp_delta=-5)], base_offset=100)
    rc, out = module("catfact_map").call("map", data)
    assert rc == 1
    assert out == bytes.fromhex("00000001") + record(b"1", key=b"k1", offset_delta=3,
                                                     timestamp_delta=-5) + b"\x00"


def test_array_map_emits_fresh_records() -> None:
    data = smartmodule_input([record(b'[1, "a", {"b": 2, "a": [true, null]}]', key=b"k",
                                     offset_delta=2)])
    rc, out = module("split_array").call("array_map", data)
    assert rc == 3
    expected = b"".join(record(v) for v in [b"1", b'"a"', b'{"a":[true,null],"b":2}'])
    assert out == bytes.fromhex("00000003") + expected + b"\x00"


@pytest.mark.parametrize("raw, expected", [
    (rb'{"fact":"tab\there \"q\" \\ \/ \u00e9 \ud83d\ude00 nl\n"}',
     '"tab\\there \\"q\\" \\\\ / \u00e9 \U0001F600 nl\\n"'.encode()),
    (b'{"length": 3}', b"null"),
    (b'{"fact": "a", "fact": "b"}', b'"b"'),
    (b'{"fact": -1.50e1}', b"-15.0"),
    (b'{"fact": "\x01"}', None),
])
def test_catfact_json(raw: bytes, expected: bytes | None) -> None:
    rc, out = module("catfact_map").call("map", values_input([raw]))
    if expected is None:
        assert rc == 0 and out[4] == 1  # an error, no success
        assert b"control character" in out
    else:
        assert rc == 1
        assert out == bytes.fromhex("00000001") + record(expected) + b"\x00"


def test_catfact_error_hint_names_position() -> None:
    rc, out = module("catfact_map").call("map", values_input([b"{}", b"nope"], base_offset=9))
    assert rc == 1
    hint = b"expected ident at line 1 column 2"
    assert out.endswith(b"\x01" + len(hint).to_bytes(2, "big") + hint
                        + (10).to_bytes(8, "big") + b"\x01" + b"\x00" + b"\x08nope")


@pytest.mark.parametrize("data, rc", [
    (b"\x00\x01", -11),                                               # truncated base input
    (bytes(8) + b"\x00\x00\x00\x05" + b"\x00\x00\x00\x01\x7f" + bytes(15), -22),  # bad records
])
def test_decode_errors(data: bytes, rc: int) -> None:
    assert module("parse_int").call("filter_map", data) == (rc, None)


def test_varint_edges() -> None:
    assert zigzag(0) == b"\x00" and zigzag(-1) == b"\x01" and zigzag(8191) == b"\xfe\x7f"
    data = smartmodule_input([record(b"5", offset_delta=100_000, timestamp_delta=-70_000)])
    rc, out = module("parse_int").call("filter_map", data)
    assert rc == 1
    assert out == bytes.fromhex("00000001") + record(b"5", offset_delta=100_000,
                                                     timestamp_delta=-70_000) + b"\x00"


def test_memory_is_not_leaked_per_call() -> None:
    m = module("parse_int")
    data = values_input([b"12345678"] * 1000)
    m.call("filter_map", data)
    pages = m.memory.size(m.store)
    for _ in range(50):
        m.call("filter_map", data)
    assert m.memory.size(m.store) == pages


def test_init_with_lookback_then_look_back_state_carries() -> None:
    m = module("dedup_filter")
    # Some(last 2), then Some(age 60 s 5 ns)
    lookback = (b"\x01" + (2).to_bytes(8, "big")
                + b"\x01" + (60).to_bytes(8, "big") + (5).to_bytes(4, "big"))
    init = (1).to_bytes(2, "big") + b"\x00\x03max" + b"\x00\x0210" + lookback
    assert m.call("init", init) == (0, None)
    assert m.call("look_back", values_input([b"a", b"z"])) == (0, None)
    rc, out = m.call("filter", values_input([b"a", b"b", b"z", b"b", b"c"], base_offset=7))
    assert rc == 2
    assert out == (bytes.fromhex("00000002") + record(b"b", offset_delta=1)
                   + record(b"c", offset_delta=4) + b"\x00")


def test_init_lookback_layout_depends_on_version() -> None:
    # Version 20: lookback without age; version 19: no lookback byte at all.
    v20 = b"\x00\x00" + b"\x01" + (3).to_bytes(8, "big")
    assert module("dedup_filter").call("init", v20, 20) == (0, None)
    assert module("dedup_filter").call("init", b"\x00\x00", 19) == (0, None)
    assert module("dedup_filter").call("init", b"\x00\x00", 22) == (-10, None)  # byte missing


def test_aggregate_base_input_includes_the_accumulator() -> None:
    """As Fluvio decodes SmartModuleAggregateInput: a missing accumulator is a base-input
    error (-11) even when the records are also bad; bad records alone are -22."""
    bad_records = bytes(8) + b"\x00\x00\x00\x05" + b"\x00\x00\x00\x01\x7f" + bytes(15)
    m = module("concat_aggregate")
    assert m.call("aggregate", bad_records) == (-11, None)
    assert m.call("aggregate", bad_records + b"\x00\x00\x00\x00") == (-22, None)
